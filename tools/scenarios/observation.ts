/**
 * What a scenario run showed, in one shape for every engine: the in-process runs and the Step Functions Local suite
 * turn their run into a ScenarioObservation, which the tests compare with the scenario's expectations.
 */
import type { LocalRunResult } from '../lib/local-engine';

export interface ScenarioObservation {
  readonly status: string;
  readonly error?: string;
  /** CloudFront calls, retries included. */
  readonly cloudfrontCalls: number;
  /** The `outcome` message attribute of every SNS publish, in order (undefined where it is missing). */
  readonly publishedOutcomes: readonly (string | undefined)[];
  readonly continuations: number;
  /** progress.unanswered in the output of the last state to finish: checks that got no answer. */
  readonly unanswered?: number;
  readonly statesEntered: readonly string[];
}

/** progress.unanswered of a state's output, if it has one. */
export function unansweredIn(output: unknown): number | undefined {
  const unanswered = (output as { progress?: { unanswered?: unknown } } | null)?.progress?.unanswered;
  return typeof unanswered === 'number' ? unanswered : undefined;
}

export function observeLocalRun(run: LocalRunResult): ScenarioObservation {
  return {
    status: run.status,
    ...(run.error === undefined ? {} : { error: run.error }),
    cloudfrontCalls: run.cloudfrontCalls,
    publishedOutcomes: run.published.map((request) => request.MessageAttributes.outcome?.StringValue),
    continuations: run.continuations.length,
    unanswered: unansweredIn(run.lastOutput),
    statesEntered: run.statesEntered,
  };
}

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
  readonly statesEntered: readonly string[];
}

export function observeLocalRun(run: LocalRunResult): ScenarioObservation {
  return {
    status: run.status,
    ...(run.error === undefined ? {} : { error: run.error }),
    cloudfrontCalls: run.cloudfrontCalls,
    publishedOutcomes: run.published.map((request) => request.MessageAttributes.outcome?.StringValue),
    continuations: run.continuations.length,
    statesEntered: run.statesEntered,
  };
}

/**
 * What a scenario run showed, in one shape for every engine: the in-process runs and the Step Functions Local suite
 * turn their run into a ScenarioObservation, which the tests compare with the scenario's expectations.
 */
import type { LocalRunResult } from '../lib/local-engine';
import { WATCH_METRICS } from '../../domain/watch-metrics';

export interface ScenarioObservation {
  readonly status: string;
  readonly error?: string;
  /** CloudFront calls, retries included. */
  readonly cloudfrontCalls: number;
  /** The `outcome` message attribute of every SNS publish, in order (undefined where it is missing). */
  readonly publishedOutcomes: readonly (string | undefined)[];
  /** The detail's outcome of every Change Finished event put, in order, retries included. */
  readonly changeEventOutcomes: readonly (string | undefined)[];
  /** The Outcome dimension of every PutMetricData call, in order, retries included. */
  readonly metricOutcomes: readonly (string | undefined)[];
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

/** The outcome a PutEvents request's Change Finished event tells, its detail an object or JSON text. */
export function changeEventOutcome(request: unknown): string | undefined {
  const detail = (request as { Entries?: Array<{ Detail?: unknown }> } | null)?.Entries?.[0]?.Detail;
  const parsed = (typeof detail === 'string' ? JSON.parse(detail) : detail) as { outcome?: unknown } | undefined;
  return typeof parsed?.outcome === 'string' ? parsed.outcome : undefined;
}

/** The Outcome dimension of a PutMetricData request's first datum. */
export function metricOutcome(request: unknown): string | undefined {
  const data = (request as { MetricData?: Array<{ Dimensions?: Array<{ Name?: string; Value?: unknown }> }> } | null)
    ?.MetricData;
  const value = data?.[0]?.Dimensions?.find((dimension) => dimension.Name === WATCH_METRICS.dimensions.outcome)?.Value;
  return typeof value === 'string' ? value : undefined;
}

export function observeLocalRun(run: LocalRunResult): ScenarioObservation {
  return {
    status: run.status,
    ...(run.error === undefined ? {} : { error: run.error }),
    cloudfrontCalls: run.cloudfrontCalls,
    publishedOutcomes: run.published.map((request) => request.MessageAttributes.outcome?.StringValue),
    changeEventOutcomes: run.changeEvents.map(changeEventOutcome),
    metricOutcomes: run.metrics.map(metricOutcome),
    continuations: run.continuations.length,
    unanswered: unansweredIn(run.lastOutput),
    statesEntered: run.statesEntered,
  };
}

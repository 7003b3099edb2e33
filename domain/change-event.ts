/**
 * The "CloudFront Change Finished" event every watch puts on an EventBridge bus when it ends, in both modes, and the
 * metrics it records then: its fields and how they are derived, in one place. The state machine fills them from its
 * JSONPaths (statemachine/definition.ts), the sqs-retry checker from what its check learned; docs/change-event.md
 * shows them to whoever writes a rule.
 */
import { KINDS, type Outcome, type WatchKind } from './kinds';
import type { WatchDetails } from './watch-execution';
import { WATCH_METRICS } from './watch-metrics';
import { secondsSince } from './time';

export const CHANGE_EVENT = {
  source: 'cloudfront-change-notifier',
  detailType: 'CloudFront Change Finished',
  /** The account's default event bus, which the context key eventBusName replaces. */
  defaultBusName: 'default',
} as const;

/** What a watch knows when it ends, besides the watch itself. */
export interface WatchFinish {
  readonly outcome: Outcome;
  /** Status checks made, answered or not: the number of the check that ended the watch. */
  readonly checks: number;
  /**
   * Seconds from the API call (startedAt) to the check that ended the watch. The sqs-retry checker reads its clock; the
   * state machine, which has no date arithmetic, counts: the delay the dispatcher saw plus every wait (WatchProgress's
   * elapsedSeconds and waitSeconds), and leaves out the time the checks themselves took.
   */
  readonly durationSeconds: number;
  /** When the watch ended, ISO 8601: the state machine's $$.State.EnteredTime, the sqs-retry checker's time of check. */
  readonly finishedAt: string;
}

/**
 * The event's detail: every field of the watch as the execution input carries it (kind, change, changedBy, eventId,
 * startedAt, distributionId, tenantId and invalidationId where the kind has them, eTag where the CloudTrail record has
 * one, paths, consoleUrl, watchLimit, executionName), and how it ended. The state machine merges the same two objects
 * with States.JsonMerge, so both modes put the same keys.
 */
export type ChangeFinishedDetail = WatchDetails & WatchFinish;

export function changeFinishedDetail(watch: WatchDetails, finish: WatchFinish): ChangeFinishedDetail {
  return { ...watch, ...finish };
}

/** The seconds the dispatcher saw between the API call and the start of the watch, its first count towards durationSeconds. */
export function secondsSinceChange(startedAt: string, now: Date): number {
  return Math.max(0, Math.round(secondsSince(startedAt, now)));
}

/** The one entry of a PutEvents request, as both modes send it. */
export interface ChangeEventEntry {
  readonly Source: string;
  readonly DetailType: string;
  readonly Detail: string;
  readonly EventBusName: string;
}

/** The PutEvents entry of a finished watch, its detail as JSON (what the SDK and EventBridge take). */
export function changeEventEntry(eventBusName: string, detail: ChangeFinishedDetail): ChangeEventEntry {
  return {
    Source: CHANGE_EVENT.source,
    DetailType: CHANGE_EVENT.detailType,
    Detail: JSON.stringify(detail),
    EventBusName: eventBusName,
  };
}

/** A dimension of a watch metric, by its WATCH_METRICS role. */
type DimensionRole = keyof typeof WATCH_METRICS.dimensions;

/** Each metric a finished watch records, its unit and its dimensions (WATCH_METRICS says which). */
export const WATCH_METRIC_DATA = [
  { name: WATCH_METRICS.watchesFinished, unit: 'Count', dimensions: ['notifier', 'outcome'] },
  { name: WATCH_METRICS.watchDuration, unit: 'Seconds', dimensions: ['notifier', 'kind', 'outcome'] },
  { name: WATCH_METRICS.checksPerWatch, unit: 'Count', dimensions: ['notifier', 'kind', 'outcome'] },
] as const satisfies readonly { name: string; unit: string; dimensions: readonly DimensionRole[] }[];

export type WatchMetricName = (typeof WATCH_METRIC_DATA)[number]['name'];

/**
 * How many distinct custom metrics (name and dimension values) a stack that watches these kinds can record, each billed
 * per month: one per outcome for WatchesFinished, one per kind and outcome for the two others.
 */
export function distinctWatchMetrics(kinds: readonly WatchKind[]): number {
  const endings = kinds.map(kindOutcomes);
  const outcomes = new Set(endings.flat());
  const kindOutcomePairs = endings.reduce((sum, list) => sum + list.length, 0);
  return WATCH_METRIC_DATA.reduce(
    (sum, metric) =>
      sum + ((metric.dimensions as readonly string[]).includes('kind') ? kindOutcomePairs : outcomes.size),
    0,
  );
}

/** The outcomes a kind of watch can end with. */
export function kindOutcomes(kind: WatchKind): Outcome[] {
  const rules = KINDS[kind];
  return [
    rules.doneOutcome,
    ...(rules.supersedable ? (['superseded'] as const) : []),
    'not-found',
    'timed-out',
    'check-failed',
  ];
}

/** The value each metric records for one finished watch. */
export function watchMetricValues(
  finish: Pick<WatchFinish, 'checks' | 'durationSeconds'>,
): Record<WatchMetricName, number> {
  return {
    [WATCH_METRICS.watchesFinished]: 1,
    [WATCH_METRICS.watchDuration]: finish.durationSeconds,
    [WATCH_METRICS.checksPerWatch]: finish.checks,
  };
}

/** The dimension values of one finished watch, by role. */
export interface WatchMetricDimensions {
  /** The stack's name: two notifiers in one account keep apart. */
  readonly notifier: string;
  readonly kind: WatchKind;
  readonly outcome: Outcome;
}

/**
 * The dimensions a metric is recorded with (WATCH_METRIC_DATA), by name, for these values: what a reader of the metric
 * must ask for exactly, since CloudWatch matches a metric by its whole dimension set.
 */
export function watchMetricDimensions(
  metricName: WatchMetricName,
  values: Partial<Record<DimensionRole, string>>,
): Record<string, string> {
  const metric = WATCH_METRIC_DATA.find((candidate) => candidate.name === metricName)!;
  return Object.fromEntries(
    metric.dimensions.map((role) => {
      const value = values[role];
      if (value === undefined) throw new Error(`${metricName} is recorded with a ${role} dimension: give its value`);
      return [WATCH_METRICS.dimensions[role], value];
    }),
  );
}

/** Each dimension set the metrics are recorded with, once: one EMF directive each. */
const DIMENSION_SETS = [...new Set(WATCH_METRIC_DATA.map((metric) => metric.dimensions.join(',')))];

/**
 * One line in CloudWatch embedded metric format, which CloudWatch Logs turns into the three metrics of a finished watch
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html):
 * one directive per dimension set, the dimension values and the metric values at the top level.
 */
export function watchMetricsEmf(dimensions: WatchMetricDimensions, finish: WatchFinish, at: Date): string {
  const names = WATCH_METRICS.dimensions;
  const directives = DIMENSION_SETS.map((set) => ({
    Namespace: WATCH_METRICS.namespace,
    Dimensions: [set.split(',').map((role) => names[role as DimensionRole])],
    Metrics: WATCH_METRIC_DATA.filter((metric) => metric.dimensions.join(',') === set).map((metric) => ({
      Name: metric.name,
      Unit: metric.unit,
    })),
  }));
  return JSON.stringify({
    _aws: { Timestamp: at.getTime(), CloudWatchMetrics: directives },
    [names.notifier]: dimensions.notifier,
    [names.kind]: dimensions.kind,
    [names.outcome]: dimensions.outcome,
    ...watchMetricValues(finish),
  });
}

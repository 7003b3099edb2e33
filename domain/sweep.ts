/**
 * The reconciliation sweep's rules: which changes it looks for, which of those it takes over, how many CloudFront calls
 * a sweep may make, and how it recognizes a watch that an event already started. Pure: the sweeper Lambda
 * (functions/sweeper/) makes the calls.
 */
import { isSelected, KEYLESS_CALLS, watchKindsOf, type SweptChange } from './cloudtrail';
import type { WatchKind } from './kinds';
import { isKeyedName } from './watch-execution';

/**
 * The kinds a sweep looks for. A tenant invalidation is left out: only ListInvalidationsForDistributionTenant, one call
 * per tenant and sweep, could find one, and an account may hold thousands of tenants.
 */
export const SWEPT_KINDS: readonly WatchKind[] = ['distribution', 'invalidation', 'tenant'];

/**
 * A change younger than this is left to its CloudTrail event, which usually reaches the notifier within a minute or
 * two (unverified: CloudTrail delivers to EventBridge on a best-effort basis,
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail.html). The sweep then starts
 * only watches that an event did not, and ChangesMissedByCapture counts only late or lost events.
 */
export const SWEEP_GRACE_SECONDS = 120;

/**
 * Most ListInvalidations calls one sweep makes, one per distribution; an account with more distributions has them
 * listed in turns, a slice per sweep (invalidationListSlice).
 */
export const INVALIDATION_LISTS_PER_SWEEP = 100;

/** The pace of a sweep's per-distribution and per-change calls, far below the account's CloudFront rate. */
export const SWEEP_CALLS_PER_SECOND = 2;

/** The field of the sweeper's log line for each watch it starts, which the ChangesMissedByCapture metric counts. */
export const MISSED_BY_CAPTURE_LOG_FIELD = 'missedByCapture';

/**
 * The field of the sweeper's summary line, in mode stepfunctions, with the executions running after the sweep: the
 * dashboard's gauge of watches in progress.
 */
export const WATCHES_IN_PROGRESS_LOG_FIELD = 'watchesInProgress';

/** Before a change's first log line, the sqs-retry checker may already have logged its watch by a little. */
const LOG_SEARCH_MARGIN_SECONDS = 60;

/** What the schedule hands each sweep: its interval, which tells whose turn it is to have its invalidations listed. */
export interface SweepInvocation {
  readonly intervalMinutes: number;
}

/** The interval a schedule's input names, or undefined for an input that is not a SweepInvocation. */
export function sweepIntervalOf(event: unknown): number | undefined {
  const minutes = (event as Partial<SweepInvocation> | null)?.intervalMinutes;
  return typeof minutes === 'number' && Number.isInteger(minutes) && minutes > 0 ? minutes : undefined;
}

/** The kinds the sweep looks for with these watched events. */
export function kindsToSweep(watchedEvents: readonly string[]): WatchKind[] {
  return watchKindsOf(watchedEvents).filter((kind) => SWEPT_KINDS.includes(kind));
}

export type Adoption = 'adopt' | 'too-recent' | 'beyond-watch-limit' | 'not-selected';

/**
 * Whether the sweep starts a watch of a change it found InProgress: one distributionIds selects, old enough that its
 * event should have started a watch already (SWEEP_GRACE_SECONDS), and young enough that its watch limit has not run
 * out (its event's watch has then ended with a notification).
 */
export function adoption(
  change: SweptChange,
  settings: { readonly distributionIds: readonly string[]; readonly retentionSeconds: number },
  now: Date,
): Adoption {
  if (!isSelected(change, settings.distributionIds)) return 'not-selected';
  const ageSeconds = (now.getTime() - Date.parse(change.startedAt)) / 1000;
  if (ageSeconds < SWEEP_GRACE_SECONDS) return 'too-recent';
  if (ageSeconds >= settings.retentionSeconds) return 'beyond-watch-limit';
  return 'adopt';
}

/**
 * The distributions whose invalidations this sweep lists: all of them while they fit INVALIDATION_LISTS_PER_SWEEP,
 * else the slice whose turn it is, so that every distribution is listed once every ceil(n / 100) sweeps.
 */
export function invalidationListSlice(
  distributionIds: readonly string[],
  now: Date,
  intervalMinutes: number,
): string[] {
  const slices = Math.ceil(distributionIds.length / INVALIDATION_LISTS_PER_SWEEP);
  if (slices <= 1) return [...distributionIds];
  const sweepNumber = Math.floor(now.getTime() / (Math.max(1, intervalMinutes) * 60_000));
  const start = (sweepNumber % slices) * INVALIDATION_LISTS_PER_SWEEP;
  return distributionIds.slice(start, start + INVALIDATION_LISTS_PER_SWEEP);
}

/**
 * Mode stepfunctions: whether a running execution is an event-named watch of this distribution or tenant (a change
 * whose record had no ETag, such as AssociateAlias), which the name of a swept change cannot meet.
 */
export function isEventNamedWatchOf(executionName: string, resourceId: string): boolean {
  return executionName.startsWith(`${resourceId}-`) && !isKeyedName(executionName, resourceId);
}

/**
 * Mode sqs-retry: the CloudWatch Logs filter pattern that finds the sqs-retry checker's log lines of a watch of this
 * change (each status check logs watchLogFields), or of a keyless watch of the same distribution.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
 */
export function watchLogFilter(change: SweptChange): string {
  const resource =
    change.tenantId === undefined
      ? `$.distributionId = "${change.distributionId}"`
      : `$.tenantId = "${change.tenantId}"`;
  const sameChange =
    change.invalidationId === undefined
      ? [`$.eTag = "${change.eTag ?? ''}"`, ...keylessCalls(change.kind).map((call) => `$.change = "${call}"`)]
      : [`$.invalidationId = "${change.invalidationId}"`];
  return `{ (${resource}) && (${sameChange.map((test) => `(${test})`).join(' || ')}) }`;
}

/** The keyless calls that start a watch of this kind. */
function keylessCalls(kind: WatchKind): string[] {
  return KEYLESS_CALLS.filter((call) => watchKindsOf([call]).includes(kind));
}

/** From when the sqs-retry checker's log is searched for a watch of the change: a little before the change itself. */
export function watchLogSearchStart(change: SweptChange): Date {
  return new Date(Date.parse(change.startedAt) - LOG_SEARCH_MARGIN_SECONDS * 1000);
}

/**
 * The reconciliation sweep's rules: which changes it looks for, which of those it takes over, how many CloudFront calls
 * a sweep may make, and how it recognizes a watch that an event already started. Pure: the sweeper Lambda
 * (functions/sweeper/) makes the calls.
 */
import { isSelected, KEYLESS_CALLS, SWEPT, watchKindsOf, type SweptChange, type Watch } from './cloudtrail';
import type { WatchKind } from './kinds';
import { changeKey, isKeyedName } from './watch-execution';
import { secondsSince } from './time';

/**
 * The kinds a sweep looks for. A tenant invalidation is left out: only ListInvalidationsForDistributionTenant, one call
 * per tenant and sweep, could find one, and an account may hold thousands of tenants; neither a tenant nor its summary
 * counts invalidations in progress (https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_DistributionTenant.html,
 * https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_DistributionTenantSummary.html), and whether the
 * distribution's InProgressInvalidationBatches counts its tenants' is unverified.
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
 * Most distributions whose invalidations one sweep looks at, each with one GetDistribution (its count of InProgress
 * invalidations) and, only when that count is above 0, ListInvalidations pages; an account with more distributions
 * has them looked at in turns, a slice per sweep (invalidationListSlice).
 */
export const INVALIDATION_LISTS_PER_SWEEP = 100;

/**
 * Invalidations asked for per ListInvalidations page (its MaxItems). The API reference names no maximum (unverified that
 * CloudFront answers more than 100 a page): https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_ListInvalidations.html
 */
export const INVALIDATIONS_PER_PAGE = 100;

/**
 * Most ListInvalidations pages one sweep reads for one distribution: its 500 newest invalidations, which hold every
 * InProgress one unless 500 were created since the oldest still InProgress. Without a bound, a count the pages never
 * reach (a count that includes what the list does not show) would page through the distribution's whole history.
 */
export const INVALIDATION_PAGES_PER_DISTRIBUTION = 5;

/**
 * Most ListInvalidations pages one sweep reads in all, so that its worst case (GetDistribution for each of the
 * INVALIDATION_LISTS_PER_SWEEP distributions, then these pages, at SWEEP_CALLS_PER_SECOND) stays at 75 s, within the
 * sweeper's 2-minute timeout.
 */
export const INVALIDATION_PAGES_PER_SWEEP = 50;

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
  const ageSeconds = secondsSince(change.startedAt, now);
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

/** How far a sweep has listed the invalidations of one distribution. */
export interface InvalidationListing {
  /**
   * The distribution's InProgressInvalidationBatches as GetDistribution told it: "the number of invalidation batches
   * currently in progress", https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_Distribution.html
   */
  readonly inProgressCounted: number;
  /** InProgress invalidations on the pages read so far. */
  readonly inProgressFound: number;
  readonly pagesRead: number;
  /** The last page's IsTruncated: more invalidations remain, from its NextMarker on. */
  readonly truncated: boolean;
  /** The CreateTime of the last invalidation of the last page read, the oldest read so far. */
  readonly oldestCreatedAt?: string;
  /** ListInvalidations pages the sweep may still read, for every distribution (INVALIDATION_PAGES_PER_SWEEP). */
  readonly sweepPagesLeft: number;
}

/** Why a sweep stops listing a distribution's invalidations, or 'next-page' to read one more. */
export type InvalidationListStep =
  'next-page' | 'all-found' | 'list-ended' | 'beyond-watch-limit' | 'distribution-page-bound' | 'sweep-page-bound';

/** The steps after which InProgress invalidations may remain unread: the sweep logs them, so none is missed silently. */
export const CUT_LISTING_STEPS: readonly InvalidationListStep[] = ['distribution-page-bound', 'sweep-page-bound'];

/**
 * Whether to read another page of ListInvalidations. It stops once the pages read hold as many InProgress invalidations
 * as the distribution counted, or the pages end, or the last page reached invalidations as old as the watch limit
 * (the list runs "in decreasing order from most recent to oldest",
 * https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_ListInvalidations.html, so no later page holds one the
 * sweep would take over), or a bound on pages is reached.
 */
export function nextInvalidationListStep(
  listing: InvalidationListing,
  retentionSeconds: number,
  now: Date,
): InvalidationListStep {
  if (listing.inProgressFound >= listing.inProgressCounted) return 'all-found';
  if (listing.pagesRead > 0 && !listing.truncated) return 'list-ended';
  if (listing.oldestCreatedAt !== undefined && secondsSince(listing.oldestCreatedAt, now) >= retentionSeconds) {
    return 'beyond-watch-limit';
  }
  if (listing.pagesRead >= INVALIDATION_PAGES_PER_DISTRIBUTION) return 'distribution-page-bound';
  if (listing.sweepPagesLeft <= 0) return 'sweep-page-bound';
  return 'next-page';
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
  const resource = resourceTerm(change);
  const sameChange =
    change.invalidationId === undefined
      ? [`$.eTag = "${change.eTag ?? ''}"`, ...keylessCalls(change.kind).map((call) => `$.change = "${call}"`)]
      : [`$.invalidationId = "${change.invalidationId}"`];
  return `{ (${resource}) && (${sameChange.map((test) => `(${test})`).join(' || ')}) }`;
}

/** The log field that names what a change was made to: its tenant, or its distribution. */
function resourceTerm(change: Pick<Watch, 'distributionId' | 'tenantId'>): string {
  return change.tenantId === undefined
    ? `$.distributionId = "${change.distributionId}"`
    : `$.tenantId = "${change.tenantId}"`;
}

/**
 * Mode sqs-retry: whether the checker, at the first check of an event's watch, searches its log for a watch that the
 * sweep started of the same change. Only then can there be one: the sweep takes over no change younger than
 * SWEEP_GRACE_SECONDS (less LOG_SEARCH_MARGIN_SECONDS for the two clocks and the two times of the change), meets a
 * change on its key only, and never looks for tenant invalidations.
 */
export function maySweepWatchAlready(watch: Watch, checkedAt: Date): boolean {
  if (watch.change === SWEPT.change || !SWEPT_KINDS.includes(watch.kind) || changeKey(watch) === undefined)
    return false;
  const ageSeconds = secondsSince(watch.startedAt, checkedAt);
  return ageSeconds >= SWEEP_GRACE_SECONDS - LOG_SEARCH_MARGIN_SECONDS;
}

/**
 * Mode sqs-retry: the filter pattern that finds the checker's lines of a watch the sweep started of this change (the
 * `change` field of its lines reads SWEPT.change), searched from watchLogSearchStart.
 */
export function sweptWatchLogFilter(watch: Watch): string {
  const sameChange =
    watch.invalidationId === undefined
      ? `$.eTag = "${watch.eTag ?? ''}"`
      : `$.invalidationId = "${watch.invalidationId}"`;
  return `{ (${resourceTerm(watch)}) && ($.change = "${SWEPT.change}") && (${sameChange}) }`;
}

/** The keyless calls that start a watch of this kind. */
function keylessCalls(kind: WatchKind): string[] {
  return KEYLESS_CALLS.filter((call) => watchKindsOf([call]).includes(kind));
}

/** From when the sqs-retry checker's log is searched for a watch of the change: a little before the change itself. */
export function watchLogSearchStart(change: Pick<SweptChange, 'startedAt'>): Date {
  return new Date(Date.parse(change.startedAt) - LOG_SEARCH_MARGIN_SECONDS * 1000);
}

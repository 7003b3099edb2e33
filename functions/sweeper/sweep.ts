/**
 * One reconciliation sweep: list what CloudFront has InProgress, and start a watch of each change no watch follows.
 * Takes its clients and logger as arguments, like the dispatcher, so tests drive this code against a simulated account.
 */
import {
  GetDistributionCommand,
  ListDistributionsCommand,
  ListDistributionTenantsCommand,
  ListInvalidationsCommand,
  type CloudFrontClient,
  type DistributionSummary,
  type GetDistributionCommandOutput,
} from '@aws-sdk/client-cloudfront';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import {
  ExecutionAlreadyExists,
  ListExecutionsCommand,
  StartExecutionCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { isSelected, sweepEventBody, sweptWatch, type SweptChange } from '../../domain/cloudtrail';
import { AWS_ERRORS } from '../../domain/errors';
import { CLOUDFRONT_STATUS } from '../../domain/kinds';
import { scheduleFor, type WatchSettings } from '../../domain/settings';
import {
  adoption,
  CUT_LISTING_STEPS,
  INVALIDATION_PAGES_PER_SWEEP,
  INVALIDATIONS_PER_PAGE,
  invalidationListSlice,
  nextInvalidationListStep,
  type InvalidationListing,
  type InvalidationListStep,
  isEventNamedWatchOf,
  kindsToSweep,
  MISSED_BY_CAPTURE_LOG_FIELD,
  SWEEP_CALLS_PER_SECOND,
  WATCHES_IN_PROGRESS_LOG_FIELD,
  watchLogFilter,
  watchLogSearchStart,
  type Adoption,
} from '../../domain/sweep';
import { buildWatchExecution, watchLogFields } from '../../domain/watch-execution';
import type { LogSink } from '../commons/log';
import { hasLogLine } from '../commons/log-search';
import { errorMessage, integrationErrorName } from '../commons/service-errors';

/** Pages a sweep reads of ListExecutions before it decides on what it has seen. */
const MAX_SEARCH_PAGES = 10;

/** Where a swept change's watch starts: an execution (mode stepfunctions), or a message for the sqs-retry checker. */
export type SweepTarget =
  | { readonly mode: 'stepfunctions'; readonly sfn: Pick<SFNClient, 'send'>; readonly stateMachineArn: string }
  | {
      readonly mode: 'sqs-retry';
      readonly sqs: Pick<SQSClient, 'send'>;
      readonly queueUrl: string;
      readonly logs: Pick<CloudWatchLogsClient, 'send'>;
      readonly checkerLogGroupName: string;
    };

export interface SweepDeps {
  readonly cloudfront: Pick<CloudFrontClient, 'send'>;
  readonly target: SweepTarget;
  readonly logger: LogSink;
  readonly settings: WatchSettings;
  /** Minutes between sweeps: whose turn it is to have its invalidations listed. */
  readonly intervalMinutes: number;
  readonly now: () => Date;
  /** Waits between two calls made per distribution or per change, to keep the sweep's pace (SWEEP_CALLS_PER_SECOND). */
  readonly pause: (milliseconds: number) => Promise<void>;
}

/** What the sweep did with a change it found InProgress. */
export type SweepResult = Exclude<Adoption, 'adopt'> | 'started' | 'already-watched' | 'failed';

export interface SweepReport {
  readonly changes: readonly { readonly change: SweptChange; readonly result: SweepResult }[];
  /** Distributions that were listed, then gone when the sweep asked about them. */
  readonly gone: readonly string[];
  /** Distributions whose invalidations were not all listed: a page bound was reached first. */
  readonly cutListings: readonly CutListing[];
  /** Calls that failed: the sweep went on without them, and the handler fails the invocation. */
  readonly failures: readonly string[];
}

/** A distribution whose invalidation list a page bound cut: InProgress invalidations may remain on the pages unread. */
export interface CutListing {
  readonly distributionId: string;
  readonly step: InvalidationListStep;
  readonly inProgressCounted: number;
  readonly inProgressFound: number;
  readonly pagesRead: number;
}

/** GetDistribution of one distribution, asked at most once a sweep; `cached` when an earlier look asked it. */
type DistributionReader = (id: string) => {
  readonly answer: () => Promise<GetDistributionCommandOutput>;
  readonly cached: boolean;
};

/** An error of a per-distribution call, named after the call for the failure report. */
type CallFailure = Error & { call?: string };

const isGone = (error: unknown) => integrationErrorName(error) === AWS_ERRORS.noSuchDistribution;
const failure = (call: string, error: unknown) => `${call}: ${integrationErrorName(error)}: ${errorMessage(error)}`;
const isoTime = (time: Date | undefined) => (time ?? new Date(0)).toISOString().replace('.000Z', 'Z');

/** Every distribution of the account, page by page. */
async function listDistributions(cloudfront: SweepDeps['cloudfront']): Promise<DistributionSummary[]> {
  const all: DistributionSummary[] = [];
  let marker: string | undefined;
  do {
    const { DistributionList: page } = await cloudfront.send(new ListDistributionsCommand({ Marker: marker }));
    all.push(...(page?.Items ?? []));
    marker = page?.IsTruncated ? page.NextMarker : undefined;
  } while (marker);
  return all;
}

export async function sweep(deps: SweepDeps): Promise<SweepReport> {
  const now = deps.now();
  const kinds = kindsToSweep(deps.settings.watchedEvents);
  const found: SweptChange[] = [];
  const gone = new Set<string>();
  const failures: string[] = [];
  const cutListings: CutListing[] = [];
  const spacing = 1000 / SWEEP_CALLS_PER_SECOND;
  // One GetDistribution per distribution and sweep, shared by the distribution and the invalidation look.
  const reads = new Map<string, Promise<GetDistributionCommandOutput>>();
  const read: DistributionReader = (id) => ({
    cached: reads.has(id),
    answer: () => {
      const answer = reads.get(id) ?? deps.cloudfront.send(new GetDistributionCommand({ Id: id }));
      reads.set(id, answer);
      return answer;
    },
  });
  const foundAt = isoTime(now);

  if (kinds.includes('distribution') || kinds.includes('invalidation')) {
    let distributions: DistributionSummary[] = [];
    try {
      distributions = await listDistributions(deps.cloudfront);
    } catch (error) {
      failures.push(failure('ListDistributions', error));
    }
    const selected = distributions.filter((summary) =>
      isSelected({ distributionId: summary.Id ?? '' }, deps.settings.distributionIds),
    );
    if (kinds.includes('distribution')) {
      for (const summary of selected.filter(({ Status }) => Status === CLOUDFRONT_STATUS.inProgress)) {
        const change = await inProgressDistribution(summary, foundAt, read, gone, failures);
        if (change) found.push(change);
      }
    }
    if (kinds.includes('invalidation')) {
      const ids = selected.map(({ Id }) => Id ?? '');
      const listings = { sweepPagesLeft: INVALIDATION_PAGES_PER_SWEEP, calls: 0 };
      for (const distributionId of invalidationListSlice(ids, now, deps.intervalMinutes)) {
        try {
          found.push(...(await inProgressInvalidations(distributionId, foundAt, deps, read, listings, cutListings)));
        } catch (error) {
          if (isGone(error)) {
            gone.add(distributionId);
            continue;
          }
          // Throttling or a denial would only repeat for every other distribution: the next sweep tries again.
          failures.push(failure(`${(error as CallFailure).call ?? 'ListInvalidations'} ${distributionId}`, error));
          break;
        }
      }
    }
  }

  if (kinds.includes('tenant')) {
    try {
      let marker: string | undefined;
      do {
        const page = await deps.cloudfront.send(new ListDistributionTenantsCommand({ Marker: marker }));
        for (const tenant of page.DistributionTenantList ?? []) {
          if (tenant.Status !== CLOUDFRONT_STATUS.inProgress || tenant.Id === undefined || tenant.ETag === undefined)
            continue;
          found.push({
            kind: 'tenant',
            distributionId: tenant.DistributionId ?? '',
            tenantId: tenant.Id,
            eTag: tenant.ETag,
            startedAt: isoTime(tenant.LastModifiedTime),
            foundAt,
          });
        }
        marker = page.NextMarker;
      } while (marker);
    } catch (error) {
      failures.push(failure('ListDistributionTenants', error));
    }
  }

  const starter = watchStarter(deps, now, failures);
  const changes: { change: SweptChange; result: SweepResult }[] = [];
  let adopted = 0;
  for (const change of found) {
    const decision = adoption(change, deps.settings, now);
    if (decision !== 'adopt') {
      changes.push({ change, result: decision });
      continue;
    }
    if (adopted++ > 0) await deps.pause(spacing);
    changes.push({ change, result: await starter(change) });
  }

  const count = (result: SweepResult) => changes.filter((entry) => entry.result === result).length;
  const running = deps.target.mode === 'stepfunctions' ? await runningCount(deps.target) : undefined;
  deps.logger.info('Sweep done', {
    inProgress: changes.length,
    started: count('started'),
    alreadyWatched: count('already-watched'),
    tooRecent: count('too-recent'),
    gone: gone.size,
    invalidationListsCut: cutListings.length,
    failures,
    ...(running === undefined ? {} : { [WATCHES_IN_PROGRESS_LOG_FIELD]: running }),
  });
  return { changes, gone: [...gone], cutListings, failures };
}

/** The change a distribution's summary shows InProgress; GetDistribution tells its ETag when the summary has none. */
async function inProgressDistribution(
  summary: DistributionSummary,
  foundAt: string,
  read: DistributionReader,
  gone: Set<string>,
  failures: string[],
): Promise<SweptChange | undefined> {
  const distributionId = summary.Id ?? '';
  const change = (eTag: string): SweptChange => ({
    kind: 'distribution',
    distributionId,
    eTag,
    startedAt: isoTime(summary.LastModifiedTime),
    foundAt,
  });
  if (summary.ETag !== undefined) return change(summary.ETag);
  try {
    const answer = await read(distributionId).answer();
    const inProgress = answer.Distribution?.Status === CLOUDFRONT_STATUS.inProgress;
    return inProgress && answer.ETag !== undefined ? change(answer.ETag) : undefined;
  } catch (error) {
    if (isGone(error)) gone.add(distributionId);
    else failures.push(failure(`GetDistribution ${distributionId}`, error));
    return undefined;
  }
}

/**
 * The InProgress invalidations of one distribution: GetDistribution counts them (InProgressInvalidationBatches), and
 * only a count above 0 makes the sweep read ListInvalidations, page by page (Marker, NextMarker and IsTruncated,
 * https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_ListInvalidations.html), until nextInvalidationListStep
 * says stop. Each call waits its turn (SWEEP_CALLS_PER_SECOND); a call that fails is thrown, named after the call.
 */
async function inProgressInvalidations(
  distributionId: string,
  foundAt: string,
  deps: SweepDeps,
  read: DistributionReader,
  listings: { sweepPagesLeft: number; calls: number },
  cutListings: CutListing[],
): Promise<SweptChange[]> {
  const named = async <T>(call: string, answer: Promise<T>): Promise<T> => {
    try {
      return await answer;
    } catch (error) {
      (error as CallFailure).call = call;
      throw error;
    }
  };
  const paced = async <T>(call: string, send: () => Promise<T>): Promise<T> => {
    if (listings.calls++ > 0) await deps.pause(1000 / SWEEP_CALLS_PER_SECOND);
    return named(call, send());
  };
  const distribution = read(distributionId);
  const answer = distribution.cached
    ? await named('GetDistribution', distribution.answer())
    : await paced('GetDistribution', distribution.answer);
  const found: SweptChange[] = [];
  let listing: InvalidationListing = {
    inProgressCounted: answer.Distribution?.InProgressInvalidationBatches ?? 0,
    inProgressFound: 0,
    pagesRead: 0,
    truncated: true,
    sweepPagesLeft: listings.sweepPagesLeft,
  };
  let marker: string | undefined;
  let step: InvalidationListStep;
  while ((step = nextInvalidationListStep(listing, deps.settings.retentionSeconds, deps.now())) === 'next-page') {
    const { InvalidationList: page } = await paced('ListInvalidations', () =>
      deps.cloudfront.send(
        new ListInvalidationsCommand({
          DistributionId: distributionId,
          Marker: marker,
          MaxItems: INVALIDATIONS_PER_PAGE,
        }),
      ),
    );
    listings.sweepPagesLeft -= 1;
    const items = page?.Items ?? [];
    for (const item of items) {
      if (item.Status !== CLOUDFRONT_STATUS.inProgress || item.Id === undefined) continue;
      found.push({
        kind: 'invalidation',
        distributionId,
        invalidationId: item.Id,
        startedAt: isoTime(item.CreateTime),
        foundAt,
      });
    }
    marker = page?.IsTruncated ? page.NextMarker : undefined;
    const oldest = items.at(-1)?.CreateTime;
    listing = {
      ...listing,
      inProgressFound: found.length,
      pagesRead: listing.pagesRead + 1,
      truncated: marker !== undefined,
      ...(oldest === undefined ? {} : { oldestCreatedAt: isoTime(oldest) }),
      sweepPagesLeft: listings.sweepPagesLeft,
    };
  }
  const summary = {
    distributionId,
    step,
    inProgressCounted: listing.inProgressCounted,
    inProgressFound: listing.inProgressFound,
    pagesRead: listing.pagesRead,
  };
  if (CUT_LISTING_STEPS.includes(step)) {
    cutListings.push(summary);
    deps.logger.warn(
      'Invalidation list cut at a page bound: InProgress invalidations on the pages left unread are not swept',
      summary,
    );
  } else if (listing.inProgressFound < listing.inProgressCounted) {
    // One finished between the two calls, or the count holds what the list does not show.
    deps.logger.info('Fewer InProgress invalidations listed than the distribution counted', summary);
  }
  return found;
}

/** Starts the watch of a change in the sweep's mode, unless one follows it already. */
function watchStarter(
  deps: SweepDeps,
  now: Date,
  failures: string[],
): (change: SweptChange) => Promise<'started' | 'already-watched' | 'failed'> {
  const { target, settings, logger } = deps;
  let running: Promise<string[]> | undefined;
  const runningNames = (sfn: Pick<SFNClient, 'send'>, stateMachineArn: string) =>
    (running ??= runningExecutionNames(sfn, stateMachineArn).catch((error: unknown) => {
      // The names still keep a keyed change from a second watch; only a keyless one may then get one.
      failures.push(failure('ListExecutions', error));
      return [];
    }));

  return async (change) => {
    const watch = sweptWatch(change);
    const fields = watchLogFields(watch);
    try {
      if (target.mode === 'stepfunctions') {
        const resourceId = change.tenantId ?? change.distributionId;
        if (change.invalidationId === undefined) {
          const names = await runningNames(target.sfn, target.stateMachineArn);
          if (names.some((name) => isEventNamedWatchOf(name, resourceId))) return alreadyWatched(logger, fields);
        }
        const execution = buildWatchExecution(
          watch,
          { retentionSeconds: settings.retentionSeconds, schedule: scheduleFor(settings) },
          now,
        );
        try {
          await target.sfn.send(
            new StartExecutionCommand({
              stateMachineArn: target.stateMachineArn,
              name: execution.name,
              input: JSON.stringify(execution.input),
            }),
          );
        } catch (error) {
          if (error instanceof ExecutionAlreadyExists || (error as Error).name === 'ExecutionAlreadyExists') {
            return alreadyWatched(logger, { ...fields, executionName: execution.name });
          }
          throw error;
        }
        return started(logger, { ...fields, executionName: execution.name });
      }
      if (await loggedByChecker(target, change)) return alreadyWatched(logger, fields);
      await target.sqs.send(new SendMessageCommand({ QueueUrl: target.queueUrl, MessageBody: sweepEventBody(change) }));
      return started(logger, fields);
    } catch (error) {
      failures.push(
        failure(`starting the watch of ${change.invalidationId ?? change.tenantId ?? change.distributionId}`, error),
      );
      logger.warn('Could not start the watch of a change the sweep found; the next sweep tries again', {
        ...fields,
        error: integrationErrorName(error),
        errorMessage: errorMessage(error),
      });
      return 'failed';
    }
  };
}

function started(logger: LogSink, fields: Record<string, unknown>): 'started' {
  // One line per change, counted by the ChangesMissedByCapture metric filter.
  logger.warn('Change found InProgress that no event had announced: its watch is started', {
    ...fields,
    [MISSED_BY_CAPTURE_LOG_FIELD]: 1,
  });
  return 'started';
}

function alreadyWatched(logger: LogSink, fields: Record<string, unknown>): 'already-watched' {
  logger.info('Change found InProgress is already watched', fields);
  return 'already-watched';
}

/**
 * The executions running now: one per watch in progress, since a part ends as it starts the next. Undefined when
 * they cannot be listed: the gauge misses a point, and the sweep does not fail for it.
 */
async function runningCount(target: Extract<SweepTarget, { mode: 'stepfunctions' }>): Promise<number | undefined> {
  try {
    return (await runningExecutionNames(target.sfn, target.stateMachineArn)).length;
  } catch {
    return undefined;
  }
}

async function runningExecutionNames(sfn: Pick<SFNClient, 'send'>, stateMachineArn: string): Promise<string[]> {
  const names: string[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_SEARCH_PAGES; page++) {
    const answer = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn, statusFilter: 'RUNNING', maxResults: 1000, nextToken }),
    );
    names.push(...(answer.executions ?? []).map(({ name }) => name ?? ''));
    nextToken = answer.nextToken;
    if (!nextToken) break;
  }
  return names;
}

/** Whether the sqs-retry checker has logged a watch of this change since it was made. */
async function loggedByChecker(
  target: Extract<SweepTarget, { mode: 'sqs-retry' }>,
  change: SweptChange,
): Promise<boolean> {
  // Nothing found, or not within the pages read: a second message is better than a change nobody hears about.
  return hasLogLine(
    { logs: target.logs, logGroupName: target.checkerLogGroupName },
    watchLogFilter(change),
    watchLogSearchStart(change),
  );
}

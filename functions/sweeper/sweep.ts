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
} from '@aws-sdk/client-cloudfront';
import { FilterLogEventsCommand, type CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
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
  invalidationListSlice,
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
import { errorMessage, integrationErrorName } from '../commons/service-errors';

/** Pages a sweep reads of ListExecutions or FilterLogEvents before it decides on what it has seen. */
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
  /** Calls that failed: the sweep went on without them, and the handler fails the invocation. */
  readonly failures: readonly string[];
}

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
  const spacing = 1000 / SWEEP_CALLS_PER_SECOND;
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
        const change = await inProgressDistribution(summary, foundAt, deps, gone, failures);
        if (change) found.push(change);
      }
    }
    if (kinds.includes('invalidation')) {
      const ids = selected.map(({ Id }) => Id ?? '');
      for (const [index, distributionId] of invalidationListSlice(ids, now, deps.intervalMinutes).entries()) {
        if (index > 0) await deps.pause(spacing);
        try {
          const { InvalidationList: list } = await deps.cloudfront.send(
            new ListInvalidationsCommand({ DistributionId: distributionId }),
          );
          for (const item of list?.Items ?? []) {
            if (item.Status !== CLOUDFRONT_STATUS.inProgress || item.Id === undefined) continue;
            found.push({
              kind: 'invalidation',
              distributionId,
              invalidationId: item.Id,
              startedAt: isoTime(item.CreateTime),
              foundAt,
            });
          }
        } catch (error) {
          if (isGone(error)) {
            gone.add(distributionId);
            continue;
          }
          // Throttling or a denial would only repeat for every other distribution: the next sweep tries again.
          failures.push(failure(`ListInvalidations ${distributionId}`, error));
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
    failures,
    ...(running === undefined ? {} : { [WATCHES_IN_PROGRESS_LOG_FIELD]: running }),
  });
  return { changes, gone: [...gone], failures };
}

/** The change a distribution's summary shows InProgress; GetDistribution tells its ETag when the summary has none. */
async function inProgressDistribution(
  summary: DistributionSummary,
  foundAt: string,
  deps: SweepDeps,
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
    const answer = await deps.cloudfront.send(new GetDistributionCommand({ Id: distributionId }));
    const inProgress = answer.Distribution?.Status === CLOUDFRONT_STATUS.inProgress;
    return inProgress && answer.ETag !== undefined ? change(answer.ETag) : undefined;
  } catch (error) {
    if (isGone(error)) gone.add(distributionId);
    else failures.push(failure(`GetDistribution ${distributionId}`, error));
    return undefined;
  }
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
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_SEARCH_PAGES; page++) {
    const answer = await target.logs.send(
      new FilterLogEventsCommand({
        logGroupName: target.checkerLogGroupName,
        startTime: watchLogSearchStart(change).getTime(),
        filterPattern: watchLogFilter(change),
        limit: 1,
        nextToken,
      }),
    );
    if ((answer.events ?? []).length > 0) return true;
    nextToken = answer.nextToken;
    if (!nextToken) break;
  }
  // Nothing found, or not within the pages read: a second message is better than a change nobody hears about.
  return false;
}

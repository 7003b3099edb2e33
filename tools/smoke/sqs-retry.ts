/**
 * Mode sqs-retry: put the CloudTrail event the capture rule would forward into the buffer queue, and wait for the
 * sqs-retry checker to log that the watch ended. Its log lines (functions/sqs-retry/check.ts) are the timeline.
 */
import {
  FilterLogEventsCommand,
  type CloudWatchLogsClient,
  type FilteredLogEvent,
} from '@aws-sdk/client-cloudwatch-logs';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { describeDuration } from '../../domain/watch-execution';
import { clockText, Timeline } from '../cli/timeline';
import { CannotStart, describeError, isAccessDenied } from './deployment';
import { smokeEvent, smokeEventId, watchOf } from './event';
import { PASSING_OUTCOMES, type SmokeResult } from './report';
import { targetText, type SmokeRun } from './stepfunctions';
import { textOf } from '../lib/text';
import { CHECKER_LOG_MESSAGES } from '../../domain/checker-log';

/** FilterLogEvents has a low per-account request quota: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/cloudwatch_limits_cwl.html */
export const LOG_POLL_MILLISECONDS = 5_000;
/**
 * Pages of one FilterLogEvents search per poll: a page may be empty while a nextToken says there is more
 * (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_FilterLogEvents.html).
 */
const MAX_PAGES_PER_POLL = 20;
/** Lines are searched from a minute before the send, in case this machine's clock is ahead. */
const CLOCK_SKEW_MILLISECONDS = 60_000;

type Fields = Record<string, unknown>;

function tryJson(text: unknown): unknown {
  if (typeof text !== 'string') return text;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const isObject = (value: unknown): value is Fields =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The fields of one log line. Powertools Logger writes one JSON object per line; unverified whether Lambda's JSON log
 * format ever wraps it, so an object (or JSON text) under "message" that has a message of its own is read as the line.
 */
export function logLineFields(message: string | undefined): Fields | undefined {
  const line = tryJson(message?.trim());
  if (!isObject(line)) return undefined;
  const inner = tryJson(line.message);
  return isObject(inner) && typeof inner.message === 'string' ? { ...line, ...inner } : line;
}

/** The quoted term matches the id anywhere in a line, hyphens included: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html */
function filterPatternFor(eventId: string): string {
  return `"${eventId}"`;
}

interface Ending {
  readonly exitCode: 0 | 1;
  readonly outcome?: string;
  readonly reason: string;
}

export interface SqsRetryClients {
  readonly sqs: Pick<SQSClient, 'send'>;
  readonly logs: Pick<CloudWatchLogsClient, 'send'>;
}

export async function smokeSqsRetry(run: SmokeRun, clients: SqsRetryClients): Promise<SmokeResult> {
  const queueUrl = run.outputs.BufferQueueUrl!;
  const logGroupName = run.outputs.StatusCheckLogGroupName!;
  const startedAt = run.now();
  const eventId = smokeEventId(startedAt, run.random());
  const event = smokeEvent(run.target, run.caller, eventId, startedAt);
  watchOf(event, run.deployed.settings);
  const base = { mode: 'sqs-retry' as const, eventId, logGroupName };
  const search = (nextToken?: string) =>
    clients.logs.send(
      new FilterLogEventsCommand({
        logGroupName,
        filterPattern: filterPatternFor(eventId),
        startTime: startedAt.getTime() - CLOCK_SKEW_MILLISECONDS,
        ...(nextToken ? { nextToken } : {}),
      }),
    );

  // Read access to the log group is checked before anything is sent: a watch nobody can follow proves nothing.
  try {
    await search();
  } catch (error) {
    throw new CannotStart(
      `you may not read the status check's log group ${logGroupName} (logs:FilterLogEvents: ${describeError(error)}); nothing was sent.`,
    );
  }
  let messageId: string | undefined;
  try {
    // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html
    ({ MessageId: messageId } = await clients.sqs.send(
      new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(event) }),
    ));
  } catch (error) {
    throw new CannotStart(sendFailure(error, queueUrl));
  }

  const sentAt = startedAt.getTime();
  let clock = 0;
  const timeline = new Timeline(run.out, () => clock);
  timeline.print();
  timeline.at('send', `${targetText(run.target)}: CloudTrail event sent to the buffer queue as ${run.caller.arn}`, 0);
  timeline.more(`event ID ${eventId}, SQS message ${messageId ?? 'without an id'}`);

  const seen = new Set<string>();
  const deadline = sentAt + run.timeoutSeconds * 1000;
  let ending: Ending | undefined;
  try {
    while (!ending) {
      const lines: FilteredLogEvent[] = [];
      let nextToken: string | undefined;
      for (let page = 0; page < MAX_PAGES_PER_POLL; page += 1) {
        const answer = await search(nextToken);
        lines.push(...(answer.events ?? []));
        nextToken = answer.nextToken;
        if (!nextToken) break;
      }
      lines.sort((a, b) => (a.timestamp ?? 0) - (b.timestamp ?? 0));
      for (const line of lines) {
        const key = line.eventId ?? `${line.timestamp}:${line.message}`;
        if (seen.has(key)) continue;
        seen.add(key);
        if (line.timestamp !== undefined) clock = Math.max(0, (line.timestamp - sentAt) / 1000);
        ending = printLine(timeline, logLineFields(line.message), eventId, run) ?? ending;
      }
      if (ending || run.now().getTime() >= deadline) break;
      clock = (run.now().getTime() - sentAt) / 1000;
      timeline.showStatus(
        () =>
          `${clockText(clock)}  waiting for the status check's log lines (${describeDuration(run.timeoutSeconds)} at most)`,
      );
      await run.sleep(LOG_POLL_MILLISECONDS);
    }
  } catch (error) {
    return {
      ...base,
      exitCode: 1,
      reason: `could not read the status check's log lines (${describeError(error)}); the change is watched on, see log group ${logGroupName}`,
    };
  } finally {
    timeline.stop();
  }

  run.out.write(
    `\nLog lines: aws logs filter-log-events --region us-east-1 --log-group-name ${logGroupName} --filter-pattern '"${eventId}"'\n`,
  );
  if (!ending) {
    return {
      ...base,
      exitCode: 1,
      reason:
        `no "${CHECKER_LOG_MESSAGES.ended}" line for ${eventId} within ${describeDuration(run.timeoutSeconds)} (--timeout). ` +
        'The message stays in the buffer queue and is checked until its watch ends.',
    };
  }
  if (ending.exitCode === 0)
    run.out.write(`Notification sent to ${run.outputs.TopicArn ?? 'the topic'} by the status check.\n`);
  return { ...base, ...ending };
}

/** Prints one sqs-retry checker line of this watch; returns how the watch ended when the line says so. */
function printLine(timeline: Timeline, fields: Fields | undefined, eventId: string, run: SmokeRun): Ending | undefined {
  if (!fields || (fields.eventId !== undefined && fields.eventId !== eventId)) return undefined;
  const message = textOf(fields.message, '');
  const check = fields.check === undefined ? '' : `${textOf(fields.check)}: `;
  const target = targetText(run.target);
  if (message === CHECKER_LOG_MESSAGES.ended) {
    const outcome = textOf(fields.outcome, 'unknown');
    const error = fields.error === undefined ? '' : ` (${textOf(fields.error)})`;
    timeline.at('notify', `${check}the "${outcome}" notification was sent${error}`);
    if (PASSING_OUTCOMES.has(outcome)) {
      return {
        exitCode: 0,
        outcome,
        reason: `the watch of ${target} ended "${outcome}" and its notification was sent: the buffer queue, the sqs-retry checker, its role, the CloudFront status check, KMS and SNS work`,
      };
    }
    const what: Record<string, string> = {
      'not-found': `not found: CloudFront says ${target} does not exist${error}; check the id`,
      'check-failed': `check failed: the deployed status check could not read ${target}${error}`,
      'timed-out': `timed out: ${target} was still InProgress at the last allowed status check`,
    };
    return {
      exitCode: 1,
      outcome,
      reason: `${what[outcome] ?? `the watch ended "${outcome}"${error}`}; the "${outcome}" notification was sent`,
    };
  }
  if (message === CHECKER_LOG_MESSAGES.skipped) {
    timeline.at('skipped', textOf(fields.reason, ''));
    return {
      exitCode: 1,
      reason: `the deployed status check skipped the event: ${textOf(fields.reason, 'no reason logged')}`,
    };
  }
  if (message === CHECKER_LOG_MESSAGES.notDone) {
    timeline.at('check', `${check}${textOf(fields.status, 'not done')}`);
    if (typeof fields.waitSeconds === 'number')
      timeline.more(`checked again in ${describeDuration(fields.waitSeconds)}`);
  } else if (message === CHECKER_LOG_MESSAGES.noAnswer) {
    timeline.at('check', `${check}${textOf(fields.error, 'error')}, checked again later`);
  } else if (message === CHECKER_LOG_MESSAGES.publishFailed) {
    timeline.at(
      'notify',
      `${check}publishing the "${textOf(fields.outcome, '')}" notification failed (${textOf(fields.error, '')}); SQS brings it back`,
    );
  } else {
    timeline.at(textOf(fields.level, 'log').toLowerCase(), message);
  }
  return undefined;
}

/**
 * The queue policy lets only the capture rule's EventBridge target send, but within the account an identity policy
 * that allows sqs:SendMessage is enough on its own:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 * Unverified error names: SQS answers AccessDenied (403) or, for a queue it will not show, QueueDoesNotExist.
 */
function sendFailure(error: unknown, queueUrl: string): string {
  if (isAccessDenied(error) || /QueueDoesNotExist|NonExistentQueue/.test((error as Error).name ?? '')) {
    return (
      `you may not send to the buffer queue ${queueUrl} (sqs:SendMessage: ${describeError(error)}). Its queue policy admits only ` +
      "the capture rule; allow sqs:SendMessage on the queue's ARN in your own IAM policy (same account: no queue policy change needed), " +
      'or run the smoke test with a role that has it.'
    );
  }
  return `could not send the smoke event to the buffer queue ${queueUrl} (sqs:SendMessage: ${describeError(error)}).`;
}

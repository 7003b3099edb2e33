/**
 * Mode sqs-retry: one buffered event, one status check per delivery. SQS is the loop: a change that is not done yet
 * goes back to the queue, hidden until the schedule's next check; a finished watch sends its notification and the
 * message is deleted. Takes its clients and logger as arguments, like the dispatcher, so tests drive this code.
 */
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { ChangeMessageVisibilityCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { readCloudFrontStatus } from '../commons/cloudfront-status';
import { parseEventBridgeBody, type Watch } from '../../domain/cloudtrail';
import { maySweepWatchAlready, sweptWatchLogFilter, watchLogSearchStart } from '../../domain/sweep';
import { hasLogLine, type LogSearch } from '../commons/log-search';
import type { LogSink } from '../commons/log';
import {
  publishedMessage,
  renderChatNotification,
  renderNotification,
  type Notification,
  type PublishedMessage,
} from '../../domain/notification';
import { completeScheduleSettings, jitteredWait, waitAfterCheck, waitAfterNoAnswer } from '../../domain/schedule';
import { scheduleFor, type WatchSettings } from '../../domain/settings';
import { buildWatchExecution, watchLogFields, type WatchDetails } from '../../domain/watch-execution';
import { notificationValues, type CheckFacts } from './notification-values';
import { MAX_WAIT_AFTER_CHECK_SECONDS, notifyRoomSeconds } from '../../domain/receive-budget';
import { errorMessage, integrationErrorName } from '../commons/service-errors';
import { KINDS, type Outcome } from '../../domain/kinds';
import { AWS_ERRORS } from '../../domain/errors';
import { selectStatus, statusParameters } from '../../domain/status';
import { CHECKER_LOG_MESSAGES } from '../../domain/checker-log';
import {
  changeEventEntry,
  changeFinishedDetail,
  secondsSinceChange,
  watchMetricsEmf,
  type WatchFinish,
} from '../../domain/change-event';

/**
 * An unusable event comes back at once, so it reaches the dead-letter queue in minutes, long before it expires. The
 * price is one short invocation and error line per receive up to maxReceiveCount (545 with the defaults); the capture
 * rule forwards only CloudFront CloudTrail records, so such events are rare.
 */
export const UNUSABLE_EVENT_VISIBILITY_SECONDS = 0;

/** The reason an event's message is dropped at its first check when the sweep took its change over first. */
export const SWEPT_ALREADY_REASON = 'the reconciliation sweep found this change first and watches it';

/** One SQS delivery of a buffered event. */
export interface QueuedChange {
  readonly body: string;
  readonly receiptHandle: string;
  /** ApproximateReceiveCount: 1 on the first delivery. It numbers the status checks. */
  readonly receiveCount: number;
  /** SentTimestamp: when the event entered the queue. SQS deletes the message retentionSeconds later. */
  readonly sentAt: Date;
}

export interface StatusCheckQueue {
  readonly url: string;
  /** When a message comes back if nobody sets its visibility: after a failed notification or a failed invocation. */
  readonly visibilityTimeoutSeconds: number;
}

export interface StatusCheckDeps {
  readonly cloudfront: Pick<CloudFrontClient, 'send'>;
  readonly sns: Pick<SNSClient, 'send'>;
  readonly sqs: Pick<SQSClient, 'send'>;
  readonly logger: LogSink;
  readonly topicArn: string;
  readonly queue: StatusCheckQueue;
  readonly settings: WatchSettings;
  /** Chat channels are subscribed to the topic: each notification carries the chat message too. @default false */
  readonly chat?: boolean;
  readonly now: () => Date;
  /** Draws the jitter of each wait, in [0, 1) as Math.random does. */
  readonly random: () => number;
  /**
   * With the reconciliation sweep on: this checker's own log group, where a watch the sweep started logs its checks, so
   * that a late event finds it there (maySweepWatchAlready) instead of starting a second watch.
   */
  readonly sweptWatches?: LogSearch;
  /** The stack's name, the Notifier dimension of the watch metrics. */
  readonly notifier: string;
  /** Writes one line of embedded metric format to the function's log. */
  readonly writeMetrics: (line: string) => void;
  /**
   * Where the Change Finished event of every watch goes.
   * @default - no event (context key events=false)
   */
  readonly changeEvents?: { readonly eventBridge: Pick<EventBridgeClient, 'send'>; readonly busName: string };
}

export type StatusCheckResult =
  /** The watch ended with this notification: delete the message. */
  | { readonly result: 'notified'; readonly outcome: Outcome; readonly check: number }
  /** Not a change to watch: delete the message. */
  | { readonly result: 'skipped'; readonly reason: string }
  /** Not done, or CloudFront gave no answer: the message comes back for the next check. */
  | { readonly result: 'check-again'; readonly check: number; readonly waitSeconds: number; readonly reason: string }
  /** The notification could not be sent: the message comes back after the queue's visibility timeout. */
  | { readonly result: 'notify-again'; readonly outcome: Outcome; readonly reason: string }
  /** The event can never be watched: the message goes round until SQS moves it to the dead-letter queue. */
  | { readonly result: 'unusable'; readonly reason: string };

/** Whether the record must be reported as a batch item failure, so SQS keeps the message. */
export function keepsMessage(result: StatusCheckResult): boolean {
  return result.result === 'check-again' || result.result === 'notify-again' || result.result === 'unusable';
}

interface StatusAnswer {
  readonly status: string;
  readonly domainName?: string;
  readonly eTag?: string;
}

/** The same call, and the same fields of its answer, as the state machine's status Task for this kind of watch. */
async function readStatus(cloudfront: StatusCheckDeps['cloudfront'], watch: WatchDetails): Promise<StatusAnswer> {
  const selected = selectStatus(
    watch.kind,
    await readCloudFrontStatus(cloudfront, watch.kind, statusParameters(watch.kind, watch)),
  );
  const text = (key: string) => (typeof selected[key] === 'string' ? (selected[key] as string) : undefined);
  const selectsDomain = 'domainName' in KINDS[watch.kind].statusCall.answer;
  return {
    status: text('value') ?? '',
    ...(selectsDomain ? { domainName: text('domainName') ?? '' } : {}),
    eTag: text('eTag'),
  };
}

export interface DeadlineInput {
  readonly eventTime: string;
  readonly sentAt: Date;
  readonly retentionSeconds: number;
  readonly visibilityTimeoutSeconds: number;
}

/**
 * The last moment a check may be scheduled for: the watch limit (event time + retention, as in the state machine),
 * and never so close to the message's expiry that the notification retries could not all happen before it.
 */
export function watchDeadline(input: DeadlineInput): Date {
  const watchLimit = Date.parse(input.eventTime) + input.retentionSeconds * 1000;
  const expiry = input.sentAt.getTime() + input.retentionSeconds * 1000;
  return new Date(Math.min(watchLimit, expiry - notifyRoomSeconds(input.visibilityTimeoutSeconds) * 1000));
}

export async function checkQueuedChange(message: QueuedChange, deps: StatusCheckDeps): Promise<StatusCheckResult> {
  const parsed = parseEventBridgeBody(message.body, deps.settings);
  if (parsed.type === 'invalid') {
    deps.logger.error('Event cannot be watched; it comes back at once until SQS moves it to the dead-letter queue', {
      reason: parsed.reason,
      receiveCount: message.receiveCount,
    });
    await hideFor(message, UNUSABLE_EVENT_VISIBILITY_SECONDS, deps);
    return { result: 'unusable', reason: parsed.reason };
  }
  if (parsed.type === 'skip') {
    deps.logger.info(CHECKER_LOG_MESSAGES.skipped, {
      reason: parsed.reason,
      eventName: parsed.eventName,
      eventId: parsed.eventId,
    });
    return { result: 'skipped', reason: parsed.reason };
  }

  const { watch } = parsed;
  const schedule = scheduleFor(deps.settings)(KINDS[watch.kind].schedule);
  // The dispatcher's own budget rule, counted from when the event entered the queue: the state machine's limit.
  const execution = buildWatchExecution(
    watch,
    { retentionSeconds: deps.settings.retentionSeconds, schedule: () => schedule },
    message.sentAt,
  );
  const { maxChecks } = execution.input.progress;
  const check = message.receiveCount;
  const checkedAt = deps.now();
  const jitterPercent = completeScheduleSettings(deps.settings.schedule).checkJitterPercent;
  // SQS's 12 h cap: a wait that jitter would carry past it is cut (synth refuses schedules whose plain wait is past it).
  const waitSeconds = Math.min(
    jitteredWait(waitAfterCheck(schedule, check), jitterPercent, deps.random),
    MAX_WAIT_AFTER_CHECK_SECONDS,
  );
  const deadline = watchDeadline({
    eventTime: watch.startedAt,
    sentAt: message.sentAt,
    retentionSeconds: deps.settings.retentionSeconds,
    visibilityTimeoutSeconds: deps.queue.visibilityTimeoutSeconds,
  });
  const lastCheck = check >= maxChecks || checkedAt.getTime() + waitSeconds * 1000 > deadline.getTime();
  const context = {
    ...watchLogFields(watch),
    check,
    maxChecks,
    lastCheck,
  };
  const facts: CheckFacts = { watch: execution.input.watch, check, checkedAt };
  const kind = KINDS[watch.kind];

  if (check === 1 && deps.sweptWatches && maySweepWatchAlready(watch, checkedAt)) {
    const reason = await sweptAlready(deps.sweptWatches, watch, deps.logger, context);
    if (reason !== undefined) {
      deps.logger.info(CHECKER_LOG_MESSAGES.skipped, { ...context, reason });
      return { result: 'skipped', reason };
    }
  }

  let answer: StatusAnswer;
  try {
    answer = await readStatus(deps.cloudfront, execution.input.watch);
  } catch (error) {
    const failure = { name: integrationErrorName(error), cause: errorMessage(error) };
    if ((kind.notFoundErrors as readonly string[]).includes(failure.name)) {
      return notify('not-found', { ...facts, error: failure }, message, deps, context);
    }
    if (failure.name === AWS_ERRORS.accessDenied) {
      return notify('check-failed', { ...facts, error: failure }, message, deps, context);
    }
    // Anything else, after the SDK's retries, is a check without an answer: waiting may fix it, as in the state machine.
    if (lastCheck) return notify('timed-out', { ...facts, unanswered: true }, message, deps, context);
    const backOffSeconds = Math.min(
      jitteredWait(
        waitAfterNoAnswer(schedule, check, deps.settings.schedule.pollIntervalSeconds),
        jitterPercent,
        deps.random,
      ),
      MAX_WAIT_AFTER_CHECK_SECONDS,
    );
    if (checkedAt.getTime() + backOffSeconds * 1000 > deadline.getTime()) {
      return notify('timed-out', { ...facts, unanswered: true }, message, deps, { ...context, lastCheck: true });
    }
    deps.logger.warn(CHECKER_LOG_MESSAGES.noAnswer, {
      ...context,
      error: failure.name,
      errorMessage: failure.cause,
      waitSeconds: backOffSeconds,
    });
    await hideFor(message, backOffSeconds, deps);
    return { result: 'check-again', check, waitSeconds: backOffSeconds, reason: `${failure.name}: ${failure.cause}` };
  }

  if (answer.status === kind.doneStatus) {
    // Without both ETags there is no evidence of a newer change.
    const superseded =
      kind.supersedable && watch.eTag !== undefined && answer.eTag !== undefined && answer.eTag !== watch.eTag;
    const outcome = superseded ? 'superseded' : kind.doneOutcome;
    return notify(
      outcome,
      { ...facts, domainName: answer.domainName, currentETag: answer.eTag },
      message,
      deps,
      context,
    );
  }
  if (lastCheck) {
    return notify(
      'timed-out',
      { ...facts, domainName: answer.domainName, currentETag: answer.eTag },
      message,
      deps,
      context,
    );
  }
  deps.logger.info(CHECKER_LOG_MESSAGES.notDone, { ...context, status: answer.status, waitSeconds });
  await hideFor(message, waitSeconds, deps);
  return { result: 'check-again', check, waitSeconds, reason: `status is ${answer.status}` };
}

/** Why the sweep's watch makes this one redundant, or undefined to watch it (none found, or the search failed). */
async function sweptAlready(
  search: LogSearch,
  watch: Watch,
  logger: LogSink,
  context: Record<string, unknown>,
): Promise<string | undefined> {
  try {
    const found = await hasLogLine(search, sweptWatchLogFilter(watch), watchLogSearchStart(watch));
    return found ? SWEPT_ALREADY_REASON : undefined;
  } catch (error) {
    // A second notification is better than none: the event is watched as if the sweep had not found its change.
    logger.warn('Could not search the log for a watch the sweep started; the event is watched', {
      ...context,
      error: integrationErrorName(error),
      errorMessage: errorMessage(error),
    });
    return undefined;
  }
}

function publishInput(topicArn: string, notification: Notification, published: PublishedMessage) {
  return {
    TopicArn: topicArn,
    Subject: notification.subject,
    Message: published.message,
    ...(published.messageStructure ? { MessageStructure: published.messageStructure } : {}),
    MessageAttributes: Object.fromEntries(
      Object.entries(notification.attributes).map(([name, value]) => [
        name,
        { DataType: 'String', StringValue: value },
      ]),
    ),
  };
}

async function notify(
  outcome: Outcome,
  facts: CheckFacts,
  message: QueuedChange,
  deps: StatusCheckDeps,
  context: Record<string, unknown>,
): Promise<StatusCheckResult> {
  const values = notificationValues(facts);
  const notification = renderNotification(facts.watch.kind, outcome, values);
  const chat = deps.chat ? renderChatNotification(facts.watch.kind, outcome, values) : undefined;
  const finish: WatchFinish = {
    outcome,
    checks: facts.check,
    // The checker has a clock: the true time from the API call to this check (the state machine counts instead).
    durationSeconds: secondsSinceChange(facts.watch.startedAt, facts.checkedAt),
    finishedAt: facts.checkedAt.toISOString(),
  };
  let publishError: unknown;
  try {
    await deps.sns.send(
      new PublishCommand(publishInput(deps.topicArn, notification, publishedMessage(notification, chat))),
    );
  } catch (error) {
    publishError = error;
  }
  // After the notification, sent or not: a failed one comes back with the message, so the event may come twice, never not at all.
  await putChangeEvent(facts, finish, deps, context);
  if (publishError !== undefined) {
    deps.logger.warn(CHECKER_LOG_MESSAGES.publishFailed, {
      ...context,
      outcome,
      error: integrationErrorName(publishError),
      errorMessage: errorMessage(publishError),
      receiveCount: message.receiveCount,
    });
    return { result: 'notify-again', outcome, reason: errorMessage(publishError) };
  }
  // Only once the watch really ends, so a notification sent at the second try counts once.
  deps.writeMetrics(
    watchMetricsEmf({ notifier: deps.notifier, kind: facts.watch.kind, outcome }, finish, facts.checkedAt),
  );
  deps.logger.info(CHECKER_LOG_MESSAGES.ended, {
    ...context,
    outcome,
    ...(facts.error ? { error: facts.error.name } : {}),
  });
  return { result: 'notified', outcome, check: facts.check };
}

/** Puts the Change Finished event; a failure is logged and never keeps the watch from ending. */
async function putChangeEvent(
  facts: CheckFacts,
  finish: WatchFinish,
  deps: StatusCheckDeps,
  context: Record<string, unknown>,
): Promise<void> {
  if (deps.changeEvents === undefined) return;
  const entry = changeEventEntry(deps.changeEvents.busName, changeFinishedDetail(facts.watch, finish));
  try {
    const answer = await deps.changeEvents.eventBridge.send(new PutEventsCommand({ Entries: [entry] }));
    // PutEvents answers 200 with the entry refused inside (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevents.html).
    const refused = answer.Entries?.[0];
    if ((answer.FailedEntryCount ?? 0) > 0) {
      throw Object.assign(new Error(refused?.ErrorMessage ?? 'entry refused'), {
        name: refused?.ErrorCode ?? 'FailedEntry',
      });
    }
  } catch (error) {
    deps.logger.warn(CHECKER_LOG_MESSAGES.eventFailed, {
      ...context,
      outcome: finish.outcome,
      error: integrationErrorName(error),
      errorMessage: errorMessage(error),
    });
  }
}

/** Sets when SQS hands the message out again; if that fails, the queue's visibility timeout applies instead. */
async function hideFor(message: QueuedChange, seconds: number, deps: StatusCheckDeps): Promise<void> {
  try {
    await deps.sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: deps.queue.url,
        ReceiptHandle: message.receiptHandle,
        VisibilityTimeout: seconds,
      }),
    );
  } catch (error) {
    deps.logger.warn('Could not set when the message comes back; the queue visibility timeout applies', {
      seconds,
      visibilityTimeoutSeconds: deps.queue.visibilityTimeoutSeconds,
      error: (error as Error).name,
      errorMessage: errorMessage(error),
    });
  }
}

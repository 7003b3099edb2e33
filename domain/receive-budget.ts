/**
 * How often SQS may hand out one message in mode sqs-retry. Every receive is one status check, so the number
 * follows from the schedule and the watch limit; a redrive policy's maxReceiveCount is capped at 1,000 by SQS.
 */
import { buildSchedule, checkBudget, SCHEDULE_KINDS, secondsUntilCheck, type ScheduleSettings } from './schedule';

export const SQS_MAX_RECEIVE_COUNT = 1_000;
/**
 * Receives after the last status check in which an unsent notification is tried again; past them the message goes
 * to the dead-letter queue, where an operator sees it, instead of expiring unnoticed.
 */
export const NOTIFY_RETRY_RECEIVES = 5;

export interface ReceiveBudgetSettings {
  readonly retentionSeconds: number;
  readonly schedule: ScheduleSettings;
}

/** The most status checks one watch can make: its event reached the queue at once and it runs to the limit. */
export function maxChecksPerWatch(settings: ReceiveBudgetSettings): number {
  return Math.max(
    ...SCHEDULE_KINDS.map((kind) => checkBudget(buildSchedule(kind, settings.schedule), settings.retentionSeconds)),
  );
}

/** The buffer queue's maxReceiveCount: every check of the longest watch, then the notification retries. */
export function sqsRetryMaxReceiveCount(settings: ReceiveBudgetSettings): number {
  return maxChecksPerWatch(settings) + NOTIFY_RETRY_RECEIVES;
}

/**
 * SQS hides a received message for at most 12 hours, counted from the receive, not from a later
 * ChangeMessageVisibility (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ChangeMessageVisibility.html).
 */
export const SQS_MAX_VISIBILITY_TIMEOUT_SECONDS = 43_200;
/** The sqs-retry checker's timeout: a batch of checks, each with a few SDK retries. */
export const SQS_RETRY_CHECKER_TIMEOUT_SECONDS = 30;
/**
 * The longest a check may come after its receive: a whole invocation, plus a cold start's init (up to 10 s,
 * https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html) and the poller's hand-over.
 */
const RECEIVE_TO_CHECK_SECONDS = SQS_RETRY_CHECKER_TIMEOUT_SECONDS + 60;
/** The longest wait a check may set: what is left of the 12 hours once the check itself has run. */
export const MAX_WAIT_AFTER_CHECK_SECONDS = SQS_MAX_VISIBILITY_TIMEOUT_SECONDS - RECEIVE_TO_CHECK_SECONDS;

/** The longest wait between two checks of either kind of watch. */
export function longestWaitSeconds(schedule: ScheduleSettings): number {
  return Math.max(...SCHEDULE_KINDS.flatMap((kind) => buildSchedule(kind, schedule).map((phase) => phase.waitSeconds)));
}

/** Seconds kept before a message expires so that every notification retry still happens while SQS holds it. */
export function notifyRoomSeconds(visibilityTimeoutSeconds: number): number {
  return NOTIFY_RETRY_RECEIVES * visibilityTimeoutSeconds;
}

/** The longest retentionSeconds whose watches still fit into SQS's 1,000 receives with this schedule. */
export function longestRetentionThatFits(schedule: ScheduleSettings): number {
  const checks = SQS_MAX_RECEIVE_COUNT - NOTIFY_RETRY_RECEIVES;
  // checkBudget(s, r) stays at most `checks` while r is shorter than the time until check number checks + 1.
  return Math.min(...SCHEDULE_KINDS.map((kind) => secondsUntilCheck(buildSchedule(kind, schedule), checks + 1) - 1));
}

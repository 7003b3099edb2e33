/**
 * What the running code needs to know about the deployment, handed over by the stack in one environment variable.
 */
import { buildSchedule, type Schedule, type ScheduleKind, type ScheduleSettings } from './schedule';

export const WATCH_SETTINGS_ENV = 'WATCH_SETTINGS';
/** What the stack hands the dispatcher (mode stepfunctions) besides WATCH_SETTINGS. */
export const DISPATCHER_ENV = { stateMachineArn: 'STATE_MACHINE_ARN' } as const;
/** What the stack hands the sqs-retry checker besides WATCH_SETTINGS. */
export const SQS_RETRY_ENV = {
  topicArn: 'TOPIC_ARN',
  queueUrl: 'QUEUE_URL',
  visibilityTimeoutSeconds: 'QUEUE_VISIBILITY_TIMEOUT_SECONDS',
  /** Set with the sweep on: the checker's own log group, searched for a watch the sweep started of an event's change. */
  sweptWatchLogGroupName: 'SWEPT_WATCH_LOG_GROUP_NAME',
  /** 'true' when chat channels are subscribed to the topic; absent otherwise. */
  chat: 'CHAT_NOTIFICATIONS',
  /** The stack's name: the Notifier dimension of the watch metrics. */
  notifier: 'NOTIFIER_NAME',
  /** The bus of the Change Finished event; unset when events are off. */
  eventBusName: 'EVENT_BUS_NAME',
} as const;

/** What the stack hands the sweeper besides WATCH_SETTINGS: where it starts a watch in its mode. */
export const SWEEP_ENV = {
  /** Mode stepfunctions: the watch state machine. */
  stateMachineArn: 'STATE_MACHINE_ARN',
  /** Mode sqs-retry: the buffer queue, and the log group where the sqs-retry checker logs every watch. */
  queueUrl: 'QUEUE_URL',
  checkerLogGroupName: 'CHECKER_LOG_GROUP_NAME',
} as const;

/** What the stack hands the read-budget function: its table, the slots a second, and the longest wait for one. */
export const READ_BUDGET_ENV = {
  tableName: 'READ_BUDGET_TABLE',
  perSecond: 'READ_BUDGET_PER_SECOND',
  maxWaitSeconds: 'READ_BUDGET_MAX_WAIT_SECONDS',
} as const;

/** The smallest value of each schedule setting: phase lengths may be 0, an interval of 0 would never end a phase. */
const SCHEDULE_MINIMUMS: Record<keyof ScheduleSettings, number> = {
  pollIntervalSeconds: 1,
  distributionFastPollSeconds: 1,
  invalidationFastPollSeconds: 1,
  distributionFastPhaseSeconds: 0,
  invalidationFastPhaseSeconds: 0,
  growthAfterSeconds: 0,
  maxPollIntervalSeconds: 1,
  checkJitterPercent: 0,
};

export interface WatchSettings {
  readonly watchedEvents: readonly string[];
  readonly distributionIds: readonly string[];
  readonly retentionSeconds: number;
  readonly schedule: ScheduleSettings;
}

export function scheduleFor(settings: WatchSettings): (kind: ScheduleKind) => Schedule {
  return (kind) => buildSchedule(kind, settings.schedule);
}

/** Fails loudly at cold start: a function deployed without its settings must not guess. */
export function parseWatchSettings(raw: string | undefined): WatchSettings {
  if (raw === undefined || raw.trim() === '') {
    throw new Error(`${WATCH_SETTINGS_ENV} is not set: deploy this function with the notifier stack`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new Error(`${WATCH_SETTINGS_ENV} is not JSON: ${raw.slice(0, 80)}`);
  }
  const value = parsed as Partial<WatchSettings>;
  const stringList = (list: unknown) => Array.isArray(list) && list.every((item) => typeof item === 'string');
  if (
    !stringList(value.watchedEvents) ||
    !stringList(value.distributionIds) ||
    typeof value.retentionSeconds !== 'number' ||
    typeof value.schedule?.pollIntervalSeconds !== 'number'
  ) {
    throw new Error(`${WATCH_SETTINGS_ENV} lacks watchedEvents, distributionIds, retentionSeconds or schedule`);
  }
  const badSchedule = Object.entries(value.schedule).find(([key, seconds]) => {
    const minimum = SCHEDULE_MINIMUMS[key as keyof ScheduleSettings] as number | undefined;
    return minimum === undefined || typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < minimum;
  });
  if (badSchedule !== undefined) {
    throw new Error(
      `${WATCH_SETTINGS_ENV} has an unusable schedule setting ${badSchedule[0]}: ${JSON.stringify(badSchedule[1])}`,
    );
  }
  return value as WatchSettings;
}

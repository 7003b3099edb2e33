/**
 * The notifier's configuration, read once from CDK context (cdk.json or `-c key=value`) and validated before any
 * construct exists. Every error names the key, the value and what is allowed.
 */
import { DEFAULT_WATCHED_EVENTS, RESOURCE_ID_PATTERN, SUPPORTED_EVENT_NAMES } from '../domain/cloudtrail';
import {
  longestRetentionThatFits,
  longestWaitSeconds,
  MAX_WAIT_AFTER_CHECK_SECONDS,
  NOTIFY_RETRY_RECEIVES,
  notifyRoomSeconds,
  SQS_MAX_RECEIVE_COUNT,
  SQS_MAX_VISIBILITY_TIMEOUT_SECONDS,
  SQS_RETRY_CHECKER_TIMEOUT_SECONDS,
  sqsRetryMaxReceiveCount,
} from '../domain/receive-budget';
import { describeDuration } from '../domain/watch-execution';
import { completeScheduleSettings, SCHEDULE_DEFAULTS, type ScheduleSettings } from '../domain/schedule';

export const MODES = ['stepfunctions', 'sqs-retry'] as const;
export type Mode = (typeof MODES)[number];

/**
 * How the state machine reads a tenant's status: `lambda` (a small Lambda with the SDK v3 client, which deploys
 * whatever Step Functions knows) or `sdk` (the native aws-sdk:cloudfront integration, once Step Functions accepts
 * getDistributionTenant and getInvalidationForDistributionTenant: `npm run preflight` asks it).
 */
export const TENANT_STATUS_CHECKS = ['lambda', 'sdk'] as const;
export type TenantStatusCheck = (typeof TENANT_STATUS_CHECKS)[number];

/** The dispatcher's timeout; SQS visibility must be at least six times longer (AWS guidance for Lambda sources). */
export const DISPATCHER_TIMEOUT_SECONDS = 30;
/** SQS keeps a message 14 days at most, so no watch can be longer. */
const MAX_RETENTION_SECONDS = 1_209_600;

/** The retention periods CloudWatch Logs accepts (PutRetentionPolicy), in days. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;
export const LOG_REMOVAL_POLICIES = ['retain', 'destroy'] as const;
export type LogRemovalPolicy = (typeof LOG_REMOVAL_POLICIES)[number];

export interface NotifierConfig {
  readonly notificationEmails: readonly string[];
  readonly retentionSeconds: number;
  readonly receiveWaitSeconds: number;
  readonly visibilityTimeoutSeconds: number;
  readonly watchedEvents: readonly string[];
  /** Empty means every distribution. */
  readonly distributionIds: readonly string[];
  readonly mode: Mode;
  /** Mode stepfunctions with a tenant call watched: how the state machine reads a tenant's status. */
  readonly tenantStatusCheck: TenantStatusCheck;
  /** CloudWatch alarms on the notifier's own health. */
  readonly alarms: boolean;
  /** Empty means alarms go to the notification topic. */
  readonly alarmEmails: readonly string[];
  /** A multi-Region CloudTrail trail for accounts that have none. */
  readonly createTrail: boolean;
  /** Days the trail's log files are kept in its bucket. */
  readonly trailRetentionDays: number;
  /** Days the state machine and Lambda logs are kept; one of LOG_RETENTION_DAYS. */
  readonly logRetentionDays: number;
  /** What happens to the log groups when the stack is deleted. */
  readonly logRemovalPolicy: LogRemovalPolicy;
  /** The polling schedule, every setting resolved, pollIntervalSeconds among them. */
  readonly schedule: Required<ScheduleSettings>;
}

export const CONFIG_KEYS = [
  'notificationEmails',
  'pollIntervalSeconds',
  'retentionSeconds',
  'receiveWaitSeconds',
  'visibilityTimeoutSeconds',
  'watchedEvents',
  'distributionIds',
  'mode',
  'tenantStatusCheck',
  'alarms',
  'alarmEmails',
  'createTrail',
  'trailRetentionDays',
  'logRetentionDays',
  'logRemovalPolicy',
  'distributionFastPollSeconds',
  'invalidationFastPollSeconds',
  'distributionFastPhaseSeconds',
  'invalidationFastPhaseSeconds',
  'growthAfterSeconds',
  'maxPollIntervalSeconds',
] as const;
export type ConfigKey = (typeof CONFIG_KEYS)[number];

/** Keys the CDK CLI itself keeps in cdk.context.json (`cdk acknowledge`, `cdk cli-telemetry`) and hands every app. */
const CDK_CLI_KEYS = ['acknowledged-issue-numbers', 'cli-telemetry'];

const isCdkKey = (key: string): boolean =>
  key.includes(':') || key.startsWith('@') || key.startsWith('aws-cdk') || CDK_CLI_KEYS.includes(key);

export class ConfigError extends Error {
  constructor(key: string, value: unknown, allowed: string) {
    super(`Invalid context value for "${key}": ${JSON.stringify(value)}. Allowed: ${allowed}.`);
    this.name = 'ConfigError';
  }
}

/** Reads one context key; the CDK hands `-c` values over as strings and cdk.json values as JSON. */
export type ContextReader = (key: string) => unknown;

const EMAIL = /^[^\s@,;"<>]+@[^\s@,;"<>]+\.[^\s@,;"<>]+$/;

/** `bounds` says where min and max come from when other keys set them. */
function integer(
  read: ContextReader,
  key: ConfigKey,
  fallback: number,
  min: number,
  max: number,
  bounds?: string,
): number {
  const raw = read(key);
  if (raw === undefined || raw === null || raw === '') return fallback;
  const value = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(key, raw, `a whole number from ${min} to ${max}${bounds ? ` (${bounds})` : ''}`);
  }
  return value;
}

function flag(read: ContextReader, key: ConfigKey, fallback: boolean): boolean {
  const raw = read(key);
  if (raw === undefined || raw === null || raw === '') return fallback;
  if (raw === true || raw === 'true') return true;
  if (raw === false || raw === 'false') return false;
  throw new ConfigError(key, raw, 'true or false');
}

function oneOf<T extends string | number>(read: ContextReader, key: ConfigKey, allowed: readonly T[], fallback: T): T {
  const raw = read(key);
  if (raw === undefined || raw === null || raw === '') return fallback;
  const value = allowed.find((candidate) => String(candidate) === String(raw).trim());
  if (value === undefined) throw new ConfigError(key, raw, `one of ${allowed.join(', ')}`);
  return value;
}

/** A list given as a JSON array, a JSON array in a string, or a comma-separated string. */
function list(read: ContextReader, key: ConfigKey, allowed: string): string[] | undefined {
  const raw = read(key);
  if (raw === undefined || raw === null || raw === '') return undefined;
  let items: unknown = raw;
  if (typeof raw === 'string') {
    const text = raw.trim();
    if (text.startsWith('[')) {
      try {
        items = JSON.parse(text);
      } catch {
        throw new ConfigError(key, raw, allowed);
      }
    } else {
      items = text.split(',');
    }
  }
  if (!Array.isArray(items) || items.some((item) => typeof item !== 'string')) {
    throw new ConfigError(key, raw, allowed);
  }
  const trimmed = items.map((item: string) => item.trim()).filter((item) => item.length > 0);
  return [...new Set(trimmed)];
}

/** Addresses for an email subscription, each checked on its own so the error names the one that is wrong. */
function emails(read: ContextReader, key: 'notificationEmails' | 'alarmEmails'): string[] {
  const allowed = 'email addresses, comma-separated or as a JSON array';
  const addresses = list(read, key, allowed) ?? [];
  const bad = addresses.find((address) => !EMAIL.test(address));
  if (bad !== undefined) throw new ConfigError(key, bad, allowed);
  return addresses;
}

/** Refuses a context key that is neither the notifier's nor the CDK's: a mistyped key would silently keep its default. */
export function checkContextKeys(context: Readonly<Record<string, unknown>>): void {
  const unknown = Object.keys(context).find(
    (key) => !isCdkKey(key) && !(CONFIG_KEYS as readonly string[]).includes(key),
  );
  if (unknown === undefined) return;
  throw new ConfigError(
    unknown,
    context[unknown],
    `no such key; the notifier reads ${CONFIG_KEYS.join(', ')}, and the CDK's own keys contain ":" or start with "@" or "aws-cdk"`,
  );
}

export function readConfig(read: ContextReader): NotifierConfig {
  return checkReceiveBudget(readKeys(read));
}

/** Mode sqs-retry makes one SQS receive per status check, and SQS moves a message to the DLQ after 1,000 at most. */
function checkReceiveBudget(config: NotifierConfig): NotifierConfig {
  if (config.mode !== 'sqs-retry') return config;
  const { schedule } = config;
  if (sqsRetryMaxReceiveCount({ retentionSeconds: config.retentionSeconds, schedule }) > SQS_MAX_RECEIVE_COUNT) {
    const longest = longestRetentionThatFits(schedule);
    throw new ConfigError(
      'retentionSeconds',
      config.retentionSeconds,
      `at most ${longest} (${describeDuration(longest)}) with mode "sqs-retry" and pollIntervalSeconds ${schedule.pollIntervalSeconds}: ` +
        `each status check is one SQS receive, and SQS moves a message to the dead-letter queue after ${SQS_MAX_RECEIVE_COUNT.toLocaleString('en-US')} ` +
        'receives at most (maxReceiveCount); raise pollIntervalSeconds or maxPollIntervalSeconds, shorten retentionSeconds, or use mode "stepfunctions"',
    );
  }
  if (longestWaitSeconds(schedule) > MAX_WAIT_AFTER_CHECK_SECONDS) {
    throw new ConfigError(
      'maxPollIntervalSeconds',
      schedule.maxPollIntervalSeconds,
      `at most ${MAX_WAIT_AFTER_CHECK_SECONDS} with mode "sqs-retry": the wait before the next check is the message's ` +
        `visibility timeout, which SQS caps at ${SQS_MAX_VISIBILITY_TIMEOUT_SECONDS} s counted from the receive, and a check ` +
        `runs up to ${SQS_MAX_VISIBILITY_TIMEOUT_SECONDS - MAX_WAIT_AFTER_CHECK_SECONDS} s after its receive`,
    );
  }
  const notifyRoom = notifyRoomSeconds(config.visibilityTimeoutSeconds);
  if (config.retentionSeconds <= notifyRoom) {
    throw new ConfigError(
      'retentionSeconds',
      config.retentionSeconds,
      `more than ${notifyRoom} with mode "sqs-retry" and visibilityTimeoutSeconds ${config.visibilityTimeoutSeconds}: ` +
        `the last ${NOTIFY_RETRY_RECEIVES} visibility timeouts before a message expires are kept for retrying its notification`,
    );
  }
  return config;
}

function readKeys(read: ContextReader): NotifierConfig {
  const mode = oneOf(read, 'mode', MODES, 'stepfunctions');
  const notificationEmails = emails(read, 'notificationEmails');
  const alarmEmails = emails(read, 'alarmEmails');

  const eventsAllowed = `one or more of ${SUPPORTED_EVENT_NAMES.join(', ')}`;
  const watchedEvents = list(read, 'watchedEvents', eventsAllowed) ?? [...DEFAULT_WATCHED_EVENTS];
  const badEvent = watchedEvents.find((name) => !(SUPPORTED_EVENT_NAMES as readonly string[]).includes(name));
  if (badEvent !== undefined || watchedEvents.length === 0) {
    throw new ConfigError('watchedEvents', badEvent ?? read('watchedEvents'), eventsAllowed);
  }

  const idsAllowed = 'CloudFront distribution ids (such as E2QWRUHAPOMQZL), comma-separated or as a JSON array';
  const distributionIds = list(read, 'distributionIds', idsAllowed) ?? [];
  const badId = distributionIds.find((id) => !RESOURCE_ID_PATTERN.test(id));
  if (badId !== undefined) throw new ConfigError('distributionIds', badId, idsAllowed);

  const pollIntervalSeconds = integer(read, 'pollIntervalSeconds', 60, 5, 3_600);
  const minimumVisibility = 6 * (mode === 'sqs-retry' ? SQS_RETRY_CHECKER_TIMEOUT_SECONDS : DISPATCHER_TIMEOUT_SECONDS);
  return {
    mode,
    tenantStatusCheck: oneOf(read, 'tenantStatusCheck', TENANT_STATUS_CHECKS, 'lambda'),
    notificationEmails,
    watchedEvents,
    distributionIds,
    retentionSeconds: integer(read, 'retentionSeconds', 345_600, 60, MAX_RETENTION_SECONDS),
    receiveWaitSeconds: integer(read, 'receiveWaitSeconds', 20, 0, 20),
    visibilityTimeoutSeconds: integer(
      read,
      'visibilityTimeoutSeconds',
      minimumVisibility,
      minimumVisibility,
      SQS_MAX_VISIBILITY_TIMEOUT_SECONDS,
    ),
    alarms: flag(read, 'alarms', true),
    alarmEmails,
    createTrail: flag(read, 'createTrail', false),
    trailRetentionDays: integer(read, 'trailRetentionDays', 365, 1, 3_653),
    logRetentionDays: oneOf(read, 'logRetentionDays', LOG_RETENTION_DAYS, 90),
    logRemovalPolicy: oneOf(read, 'logRemovalPolicy', LOG_REMOVAL_POLICIES, 'retain'),
    schedule: readSchedule(read, pollIntervalSeconds),
  };
}

/** Fastest fast-phase interval: every check is a CloudFront API call, and many watches share one account's rate. */
const MIN_FAST_POLL_SECONDS = 2;
/** Longest interval the growing phase may reach. */
const MAX_POLL_INTERVAL_SECONDS = 86_400;

/** The schedule keys, each checked against the keys it depends on; defaults follow pollIntervalSeconds and growthAfterSeconds. */
function readSchedule(read: ContextReader, pollIntervalSeconds: number): Required<ScheduleSettings> {
  const growthAfterSeconds = integer(
    read,
    'growthAfterSeconds',
    SCHEDULE_DEFAULTS.growthAfterSeconds,
    0,
    MAX_RETENTION_SECONDS,
  );
  const defaults = completeScheduleSettings({ pollIntervalSeconds, growthAfterSeconds });
  const fastPoll = (key: 'distributionFastPollSeconds' | 'invalidationFastPollSeconds') =>
    integer(
      read,
      key,
      defaults[key],
      MIN_FAST_POLL_SECONDS,
      pollIntervalSeconds,
      `at most pollIntervalSeconds, ${pollIntervalSeconds}`,
    );
  const fastPhase = (key: 'distributionFastPhaseSeconds' | 'invalidationFastPhaseSeconds') =>
    integer(
      read,
      key,
      defaults[key],
      0,
      growthAfterSeconds,
      `0 skips the fast phase; at most growthAfterSeconds, ${growthAfterSeconds}`,
    );
  return {
    pollIntervalSeconds,
    distributionFastPollSeconds: fastPoll('distributionFastPollSeconds'),
    invalidationFastPollSeconds: fastPoll('invalidationFastPollSeconds'),
    distributionFastPhaseSeconds: fastPhase('distributionFastPhaseSeconds'),
    invalidationFastPhaseSeconds: fastPhase('invalidationFastPhaseSeconds'),
    growthAfterSeconds,
    maxPollIntervalSeconds: integer(
      read,
      'maxPollIntervalSeconds',
      defaults.maxPollIntervalSeconds,
      pollIntervalSeconds,
      MAX_POLL_INTERVAL_SECONDS,
      `at least pollIntervalSeconds, ${pollIntervalSeconds}, which turns growth off`,
    ),
  };
}

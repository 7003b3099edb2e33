/**
 * The notifier's configuration, read once from CDK context (cdk.json or `-c key=value`) and validated before any
 * construct exists. Every error names the key, the value and what is allowed.
 */
import { RESOURCE_ID_PATTERN, DEFAULT_WATCHED_EVENTS, SUPPORTED_EVENT_NAMES } from '../functions/shared/cloudtrail';
import {
  longestRetentionThatFits,
  NOTIFY_RETRY_RECEIVES,
  notifyRoomSeconds,
  SQS_MAX_RECEIVE_COUNT,
  statusCheckMaxReceiveCount,
} from '../functions/status-check/receive-budget';
import { describeDuration } from '../functions/shared/watch-execution';

export const MODES = ['stepfunctions', 'sqs-retry'] as const;
export type Mode = (typeof MODES)[number];

/** The dispatcher's timeout; SQS visibility must be at least six times longer (AWS guidance for Lambda sources). */
export const DISPATCHER_TIMEOUT_SECONDS = 30;
/** The status-check Lambda's timeout in mode sqs-retry: a batch of checks, each with a few SDK retries. */
export const STATUS_CHECK_TIMEOUT_SECONDS = 30;
const MAX_VISIBILITY_TIMEOUT_SECONDS = 43_200;

export interface NotifierConfig {
  readonly notificationEmails: readonly string[];
  readonly pollIntervalSeconds: number;
  readonly retentionSeconds: number;
  readonly receiveWaitSeconds: number;
  readonly visibilityTimeoutSeconds: number;
  readonly watchedEvents: readonly string[];
  /** Empty means every distribution. */
  readonly distributionIds: readonly string[];
  readonly mode: Mode;
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
] as const;
export type ConfigKey = (typeof CONFIG_KEYS)[number];

export class ConfigError extends Error {
  constructor(key: string, value: unknown, allowed: string) {
    super(`Invalid context value for "${key}": ${JSON.stringify(value)}. Allowed: ${allowed}.`);
    this.name = 'ConfigError';
  }
}

/** Reads one context key; the CDK hands `-c` values over as strings and cdk.json values as JSON. */
export type ContextReader = (key: string) => unknown;

const EMAIL = /^[^\s@,;"<>]+@[^\s@,;"<>]+\.[^\s@,;"<>]+$/;

function integer(read: ContextReader, key: ConfigKey, fallback: number, min: number, max: number): number {
  const raw = read(key);
  if (raw === undefined || raw === null || raw === '') return fallback;
  const value = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(key, raw, `a whole number from ${min} to ${max}`);
  }
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

export function readConfig(read: ContextReader): NotifierConfig {
  return checkReceiveBudget(readKeys(read));
}

/** Mode sqs-retry makes one SQS receive per status check, and SQS moves a message to the DLQ after 1,000 at most. */
function checkReceiveBudget(config: NotifierConfig): NotifierConfig {
  if (config.mode !== 'sqs-retry') return config;
  const schedule = { pollIntervalSeconds: config.pollIntervalSeconds };
  if (statusCheckMaxReceiveCount({ retentionSeconds: config.retentionSeconds, schedule }) > SQS_MAX_RECEIVE_COUNT) {
    const longest = longestRetentionThatFits(schedule);
    throw new ConfigError(
      'retentionSeconds',
      config.retentionSeconds,
      `at most ${longest} (${describeDuration(longest)}) with mode "sqs-retry" and pollIntervalSeconds ${config.pollIntervalSeconds}: ` +
        `each status check is one SQS receive, and SQS moves a message to the dead-letter queue after ${SQS_MAX_RECEIVE_COUNT.toLocaleString('en-US')} ` +
        'receives at most (maxReceiveCount); raise pollIntervalSeconds, shorten retentionSeconds, or use mode "stepfunctions"',
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
  const unknownMode = read('mode');
  const mode = (unknownMode === undefined || unknownMode === '' ? 'stepfunctions' : unknownMode) as Mode;
  if (!MODES.includes(mode)) {
    throw new ConfigError('mode', unknownMode, MODES.map((m) => `"${m}"`).join(', '));
  }

  const emailsAllowed = 'email addresses, comma-separated or as a JSON array';
  const notificationEmails = list(read, 'notificationEmails', emailsAllowed) ?? [];
  const badEmail = notificationEmails.find((email) => !EMAIL.test(email));
  if (badEmail !== undefined) throw new ConfigError('notificationEmails', badEmail, emailsAllowed);

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

  const minimumVisibility = 6 * (mode === 'sqs-retry' ? STATUS_CHECK_TIMEOUT_SECONDS : DISPATCHER_TIMEOUT_SECONDS);
  return {
    mode,
    notificationEmails,
    watchedEvents,
    distributionIds,
    pollIntervalSeconds: integer(read, 'pollIntervalSeconds', 60, 5, 3_600),
    retentionSeconds: integer(read, 'retentionSeconds', 345_600, 60, 1_209_600),
    receiveWaitSeconds: integer(read, 'receiveWaitSeconds', 20, 0, 20),
    visibilityTimeoutSeconds: integer(
      read,
      'visibilityTimeoutSeconds',
      minimumVisibility,
      minimumVisibility,
      MAX_VISIBILITY_TIMEOUT_SECONDS,
    ),
  };
}

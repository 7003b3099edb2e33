/**
 * A watch as one Step Functions execution: its name (what a person sees in the console) and its input (what the
 * state machine reads). Pure; the dispatcher and the local runner both build executions here.
 */
import { secondsSinceChange } from './change-event';
import { describePaths, type Watch } from './cloudtrail';
import { KINDS } from './kinds';
import { checkBudget, type Schedule, type ScheduleKind } from './schedule';
import { secondsSince } from './time';

/** Step Functions fails an execution past 25,000 history events. */
export const HISTORY_EVENT_LIMIT = 25_000;
/**
 * Checks one execution makes before it continues the watch in a new execution. The state machine tests prove that
 * this many loops, each with every retry spent, stay under HISTORY_EVENT_LIMIT.
 */
export const CHECKS_PER_EXECUTION = 800;
const MAX_EXECUTION_NAME = 80;
/** Room kept for the "-partN" suffix of continued executions. */
const CONTINUATION_SUFFIX_ROOM = 8;

/**
 * The watch as the execution input carries it: the parsed watch (one model from event to notification), with its
 * paths in words and what a person needs to read it; the action only shaped the execution name.
 */
export interface WatchDetails extends Omit<Watch, 'action' | 'change' | 'paths'> {
  /** The call that made the change, as notifications name it (npm run smoke names itself here). */
  readonly change: string;
  /** The invalidation paths in words (describePaths), on invalidation watches. */
  readonly paths?: string;
  readonly consoleUrl: string;
  /** The watch limit in words, for the "still in progress" notification. */
  readonly watchLimit: string;
  readonly executionName: string;
}

export interface WatchProgress {
  /** Number of the next status check (1 for a new watch); a continued execution starts with that of its carried status. */
  readonly check: number;
  /** The check budget: the watch times out after this check. */
  readonly maxChecks: number;
  /** At this check the watch moves to a new execution, to stay far below the history limit. */
  readonly continueAt: number;
  /** 1 for the first execution of a watch, 2 for its first continuation, and so on. */
  readonly part: number;
  /** Status checks so far that got no answer (throttled or failing, after retries): the timed-out notification says how many. */
  readonly unanswered: number;
  /** Seconds of the wait before the current check, 0 before check 1: the "Next … check in" states set it. */
  readonly waitSeconds: number;
  /**
   * Seconds from the change (startedAt) to the start of that wait: the delay the dispatcher saw, plus every wait before
   * it. The current check comes waitSeconds later, which is how the state machine counts durationSeconds (domain/change-event.ts).
   */
  readonly elapsedSeconds: number;
}

export interface WatchExecutionInput {
  readonly watch: WatchDetails;
  readonly progress: WatchProgress;
  /**
   * Only in a continued execution: the answer of the last check (value, and eTag or domainName where the kind has
   * them), which the new execution decides on before it waits for its next check.
   */
  readonly status?: Readonly<Record<string, unknown>>;
}

export interface WatchExecution {
  readonly name: string;
  readonly input: WatchExecutionInput;
}

export interface ExecutionSettings {
  readonly retentionSeconds: number;
  readonly schedule: (kind: ScheduleKind) => Schedule;
}

/** The parts of a watch its execution name is made of. */
export type NamedWatch = Pick<Watch, 'distributionId' | 'tenantId' | 'invalidationId' | 'eTag' | 'action' | 'eventId'>;

/** The word between the resource id and the key in a name that both the event path and the sweep compute. */
export const KEY_WORDS = { invalidation: 'invalidate', deployment: 'deploy' } as const;

/**
 * What both ways a change reaches the notifier know of it, the CloudTrail event and the reconciliation sweep: an
 * invalidation's id, or the ETag a distribution or tenant change produced (the record's responseElements.eTag, which
 * CloudFront reports while the change is InProgress). A record without an ETag (AssociateAlias) has none.
 */
export function changeKey(watch: Pick<Watch, 'invalidationId' | 'eTag'>): { word: string; key: string } | undefined {
  if (watch.invalidationId !== undefined) return { word: KEY_WORDS.invalidation, key: watch.invalidationId };
  if (watch.eTag !== undefined) return { word: KEY_WORDS.deployment, key: watch.eTag };
  return undefined;
}

/**
 * Same change, same name, whichever path starts its watch: Step Functions refuses a second execution of a name, so a
 * duplicate delivery and the sweep both find the watch already there. "E2AB...-deploy-<ETag>",
 * "E2AB...-invalidate-<invalidation id>"; a change without a key is named after its event, "E2AB...-alias-<event id>".
 */
export function executionName(watch: NamedWatch): string {
  const key = changeKey(watch);
  return fitName(watch.tenantId ?? watch.distributionId, key?.word ?? watch.action, key?.key ?? watch.eventId);
}

/** The name after the event alone, "E2AB...-update-<event id>": for a watch no sweep can meet (npm run smoke's). */
export function eventExecutionName(watch: NamedWatch): string {
  return fitName(watch.tenantId ?? watch.distributionId, watch.action, watch.eventId);
}

/** Whether an execution name is one that names its change by key (changeKey), rather than by its event. */
export function isKeyedName(name: string, resourceId: string): boolean {
  return Object.values(KEY_WORDS).some((word) => name.startsWith(`${resourceId}-${word}-`));
}

function fitName(id: string, word: string, key: string): string {
  const budget = MAX_EXECUTION_NAME - CONTINUATION_SUFFIX_ROOM;
  // The parser admits only name-safe ids (RESOURCE_ID_PATTERN, eventID up to 64 of [A-Za-z0-9-]).
  // The key makes the name unique and the resource id makes it searchable; the word is dropped first when room is short.
  for (const prefix of [`${id}-${word}-`, `${id}-`]) {
    if (prefix.length + key.length <= budget) return `${prefix}${key}`;
  }
  return `${id.slice(0, budget - key.length - 1)}-${key}`;
}

const CONSOLE_HOME = 'https://us-east-1.console.aws.amazon.com/cloudfront/v4/home?region=us-east-1#';

/** The dispatcher's log message for each execution it starts: the dashboard counts the watches started by it. */
export const WATCH_STARTED_LOG_MESSAGE = 'Watch started';

/** What a log line needs to name the change a watch follows. */
export function watchLogFields(watch: Watch): Record<string, string | undefined> {
  return {
    kind: watch.kind,
    change: watch.change,
    eventId: watch.eventId,
    distributionId: watch.distributionId,
    tenantId: watch.tenantId,
    invalidationId: watch.invalidationId,
    eTag: watch.eTag,
  };
}

export function consoleUrl(watch: Pick<Watch, 'distributionId' | 'tenantId' | 'invalidationId'>): string {
  // Unverified console route for tenants, modelled on the distribution pages.
  const base = watch.tenantId
    ? `${CONSOLE_HOME}/distribution-tenants/${watch.tenantId}`
    : `${CONSOLE_HOME}/distributions/${watch.distributionId}`;
  return watch.invalidationId ? `${base}/invalidations/details/${watch.invalidationId}` : base;
}

/** "4 days", "2 h 30 min", "90 s". */
export function describeDuration(seconds: number): string {
  const units: Array<[number, string, string]> = [
    [86_400, ' day', ' days'],
    [3_600, ' h', ' h'],
    [60, ' min', ' min'],
    [1, ' s', ' s'],
  ];
  const parts: string[] = [];
  let rest = Math.round(seconds);
  for (const [size, one, many] of units) {
    const count = Math.floor(rest / size);
    if (count > 0) parts.push(`${count}${count === 1 ? one : many}`);
    rest -= count * size;
  }
  return parts.length > 0 ? parts.slice(0, 2).join(' ') : '0 s';
}

/** The execution that watches this change, with the check budget left at `now` (the limit counts from eventTime). */
export function buildWatchExecution(watch: Watch, settings: ExecutionSettings, now: Date): WatchExecution {
  const name = executionName(watch);
  const secondsLeft = settings.retentionSeconds - Math.max(0, secondsSince(watch.startedAt, now));
  const maxChecks = checkBudget(settings.schedule(KINDS[watch.kind].schedule), Math.max(0, secondsLeft));
  return {
    name,
    input: {
      watch: {
        kind: watch.kind,
        change: watch.change,
        distributionId: watch.distributionId,
        ...(watch.tenantId === undefined ? {} : { tenantId: watch.tenantId }),
        ...(watch.invalidationId === undefined
          ? {}
          : { invalidationId: watch.invalidationId, paths: describePaths(watch.paths) }),
        ...(watch.eTag === undefined ? {} : { eTag: watch.eTag }),
        eventId: watch.eventId,
        startedAt: watch.startedAt,
        changedBy: watch.changedBy,
        consoleUrl: consoleUrl(watch),
        watchLimit: describeDuration(settings.retentionSeconds),
        executionName: name,
      },
      progress: {
        check: 1,
        maxChecks,
        continueAt: CHECKS_PER_EXECUTION + 1,
        part: 1,
        unanswered: 0,
        waitSeconds: 0,
        elapsedSeconds: secondsSinceChange(watch.startedAt, now),
      },
    },
  };
}

/**
 * A watch as one Step Functions execution: its name (what a person sees in the console) and its input (what the
 * state machine reads). Pure; the dispatcher and the local runner both build executions here.
 */
import { describePaths, type Watch } from './cloudtrail';
import { KINDS } from './kinds';
import { checkBudget, type Schedule, type ScheduleKind } from './schedule';

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

/**
 * Same event, same name: a duplicate delivery can never start a second watch. The distribution id and the action
 * come first so the console list reads "E2AB...-update-<event id>".
 */
export function executionName(watch: Watch): string {
  const budget = MAX_EXECUTION_NAME - CONTINUATION_SUFFIX_ROOM;
  // The parser admits only name-safe ids (RESOURCE_ID_PATTERN, eventID up to 64 of [A-Za-z0-9-]).
  const id = watch.tenantId ?? watch.distributionId;
  // The event id makes the name unique and the resource id makes it searchable; the action is dropped first when room is short.
  for (const prefix of [`${id}-${watch.action}-`, `${id}-`]) {
    if (prefix.length + watch.eventId.length <= budget) return `${prefix}${watch.eventId}`;
  }
  return `${id.slice(0, budget - watch.eventId.length - 1)}-${watch.eventId}`;
}

const CONSOLE_HOME = 'https://us-east-1.console.aws.amazon.com/cloudfront/v4/home?region=us-east-1#';

/** What a log line needs to name the change a watch follows. */
export function watchLogFields(watch: Watch): Record<string, string | undefined> {
  return {
    kind: watch.kind,
    change: watch.change,
    eventId: watch.eventId,
    distributionId: watch.distributionId,
    tenantId: watch.tenantId,
    invalidationId: watch.invalidationId,
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
  const secondsLeft = settings.retentionSeconds - Math.max(0, (now.getTime() - Date.parse(watch.startedAt)) / 1000);
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
      progress: { check: 1, maxChecks, continueAt: CHECKS_PER_EXECUTION + 1, part: 1, unanswered: 0 },
    },
  };
}

/**
 * When the next status check happens. A schedule is a list of phases; each phase repeats one wait a number of
 * times and the last phase repeats forever. The state machine gets the same phases as Choice rules (statemachine/),
 * the dispatcher uses them to turn the remaining watch time into a check budget.
 */

/** The schedules there are: every kind of watch follows one of them (each kind's `schedule` in kinds.ts). */
export const SCHEDULE_KINDS = ['distribution', 'invalidation'] as const;
export type ScheduleKind = (typeof SCHEDULE_KINDS)[number];

export interface SchedulePhase {
  /** Seconds between two checks in this phase. */
  readonly waitSeconds: number;
  /** How many waits this phase lasts; undefined on the last phase, which lasts until the watch ends. */
  readonly waits?: number;
}

export type Schedule = readonly SchedulePhase[];

export interface ScheduleSettings {
  /** Seconds between checks in the normal phase. */
  readonly pollIntervalSeconds: number;
  /** Seconds between checks in the fast phase at the start of a distribution watch. */
  readonly distributionFastPollSeconds?: number;
  /** Seconds between checks in the fast phase at the start of an invalidation watch. */
  readonly invalidationFastPollSeconds?: number;
  /** How long a distribution watch stays in its fast phase; 0 skips the fast phase. */
  readonly distributionFastPhaseSeconds?: number;
  /** How long an invalidation watch stays in its fast phase; 0 skips the fast phase. */
  readonly invalidationFastPhaseSeconds?: number;
  /** Seconds into the watch at which the interval starts doubling, up to maxPollIntervalSeconds. */
  readonly growthAfterSeconds?: number;
  /** The longest interval; equal to pollIntervalSeconds, it turns growth off. */
  readonly maxPollIntervalSeconds?: number;
  /** How much, in percent, each wait may be shorter or longer, so that watches started together spread; 0 turns it off. */
  readonly checkJitterPercent?: number;
}

/**
 * Defaults tuned on the benchmark's workload (npm run bench): most changes finish within the fast phase, where a
 * check every few seconds keeps the lag low; a stuck change drifts to one check every 15 min, which keeps a 14-day
 * watch at cents.
 */
export const SCHEDULE_DEFAULTS = {
  distributionFastPollSeconds: 17,
  invalidationFastPollSeconds: 8,
  distributionFastPhaseSeconds: 900,
  invalidationFastPhaseSeconds: 180,
  growthAfterSeconds: 3_600,
  maxPollIntervalSeconds: 900,
} as const;

/**
 * Waits carry jitter so that a burst of watches started together (a CI pipeline, a Terraform apply) does not check
 * CloudFront in lockstep against the account's rate limit.
 */
export const DEFAULT_CHECK_JITTER_PERCENT = 10;

/**
 * Every setting, with the defaults adjusted to the ones given so that they never contradict them: no fast interval
 * above the normal one, no fast phase past the start of growth, no cap below the normal interval.
 */
export function completeScheduleSettings(settings: ScheduleSettings): Required<ScheduleSettings> {
  const poll = settings.pollIntervalSeconds;
  const growthAfterSeconds = settings.growthAfterSeconds ?? SCHEDULE_DEFAULTS.growthAfterSeconds;
  return {
    pollIntervalSeconds: poll,
    distributionFastPollSeconds:
      settings.distributionFastPollSeconds ?? Math.min(SCHEDULE_DEFAULTS.distributionFastPollSeconds, poll),
    invalidationFastPollSeconds:
      settings.invalidationFastPollSeconds ?? Math.min(SCHEDULE_DEFAULTS.invalidationFastPollSeconds, poll),
    distributionFastPhaseSeconds:
      settings.distributionFastPhaseSeconds ??
      Math.min(SCHEDULE_DEFAULTS.distributionFastPhaseSeconds, growthAfterSeconds),
    invalidationFastPhaseSeconds:
      settings.invalidationFastPhaseSeconds ??
      Math.min(SCHEDULE_DEFAULTS.invalidationFastPhaseSeconds, growthAfterSeconds),
    growthAfterSeconds,
    maxPollIntervalSeconds: settings.maxPollIntervalSeconds ?? Math.max(SCHEDULE_DEFAULTS.maxPollIntervalSeconds, poll),
    checkJitterPercent: settings.checkJitterPercent ?? DEFAULT_CHECK_JITTER_PERCENT,
  };
}

/**
 * Fast, normal, growing: a check every fast interval for the fast phase, then every pollIntervalSeconds until
 * growthAfterSeconds, then the interval doubles each time the watch's age doubles (so it stays about
 * pollIntervalSeconds / growthAfterSeconds of the age) until it reaches maxPollIntervalSeconds, which repeats
 * forever. Adjacent phases with the same wait merge, so a setting equal to its neighbour removes a phase.
 */
export function buildSchedule(kind: ScheduleKind, settings: ScheduleSettings): Schedule {
  const complete = completeScheduleSettings(settings);
  const poll = complete.pollIntervalSeconds;
  const fastPoll =
    kind === 'distribution' ? complete.distributionFastPollSeconds : complete.invalidationFastPollSeconds;
  const fastPhase =
    kind === 'distribution' ? complete.distributionFastPhaseSeconds : complete.invalidationFastPhaseSeconds;
  const cap = complete.maxPollIntervalSeconds;

  const phases: SchedulePhase[] = [];
  const fastWaits = Math.ceil(fastPhase / fastPoll);
  phases.push({ waitSeconds: fastPoll, waits: fastWaits });
  phases.push({
    waitSeconds: poll,
    waits: Math.max(0, Math.ceil((complete.growthAfterSeconds - fastWaits * fastPoll) / poll)),
  });
  // A phase of interval 2^k x poll lasts from age growthAfter x 2^(k-1) to growthAfter x 2^k: always this many waits.
  const growthWaits = Math.max(1, Math.ceil(complete.growthAfterSeconds / (2 * poll)));
  for (let wait = 2 * poll; wait < cap; wait *= 2) phases.push({ waitSeconds: wait, waits: growthWaits });
  phases.push({ waitSeconds: Math.max(cap, poll) });
  return mergePhases(phases.filter((phase) => phase.waits !== 0));
}

function mergePhases(phases: readonly SchedulePhase[]): Schedule {
  const merged: SchedulePhase[] = [];
  for (const phase of phases) {
    const previous = merged.at(-1);
    if (previous?.waitSeconds !== phase.waitSeconds) {
      merged.push(phase);
      continue;
    }
    merged[merged.length - 1] =
      previous.waits === undefined || phase.waits === undefined
        ? { waitSeconds: phase.waitSeconds }
        : { waitSeconds: phase.waitSeconds, waits: previous.waits + phase.waits };
  }
  return merged;
}

/** A phase as the state machine sees it: applies while the number of the check just made is below untilCheck. */
export interface PhaseRule {
  readonly waitSeconds: number;
  readonly untilCheck?: number;
}

export function phaseRules(schedule: Schedule): PhaseRule[] {
  let waitsSoFar = 0;
  return schedule.map((phase) => {
    if (phase.waits === undefined) return { waitSeconds: phase.waitSeconds };
    waitsSoFar += phase.waits;
    return { waitSeconds: phase.waitSeconds, untilCheck: waitsSoFar + 1 };
  });
}

/** Seconds to wait after check number `check` (1-based) before the next one. */
export function waitAfterCheck(schedule: Schedule, check: number): number {
  const rule = phaseRules(schedule).find(
    (candidate) => candidate.untilCheck === undefined || check < candidate.untilCheck,
  );
  return rule!.waitSeconds;
}

/**
 * Mode sqs-retry's wait after a check without an answer: at least the normal interval, so a burst of throttled watches
 * backs off instead of adding calls against the account's rate limit. It cannot keep a back-off from one delivery to
 * the next: the state machine's grows further (BackOffRules).
 */
export function waitAfterNoAnswer(schedule: Schedule, check: number, pollIntervalSeconds: number): number {
  return Math.max(waitAfterCheck(schedule, check), pollIntervalSeconds);
}

/**
 * How a watch backs off while CloudFront does not answer, with no coordinator: each watch keeps an extra wait on top
 * of its schedule's (progress.backOffSeconds in the state machine). After a check without an answer the extra
 * doubles, at least the normal interval and at most the schedule's longest wait; with jitter on, the first back-off is
 * drawn between the normal interval and `startUpToSeconds`, so the watches throttled together do not come back
 * together, and the cap within the jitter of it. After an answer it shrinks by `shrinkSeconds`, down to 0. Multiplicative increase,
 * additive decrease (as TCP's congestion control, https://www.rfc-editor.org/rfc/rfc5681): the watches that share
 * an account's rate limit slow down together when it throttles them and speed up slowly when it answers again.
 */
export interface BackOffRules {
  /** The least extra after a check without an answer: the normal interval. */
  readonly startSeconds: number;
  /** The most the first back-off is drawn up to, with jitter on: three normal intervals, never above the cap. */
  readonly startUpToSeconds: number;
  /** The longest extra: the schedule's longest wait (maxPollIntervalSeconds). */
  readonly capSeconds: number;
  /** Seconds the extra shrinks by after an answered check: the normal interval. */
  readonly shrinkSeconds: number;
}

/** The first back-off is drawn up to this many normal intervals (npm run bench, burst). */
export const BACK_OFF_START_SPREAD = 3;

export function backOffRules(schedule: Schedule, pollIntervalSeconds: number): BackOffRules {
  const capSeconds = Math.max(...schedule.map((phase) => phase.waitSeconds));
  return {
    startSeconds: pollIntervalSeconds,
    startUpToSeconds: Math.min(BACK_OFF_START_SPREAD * pollIntervalSeconds, capSeconds),
    capSeconds,
    // A step of one normal interval kept the burst's calls as low as smaller steps, with less lag (npm run bench).
    shrinkSeconds: pollIntervalSeconds,
  };
}

/**
 * The most a watch backs off in all, over its parts: this share of the watch limit. A watch stops backing off once it
 * has, so the back-off stretches the watch limit by at most this much and one more back-off (the execution timeout
 * counts both).
 */
export const BACK_OFF_BUDGET_SHARE = 0.1;

export function backOffBudgetSeconds(retentionSeconds: number): number {
  return Math.ceil(retentionSeconds * BACK_OFF_BUDGET_SHARE);
}

/** The longest extra wait a watch can carry: the cap, with its jitter at its longest. */
export function longestBackOffSeconds(rules: BackOffRules, jitterPercent: number): number {
  return rules.capSeconds + jitterSeconds(rules.capSeconds, jitterPercent);
}

/** The most a wait may be shorter or longer than the schedule's: `jitterPercent` of it, in whole seconds (rounded down). */
export function jitterSeconds(waitSeconds: number, jitterPercent: number): number {
  return Math.floor((waitSeconds * jitterPercent) / 100);
}

/**
 * A wait drawn uniformly from the whole seconds within jitterSeconds of the schedule's wait. The draw is symmetric, so
 * the mean wait, and with it the check budget's time, stays the schedule's. `random` answers in [0, 1), as Math.random.
 */
export function jitteredWait(waitSeconds: number, jitterPercent: number, random: () => number): number {
  const jitter = jitterSeconds(waitSeconds, jitterPercent);
  return waitSeconds - jitter + Math.floor(random() * (2 * jitter + 1));
}

/**
 * How many checks fit into the seconds left of the watch, the first one right away: the check budget.
 * Never less than one, so even a change that arrives late is looked at once.
 */
export function checkBudget(schedule: Schedule, secondsLeft: number): number {
  let checks = 1;
  let elapsed = 0;
  for (;;) {
    const next = elapsed + waitAfterCheck(schedule, checks);
    if (next > secondsLeft) return checks;
    elapsed = next;
    checks += 1;
  }
}

/** Seconds from the first check to check number `check`. */
export function secondsUntilCheck(schedule: Schedule, check: number): number {
  let elapsed = 0;
  for (let done = 1; done < check; done += 1) elapsed += waitAfterCheck(schedule, done);
  return elapsed;
}

/**
 * When the next status check happens. A schedule is a list of phases; each phase repeats one wait a number of
 * times and the last phase repeats forever. The state machine gets the same phases as Choice rules (statemachine/),
 * the dispatcher uses them to turn the remaining watch time into a check budget.
 */
import type { WatchKind } from './cloudtrail';

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
}

export function buildSchedule(_kind: WatchKind, settings: ScheduleSettings): Schedule {
  return [{ waitSeconds: settings.pollIntervalSeconds }];
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
  const rule = phaseRules(schedule).find((candidate) => candidate.untilCheck === undefined || check < candidate.untilCheck);
  return rule!.waitSeconds;
}

/**
 * How many checks fit into the seconds left of the watch, the first one right away: the poll budget.
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

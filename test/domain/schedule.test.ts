import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  backOffBudgetSeconds,
  backOffRules,
  buildSchedule,
  checkBudget,
  completeScheduleSettings,
  jitteredWait,
  jitterSeconds,
  longestBackOffSeconds,
  phaseRules,
  SCHEDULE_DEFAULTS,
  secondsUntilCheck,
  waitAfterCheck,
  type Schedule,
  type ScheduleSettings,
} from '../../domain/schedule';
import { readConfig } from '../../infra/config';

/** Round numbers, so every boundary below can be worked out by hand. */
const HAND_MADE: ScheduleSettings = {
  pollIntervalSeconds: 60,
  distributionFastPollSeconds: 15,
  invalidationFastPollSeconds: 5,
  distributionFastPhaseSeconds: 300,
  invalidationFastPhaseSeconds: 120,
  growthAfterSeconds: 1_800,
  maxPollIntervalSeconds: 600,
};
const FOURTEEN_DAYS = 1_209_600;

/** Every schedule readConfig can produce: the settings drawn within each key's range, then read as context. */
const acceptedSettings = fc
  .record({
    poll: fc.integer({ min: 5, max: 3_600 }),
    growthAfter: fc.integer({ min: 0, max: FOURTEEN_DAYS }),
    fastPollShare: fc.double({ min: 0, max: 1, noNaN: true }),
    fastPhaseShare: fc.double({ min: 0, max: 1, noNaN: true }),
    capFactor: fc.double({ min: 1, max: 50, noNaN: true }),
  })
  .map(({ poll, growthAfter, fastPollShare, fastPhaseShare, capFactor }) => {
    const fast = Math.max(2, Math.round(poll * fastPollShare));
    const phase = Math.round(growthAfter * fastPhaseShare);
    const context: Record<string, number> = {
      pollIntervalSeconds: poll,
      growthAfterSeconds: growthAfter,
      distributionFastPollSeconds: fast,
      invalidationFastPollSeconds: fast,
      distributionFastPhaseSeconds: phase,
      invalidationFastPhaseSeconds: phase,
      maxPollIntervalSeconds: Math.min(86_400, Math.round(poll * capFactor)),
    };
    return readConfig((key) => context[key]).watch.schedule;
  });

describe('buildSchedule: fast, normal, growing, capped', () => {
  it('checks every fast interval for the fast phase, then every pollIntervalSeconds until growth starts', () => {
    // Arrange
    const schedule = buildSchedule('distribution', HAND_MADE);
    // Act
    const waits = [1, 20, 21, 45, 46].map((check) => waitAfterCheck(schedule, check));
    const times = [21, 46].map((check) => secondsUntilCheck(schedule, check));
    // Assert
    expect(waits).toEqual([15, 15, 60, 60, 120]);
    expect(times).toEqual([300, 1_800]);
  });

  it('doubles the interval each time the watch age doubles, then stays at the cap', () => {
    // Arrange
    const schedule = buildSchedule('distribution', HAND_MADE);
    // Act: growth phases of 15 waits each end at 3,600 s, 7,200 s and 14,400 s (checks 61, 76, 91)
    const ends = [61, 76, 91].map((check) => secondsUntilCheck(schedule, check));
    const waits = [60, 61, 75, 76, 90, 91, 5_000].map((check) => waitAfterCheck(schedule, check));
    // Assert
    expect(ends).toEqual([3_600, 7_200, 14_400]);
    expect(waits).toEqual([120, 240, 240, 480, 480, 600, 600]);
  });

  it('gives each kind its own fast phase', () => {
    // Arrange
    const schedule = buildSchedule('invalidation', HAND_MADE);
    // Act
    const waits = [1, 24, 25].map((check) => waitAfterCheck(schedule, check));
    // Assert
    expect(waits).toEqual([5, 5, 60]);
    expect(secondsUntilCheck(schedule, 25)).toBe(120);
  });

  it('skips the fast phase when it lasts 0 s', () => {
    // Arrange
    const settings = { ...HAND_MADE, distributionFastPhaseSeconds: 0 };
    // Act
    const schedule = buildSchedule('distribution', settings);
    // Assert
    expect(schedule[0]).toEqual({ waitSeconds: 60, waits: 30 });
  });

  it('merges phases that wait the same: no growth when the cap is the normal interval', () => {
    // Arrange
    const settings = { ...HAND_MADE, maxPollIntervalSeconds: 60, distributionFastPollSeconds: 60 };
    // Act
    const schedule = buildSchedule('distribution', settings);
    // Assert
    expect(schedule).toEqual([{ waitSeconds: 60 }]);
  });

  it('never grows past the cap, nor above the normal interval before growth starts', () => {
    fc.assert(
      fc.property(acceptedSettings, fc.constantFrom('distribution', 'invalidation' as const), (settings, kind) => {
        const schedule = buildSchedule(kind, settings);
        const waits = schedule.map((phase) => phase.waitSeconds);
        expect(Math.max(...waits)).toBe(settings.maxPollIntervalSeconds);
        expect(waits).toEqual([...waits].sort((a, b) => a - b));
        expect(schedule.at(-1)!.waits).toBeUndefined();
        expect(schedule.slice(0, -1).every((phase) => Number.isInteger(phase.waits) && phase.waits! > 0)).toBe(true);
        // Every phase that starts before growthAfterSeconds waits at most the normal interval.
        let startsAt = 0;
        for (const phase of schedule) {
          if (startsAt < settings.growthAfterSeconds) {
            expect(phase.waitSeconds, `phase starting at ${startsAt} s`).toBeLessThanOrEqual(
              settings.pollIntervalSeconds,
            );
          }
          startsAt += phase.waitSeconds * (phase.waits ?? Infinity);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('changes the wait at most once per doubling of the interval: a few phases, a few Choice rules', () => {
    fc.assert(
      fc.property(acceptedSettings, (settings) => {
        const schedule = buildSchedule('invalidation', settings);
        const doublings = Math.ceil(Math.log2(settings.maxPollIntervalSeconds / settings.pollIntervalSeconds));
        expect(schedule.length).toBeLessThanOrEqual(doublings + 3);
      }),
      { numRuns: 200 },
    );
  });
});

describe('schedule defaults', () => {
  it('keeps a never-finishing 14-day watch to cents: under 2,000 checks, about $0.20 at 4 transitions each', () => {
    // Arrange
    const settings = readConfig(() => undefined).watch.schedule;
    // Act
    const checks = (['distribution', 'invalidation'] as const).map((kind) =>
      checkBudget(buildSchedule(kind, settings), FOURTEEN_DAYS),
    );
    // Assert
    expect(Math.max(...checks)).toBeLessThan(2_000);
  });

  it('checks a fresh change far more often than a stuck one', () => {
    // Arrange
    const schedule = buildSchedule('distribution', readConfig(() => undefined).watch.schedule);
    // Act
    const firstMinutes = checkBudget(schedule, 600);
    const aDayLater = checkBudget(schedule, 87_000) - checkBudget(schedule, 86_400);
    // Assert
    expect(firstMinutes).toBeGreaterThan(20);
    expect(aDayLater).toBeLessThanOrEqual(1);
  });

  it('adapts to a given normal interval instead of contradicting it', () => {
    // Act
    const fastest = completeScheduleSettings({ pollIntervalSeconds: 5 });
    const slowest = completeScheduleSettings({ pollIntervalSeconds: 3_600 });
    const noGrowthYet = completeScheduleSettings({ pollIntervalSeconds: 60, growthAfterSeconds: 120 });
    // Assert
    expect([fastest.distributionFastPollSeconds, fastest.invalidationFastPollSeconds]).toEqual([5, 5]);
    expect(slowest.maxPollIntervalSeconds).toBe(3_600);
    expect([noGrowthYet.distributionFastPhaseSeconds, noGrowthYet.invalidationFastPhaseSeconds]).toEqual([120, 120]);
    expect(completeScheduleSettings({ pollIntervalSeconds: 60 })).toEqual({
      pollIntervalSeconds: 60,
      ...SCHEDULE_DEFAULTS,
      checkJitterPercent: 10,
    });
  });
});

describe('schedule functions on a hand-made multi-phase schedule', () => {
  // 3 quick checks 10 s apart, then 2 waits of 60 s, then every 300 s for good.
  const schedule: Schedule = [{ waitSeconds: 10, waits: 3 }, { waitSeconds: 60, waits: 2 }, { waitSeconds: 300 }];

  it('turns phases into Choice rules keyed by the check number', () => {
    expect(phaseRules(schedule)).toEqual([
      { waitSeconds: 10, untilCheck: 4 },
      { waitSeconds: 60, untilCheck: 6 },
      { waitSeconds: 300 },
    ]);
  });

  it('waits as long as the phase of the check just made says', () => {
    // Act
    const waits = [1, 2, 3, 4, 5, 6, 7, 100].map((check) => waitAfterCheck(schedule, check));
    // Assert
    expect(waits).toEqual([10, 10, 10, 60, 60, 300, 300, 300]);
  });

  it('adds up the waits before a check', () => {
    // Act
    const times = [1, 2, 4, 5, 6, 7, 8].map((check) => secondsUntilCheck(schedule, check));
    // Assert
    expect(times).toEqual([0, 10, 30, 90, 150, 450, 750]);
  });

  it.each([
    { secondsLeft: 0, checks: 1 },
    { secondsLeft: 9, checks: 1 },
    { secondsLeft: 10, checks: 2 },
    { secondsLeft: 149, checks: 5 },
    { secondsLeft: 150, checks: 6 },
    { secondsLeft: 449, checks: 6 },
    { secondsLeft: 750, checks: 8 },
  ])('fits $checks checks into $secondsLeft s', ({ secondsLeft, checks }) => {
    expect(checkBudget(schedule, secondsLeft)).toBe(checks);
  });

  it('never lets the last budgeted check fall after the time left, nor leaves room for one more', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000 }), (secondsLeft) => {
        const checks = checkBudget(schedule, secondsLeft);
        expect(secondsUntilCheck(schedule, checks)).toBeLessThanOrEqual(secondsLeft);
        expect(secondsUntilCheck(schedule, checks + 1)).toBeGreaterThan(secondsLeft);
      }),
    );
  });

  it('treats a single open-ended phase as a fixed interval', () => {
    // Arrange
    const fixed: Schedule = [{ waitSeconds: 60 }];
    // Act / Assert
    expect(phaseRules(fixed)).toEqual([{ waitSeconds: 60 }]);
    expect(waitAfterCheck(fixed, 1)).toBe(60);
    expect(secondsUntilCheck(fixed, 11)).toBe(600);
    expect(checkBudget(fixed, 345_600)).toBe(5_761);
  });
});

describe('jitter: waits spread around the schedule', () => {
  it.each([
    { wait: 900, percent: 10, jitter: 90 },
    { wait: 60, percent: 10, jitter: 6 },
    { wait: 17, percent: 10, jitter: 1 },
    { wait: 8, percent: 10, jitter: 0 },
    { wait: 900, percent: 0, jitter: 0 },
    { wait: 17, percent: 50, jitter: 8 },
  ])('lets a $wait s wait move by $jitter s at $percent %', ({ wait, percent, jitter }) => {
    // Act
    const seconds = jitterSeconds(wait, percent);
    // Assert
    expect(seconds).toBe(jitter);
  });

  it('draws a 60 s wait from 54 to 66 s at 10 %, the middle draw being the schedule itself', () => {
    // Act
    const lowest = jitteredWait(60, 10, () => 0);
    const middle = jitteredWait(60, 10, () => 0.5);
    const highest = jitteredWait(60, 10, () => 0.999_999);
    // Assert
    expect([lowest, middle, highest]).toEqual([54, 60, 66]);
  });

  it('draws every whole second of the range equally often, so the mean wait stays the schedule', () => {
    // Arrange: 13 draws spread evenly over [0, 1) hit each of the 13 seconds from 54 to 66 once
    const draws = Array.from({ length: 13 }, (_, index) => (index + 0.5) / 13);
    // Act
    const waits = draws.map((draw) => jitteredWait(60, 10, () => draw));
    // Assert
    expect(waits).toEqual([54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66]);
    expect(waits.reduce((sum, wait) => sum + wait, 0) / waits.length).toBe(60);
  });

  it('never leaves the range, whatever the draw', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 86_400 }),
        fc.integer({ min: 0, max: 50 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (wait, percent, draw) => {
          const drawn = jitteredWait(wait, percent, () => draw);
          const jitter = jitterSeconds(wait, percent);
          expect(Number.isInteger(drawn)).toBe(true);
          expect(drawn).toBeGreaterThanOrEqual(wait - jitter);
          expect(drawn).toBeLessThanOrEqual(wait + jitter);
        },
      ),
    );
  });
});

describe('back-off while CloudFront does not answer', () => {
  it("starts at one to three normal intervals, caps at the schedule's longest wait and shrinks by one normal interval", () => {
    // Arrange
    const schedule: Schedule = [{ waitSeconds: 8, waits: 22 }, { waitSeconds: 60, waits: 57 }, { waitSeconds: 900 }];
    // Act
    const rules = backOffRules(schedule, 60);
    // Assert
    expect(rules).toEqual({ startSeconds: 60, startUpToSeconds: 180, capSeconds: 900, shrinkSeconds: 60 });
  });

  it('never draws the first back-off above the cap', () => {
    // Act
    const rules = backOffRules([{ waitSeconds: 2, waits: 10 }, { waitSeconds: 1 }], 1);
    // Assert: the cap is the longest wait of any phase, here the fast one
    expect(rules).toEqual({ startSeconds: 1, startUpToSeconds: 2, capSeconds: 2, shrinkSeconds: 1 });
  });

  it('allows a watch 10 % of its watch limit of back-off in all, rounded up to the second', () => {
    // Act
    const budgets = [backOffBudgetSeconds(345_600), backOffBudgetSeconds(1_209_600), backOffBudgetSeconds(3_605)];
    // Assert
    expect(budgets).toEqual([34_560, 120_960, 361]);
  });

  it('carries at most the cap plus its jitter', () => {
    // Arrange
    const rules = { startSeconds: 60, startUpToSeconds: 180, capSeconds: 900, shrinkSeconds: 60 };
    // Act
    const [withJitter, without] = [longestBackOffSeconds(rules, 10), longestBackOffSeconds(rules, 0)];
    // Assert
    expect([withJitter, without]).toEqual([990, 900]);
  });
});

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseEventBridgeBody, SUPPORTED_EVENT_NAMES } from '../../domain/cloudtrail';
import { buildSchedule, completeScheduleSettings, secondsUntilCheck } from '../../domain/schedule';
import { CHECKS_PER_EXECUTION } from '../../domain/watch-execution';
import type { AslDefinition } from '../../statemachine/definition';
import { sdkWaiterDelay, type WatchTiming } from '../../tools/bench/designs';
import {
  markdownReport,
  replaceSection,
  workloadTargets,
  type BenchReport,
  type WorkloadStats,
} from '../../tools/bench/report';
import { benchMachine, benchWatch, historyEvents, simulateWatch, type FullPart } from '../../tools/bench/simulate';
import { costUsd, logNormal, percentile, seededRandom } from '../../tools/bench/stats';
import { withVirtualWaits } from '../../tools/bench/virtual-waits';
import { generateWorkload } from '../../tools/bench/workload';
import { watchDefinition, watchSettingsOf } from '../../tools/lib/synth';
import { synthesized } from '../support/definition';
import { STATE_NAMES } from '../../statemachine/state-names';
import { THROTTLED } from '../../tools/lib/simulated-cloudfront';
import { burstMachine, simulateBurst, type BurstRun } from '../../tools/bench/burst';
import {
  burstRunStats,
  burstTargets,
  lagPercentile,
  markdownBurstReport,
  mostCallsInWindow,
  type BurstReport,
  type BurstRunStats,
  type KindBurstStats,
} from '../../tools/bench/burst-report';
import { burstWatch, generateBurst, type BurstChange } from '../../tools/bench/burst-workload';
import { SharedClock } from '../../tools/bench/shared-clock';
import {
  catches,
  retrierFor,
  retryDelaySeconds,
  seedMathRandom,
  unansweredRoute,
  withSeededRandom,
} from '../../tools/bench/status-check-model';
import { TokenBucket } from '../../tools/bench/token-bucket';

const BENCH_JSON = fileURLToPath(new URL('../../docs/bench.json', import.meta.url));
const PERFORMANCE_PAGE = fileURLToPath(new URL('../../docs/performance.md', import.meta.url));

describe('bench arithmetic', () => {
  it('draws the same numbers from the same seed, and other numbers from another', () => {
    // Arrange
    const draw = (seed: number) => {
      const random = seededRandom(seed);
      return Array.from({ length: 5 }, () => random());
    };
    // Act
    const [first, again, other] = [draw(7), draw(7), draw(8)];
    // Assert
    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
    expect(first.every((value) => value >= 0 && value < 1)).toBe(true);
  });

  it('makes a workload whose medians match the log-normal parameters', () => {
    // Act
    const workload = generateWorkload(1, 2_000);
    // Assert
    const median = (kind: string) =>
      percentile(
        workload.filter((change) => change.kind === kind).map((change) => change.finishSeconds),
        0.5,
      );
    expect(workload).toHaveLength(4_000);
    expect(median('distribution')).toBeGreaterThan(240 * 0.9);
    expect(median('distribution')).toBeLessThan(240 * 1.1);
    expect(median('invalidation')).toBeGreaterThan(30 * 0.9);
    expect(median('invalidation')).toBeLessThan(30 * 1.1);
    expect(generateWorkload(1, 2_000)).toEqual(workload);
  });

  it('spreads a log-normal by sigma: e^sigma between the median and the 84th percentile', () => {
    // Arrange
    const random = seededRandom(3);
    // Act
    const draws = Array.from({ length: 4_000 }, () => logNormal(random, 100, 0.5));
    // Assert
    const ratio = percentile(draws, 0.8413) / percentile(draws, 0.5);
    expect(ratio).toBeGreaterThan(Math.exp(0.5) * 0.95);
    expect(ratio).toBeLessThan(Math.exp(0.5) * 1.05);
  });

  it.each([
    { p: 0, expected: 10 },
    { p: 0.5, expected: 25 },
    { p: 0.95, expected: 38.5 },
    { p: 1, expected: 40 },
  ])('interpolates the $p quantile between ranks', ({ p, expected }) => {
    expect(percentile([40, 10, 30, 20], p)).toBeCloseTo(expected, 10);
  });

  it('refuses a percentile of nothing', () => {
    expect(() => percentile([], 0.5)).toThrow('no values');
  });

  it('prices transitions at $0.025 per 1,000, plus $0.000001 for the Change Finished event and $0.00001 for the metrics call', () => {
    expect(costUsd(1_000)).toBeCloseTo(0.025011, 12);
    expect(costUsd(200)).toBeCloseTo(0.005011, 12);
    expect(costUsd(0)).toBeCloseTo(0.000011, 12);
  });

  it('delays the SDK waiter as smithy does: the minimum first, jitter up to a doubling, then the maximum', () => {
    // Arrange
    const random = seededRandom(5);
    // Act
    const first = sdkWaiterDelay(20, 600, 1, random);
    const third = Array.from({ length: 50 }, () => sdkWaiterDelay(20, 600, 3, random));
    const late = sdkWaiterDelay(20, 600, 7, random);
    // Assert
    expect(first).toBe(20);
    expect(Math.min(...third)).toBeGreaterThanOrEqual(20);
    expect(Math.max(...third)).toBeLessThanOrEqual(80);
    expect(late).toBe(600);
  });

  it('compares checks with the original per kind and over both kinds', () => {
    // Arrange
    const stats = (checksPerWatch: number): WorkloadStats => ({
      watches: 1,
      notifiedDone: 1,
      medianLagSeconds: 1,
      p95LagSeconds: 1,
      checksPerWatch,
      transitionsPerWatch: 1,
      notNotifiedOnce: 0,
    });
    // Act
    const targets = workloadTargets(
      { distribution: stats(18), invalidation: stats(8) },
      { distribution: stats(6), invalidation: stats(2) },
    );
    // Assert
    const ratios = targets
      .filter((target) => target.unit === 'x')
      .map((target) => [target.kind, target.measured, target.met]);
    expect(ratios).toEqual([
      ['distribution', 3, true],
      ['invalidation', 4, false],
      ['both', 13 / 4, false],
    ]);
  });
});

describe('the performance page', () => {
  const document =
    'intro\n<!-- section:performance -->\nold\n<!-- /section:performance -->\n<!-- section:tests -->\nkept\n<!-- /section:tests -->\n';

  it('replaces only what stands between its own markers', () => {
    // Act
    const written = replaceSection(document, 'performance', 'new table\n');
    // Assert
    expect(written).toBe(
      'intro\n<!-- section:performance -->\nnew table\n<!-- /section:performance -->\n<!-- section:tests -->\nkept\n<!-- /section:tests -->\n',
    );
  });

  it('refuses a document without the markers', () => {
    expect(() => replaceSection('no markers here', 'performance', 'x')).toThrow('section:performance');
  });

  it('shows what docs/bench.json measured (run npm run bench after changing the schedule or the workflow)', () => {
    // Arrange
    const report = JSON.parse(readFileSync(BENCH_JSON, 'utf8')) as BenchReport;
    const page = readFileSync(PERFORMANCE_PAGE, 'utf8');
    // Act
    const regenerated = replaceSection(page, 'performance', markdownReport(report));
    // Assert
    expect(page, 'docs/performance.md is stale: run npm run bench').toBe(regenerated);
    expect(page).toContain('also in [bench.json](bench.json).');
  });

  it('docs/bench.json was measured with the schedule the stack deploys today (else run npm run bench)', () => {
    // Arrange
    const report = JSON.parse(readFileSync(BENCH_JSON, 'utf8')) as BenchReport;
    // Act
    const deployed = completeScheduleSettings(watchSettingsOf(synthesized().template).schedule);
    // Assert
    expect(report.settings.schedule, 'docs/bench.json is stale: run npm run bench').toEqual(deployed);
    expect(report.settings.retentionSeconds).toBe(1_209_600);
  });
});

describe('the burst on the performance page', () => {
  it('shows the burst that docs/bench.json measured (run npm run bench after changing the workflow)', () => {
    // Arrange
    const report = JSON.parse(readFileSync(BENCH_JSON, 'utf8')) as BenchReport;
    const page = readFileSync(PERFORMANCE_PAGE, 'utf8');
    // Act
    const regenerated = replaceSection(page, 'burst', markdownBurstReport(report.burst));
    // Assert
    expect(page, 'docs/performance.md is stale: run npm run bench').toBe(regenerated);
  });

  it("docs/bench.json's burst ran the definition deployed today: its retries, its Catch, its random waits", () => {
    // Arrange
    const report = JSON.parse(readFileSync(BENCH_JSON, 'utf8')) as BenchReport;
    const { template } = synthesized();
    const deployed = watchDefinition(template);
    // Act
    const today = {
      unanswered: {
        distribution: unansweredRoute(deployed, 'distribution', THROTTLED.error),
        invalidation: unansweredRoute(deployed, 'invalidation', THROTTLED.error),
      },
      randomStates: burstMachine(deployed, watchSettingsOf(template)).randomStates,
    };
    // Assert
    expect(report.burst.definition, 'docs/bench.json is stale: run npm run bench').toEqual(today);
  });

  it('reports every watch of the burst, in every run, with exactly one notification', () => {
    // Arrange
    const report = (JSON.parse(readFileSync(BENCH_JSON, 'utf8')) as BenchReport).burst;
    // Act
    const watches = [report.burst, report.noBurst, ...(report.readBudgets ?? []).map((budget) => budget.run)].map(
      (run) => Object.values(run.kinds).map((stats) => [stats.watches, stats.notNotifiedOnce]),
    );
    // Assert
    expect(watches).toEqual([
      [
        [20, 0],
        [300, 0],
      ],
      [
        [20, 0],
        [300, 0],
      ],
      [
        [20, 0],
        [300, 0],
      ],
      [
        [20, 0],
        [300, 0],
      ],
    ]);
  });
});

describe('the virtual clock on the deployed definition', () => {
  const { template } = synthesized();
  const deployed = watchDefinition(template);
  const machine = benchMachine(deployed, watchSettingsOf(template));

  it('replaces every Wait by a Task that reads the same SecondsPath, and leaves the deployed definition alone', () => {
    // Arrange
    const before = structuredClone(deployed);
    // Act
    const virtual = withVirtualWaits(deployed);
    // Assert
    expect(virtual.waitStates).toEqual(['Wait before next distribution check', 'Wait before next invalidation check']);
    expect(virtual.definition.States['Wait before next distribution check']).toMatchObject({
      Type: 'Task',
      Parameters: { 'seconds.$': '$.progress.waitSeconds', 'nextCheck.$': '$.progress.check' },
      Next: 'Get distribution status',
    });
    expect(virtual.definition.States['Wait before next invalidation check']).toMatchObject({
      Type: 'Task',
      Parameters: { 'seconds.$': '$.progress.waitSeconds', 'nextCheck.$': '$.progress.check' },
      Next: 'Get invalidation status',
    });
    expect(deployed.States['Wait before next distribution check']!.Type).toBe('Wait');
    expect(deployed).toEqual(before);
  });

  it.each([
    { kind: 'distribution' as const, file: 'update-distribution.json' },
    { kind: 'invalidation' as const, file: 'create-invalidation.json' },
  ])('watches a $kind change as the dispatcher watches $file: same kind, call and action', ({ kind, file }) => {
    // Arrange
    const body = readFileSync(fileURLToPath(new URL(`../../tools/fixtures/events/${file}`, import.meta.url)), 'utf8');
    const parsed = parseEventBridgeBody(body, { watchedEvents: SUPPORTED_EVENT_NAMES });
    if (parsed.type !== 'watch') throw new Error(`${file} is no watch: ${parsed.reason}`);
    // Act
    const { kind: benchKind, change, action } = benchWatch({ kind, number: 1, finishSeconds: 60 });
    // Assert
    expect({ kind: benchKind, change, action }).toEqual({
      kind: parsed.watch.kind,
      change: parsed.watch.change,
      action: parsed.watch.action,
    });
  });

  it('notifies at the first scheduled check after the change finished, once', async () => {
    // Arrange: waits without jitter, so the check times are the schedule's
    const { template: unjittered } = synthesized({ checkJitterPercent: '0' });
    const exact = benchMachine(watchDefinition(unjittered), watchSettingsOf(unjittered));
    const startSeconds = 5;
    const change = { kind: 'distribution' as const, number: 1, finishSeconds: 100 };
    const schedule = buildSchedule('distribution', exact.settings.schedule);
    let check = 1;
    while (startSeconds + secondsUntilCheck(schedule, check) < change.finishSeconds) check += 1;
    // Act
    const result = await simulateWatch(exact, change, {}, { startSeconds, seed: 1, validate: true });
    // Assert
    expect(result.outcome).toBe('deployed');
    expect(result.notifications).toBe(1);
    expect(result.checks).toBe(check);
    expect(result.notifiedAtSeconds).toBe(startSeconds + secondsUntilCheck(schedule, check));
    expect(result.executions).toHaveLength(1);
  });

  it("draws the deployed definition's random waits from the watch's seed: the same seed, the same checks", async () => {
    // Arrange: a distribution finishing at 80 s, checked at 5 s and then every 16 to 18 s
    const change = { kind: 'distribution' as const, number: 1, finishSeconds: 80 };
    const run = (seed: number) => simulateWatch(machine, change, {}, { startSeconds: 5, seed });
    // Act
    const [first, again, other] = [await run(1), await run(1), await run(2)];
    // Assert
    expect(machine.randomStates).toHaveLength(15);
    expect(again).toEqual(first);
    expect([first.notifiedAtSeconds, first.checks]).toEqual([91, 6]);
    expect([other.notifiedAtSeconds, other.checks]).toEqual([92, 6]);
  });

  it('counts a stuck watch the same whether identical executions are run or reused', async () => {
    // Arrange: every 5 s for 4 hours is 2,881 checks, so four executions, two of them full continuations
    const shortWatch = benchMachine(deployed, { ...machine.settings, retentionSeconds: 4 * 3_600 });
    const timing: WatchTiming = { waitBefore: () => 5, maxChecks: (secondsLeft) => Math.floor(secondsLeft / 5) + 1 };
    const stuck = { kind: 'invalidation' as const, number: 0, finishSeconds: Infinity };
    // Act
    const everyExecution = await simulateWatch(shortWatch, stuck, timing, { startSeconds: 0, seed: 1 });
    const reused = await simulateWatch(shortWatch, stuck, timing, {
      startSeconds: 0,
      seed: 1,
      fullPartCache: new Map<string, FullPart>(),
    });
    // Assert
    expect(everyExecution.checks).toBe(2_881);
    expect(everyExecution.executions.map((execution) => execution.checks)).toEqual([
      CHECKS_PER_EXECUTION + 1,
      CHECKS_PER_EXECUTION,
      CHECKS_PER_EXECUTION,
      2_881 - 3 * CHECKS_PER_EXECUTION - 1,
    ]);
    const { notifiedAtSeconds, ...counts } = everyExecution;
    expect(reused).toEqual(counts);
    // A continued execution waits before its first check, so the three hand-overs cost no wait: the last check is at the limit.
    expect(notifiedAtSeconds).toBe(4 * 3_600);
    expect(everyExecution.outcome).toBe('timed-out');
  });

  it('counts history as Step Functions records it: Task 5 events, Fail 1, any other state 2, plus the execution', () => {
    // Arrange
    const definition = {
      StartAt: 'A',
      States: { A: { Type: 'Task' }, B: { Type: 'Choice' }, C: { Type: 'Fail' } },
    } as unknown as AslDefinition;
    // Act
    const events = historyEvents(definition, ['A', 'B', 'A', 'C']);
    // Assert
    expect(events).toBe(2 + 5 + 2 + 5 + 1);
    expect(() => historyEvents(definition, [STATE_NAMES.chooseKind])).toThrow('not in the deployed definition');
  });
});

describe('the account limit, a token bucket', () => {
  it('lets a full bucket of calls through at once, then as many as it refills', () => {
    // Arrange
    const bucket = new TokenBucket(5, 5);
    // Act
    const atOnce = Array.from({ length: 6 }, () => bucket.take(0));
    const afterAFifth = [bucket.take(0.2), bucket.take(0.2)];
    const afterASecond = Array.from({ length: 6 }, () => bucket.take(1.2));
    // Assert
    expect(atOnce).toEqual([true, true, true, true, true, false]);
    expect(afterAFifth).toEqual([true, false]);
    expect(afterASecond).toEqual([true, true, true, true, true, false]);
  });

  it('takes no token for a throttled call', () => {
    // Arrange
    const bucket = new TokenBucket(1, 1);
    // Act
    const calls = [bucket.take(0), bucket.take(0.5), bucket.take(0.9), bucket.take(1)];
    // Assert
    expect(calls).toEqual([true, false, false, true]);
  });

  it('holds no more than its capacity after a quiet spell', () => {
    // Arrange
    const bucket = new TokenBucket(5, 5);
    // Act
    const calls = Array.from({ length: 6 }, () => bucket.take(100));
    // Assert
    expect(calls.filter(Boolean)).toHaveLength(5);
  });

  it('refuses a call earlier than the one before', () => {
    // Arrange
    const bucket = new TokenBucket(5, 5);
    bucket.take(2);
    // Act / Assert
    expect(() => bucket.take(1)).toThrow('a call at 1 s after one at 2 s');
  });
});

describe('the shared clock', () => {
  it('wakes processes in the order of their wake-up times, ties in the order they slept', async () => {
    // Arrange
    const clock = new SharedClock(0);
    const woken: string[] = [];
    const process = (name: string, waits: readonly number[]) => async () => {
      for (const wait of waits) {
        await clock.sleepUntil(clock.now + wait);
        woken.push(`${name}@${clock.now}`);
      }
    };
    clock.spawn(process('a', [5, 5]));
    clock.spawn(process('b', [3, 2, 4]));
    clock.spawn(process('c', [5]));
    // Act
    await clock.run();
    // Assert
    expect(woken).toEqual(['b@3', 'a@5', 'c@5', 'b@5', 'b@9', 'a@10']);
  });

  it('ends the run with the error of a process that throws', async () => {
    // Arrange
    const clock = new SharedClock(0);
    clock.spawn(async () => {
      await clock.sleepUntil(1);
      throw new Error('broken watch');
    });
    clock.spawn(() => clock.sleepUntil(2));
    // Act / Assert
    await expect(clock.run()).rejects.toThrow('broken watch');
  });

  it('refuses to sleep into the past', async () => {
    // Arrange
    const clock = new SharedClock(0);
    let refused: unknown;
    clock.spawn(async () => {
      await clock.sleepUntil(4);
      try {
        await clock.sleepUntil(3);
      } catch (error) {
        refused = error;
      }
    });
    // Act
    await clock.run();
    // Assert
    expect(String(refused)).toContain('cannot sleep until 3 s at 4 s');
  });
});

describe('the burst workload', () => {
  it('makes 300 invalidations on 5 distributions and 20 updates of 20 distributions, all within a minute', () => {
    // Act
    const burst = generateBurst();
    // Assert
    const invalidations = burst.filter((change) => change.kind === 'invalidation');
    const updates = burst.filter((change) => change.kind === 'distribution');
    expect(invalidations).toHaveLength(300);
    expect(updates).toHaveLength(20);
    const perDistribution = new Map<string, number>();
    for (const change of invalidations)
      perDistribution.set(change.distributionId, (perDistribution.get(change.distributionId) ?? 0) + 1);
    expect([...perDistribution.values()]).toEqual([60, 60, 60, 60, 60]);
    expect(new Set(invalidations.map((change) => change.invalidationId)).size).toBe(300);
    expect(new Set(updates.map((change) => change.distributionId)).size).toBe(20);
    expect(burst.every((change) => change.callSeconds >= 0 && change.callSeconds < 60)).toBe(true);
    expect(burst.map((change) => change.callSeconds)).toEqual(
      [...burst.map((change) => change.callSeconds)].sort((a, b) => a - b),
    );
  });

  it('draws the same burst from the same seed and another from another seed', () => {
    // Act
    const [first, again, other] = [generateBurst(7), generateBurst(7), generateBurst(8)];
    // Assert
    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
  });

  it('watches an invalidation of the burst as the dispatcher would: the call, its ids and its time', () => {
    // Arrange
    const change: BurstChange = {
      kind: 'invalidation',
      number: 12,
      callSeconds: 42.7,
      finishSeconds: 30,
      distributionId: 'EBURSTCI000002',
      invalidationId: 'IBURST00000012',
    };
    // Act
    const watch = burstWatch(change, Date.parse('2026-11-28T09:00:00Z'));
    // Assert
    expect(watch).toEqual({
      kind: 'invalidation',
      change: 'CreateInvalidation',
      action: 'invalidate',
      eventId: '00000000-0000-4000-8000-bi0000000012',
      startedAt: '2026-11-28T09:00:42.000Z',
      distributionId: 'EBURSTCI000002',
      invalidationId: 'IBURST00000012',
      paths: ['/*'],
      changedBy: 'arn:aws:iam::123456789012:user/bench',
    });
  });
});

describe('what the burst reads from the definition', () => {
  const deployed = watchDefinition(synthesized().template);

  it("times a throttled check's retries by the definition's own retrier: the one that takes the error", () => {
    // Arrange
    const state = deployed.States[STATE_NAMES.invalidation.getStatus]!;
    // Act
    const throttled = retrierFor(state, THROTTLED.error);
    const notFound = retrierFor(state, 'CloudFront.NoSuchInvalidationException');
    // Assert
    expect(throttled).toEqual({
      index: 1,
      retrier: {
        ErrorEquals: ['States.ALL'],
        IntervalSeconds: 2,
        BackoffRate: 2,
        MaxAttempts: 1,
        MaxDelaySeconds: 30,
        JitterStrategy: 'FULL',
      },
    });
    expect(notFound?.index).toBe(0);
    expect(notFound?.retrier.MaxAttempts).toBe(0);
  });

  it('delays retry n by IntervalSeconds x BackoffRate^(n-1), capped at MaxDelaySeconds, a random share of it with FULL jitter', () => {
    // Arrange
    const retrier = {
      ErrorEquals: ['States.ALL'],
      IntervalSeconds: 2,
      BackoffRate: 2,
      MaxAttempts: 5,
      MaxDelaySeconds: 30,
    };
    const retries = [1, 2, 3, 4, 5];
    // Act
    const whole = retries.map((retry) => retryDelaySeconds({ ...retrier, JitterStrategy: 'FULL' }, retry, () => 1));
    const half = retries.map((retry) => retryDelaySeconds({ ...retrier, JitterStrategy: 'FULL' }, retry, () => 0.5));
    const noJitter = retries.map((retry) => retryDelaySeconds(retrier, retry, () => 0.5));
    const defaults = retries.map((retry) => retryDelaySeconds({ ErrorEquals: ['States.ALL'] }, retry, () => 0.5));
    // Assert
    expect(whole).toEqual([2, 4, 8, 16, 30]);
    expect(half).toEqual([1, 2, 4, 8, 15]);
    expect(noJitter).toEqual([2, 4, 8, 16, 30]);
    expect(defaults).toEqual([1, 2, 4, 8, 16]);
  });

  it('matches errors as Step Functions does: the name, States.ALL, and States.TaskFailed for all but a timeout', () => {
    expect(catches(['CloudFront.CloudFrontException'], THROTTLED.error, true)).toBe(true);
    expect(catches(['States.ALL'], 'States.Timeout', true)).toBe(true);
    expect(catches(['States.TaskFailed'], THROTTLED.error, true)).toBe(true);
    expect(catches(['States.TaskFailed'], 'States.Timeout', true)).toBe(false);
    expect(catches(['States.TaskFailed'], THROTTLED.error, false)).toBe(false);
  });

  it('finds that a check throttled through its retries is recorded as NoAnswer and the watch backs off before its next check', () => {
    // Act
    const route = unansweredRoute(deployed, 'distribution', THROTTLED.error);
    // Assert
    expect(route).toEqual({
      retrier: {
        ErrorEquals: ['States.ALL'],
        IntervalSeconds: 2,
        BackoffRate: 2,
        MaxAttempts: 1,
        MaxDelaySeconds: 30,
        JitterStrategy: 'FULL',
      },
      next: 'No answer to distribution check',
      status: 'NoAnswer',
      outcomes: ['timed-out'],
      waitsForNextCheck: true,
      backsOff: true,
    });
  });

  it('finds that access denied, which waiting cannot fix, still ends the watch check-failed at once', () => {
    // Act
    const route = unansweredRoute(deployed, 'invalidation', 'CloudFront.AccessDeniedException');
    // Assert
    expect(route).toEqual({
      retrier: {
        ErrorEquals: [
          'CloudFront.NoSuchInvalidationException',
          'CloudFront.NoSuchDistributionException',
          'CloudFront.AccessDeniedException',
        ],
        MaxAttempts: 0,
      },
      next: 'Notify invalidation check failed',
      outcomes: ['check-failed'],
      waitsForNextCheck: false,
      backsOff: false,
    });
  });

  it.each([
    { expression: 'States.MathRandom(15, 19)', seeded: 'States.MathRandom(15, 19, S)' },
    {
      expression: 'States.MathAdd(17, States.MathRandom(-2, 2))',
      seeded: 'States.MathAdd(17, States.MathRandom(-2, 2, S))',
    },
    { expression: 'States.MathRandom(1, 5, 7)', seeded: 'States.MathRandom(1, 5, 7)' },
    {
      expression: "States.Format('a,(b', States.MathRandom($.low, States.MathAdd($.low, 4)))",
      seeded: "States.Format('a,(b', States.MathRandom($.low, States.MathAdd($.low, 4), S))",
    },
  ])('seeds $expression', ({ expression, seeded }) => {
    expect(seedMathRandom(expression, 'S')).toBe(seeded);
  });

  it("seeds every random wait of the deployed definition by the execution input's seed and the check, and changes nothing else", () => {
    // Arrange
    const before = structuredClone(deployed);
    // Act
    const { definition, randomStates } = withSeededRandom(deployed);
    // Assert
    expect(randomStates).toEqual([
      'Start backing off from distribution checks',
      'Back off from distribution checks at most 15 min',
      'Next distribution check in 17 s',
      'Next distribution check in 1 min',
      'Next distribution check in 2 min',
      'Next distribution check in 4 min',
      'Next distribution check in 8 min',
      'Next distribution check in 15 min',
      'Start backing off from invalidation checks',
      'Back off from invalidation checks at most 15 min',
      'Next invalidation check in 1 min',
      'Next invalidation check in 2 min',
      'Next invalidation check in 4 min',
      'Next invalidation check in 8 min',
      'Next invalidation check in 15 min',
    ]);
    expect(definition.States['Next invalidation check in 1 min']!.Parameters).toMatchObject({
      'waitSeconds.$':
        'States.MathAdd(States.MathRandom(54, 66, States.MathAdd($$.Execution.Input.benchRandomSeed, $.progress.check)), $.progress.backOffSeconds)',
    });
    // 10 % of 8 s is less than a second: the fast invalidation wait has no jitter to seed.
    expect(definition.States['Next invalidation check in 8 s']).toEqual(
      deployed.States['Next invalidation check in 8 s'],
    );
    const others = (states: AslDefinition['States']) =>
      Object.entries(states).filter(([name]) => !randomStates.includes(name));
    expect(others(definition.States)).toEqual(others(deployed.States));
    expect(deployed).toEqual(before);
  });
});

describe('many watches at once on the deployed definition', () => {
  const { template } = synthesized();
  const deployed = watchDefinition(template);
  const settings = watchSettingsOf(template);
  const invalidation = (callSeconds: number, finishSeconds: number, number = 1): BurstChange => ({
    kind: 'invalidation',
    number,
    callSeconds,
    finishSeconds,
    distributionId: 'EBURSTCI000001',
    invalidationId: `IBURST${String(number).padStart(8, '0')}`,
  });
  const callTimes = (run: BurstRun) => run.calls.map((call) => [call.atSeconds, call.throttled]);

  const distribution = (callSeconds: number, finishSeconds: number): BurstChange => ({
    kind: 'distribution',
    number: 1,
    callSeconds,
    finishSeconds,
    distributionId: 'EBURSTTF000001',
  });

  it("retries a check the account always throttles as the definition's Retry says, then backs off more each time, up to the cap, until the check budget ends it timed-out", async () => {
    // Arrange: an account that throttles every call, retry delays at their full length, and a watch limit of 65 s,
    // which leaves room for 8 checks 8 s apart after the first one at 5 s
    const machine = burstMachine(deployed, { ...settings, retentionSeconds: 65 });
    // Act
    const run = await simulateBurst(machine, [invalidation(0, 30)], {
      account: { readsPerSecond: 0, capacity: 0 },
      seed: 1,
      deliveryOffsetSeconds: 5,
      retryRandom: () => 1,
    });
    // Assert: each check is a call and 1 retry 2 s later, then 8 s plus the back-off: 180 s (drawn between 1 and 3 min),
    // doubled to 360 and 720 s, then at its cap of 15 min, jittered (834, 949, 976 and 909 s)
    expect(callTimes(run)).toEqual([
      [5, true],
      [7, true],
      [195, true],
      [197, true],
      [565, true],
      [567, true],
      [1295, true],
      [1297, true],
      [2139, true],
      [2141, true],
      [3098, true],
      [3100, true],
      [4084, true],
      [4086, true],
      [5003, true],
      [5005, true],
    ]);
    expect(run.watches[0]).toEqual({
      change: invalidation(0, 30),
      outcome: 'timed-out',
      notifications: 1,
      notifiedAtSeconds: 5005,
      checks: 8,
      unanswered: 8,
      calls: 16,
      // Which kind, Start without back-off, Which kind; 8 x (Get status, No answer, How long after?); 7 x (Next check in 8 s,
      // Wait); 5 x (Start backing off or Back off at most 15 min, How long until?); Notify, ended, Change Finished event,
      // metrics, How did it end?, Watch timed out; 8 retries.
      transitions: 3 + 8 * 3 + 7 * 2 + 5 * 2 + 6 + 8,
      executions: 1,
    });
  });

  it("checks again after the schedule's wait plus the first back-off when a check is throttled through its retry, and completes", async () => {
    // Arrange: the first call takes the only token; the next arrives 75 s later
    const machine = burstMachine(deployed, settings);
    // Act
    const run = await simulateBurst(machine, [invalidation(0, 20)], {
      account: { readsPerSecond: 1 / 75, capacity: 1 },
      seed: 1,
      deliveryOffsetSeconds: 5,
      retryRandom: () => 1,
    });
    // Assert: 8 s plus a back-off of 168 s (drawn between 1 and 3 min) after the unanswered check
    expect(callTimes(run)).toEqual([
      [5, false],
      [13, true],
      [15, true],
      [191, false],
    ]);
    expect(run.watches[0]).toMatchObject({
      outcome: 'completed',
      notifiedAtSeconds: 191,
      checks: 3,
      unanswered: 1,
      calls: 4,
    });
  });

  it('with a read budget of 2 a second, six watches started together take their first checks in turn', async () => {
    // Arrange: six invalidations called at 0 s that finish at 1 s, so each first check at least 5 s later finds it done
    const budgeted = synthesized({ readBudgetPerSecond: '2' }).template;
    const machine = burstMachine(watchDefinition(budgeted), watchSettingsOf(budgeted));
    const changes = [1, 2, 3, 4, 5, 6].map((number) => invalidation(0, 1, number));
    // Act
    const run = await simulateBurst(machine, changes, {
      seed: 1,
      deliveryOffsetSeconds: 5,
      readBudget: { perSecond: 2, maxWaitSeconds: 60 },
    });
    // Assert: slots at 5, 5.5, 6, 6.5, 7 and 7.5 s, each check in the whole second at or after its slot
    expect(callTimes(run)).toEqual([
      [5, false],
      [6, false],
      [6, false],
      [7, false],
      [7, false],
      [8, false],
    ]);
    expect(run.watches.map((watch) => watch.outcome)).toEqual(Array(6).fill('completed'));
  });

  it('refuses a read budget for a definition without one, which would never reserve a slot', async () => {
    // Act
    const running = simulateBurst(burstMachine(deployed, settings), [invalidation(0, 1)], {
      seed: 1,
      deliveryOffsetSeconds: 5,
      readBudget: { perSecond: 2, maxWaitSeconds: 60 },
    });
    // Assert
    await expect(running).rejects.toThrow('burst: a read budget needs a definition that reserves read slots');
  });

  it('times a watch alone on the shared clock as the single-watch simulation does, random waits included', async () => {
    // Arrange: a distribution, whose 17 s waits are drawn between 16 and 18 s
    const change = distribution(0, 80);
    // Act
    const shared = await simulateBurst(burstMachine(deployed, settings), [change], {
      seed: 1,
      deliveryOffsetSeconds: 5,
    });
    const alone = await simulateWatch(benchMachine(deployed, settings), change, {}, { startSeconds: 5, seed: 1 });
    // Assert
    expect(callTimes(shared)).toEqual([
      [5, false],
      [23, false],
      [41, false],
      [57, false],
      [73, false],
      [91, false],
    ]);
    expect(shared.watches[0]).toMatchObject({
      outcome: alone.outcome,
      notifiedAtSeconds: alone.notifiedAtSeconds,
      checks: alone.checks,
      transitions: alone.transitions,
    });
  });

  it("seeds the definition's random waits: the same seed gives the same checks, another seed others", async () => {
    // Arrange
    const machine = burstMachine(deployed, settings);
    const run = (seed: number) => simulateBurst(machine, [distribution(0, 300)], { seed, deliveryOffsetSeconds: 5 });
    // Act
    const [first, again, other] = [await run(1), await run(1), await run(2)];
    // Assert
    expect(callTimes(again)).toEqual(callTimes(first));
    expect(callTimes(other)).not.toEqual(callTimes(first));
    const gaps = first.calls.slice(1).map((call, index) => call.atSeconds - first.calls[index]!.atSeconds);
    expect(gaps.every((gap) => gap >= 16 && gap <= 18)).toBe(true);
    expect(new Set(gaps)).toEqual(new Set([16, 17, 18]));
  });

  it('shares one bucket among all watches: no more calls pass than it refills, and every watch notifies once', async () => {
    // Arrange: 40 invalidations within 2 s against 5 calls per second
    const changes = Array.from({ length: 40 }, (_, index) => invalidation(index / 20, 20 + index, index + 1));
    const options = { account: { readsPerSecond: 5, capacity: 5 }, seed: 3, deliveryOffsetSeconds: 5 };
    // Act
    const run = await simulateBurst(burstMachine(deployed, settings), changes, options);
    const again = await simulateBurst(burstMachine(deployed, settings), changes, options);
    // Assert
    const passed = run.calls.filter((call) => !call.throttled).map((call) => call.atSeconds);
    const first = run.calls[0]!.atSeconds;
    expect(passed.every((at, index) => index + 1 <= 5 + 5 * (at - first) + 1e-9)).toBe(true);
    expect(run.calls.some((call) => call.throttled)).toBe(true);
    expect(run.watches.every((watch) => watch.notifications === 1)).toBe(true);
    expect(again).toEqual(run);
  });
});

describe('the burst report', () => {
  it('counts the busiest window, also only among windows that start at a given time', () => {
    // Arrange
    const times = [0, 0.5, 0.9, 1, 1.5, 70, 75, 130];
    // Act / Assert
    expect(mostCallsInWindow(times, 1)).toBe(3);
    expect(mostCallsInWindow(times, 60)).toBe(5);
    expect(mostCallsInWindow(times, 60, 60)).toBe(2);
    expect(mostCallsInWindow(times, 60, 100)).toBe(1);
  });

  it('reads a lag percentile that falls among watches never told as never', () => {
    expect(lagPercentile([1, 2, 3, Infinity], 0.5)).toBe(2.5);
    expect(lagPercentile([1, 2, 3, Infinity], 0.95)).toBeUndefined();
    expect(lagPercentile([Infinity, 2, 1], 0.5)).toBe(2);
    expect(lagPercentile([4, 1, 3, 2], 0.95)).toBeCloseTo(3.85, 10);
  });

  it('counts outcomes, true notifications and calls of a run', () => {
    // Arrange
    const change = (kind: 'distribution' | 'invalidation', number: number): BurstChange => ({
      kind,
      number,
      callSeconds: 0,
      finishSeconds: 10,
      distributionId: 'E1',
    });
    const run: BurstRun = {
      watches: [
        {
          change: change('distribution', 1),
          outcome: 'deployed',
          notifications: 1,
          notifiedAtSeconds: 14,
          checks: 2,
          unanswered: 0,
          calls: 2,
          transitions: 8,
          executions: 1,
        },
        {
          change: change('invalidation', 1),
          outcome: 'completed',
          notifications: 1,
          notifiedAtSeconds: 12,
          checks: 2,
          unanswered: 1,
          calls: 3,
          transitions: 9,
          executions: 1,
        },
        {
          change: change('invalidation', 2),
          outcome: 'check-failed',
          notifications: 1,
          notifiedAtSeconds: 40,
          checks: 1,
          unanswered: 0,
          calls: 6,
          transitions: 9,
          executions: 1,
        },
      ],
      calls: [
        { atSeconds: 5, kind: 'distribution', throttled: false },
        { atSeconds: 5, kind: 'invalidation', throttled: true },
        { atSeconds: 65, kind: 'invalidation', throttled: true },
        { atSeconds: 85, kind: 'invalidation', throttled: false },
      ],
    };
    // Act
    const stats = burstRunStats(run);
    // Assert
    expect(stats.kinds.invalidation).toEqual({
      watches: 2,
      outcomes: { completed: 1, 'check-failed': 1 },
      notifiedTrue: 1,
      checksPerWatch: 1.5,
      unansweredPerWatch: 0.5,
      callsPerWatch: 4.5,
      transitionsPerWatch: 9,
      notNotifiedOnce: 0,
    });
    expect(stats.calls).toEqual({
      calls: 4,
      throttled: 2,
      peakPerSecond: 2,
      meanPerSecond: 0.05,
      peakPerMinute: 2,
      meanPerMinute: 3,
      peakPerMinuteAfterFirst: 2,
      throttledPeakPerMinuteAfterFirst: 1,
      lastCallSeconds: 85,
    });
  });

  it('checks the burst targets: no false check-failed, every change told, the limit kept, p95 lag within 3x', () => {
    // Arrange
    const kind = (p95LagSeconds: number | undefined, checkFailed: number): KindBurstStats => ({
      watches: 10,
      outcomes: checkFailed > 0 ? { 'check-failed': checkFailed } : {},
      notifiedTrue: 10 - checkFailed,
      ...(p95LagSeconds === undefined ? {} : { p95LagSeconds }),
      checksPerWatch: 1,
      unansweredPerWatch: 0,
      callsPerWatch: 1,
      transitionsPerWatch: 1,
      notNotifiedOnce: 0,
    });
    const calls = (peakPerMinuteAfterFirst: number): BurstRunStats['calls'] => ({
      calls: 1,
      throttled: 0,
      peakPerSecond: 1,
      meanPerSecond: 1,
      peakPerMinute: 1,
      meanPerMinute: 1,
      peakPerMinuteAfterFirst,
      throttledPeakPerMinuteAfterFirst: 0,
      lastCallSeconds: 1,
    });
    const burst = { kinds: { distribution: kind(30, 0), invalidation: kind(undefined, 2) }, calls: calls(360) };
    const noBurst = { kinds: { distribution: kind(10, 0), invalidation: kind(8, 0) }, calls: calls(100) };
    // Act
    const targets = burstTargets(burst, noBurst, { readsPerSecond: 5 });
    // Assert
    expect(targets.map(({ target, kind: of, measured, met }) => [target, of, measured, met])).toEqual([
      ['false check-failed', 'both', 2, false],
      ['changes notified with their true outcome', 'both', 18, false],
      ["notifier's calls per second over any minute after the first", 'both', 6, false],
      ['p95 lag vs the no-burst run', 'distribution', 3, true],
      ['p95 lag vs the no-burst run', 'invalidation', null, false],
    ]);
  });

  it('proposes, for missed targets, a call rate no higher than the no-burst run and a p95 lag that allows for the limit', () => {
    // Arrange: 20 watches against 5 calls per second, so answering each once takes 4 s
    const kind = (p95LagSeconds: number): KindBurstStats => ({
      watches: 10,
      outcomes: { completed: 10 },
      notifiedTrue: 10,
      medianLagSeconds: 1,
      p95LagSeconds,
      checksPerWatch: 1,
      unansweredPerWatch: 0,
      callsPerWatch: 1,
      transitionsPerWatch: 1,
      notNotifiedOnce: 0,
    });
    const calls = (peakPerMinuteAfterFirst: number): BurstRunStats['calls'] => ({
      calls: 1,
      throttled: 0,
      peakPerSecond: 1,
      meanPerSecond: 1,
      peakPerMinute: 1,
      meanPerMinute: 1,
      peakPerMinuteAfterFirst,
      throttledPeakPerMinuteAfterFirst: 0,
      lastCallSeconds: 1,
    });
    const retrier = { ErrorEquals: ['States.ALL'], IntervalSeconds: 2, BackoffRate: 2, MaxAttempts: 5 };
    const route = {
      retrier,
      next: 'No answer',
      status: 'NoAnswer',
      outcomes: ['timed-out' as const],
      waitsForNextCheck: true,
      backsOff: true,
    };
    const burst = { kinds: { distribution: kind(30), invalidation: kind(100) }, calls: calls(1_200) };
    const noBurst = { kinds: { distribution: kind(10), invalidation: kind(8) }, calls: calls(900) };
    const account = { readsPerSecond: 5, capacity: 5 };
    const report: BurstReport = {
      workload: {
        seed: 1,
        invalidations: 10,
        invalidatedDistributions: 1,
        distributionUpdates: 10,
        windowSeconds: 60,
        deliveryOffsetSeconds: 5,
        account,
      },
      definition: { unanswered: { distribution: route, invalidation: route }, randomStates: [] },
      burst,
      noBurst,
      targets: burstTargets(burst, noBurst, account),
    };
    // Act
    const page = markdownBurstReport(report);
    // Assert
    expect(page).toContain('**Targets missed.** 2 of 5.');
    expect(page).toContain('a check without an answer makes 6 calls (the call and its 5 retries)');
    expect(page).toContain(
      "the burst's busiest minute after the first at most the no-burst run's, 15.00 calls per second; measured 20.00, missed.",
    );
    expect(page).toContain(
      'We propose p95 lag ≤ 3x the no-burst p95 plus watches ÷ limit: 34.0 s and 28.0 s. ' +
        'A notifier that gave its watches the limit in turn would answer each within 4 s of its change finishing, so this can be met; ' +
        'watches that each back off trade lag for calls instead: a throttled watch waits its back-off on top of its schedule, ' +
        'so its change may finish that long before its next check; measured 30.0 s (met) and 100.0 s (missed).',
    );
    expect(page).toContain(
      'so the watches throttled in the first minute back off by about one normal interval and come back together in the next: ' +
        'no minute after the first held more than 0 throttled calls (0.00 per second), on top of answered ones that the limit keeps at 5 per second.',
    );
  });
});

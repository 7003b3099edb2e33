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

  it('prices transitions at $0.025 per 1,000', () => {
    expect(costUsd(1_000)).toBeCloseTo(0.025, 12);
    expect(costUsd(200)).toBeCloseTo(0.005, 12);
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
    const result = await simulateWatch(exact, change, {}, { startSeconds, validate: true });
    // Assert
    expect(result.outcome).toBe('deployed');
    expect(result.notifications).toBe(1);
    expect(result.checks).toBe(check);
    expect(result.notifiedAtSeconds).toBe(startSeconds + secondsUntilCheck(schedule, check));
    expect(result.executions).toHaveLength(1);
  });

  it('counts a stuck watch the same whether identical executions are run or reused', async () => {
    // Arrange: every 5 s for 4 hours is 2,881 checks, so four executions, two of them full continuations
    const shortWatch = benchMachine(deployed, { ...machine.settings, retentionSeconds: 4 * 3_600 });
    const timing: WatchTiming = { waitBefore: () => 5, maxChecks: (secondsLeft) => Math.floor(secondsLeft / 5) + 1 };
    const stuck = { kind: 'invalidation' as const, number: 0, finishSeconds: Infinity };
    // Act
    const everyExecution = await simulateWatch(shortWatch, stuck, timing, { startSeconds: 0 });
    const reused = await simulateWatch(shortWatch, stuck, timing, {
      startSeconds: 0,
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

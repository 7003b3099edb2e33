/**
 * `npm run bench`: lag, checks, cost and history of this project's polling against the baselines, on a seeded
 * workload, in the synthesized state machine on a virtual clock; then a burst of watches against an account's read
 * limit. Writes docs/bench.json and the generated sections of docs/performance.md. Not part of `npm test`: it
 * measures, it does not assert.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { completeScheduleSettings, SCHEDULE_KINDS, type ScheduleKind } from '../../domain/schedule';
import type { WatchSettings } from '../../domain/settings';
import type { AslDefinition } from '../../statemachine/definition';
import { THROTTLED } from '../lib/simulated-cloudfront';
import { synthNotifier, watchDefinition, watchSettingsOf } from '../lib/synth';
import { burstMachine, simulateBurst } from './burst';
import {
  burstRunStats,
  burstTargets,
  markdownBurstReport,
  readBudgetTargets,
  type BurstReport,
  type BurstRunStats,
  type BurstTarget,
} from './burst-report';
import { BURST, generateBurst } from './burst-workload';
import { DESIGNS, type Design, type DesignId } from './designs';
import {
  checkTargets,
  markdownReport,
  replaceSection,
  stuckSummary,
  summarizeKind,
  sweepTargets,
  workloadStats,
  workloadTargets,
  type BenchReport,
  type KindSummary,
  type TargetCheck,
  type WorkloadStats,
} from './report';
import { benchMachine, simulateWatch, type BenchMachine, type FullPart, type WatchResult } from './simulate';
import { unansweredRoute } from './status-check-model';
import { generateWorkload, WORKLOAD, type Change } from './workload';

/** Further seeds on which the workload targets are checked again, for how much they depend on the one seed. */
const SWEEP_SEEDS = 10;
/** The longest watch synth accepts, so the stuck watch shows the worst case; the schedule keeps its defaults. */
const BENCH_CONTEXT = { retentionSeconds: '1209600' };
const PERFORMANCE_PAGE = fileURLToPath(new URL('../../docs/performance.md', import.meta.url));
const JSON_REPORT = fileURLToPath(new URL('../../docs/bench.json', import.meta.url));
const KINDS: readonly ScheduleKind[] = ['distribution', 'invalidation'];

function log(message: string): void {
  process.stdout.write(`${message}\n`);
}

/** Every change of a workload drawn with `seed`; change n's design timing and random waits draw from seed + n. */
async function simulateAll(
  machine: BenchMachine,
  design: Design,
  changes: readonly Change[],
  seed: number,
): Promise<WatchResult[]> {
  const results: WatchResult[] = [];
  for (const change of changes) {
    const watchSeed = seed + change.number;
    results.push(
      await simulateWatch(machine, change, design.timing(change.kind, watchSeed), {
        startSeconds: WORKLOAD.deliveryOffsetSeconds,
        seed: watchSeed,
      }),
    );
  }
  return results;
}

/**
 * The read budgets the burst runs with: the simulated account's whole limit, and one below it, the setting the
 * operations page advises (a Wait counts whole seconds, so checks bunch up within a second of their slots).
 */
const BURST_READ_BUDGETS = [BURST.account.readsPerSecond, BURST.account.readsPerSecond - 1];

/**
 * The burst, with the account's limit and without, and with the limit and each read budget (`budgeted`: the definition
 * synthesized with a readBudgetPerSecond above 0; the rate is the Lambda's, not the definition's): its report section
 * and its targets.
 */
async function runBurst(
  deployed: AslDefinition,
  settings: WatchSettings,
  budgeted: AslDefinition,
): Promise<BurstReport> {
  const machine = burstMachine(deployed, settings);
  const changes = generateBurst();
  const common = { seed: BURST.seed, deliveryOffsetSeconds: WORKLOAD.deliveryOffsetSeconds };
  const burst = burstRunStats(await simulateBurst(machine, changes, { ...common, account: BURST.account }));
  const noBurst = burstRunStats(await simulateBurst(machine, changes, common));
  const budgetMachine = burstMachine(budgeted, settings);
  const withBudgets: { perSecond: number; run: BurstRunStats }[] = [];
  for (const perSecond of BURST_READ_BUDGETS) {
    const run = await simulateBurst(budgetMachine, changes, {
      ...common,
      account: BURST.account,
      readBudget: { perSecond, maxWaitSeconds: completeScheduleSettings(settings.schedule).pollIntervalSeconds },
    });
    withBudgets.push({ perSecond, run: burstRunStats(run) });
  }
  for (const run of [burst, noBurst, ...withBudgets.map((budget) => budget.run)]) {
    if (SCHEDULE_KINDS.some((kind) => run.kinds[kind].notNotifiedOnce > 0))
      throw new Error('burst: a watch did not end with exactly one notification');
  }
  const { invalidations, invalidatedDistributions, distributionUpdates, windowSeconds, account } = BURST;
  return {
    workload: {
      seed: BURST.seed,
      invalidations,
      invalidatedDistributions,
      distributionUpdates,
      windowSeconds,
      deliveryOffsetSeconds: WORKLOAD.deliveryOffsetSeconds,
      account,
    },
    definition: {
      unanswered: Object.fromEntries(
        SCHEDULE_KINDS.map((kind) => [kind, unansweredRoute(deployed, kind, THROTTLED.error)]),
      ) as BurstReport['definition']['unanswered'],
      randomStates: machine.randomStates,
    },
    burst,
    noBurst,
    targets: burstTargets(burst, noBurst, account),
    readBudgets: withBudgets.map(({ perSecond, run }) => ({
      perSecond,
      run,
      targets: readBudgetTargets(run, noBurst, account),
    })),
  };
}

function formatBurstTarget(target: BurstTarget): string {
  const value = (number: number | null) =>
    number === null ? 'never' : Number.isInteger(number) ? String(number) : number.toFixed(2);
  return `target ${target.met ? 'met    ' : 'MISSED '} ${target.kind.padEnd(12)} burst: ${target.target}: ${value(target.measured)} (limit ${target.atLeast ? '>=' : '<='} ${value(target.limit)})`;
}

async function main(): Promise<void> {
  const started = Date.now();
  const { template } = synthNotifier(BENCH_CONTEXT);
  const settings = watchSettingsOf(template);
  const machine = benchMachine(watchDefinition(template), settings);
  const workload = generateWorkload();
  const startSeconds = WORKLOAD.deliveryOffsetSeconds;
  log(
    `synthesized in ${((Date.now() - started) / 1000).toFixed(1)} s; ${workload.length} changes, ${DESIGNS.length} designs`,
  );

  const summaries: KindSummary[] = [];
  for (const design of DESIGNS) {
    for (const kind of KINDS) {
      const changes = workload.filter((change) => change.kind === kind);
      const stats = workloadStats(kind, changes, await simulateAll(machine, design, changes, WORKLOAD.seed));
      const stuckChange: Change = { kind, number: 0, finishSeconds: Infinity };
      const stuckRun = await simulateWatch(machine, stuckChange, design.timing(kind, WORKLOAD.seed), {
        startSeconds,
        seed: WORKLOAD.seed,
        fullPartCache: new Map<string, FullPart>(),
      });
      const stuck = stuckSummary(stuckRun, settings.retentionSeconds);
      if (stats.notNotifiedOnce > 0 || stuck.notifications !== 1)
        throw new Error(`${design.name} ${kind}: a watch did not end with exactly one notification`);
      summaries.push(summarizeKind(design.id, kind, stats, stuck));
      log(
        `${design.name.padEnd(18)} ${kind.padEnd(12)} median lag ${stats.medianLagSeconds.toFixed(1)} s, p95 ${stats.p95LagSeconds.toFixed(1)} s, ` +
          `${stats.checksPerWatch.toFixed(1)} checks; stuck watch ${stuck.checks} checks in ${stuck.executions} executions`,
      );
    }
  }

  const sweepSeeds = Array.from({ length: SWEEP_SEEDS }, (_, index) => WORKLOAD.seed + 1 + index);
  const perSeed: TargetCheck[][] = [];
  for (const seed of sweepSeeds) {
    const changes = generateWorkload(seed);
    const statsOf = async (id: DesignId) => {
      const design = DESIGNS.find((candidate) => candidate.id === id)!;
      const stats: Partial<Record<ScheduleKind, WorkloadStats>> = {};
      for (const kind of KINDS) {
        const ofKind = changes.filter((change) => change.kind === kind);
        stats[kind] = workloadStats(kind, ofKind, await simulateAll(machine, design, ofKind, seed));
      }
      return stats as Record<ScheduleKind, WorkloadStats>;
    };
    perSeed.push(workloadTargets(await statsOf('project'), await statsOf('original')));
  }
  const sweep = sweepTargets(sweepSeeds, perSeed);
  log(
    `${sweepSeeds.length} more seeds: ${sweep.targets.filter((target) => target.met).length} of ${sweep.targets.length} workload targets met on every one`,
  );

  const burstStarted = Date.now();
  const budgeted = watchDefinition(
    synthNotifier({ ...BENCH_CONTEXT, readBudgetPerSecond: String(BURST_READ_BUDGETS[0]) }).template,
  );
  const burst = await runBurst(machine.deployed, settings, budgeted);
  const { calls, kinds } = burst.burst;
  const checkFailed = SCHEDULE_KINDS.reduce((sum, kind) => sum + (kinds[kind].outcomes['check-failed'] ?? 0), 0);
  log(
    `burst of ${burst.workload.invalidations + burst.workload.distributionUpdates} watches in ${((Date.now() - burstStarted) / 1000).toFixed(1)} s: ` +
      `${checkFailed} check-failed, ${calls.throttled} of ${calls.calls} calls throttled`,
  );

  const report: BenchReport = {
    generatedBy: 'tools/bench/run.ts',
    workload: {
      seed: WORKLOAD.seed,
      changesPerKind: WORKLOAD.changesPerKind,
      finish: WORKLOAD.finish,
      deliveryOffsetSeconds: WORKLOAD.deliveryOffsetSeconds,
      doneBeforeFirstCheck: Object.fromEntries(
        KINDS.map((kind) => [
          kind,
          workload.filter((change) => change.kind === kind && change.finishSeconds < startSeconds).length,
        ]),
      ) as Record<ScheduleKind, number>,
    },
    settings: { retentionSeconds: settings.retentionSeconds, schedule: completeScheduleSettings(settings.schedule) },
    designs: DESIGNS.map(({ id, name, description }) => ({ id, name, description })),
    summaries,
    targets: checkTargets(summaries),
    sweep,
    burst,
  };
  writeFileSync(JSON_REPORT, `${JSON.stringify(report, null, 2)}\n`);
  const page = replaceSection(readFileSync(PERFORMANCE_PAGE, 'utf8'), 'performance', markdownReport(report));
  writeFileSync(PERFORMANCE_PAGE, replaceSection(page, 'burst', markdownBurstReport(burst)));
  for (const target of report.targets) {
    log(
      `target ${target.met ? 'met    ' : 'MISSED '} ${target.kind.padEnd(12)} ${target.target}: ${target.measured} (limit ${target.limit})`,
    );
  }
  for (const target of burst.targets) log(formatBurstTarget(target));
  for (const budget of burst.readBudgets ?? []) {
    for (const target of budget.targets) log(`read budget ${budget.perSecond} / s: ${formatBurstTarget(target)}`);
  }
  log(`wrote docs/bench.json and docs/performance.md in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

await main();

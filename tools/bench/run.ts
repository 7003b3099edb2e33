/**
 * `npm run bench`: lag, checks, cost and history of this project's polling against the baselines, on a seeded
 * workload, in the synthesized state machine on a virtual clock. Writes docs/bench.json and the generated section of
 * docs/performance.md. Not part of `npm test`: it measures, it does not assert.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { completeScheduleSettings, type ScheduleKind } from '../../domain/schedule';
import { synthNotifier, watchDefinition, watchSettingsOf } from '../lib/synth';
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

async function simulateAll(machine: BenchMachine, design: Design, changes: readonly Change[]): Promise<WatchResult[]> {
  const results: WatchResult[] = [];
  for (const change of changes) {
    results.push(
      await simulateWatch(machine, change, design.timing(change.kind, WORKLOAD.seed + change.number), {
        startSeconds: WORKLOAD.deliveryOffsetSeconds,
      }),
    );
  }
  return results;
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
      const stats = workloadStats(kind, changes, await simulateAll(machine, design, changes));
      const stuckChange: Change = { kind, number: 0, finishSeconds: Infinity };
      const stuckRun = await simulateWatch(machine, stuckChange, design.timing(kind, WORKLOAD.seed), {
        startSeconds,
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
        stats[kind] = workloadStats(kind, ofKind, await simulateAll(machine, design, ofKind));
      }
      return stats as Record<ScheduleKind, WorkloadStats>;
    };
    perSeed.push(workloadTargets(await statsOf('project'), await statsOf('original')));
  }
  const sweep = sweepTargets(sweepSeeds, perSeed);
  log(
    `${sweepSeeds.length} more seeds: ${sweep.targets.filter((target) => target.met).length} of ${sweep.targets.length} workload targets met on every one`,
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
  };
  writeFileSync(JSON_REPORT, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(
    PERFORMANCE_PAGE,
    replaceSection(readFileSync(PERFORMANCE_PAGE, 'utf8'), 'performance', markdownReport(report)),
  );
  for (const target of report.targets) {
    log(
      `target ${target.met ? 'met    ' : 'MISSED '} ${target.kind.padEnd(12)} ${target.target}: ${target.measured} (limit ${target.limit})`,
    );
  }
  log(`wrote docs/bench.json and docs/performance.md in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

await main();

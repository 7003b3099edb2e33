/** The burst's numbers: outcomes, lag and calls of both runs, the targets, and the page section that shows them. */
import { KINDS, OUTCOMES, type Outcome } from '../../domain/kinds';
import { SCHEDULE_KINDS, type ScheduleKind } from '../../domain/schedule';
import { describeDuration } from '../../domain/watch-execution';
import type { BurstRun, Call } from './burst';
import { mean } from './stats';
import { maxRetries, type Retrier, type UnansweredRoute } from './status-check-model';

/** One kind's watches in one run. */
export interface KindBurstStats {
  readonly watches: number;
  readonly outcomes: Partial<Record<Outcome, number>>;
  /** Watches notified with the outcome their change really had (deployed, completed). */
  readonly notifiedTrue: number;
  /**
   * From the change finishing to the notification, over every watch: one not told its true outcome counts as never
   * told, so a percentile that falls among those is undefined (never).
   */
  readonly medianLagSeconds?: number;
  readonly p95LagSeconds?: number;
  readonly checksPerWatch: number;
  /** Status checks without an answer, even after their retries. */
  readonly unansweredPerWatch: number;
  readonly callsPerWatch: number;
  readonly transitionsPerWatch: number;
  /** Watches that sent anything but exactly one notification: must be 0. */
  readonly notNotifiedOnce: number;
}

/** The notifier's CloudFront calls in one run, throttled ones included. */
export interface CallStats {
  readonly calls: number;
  readonly throttled: number;
  readonly peakPerSecond: number;
  /** Calls over the seconds from the first call to the last. */
  readonly meanPerSecond: number;
  readonly peakPerMinute: number;
  readonly meanPerMinute: number;
  /** The most calls in any 60 s that start a minute or more after the burst's start. */
  readonly peakPerMinuteAfterFirst: number;
  /** The most throttled calls in any 60 s that start a minute or more after the burst's start. */
  readonly throttledPeakPerMinuteAfterFirst: number;
  readonly lastCallSeconds: number;
}

export interface BurstRunStats {
  readonly kinds: Record<ScheduleKind, KindBurstStats>;
  readonly calls: CallStats;
}

export interface BurstTarget {
  readonly target: string;
  readonly kind: ScheduleKind | 'both';
  readonly limit: number;
  /** null: never (a lag percentile that falls among watches never told their true outcome). */
  readonly measured: number | null;
  readonly unit: 'watches' | 'calls/s' | 'x' | 's';
  /** The limit is a floor, not a ceiling. */
  readonly atLeast: boolean;
  readonly met: boolean;
}

export interface BurstReport {
  readonly workload: {
    readonly seed: number;
    readonly invalidations: number;
    readonly invalidatedDistributions: number;
    readonly distributionUpdates: number;
    readonly windowSeconds: number;
    readonly deliveryOffsetSeconds: number;
    readonly account: { readonly readsPerSecond: number; readonly capacity: number };
  };
  /** What the synthesized definition does with a throttled status check, read from it. */
  readonly definition: {
    readonly unanswered: Record<ScheduleKind, UnansweredRoute>;
    readonly randomStates: readonly string[];
  };
  readonly burst: BurstRunStats;
  readonly noBurst: BurstRunStats;
  readonly targets: readonly BurstTarget[];
  /** The same burst with a read budget all watches share (readBudgetPerSecond), at each rate run, and its targets. */
  readonly readBudgets?: readonly {
    readonly perSecond: number;
    readonly run: BurstRunStats;
    readonly targets: readonly BurstTarget[];
  }[];
}

/** The most calls in any window of `windowSeconds` that starts at `from` or later. */
export function mostCallsInWindow(times: readonly number[], windowSeconds: number, from = -Infinity): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  let end = 0;
  // A busiest window can always start at `from` or at a call.
  const starts = [from, ...sorted.filter((time) => time >= from)];
  let first = 0;
  for (const start of starts) {
    while (first < sorted.length && sorted[first]! < start) first += 1;
    end = Math.max(end, first);
    while (end < sorted.length && sorted[end]! < start + windowSeconds) end += 1;
    most = Math.max(most, end - first);
  }
  return most;
}

export function callStats(calls: readonly Call[]): CallStats {
  if (calls.length === 0) throw new Error('a run without a call');
  const times = calls.map((call) => call.atSeconds);
  const first = Math.min(...times);
  const last = Math.max(...times);
  const meanPerSecond = last > first ? calls.length / (last - first) : calls.length;
  return {
    calls: calls.length,
    throttled: calls.filter((call) => call.throttled).length,
    peakPerSecond: mostCallsInWindow(times, 1),
    meanPerSecond,
    peakPerMinute: mostCallsInWindow(times, 60),
    meanPerMinute: meanPerSecond * 60,
    peakPerMinuteAfterFirst: mostCallsInWindow(times, 60, 60),
    throttledPeakPerMinuteAfterFirst: mostCallsInWindow(
      calls.filter((call) => call.throttled).map((call) => call.atSeconds),
      60,
      60,
    ),
    lastCallSeconds: last,
  };
}

/**
 * A percentile of lags of which some may be endless, interpolated between ranks as percentile() does; undefined
 * when it falls among the endless ones.
 */
export function lagPercentile(lags: readonly number[], p: number): number | undefined {
  if (lags.length === 0) throw new Error('percentile of no values');
  const sorted = [...lags].sort((a, b) => a - b);
  const rank = p * (sorted.length - 1);
  const below = sorted[Math.floor(rank)]!;
  const above = sorted[Math.ceil(rank)]!;
  if (!Number.isFinite(above)) return undefined;
  return below + (above - below) * (rank - Math.floor(rank));
}

export function burstRunStats(run: BurstRun): BurstRunStats {
  const kinds = Object.fromEntries(
    SCHEDULE_KINDS.map((kind) => {
      const watches = run.watches.filter((watch) => watch.change.kind === kind);
      if (watches.length === 0) throw new Error(`no ${kind} watch in the run`);
      const { doneOutcome } = KINDS[kind];
      const outcomes: Partial<Record<Outcome, number>> = {};
      for (const watch of watches) {
        const outcome = watch.outcome;
        if (outcome) outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      }
      // A watch never told its change's true outcome has an endless lag: it counts against every percentile.
      const lags = watches.map((watch) =>
        watch.outcome === doneOutcome && watch.notifiedAtSeconds !== undefined
          ? watch.notifiedAtSeconds - watch.change.callSeconds - watch.change.finishSeconds
          : Infinity,
      );
      const median = lagPercentile(lags, 0.5);
      const p95 = lagPercentile(lags, 0.95);
      const stats: KindBurstStats = {
        watches: watches.length,
        outcomes,
        notifiedTrue: lags.filter(Number.isFinite).length,
        ...(median === undefined ? {} : { medianLagSeconds: median }),
        ...(p95 === undefined ? {} : { p95LagSeconds: p95 }),
        checksPerWatch: mean(watches.map((watch) => watch.checks)),
        unansweredPerWatch: mean(watches.map((watch) => watch.unanswered)),
        callsPerWatch: mean(watches.map((watch) => watch.calls)),
        transitionsPerWatch: mean(watches.map((watch) => watch.transitions)),
        notNotifiedOnce: watches.filter((watch) => watch.notifications !== 1).length,
      };
      return [kind, stats];
    }),
  ) as Record<ScheduleKind, KindBurstStats>;
  return { kinds, calls: callStats(run.calls) };
}

const TARGETS = { falseCheckFailed: 0, lagVersusNoBurst: 3 } as const;

function target(
  name: string,
  kind: BurstTarget['kind'],
  limit: number,
  measured: number | null,
  unit: BurstTarget['unit'],
  atLeast = false,
): BurstTarget {
  const met = measured !== null && (atLeast ? measured >= limit : measured <= limit);
  return { target: name, kind, limit, measured, unit, atLeast, met };
}

/** The issue's burst targets. A watch whose change finished and that ends check-failed has failed falsely. */
export function burstTargets(
  burst: BurstRunStats,
  noBurst: BurstRunStats,
  account: { readonly readsPerSecond: number },
): BurstTarget[] {
  const sum = (value: (stats: KindBurstStats) => number) =>
    SCHEDULE_KINDS.reduce((total, kind) => total + value(burst.kinds[kind]), 0);
  return [
    target(
      'false check-failed',
      'both',
      TARGETS.falseCheckFailed,
      sum((stats) => stats.outcomes['check-failed'] ?? 0),
      'watches',
    ),
    target(
      'changes notified with their true outcome',
      'both',
      sum((stats) => stats.watches),
      sum((stats) => stats.notifiedTrue),
      'watches',
      true,
    ),
    target(
      "notifier's calls per second over any minute after the first",
      'both',
      account.readsPerSecond,
      burst.calls.peakPerMinuteAfterFirst / 60,
      'calls/s',
    ),
    ...SCHEDULE_KINDS.map((kind) => {
      const [withBurst, without] = [burst.kinds[kind].p95LagSeconds, noBurst.kinds[kind].p95LagSeconds];
      const ratio = withBurst === undefined || without === undefined ? null : withBurst / without;
      return target('p95 lag vs the no-burst run', kind, TARGETS.lagVersusNoBurst, ratio, 'x');
    }),
  ];
}

/**
 * The targets of the run with a read budget: the issue's outcome and rate targets, and the p95 lag target the page
 * proposes for the burst (3x the no-burst p95 plus the seconds the limit takes to answer every watch once).
 */
export function readBudgetTargets(
  run: BurstRunStats,
  noBurst: BurstRunStats,
  account: { readonly readsPerSecond: number },
): BurstTarget[] {
  const watches = SCHEDULE_KINDS.reduce((total, kind) => total + run.kinds[kind].watches, 0);
  const drainSeconds = watches / account.readsPerSecond;
  const [falseFailed, notified, rate] = burstTargets(run, noBurst, account);
  return [
    falseFailed!,
    notified!,
    rate!,
    ...SCHEDULE_KINDS.map((kind) =>
      target(
        'p95 lag ≤ 3x the no-burst p95 + watches ÷ limit',
        kind,
        TARGETS.lagVersusNoBurst * (noBurst.kinds[kind].p95LagSeconds ?? 0) + drainSeconds,
        run.kinds[kind].p95LagSeconds ?? null,
        's',
      ),
    ),
  ];
}

const seconds = (value: number | undefined) => (value === undefined ? 'never' : `${value.toFixed(1)} s`);
const decimal = (value: number) => (Number.isInteger(value) ? value.toLocaleString('en-US') : value.toFixed(1));

function formatTarget(check: BurstTarget, value: number | null): string {
  if (value === null) return 'never';
  if (check.unit === 'x') return `${value.toFixed(2)}x`;
  if (check.unit === 'calls/s') return `${value.toFixed(2)} calls/s`;
  if (check.unit === 's') return `${value.toFixed(1)} s`;
  return `${value.toLocaleString('en-US')} watches`;
}

function describeRetrier(retrier: Retrier): string {
  const cap = retrier.MaxDelaySeconds === undefined ? '' : ` up to ${describeDuration(retrier.MaxDelaySeconds)}`;
  const jitter = retrier.JitterStrategy === 'FULL' ? ', each delay a random share of that (JitterStrategy FULL)' : '';
  const attempts = retrier.MaxAttempts ?? 3;
  const interval = describeDuration(retrier.IntervalSeconds ?? 1);
  if (attempts === 1) return `1 retry after ${interval}${jitter}`;
  return `${attempts} retries, ${interval} apart and times ${retrier.BackoffRate ?? 2} each time${cap}${jitter}`;
}

/** Where a throttled check goes, in one sentence when every kind goes the same way. */
function describeRoutes(routes: Record<ScheduleKind, UnansweredRoute>): string {
  const same = (route: UnansweredRoute) => JSON.stringify({ ...route, next: undefined });
  const groups = [...new Set(SCHEDULE_KINDS.map((kind) => same(routes[kind])))].map((key) =>
    SCHEDULE_KINDS.filter((kind) => same(routes[kind]) === key),
  );
  return groups
    .map((kinds) => {
      const route = routes[kinds[0]!];
      const subject = groups.length === 1 ? 'A status check' : `A ${kinds.join(' or ')} status check`;
      const retries = route.retrier
        ? `throttled through its ${describeRetrier(route.retrier)},`
        : 'throttled (never retried)';
      const nexts = kinds.map((kind) => routes[kind].next);
      const where = nexts.every((next) => next !== undefined)
        ? `goes to ${nexts.map((next) => `"${next}"`).join(' or ')}`
        : 'fails the execution';
      const ends = route.outcomes.map((outcome) => `\`${outcome}\``).join(' or ');
      const recorded = route.status === undefined ? '' : `the check is recorded as \`${route.status}\` and `;
      const waits = route.backsOff
        ? 'the watch backs off (progress.backOffSeconds, an extra wait before each later check) and waits for its next check'
        : 'the watch waits for its next check';
      const then = route.waitsForNextCheck
        ? `${recorded}${waits}${ends ? ` (or ends ${ends} if that was the last its check budget allows)` : ''}`
        : `${recorded}the watch ends ${ends || 'without a notification'}`;
      return `${subject} ${retries} ${where}: ${then}.`;
    })
    .join(' ');
}

/** Whether the definition ends a throttled watch check-failed, for every kind. */
function endsCheckFailed(report: BurstReport): boolean {
  return SCHEDULE_KINDS.some((kind) => {
    const route = report.definition.unanswered[kind];
    return !route.waitsForNextCheck && route.outcomes.includes('check-failed');
  });
}

/** The runs the tables show, by name: the burst, the no-burst reference, and the burst with a read budget. */
function runsOf(report: BurstReport): [string, BurstRunStats][] {
  return [
    ['Burst', report.burst],
    ['No burst', report.noBurst],
    ...(report.readBudgets ?? []).map((budget): [string, BurstRunStats] => [
      readBudgetRunName(budget.perSecond),
      budget.run,
    ]),
  ];
}

const readBudgetRunName = (perSecond: number) => `Burst with a shared read budget of ${perSecond} / s`;

/** The runs with a read budget: what they are, why at those rates, and their targets. */
function readBudgetSection(report: BurstReport): string[] {
  const budgets = report.readBudgets ?? [];
  if (budgets.length === 0) return [];
  const limit = report.workload.account.readsPerSecond;
  const rates = budgets.map((budget) => budget.perSecond).join(' and ');
  return [
    `**With a shared read budget** (\`readBudgetPerSecond\` ${rates}). The same burst and account limit; before each status check ` +
      'a watch reserves the next free read slot, the slots coming that many a second in turn (domain/read-budget.ts, answered ' +
      'on the virtual clock as the read-budget Lambda answers), and waits for it, at most `pollIntervalSeconds`. ' +
      `At ${limit}, the account's whole limit, the budget hands out exactly what the account allows, but a Wait state counts whole seconds, ` +
      'so a watch checks up to a second after its slot, and checks that bunch up that way find the account empty: the budget ' +
      'is meant to be set below the limit, which also leaves room for the people and pipelines that read CloudFront too. ' +
      "It is off by default because it holds checks back whether or not the account throttles them, and the account's real " +
      `read limit is not published: the no-burst run, on an account without a limit, asks for ${(report.noBurst.calls.peakPerMinuteAfterFirst / 60).toFixed(2)} ` +
      'calls per second in its busiest minute after the first, which a budget below that would have made wait.',
    '',
    '| Run | Target | Kind | Limit | Measured | Met |',
    '|---|---|---|---:|---:|---|',
    ...budgets.flatMap((budget) =>
      budget.targets.map(
        (check) =>
          `| ${budget.perSecond} / s | ${check.target} | ${check.kind} | ${check.atLeast ? '≥' : '≤'} ${formatTarget(check, check.limit)} | ${formatTarget(check, check.measured)} | ${check.met ? 'yes' : '**no**'} |`,
      ),
    ),
    '',
  ];
}

export function markdownBurstReport(report: BurstReport): string {
  const { workload, definition } = report;
  const limit = workload.account.readsPerSecond;
  const watches = workload.invalidations + workload.distributionUpdates;
  const lines: string[] = [];
  lines.push(
    `**Burst.** ${workload.invalidations} invalidations spread over ${workload.invalidatedDistributions} distributions and ` +
      `${workload.distributionUpdates} distribution updates, their API calls made at random within ${workload.windowSeconds} s (seed ${workload.seed}); ` +
      `finish times are drawn as in the workload above, and each watch starts ${workload.deliveryOffsetSeconds} s after its call. ` +
      `The simulated CloudFront allows ${limit} read calls per second for the whole account: a token bucket of ${workload.account.capacity} tokens, ` +
      `refilled at ${limit} per second and shared by every watch; a call that finds it empty is throttled and takes no token, and a retry is a call like any other. ` +
      'The no-burst run watches the same changes without a limit.',
    '',
    `**What the definition does** (read from it by the benchmark). ${describeRoutes(definition.unanswered)} ` +
      (definition.randomStates.length === 0
        ? 'No state of the definition draws a random wait (States.MathRandom).'
        : `${definition.randomStates.length} states draw a random wait (States.MathRandom); the benchmark seeds each draw by watch and check.`),
    '',
    '| Run | Kind | Watches | Outcomes | Median lag | p95 lag | Checks / watch | Unanswered / watch | Calls / watch | Transitions / watch |',
    '|---|---|---:|---|---:|---:|---:|---:|---:|---:|',
  );
  for (const [name, run] of runsOf(report)) {
    for (const kind of SCHEDULE_KINDS) {
      const stats = run.kinds[kind];
      const outcomes = OUTCOMES.filter((outcome) => stats.outcomes[outcome] !== undefined)
        .map((outcome) => `${stats.outcomes[outcome]} ${outcome}`)
        .join(', ');
      lines.push(
        `| ${name} | ${kind} | ${stats.watches} | ${outcomes} | ${seconds(stats.medianLagSeconds)} | ${seconds(stats.p95LagSeconds)} | ` +
          `${stats.checksPerWatch.toFixed(1)} | ${stats.unansweredPerWatch.toFixed(1)} | ${stats.callsPerWatch.toFixed(1)} | ${stats.transitionsPerWatch.toFixed(1)} |`,
      );
    }
  }
  lines.push(
    '',
    'Lag runs from the change finishing to the notification, over every watch: a watch never told its true outcome counts as never told, ' +
      'so a percentile that falls among those reads "never". Transitions count every state entered and every retry, as Step Functions bills them.',
    '',
    '| Run | Calls | Throttled | Peak / s | Mean / s | Peak / min | Mean / min | Peak / min after the first minute | Last call |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const [name, run] of runsOf(report)) {
    const calls = run.calls;
    lines.push(
      `| ${name} | ${decimal(calls.calls)} | ${decimal(calls.throttled)} | ${decimal(calls.peakPerSecond)} | ${calls.meanPerSecond.toFixed(2)} | ` +
        `${decimal(calls.peakPerMinute)} | ${calls.meanPerMinute.toFixed(1)} | ${decimal(calls.peakPerMinuteAfterFirst)} | ${describeDuration(calls.lastCallSeconds)} |`,
    );
  }
  lines.push(
    '',
    '**Burst targets** (from the issue), for this project:',
    '',
    '| Target | Kind | Limit | Measured | Met |',
    '|---|---|---:|---:|---|',
  );
  for (const check of report.targets) {
    lines.push(
      `| ${check.target} | ${check.kind} | ${check.atLeast ? '≥' : '≤'} ${formatTarget(check, check.limit)} | ${formatTarget(check, check.measured)} | ${check.met ? 'yes' : '**no**'} |`,
    );
  }
  lines.push('');

  const missed = report.targets.filter((check) => !check.met);
  if (missed.length > 0) {
    const falseFailed = report.targets.find((check) => check.target === 'false check-failed')!;
    const rate = report.targets.find((check) => check.unit === 'calls/s')!;
    const sentences: string[] = [`**Targets missed.** ${missed.length} of ${report.targets.length}.`];
    if (!falseFailed.met) {
      sentences.push(
        endsCheckFailed(report)
          ? `${falseFailed.measured} watches ended \`check-failed\` although their change finished: the definition ends a watch whose status check stays throttled through its retries. ` +
              'Once a throttled check counts as unanswered and waits for the next one, this number should be 0; the benchmark reads that from the definition.'
          : `${falseFailed.measured} watches ended \`check-failed\` although the definition sends a throttled check on to the next one: a bug to chase.`,
      );
    }
    if (!rate.met) {
      const asked = rate.measured ?? 0;
      const unthrottled = report.noBurst.calls.peakPerMinuteAfterFirst / 60;
      const retries = [
        ...new Set(
          SCHEDULE_KINDS.map((kind) => {
            const retrier = definition.unanswered[kind].retrier;
            return retrier ? maxRetries(retrier) : 0;
          }),
        ),
      ];
      const backsOff = SCHEDULE_KINDS.every((kind) => definition.unanswered[kind].backsOff);
      const throttledPeak = report.burst.calls.throttledPeakPerMinuteAfterFirst;
      sentences.push(
        `In its busiest minute after the first the notifier asked for ${asked.toFixed(2)} calls per second, ${(asked / limit).toFixed(1)} times the account's ${limit}; ` +
          `even unthrottled (the no-burst run) its schedule asks for ${unthrottled.toFixed(2)} in its busiest minute after the first. ` +
          `Each watch checks on its own schedule whatever the rest of the account does: ${watches} watches in progress that checked only once a minute would still ask for ${(watches / 60).toFixed(2)} per second. ` +
          `Throttling adds to that, as a check without an answer makes ${retries.map((count) => count + 1).join(' or ')} calls (the call and its ${retries.join(' or ')} ${retries.every((count) => count === 1) ? 'retry' : 'retries'}) ` +
          (backsOff
            ? 'and the watch then backs off. Each watch learns of the limit only by being throttled, with no coordinator, so the watches throttled in the first minute back off by about one normal interval and come back together in the next: ' +
              `no minute after the first held more than ${decimal(throttledPeak)} throttled calls (${(throttledPeak / 60).toFixed(2)} per second), on top of answered ones that the limit keeps at ${limit} per second. `
            : 'and the watch then waits for its next check. ') +
          "Throttled calls take no token here, so they do not hold the watches back, but they are what the user's own tools compete with. " +
          'We keep this target as the goal, which takes one read budget shared by all watches (a change of design), and propose, for watches that each keep their own schedule, ' +
          `that throttling must not multiply the calls: the burst's busiest minute after the first at most the no-burst run's, ${unthrottled.toFixed(2)} calls per second; ` +
          `measured ${asked.toFixed(2)}, ${asked <= unthrottled ? 'met' : 'missed'}.`,
      );
    }
    if (report.targets.some((check) => check.unit === 'x' && !check.met)) {
      const drainSeconds = watches / limit;
      const bound = (kind: ScheduleKind) => TARGETS.lagVersusNoBurst * (report.noBurst.kinds[kind].p95LagSeconds ?? 0);
      const each = (value: (kind: ScheduleKind) => string) => SCHEDULE_KINDS.map(value).join(' and ');
      const measured = (kind: ScheduleKind) => {
        const p95 = report.burst.kinds[kind].p95LagSeconds;
        return `${seconds(p95)} (${p95 !== undefined && p95 <= bound(kind) + drainSeconds ? 'met' : 'missed'})`;
      };
      sentences.push(
        `The p95 lag target leaves the limit out: at ${limit} calls per second, answering each of the ${watches} watches once takes ${decimal(drainSeconds)} s, ` +
          `against ${TARGETS.lagVersusNoBurst}x the no-burst p95 of ${each((kind) => seconds(bound(kind)))} (${each((kind) => `${kind}s`)}). ` +
          `We propose p95 lag ≤ ${TARGETS.lagVersusNoBurst}x the no-burst p95 plus watches ÷ limit: ${each((kind) => seconds(bound(kind) + drainSeconds))}. ` +
          `A notifier that gave its watches the limit in turn would answer each within ${decimal(drainSeconds)} s of its change finishing, so this can be met` +
          ((report.readBudgets ?? []).length > 0 ? ' (the shared read budget below does)' : '') +
          '; ' +
          (SCHEDULE_KINDS.every((kind) => definition.unanswered[kind].backsOff)
            ? 'watches that each back off trade lag for calls instead: a throttled watch waits its back-off on top of its schedule, so its change may finish that long before its next check; '
            : '') +
          `measured ${each(measured)}` +
          (SCHEDULE_KINDS.some((kind) => report.burst.kinds[kind].p95LagSeconds === undefined)
            ? ' ("never": over 5% of the watches were never told their true outcome).'
            : '.'),
      );
    }
    lines.push(sentences.join(' '), '');
  }
  lines.push(...readBudgetSection(report));
  return lines.join('\n');
}

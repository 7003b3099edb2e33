/**
 * Runs one watched change through the deployed definition in aws-local-stepfunctions on a virtual clock, execution
 * after execution until the watch ends, and counts what Step Functions would bill and record.
 */
import { watchedCall, type Watch } from '../../domain/cloudtrail';
import type { ScheduleKind } from '../../domain/schedule';
import { scheduleFor, type WatchSettings } from '../../domain/settings';
import { buildWatchExecution, type WatchExecutionInput } from '../../domain/watch-execution';
import type { AslDefinition } from '../../statemachine/definition';
import { runLocally } from '../lib/local-engine';
import { answeringCloudFront, statusAnswer } from '../lib/simulated-cloudfront';
import { VirtualClock } from '../lib/virtual-clock';
import type { WatchTiming } from './designs';
import { seededRandom } from './stats';
import { RANDOM_SEED_FIELD, watchRandomSeed, withSeededRandom } from './status-check-model';
import { withVirtualWaits, type VirtualWaitInput } from './virtual-waits';
import type { Change } from './workload';
import { type Outcome } from '../../domain/kinds';

/** When the benchmark's API calls happened; only the notifications' timestamps show it. */
export const EPOCH = Date.parse('2026-11-28T09:00:00Z');

export interface BenchMachine {
  /** The definition as deployed: state types for the history count. */
  readonly deployed: AslDefinition;
  /** The definition as the benchmark runs it: virtual waits, and random waits seeded by watch and check. */
  readonly virtual: ReturnType<typeof withVirtualWaits>;
  /** States that draw a random wait (States.MathRandom): the definition's jitter. */
  readonly randomStates: readonly string[];
  readonly settings: WatchSettings;
}

export function benchMachine(deployed: AslDefinition, settings: WatchSettings): BenchMachine {
  const virtual = withVirtualWaits(deployed);
  const seeded = withSeededRandom(virtual.definition);
  return {
    deployed,
    virtual: { ...virtual, definition: seeded.definition },
    randomStates: seeded.randomStates,
    settings,
  };
}

interface ExecutionCount {
  readonly checks: number;
  readonly transitions: number;
  readonly historyEvents: number;
}

export interface WatchResult {
  /** The outcome of the one notification, undefined if none was sent. */
  readonly outcome?: Outcome;
  readonly notifications: number;
  /** Seconds after the API call at which the notification went out; unknown when executions were reused. */
  readonly notifiedAtSeconds?: number;
  readonly checks: number;
  readonly transitions: number;
  readonly executions: readonly ExecutionCount[];
}

/**
 * History events of one execution in real Step Functions: ExecutionStarted and its end, Entered and Exited for
 * every state (a Fail state has no Exited), and Scheduled, Started, Succeeded for every Task that really calls out.
 * The simulated services never fail here, so no attempt is retried.
 */
export function historyEvents(deployed: AslDefinition, statesEntered: readonly string[]): number {
  let events = 2;
  for (const name of statesEntered) {
    const type = deployed.States[name]?.Type;
    if (type === undefined) throw new Error(`state "${name}" is not in the deployed definition`);
    events += type === 'Fail' ? 1 : 2;
    if (type === 'Task') events += 3;
  }
  return events;
}

/** The watch the dispatcher would build for the change's API call. */
export function benchWatch(change: Change): Watch {
  const distributionId = `EBENCH${String(change.number).padStart(6, '0')}`;
  return {
    ...watchedCall(change.kind === 'distribution' ? 'UpdateDistribution' : 'CreateInvalidation'),
    eventId: `00000000-0000-4000-8000-${change.kind === 'distribution' ? 'd' : 'i'}${String(change.number).padStart(11, '0')}`,
    startedAt: new Date(EPOCH).toISOString(),
    distributionId,
    ...(change.kind === 'invalidation'
      ? { invalidationId: `IBENCH${String(change.number).padStart(6, '0')}`, paths: ['/*'] }
      : {}),
    changedBy: 'arn:aws:iam::123456789012:user/bench',
  };
}

/** The dispatcher's input for the change when its event arrives, with the design's check budget. */
function firstInput(
  machine: BenchMachine,
  change: Change,
  timing: WatchTiming,
  startSeconds: number,
): WatchExecutionInput {
  const settings = { retentionSeconds: machine.settings.retentionSeconds, schedule: scheduleFor(machine.settings) };
  const { input } = buildWatchExecution(benchWatch(change), settings, new Date(EPOCH + startSeconds * 1_000));
  if (!timing.maxChecks) return input;
  return {
    ...input,
    progress: { ...input.progress, maxChecks: timing.maxChecks(machine.settings.retentionSeconds - startSeconds) },
  };
}

/** An execution that ended in a hand-over: its counts, and how far the progress it handed on had moved. */
export interface FullPart {
  readonly count: ExecutionCount;
  readonly advance: { readonly check: number; readonly continueAt: number; readonly part: number };
}

interface SimulateOptions {
  readonly startSeconds: number;
  /** Seeds the watch's random source, whose first draw seeds its random waits (watchRandomSeed), as in the burst. */
  readonly seed: number;
  /** Run asl-validator on the virtual definition first (slow; the benchmark leaves it to its tests). @default false */
  readonly validate?: boolean;
  /**
   * Counts of an execution that ran from one hand-over to the next, by the progress it started with: such an
   * execution enters the same states whatever its waits, so a watch that never finishes reuses them instead of
   * running 25 identical executions again. Leave undefined to run every execution.
   */
  readonly fullPartCache?: Map<string, FullPart>;
}

export async function simulateWatch(
  machine: BenchMachine,
  change: Change,
  timing: WatchTiming,
  options: SimulateOptions,
): Promise<WatchResult> {
  const clock = new VirtualClock(EPOCH, options.startSeconds);
  const kind: ScheduleKind = change.kind;
  const cloudfront = answeringCloudFront((kind) => statusAnswer(kind, clock.now >= change.finishSeconds));
  const virtualWait = async (raw: unknown) => {
    const { seconds, nextCheck } = raw as VirtualWaitInput;
    clock.advance(timing.waitBefore ? timing.waitBefore(nextCheck) : seconds);
    return raw;
  };
  const extraHandlers = Object.fromEntries(machine.virtual.waitStates.map((name) => [name, virtualWait]));
  const randomSeed = watchRandomSeed(seededRandom(options.seed));

  const executions: ExecutionCount[] = [];
  const outcomes: Outcome[] = [];
  let notifiedAtSeconds: number | undefined;
  // A reused execution does not move the clock, so the time of the notification is unknown after one.
  let reusedAny = false;
  let input: WatchExecutionInput | undefined = firstInput(machine, change, timing, options.startSeconds);
  while (input) {
    const progress: WatchExecutionInput['progress'] = input.progress;
    // A continued part decides on its carried status before its first check, so it makes one check fewer than part 1.
    const continued: boolean = input.status !== undefined;
    const cacheKey: string = `${kind}:${progress.continueAt - progress.check}:${progress.maxChecks > progress.continueAt}:${continued}`;
    const cached: FullPart | undefined = Number.isFinite(change.finishSeconds)
      ? undefined
      : options.fullPartCache?.get(cacheKey);
    if (cached) {
      reusedAny = true;
      executions.push(cached.count);
      const { advance } = cached;
      const next = {
        check: progress.check + advance.check,
        continueAt: progress.continueAt + advance.continueAt,
        part: progress.part + advance.part,
      };
      input = { ...input, progress: { ...progress, ...next } };
      continue;
    }
    const run = await runLocally(
      machine.virtual.definition,
      { ...input, [RANDOM_SEED_FIELD]: randomSeed },
      {
        cloudfront,
        publish: async (request) => {
          outcomes.push(request.MessageAttributes.outcome!.StringValue as Outcome);
          notifiedAtSeconds = clock.now;
          return { MessageId: `bench-${outcomes.length}` };
        },
        enteredTime: () => clock.iso(),
        executionName: input.watch.executionName,
        extraHandlers,
        skipValidation: !options.validate,
      },
    );
    if (run.status === 'FAILED' && run.published.length === 0) {
      throw new Error(
        `${kind} ${change.number}: the execution failed without a notification: ${run.error} ${run.cause}`,
      );
    }
    const count = {
      checks: run.cloudfrontCalls,
      transitions: run.statesEntered.length,
      historyEvents: historyEvents(machine.deployed, run.statesEntered),
    };
    executions.push(count);
    const continuation = run.continuations[0]?.Input as WatchExecutionInput | undefined;
    if (continuation && options.fullPartCache && !Number.isFinite(change.finishSeconds)) {
      const handed = continuation.progress;
      const advance = {
        check: handed.check - progress.check,
        continueAt: handed.continueAt - progress.continueAt,
        part: handed.part - progress.part,
      };
      options.fullPartCache.set(cacheKey, { count, advance });
    }
    input = continuation;
  }
  return {
    ...(outcomes[0] ? { outcome: outcomes[0] } : {}),
    notifications: outcomes.length,
    ...(notifiedAtSeconds === undefined || reusedAny ? {} : { notifiedAtSeconds }),
    checks: executions.reduce((sum, execution) => sum + execution.checks, 0),
    transitions: executions.reduce((sum, execution) => sum + execution.transitions, 0),
    executions,
  };
}

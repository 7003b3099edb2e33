/**
 * Many watches at once against one account's CloudFront read limit: every watch is the synthesized definition run in
 * aws-local-stepfunctions, execution after execution, and all of them share one virtual clock (SharedClock) and one
 * token bucket. The engine decides every step (Choice, Pass, whether to retry, which Catch); the benchmark answers
 * the Tasks: a virtual Wait sleeps on the shared clock, a status check sleeps out the retry delay the definition's
 * Retry sets (status-check-model.ts) and then asks the bucket, which throttles it or lets CloudFront answer.
 */
import { KINDS, WATCH_KINDS, type Outcome, type WatchKind } from '../../domain/kinds';
import { reserveReadSlot } from '../../domain/read-budget';
import type { ScheduleKind } from '../../domain/schedule';
import { scheduleFor, type WatchSettings } from '../../domain/settings';
import { buildWatchExecution, type WatchExecutionInput } from '../../domain/watch-execution';
import type { AslDefinition, AslState } from '../../statemachine/definition';
import { readSlotStateNames } from '../../statemachine/state-names';
import { runLocally } from '../lib/local-engine';
import { answeringCloudFront, cloudfrontError, statusAnswer, THROTTLED } from '../lib/simulated-cloudfront';
import { burstWatch, type BurstChange } from './burst-workload';
import { SharedClock } from './shared-clock';
import { EPOCH } from './simulate';
import { seededRandom } from './stats';
import {
  RANDOM_SEED_FIELD,
  retrierFor,
  retryDelaySeconds,
  watchRandomSeed,
  withSeededRandom,
} from './status-check-model';
import { TokenBucket } from './token-bucket';
import { withVirtualWaits, type VirtualWaitInput } from './virtual-waits';

/**
 * Real seconds the engine lets a Task's handler take: its default is 60, and here a handler sleeps until every other
 * watch has moved on. Within Node's timer range (24.8 days), unlike Step Functions' own default.
 */
const ENGINE_TASK_TIMEOUT_SECONDS = 86_400;

export interface BurstMachine {
  readonly definition: AslDefinition;
  readonly waitStates: readonly string[];
  /** Each kind's status check state of the definition. */
  readonly statusStates: Readonly<Partial<Record<WatchKind, string>>>;
  /** Each kind's state for a status check without an answer (throttled or failing after its retries). */
  readonly noAnswerStates: readonly string[];
  /** States that draw a random number (States.MathRandom): the definition's jitter, if it has any. */
  readonly randomStates: readonly string[];
  /** With a read budget: each kind's read-slot reservation state, which the benchmark answers on the virtual clock. */
  readonly reserveStates: readonly string[];
  readonly settings: WatchSettings;
}

/** The deployed definition as the burst runs it: virtual waits, seeded random draws, and Tasks that may wait. */
export function burstMachine(deployed: AslDefinition, settings: WatchSettings): BurstMachine {
  const virtual = withVirtualWaits(deployed);
  const seeded = withSeededRandom(virtual.definition);
  const definition = seeded.definition as AslDefinition & { States: Record<string, AslState> };
  const statusStates = Object.fromEntries(
    WATCH_KINDS.map((kind) => [kind, KINDS[kind].states.getStatus] as const).filter(
      ([, name]) => definition.States[name] !== undefined,
    ),
  );
  for (const name of [...virtual.waitStates, ...Object.values(statusStates)]) {
    definition.States[name] = { ...definition.States[name], TimeoutSeconds: ENGINE_TASK_TIMEOUT_SECONDS };
  }
  const noAnswerStates = WATCH_KINDS.map((kind) => KINDS[kind].states.noAnswer).filter(
    (name) => definition.States[name] !== undefined,
  );
  const reserveStates = WATCH_KINDS.map((kind) => readSlotStateNames(kind).reserve).filter(
    (name) => definition.States[name] !== undefined,
  );
  return {
    definition,
    waitStates: virtual.waitStates,
    statusStates,
    noAnswerStates,
    randomStates: seeded.randomStates,
    reserveStates,
    settings,
  };
}

/** A CloudFront read the notifier made: when, for which kind, and whether the account throttled it. */
export interface Call {
  readonly atSeconds: number;
  readonly kind: ScheduleKind;
  readonly throttled: boolean;
}

export interface BurstWatchResult {
  readonly change: BurstChange;
  /** The outcome of the first notification; undefined if none was sent. */
  readonly outcome?: Outcome;
  readonly notifications: number;
  /** Seconds after the burst's start at which the first notification went out. */
  readonly notifiedAtSeconds?: number;
  /** Status checks: times a status check state was entered. */
  readonly checks: number;
  /** Status checks that got no answer, even after their retries. */
  readonly unanswered: number;
  /** CloudFront calls, retries included. */
  readonly calls: number;
  /** Transitions Step Functions bills: every state entered, and every retry (https://aws.amazon.com/step-functions/pricing/). */
  readonly transitions: number;
  readonly executions: number;
}

export interface BurstRun {
  readonly watches: readonly BurstWatchResult[];
  /** Every CloudFront call in the order made. */
  readonly calls: readonly Call[];
}

export interface BurstOptions {
  /** The account's read limit; undefined: none (the no-burst reference run). */
  readonly account?: { readonly readsPerSecond: number; readonly capacity: number };
  /**
   * Seeds each watch's random source: watch i draws from seed + i, first the seed of its random waits
   * (watchRandomSeed), then its retry delays.
   */
  readonly seed: number;
  /** Seconds from a change's API call to its watch's first check. */
  readonly deliveryOffsetSeconds: number;
  /** Draws of the retry jitter, for tests; @default each watch's seeded draws */
  readonly retryRandom?: () => number;
  /**
   * The read budget the definition reserves slots of (readBudgetPerSecond, and its longest wait, pollIntervalSeconds),
   * answered on the virtual clock by the function the read-budget Lambda runs. @default none: the definition has none
   */
  readonly readBudget?: { readonly perSecond: number; readonly maxWaitSeconds: number };
}

export async function simulateBurst(
  machine: BurstMachine,
  changes: readonly BurstChange[],
  options: BurstOptions,
): Promise<BurstRun> {
  const clock = new SharedClock(EPOCH);
  const bucket = options.account
    ? new TokenBucket(options.account.readsPerSecond, options.account.capacity)
    : undefined;
  const calls: Call[] = [];
  const results: BurstWatchResult[] = [];
  if (machine.reserveStates.length > 0 !== (options.readBudget !== undefined))
    throw new Error('burst: a read budget needs a definition that reserves read slots, and the other way round');
  let nextFreeAtMs: number | undefined;
  const { readBudget } = options;
  const reserve = readBudget
    ? () => {
        const slot = reserveReadSlot(nextFreeAtMs, clock.now * 1_000, readBudget.perSecond, readBudget.maxWaitSeconds);
        nextFreeAtMs = slot.nextFreeAtMs;
        return slot.waitSeconds;
      }
    : undefined;
  changes.forEach((change, index) => {
    clock.spawn(async () => {
      await clock.sleepUntil(change.callSeconds + options.deliveryOffsetSeconds);
      const random = seededRandom(options.seed + index);
      const randomSeed = watchRandomSeed(random);
      results[index] = await watch(machine, change, {
        clock,
        random: options.retryRandom ?? random,
        randomSeed,
        ...(reserve ? { reserve } : {}),
        call: (kind) => {
          const throttled = bucket ? !bucket.take(clock.now) : false;
          calls.push({ atSeconds: clock.now, kind, throttled });
          return !throttled;
        },
      });
    });
  });
  await clock.run();
  return { watches: results, calls };
}

interface WatchContext {
  readonly clock: SharedClock;
  readonly random: () => number;
  readonly randomSeed: number;
  /** Makes one CloudFront call now; false: throttled. */
  readonly call: (kind: ScheduleKind) => boolean;
  /** Reserves a read slot of the shared budget now; the whole seconds to wait for it. */
  readonly reserve?: () => number;
}

/** One watch, execution after execution, until it has notified. */
async function watch(machine: BurstMachine, change: BurstChange, context: WatchContext): Promise<BurstWatchResult> {
  const { clock } = context;
  const settings = { retentionSeconds: machine.settings.retentionSeconds, schedule: scheduleFor(machine.settings) };
  const cloudfront = answeringCloudFront((kind) =>
    statusAnswer(kind, clock.now >= change.callSeconds + change.finishSeconds),
  );
  const statusNames = new Set(Object.values(machine.statusStates));
  const noAnswerNames = new Set(machine.noAnswerStates);
  /** The error the last call failed with, while the engine may still retry it; and the retries of each retrier. */
  let failing: { readonly error: string; readonly retries: number[] } | undefined;
  let retries = 0;
  let calls = 0;

  const statusCheck = (kind: WatchKind, state: AslState) => async (parameters: unknown) => {
    if (failing) {
      // The engine retries at once (no real sleep): sleep the definition's delay on the virtual clock first.
      const match = retrierFor(state, failing.error);
      if (!match) throw new Error(`the engine retried ${failing.error}, which no retrier of the definition takes`);
      const retry = (failing.retries[match.index] ?? 0) + 1;
      failing.retries[match.index] = retry;
      retries += 1;
      await clock.sleepUntil(clock.now + retryDelaySeconds(match.retrier, retry, context.random));
    }
    calls += 1;
    if (!context.call(KINDS[kind].schedule)) {
      failing = { error: THROTTLED.error, retries: failing?.retries ?? [] };
      throw cloudfrontError(THROTTLED.error, THROTTLED.cause);
    }
    failing = undefined;
    const { call } = KINDS[kind].statusCall;
    return cloudfront[call](parameters as Record<string, string>);
  };
  const virtualWait = async (raw: unknown) => {
    failing = undefined;
    await clock.sleepUntil(clock.now + (raw as VirtualWaitInput).seconds);
    return raw;
  };
  const extraHandlers: Record<string, (input: unknown) => Promise<unknown>> = {
    ...Object.fromEntries(machine.waitStates.map((name) => [name, virtualWait])),
    ...Object.fromEntries(
      Object.entries(machine.statusStates).map(([kind, name]) => [
        name,
        statusCheck(kind as WatchKind, machine.definition.States[name]!),
      ]),
    ),
    ...Object.fromEntries(
      machine.reserveStates.map((name) => [
        name,
        async () => {
          if (!context.reserve)
            throw new Error(`burst: "${name}" reserves a read slot, but the run has no read budget`);
          return { Payload: { waitSeconds: context.reserve() } };
        },
      ]),
    ),
  };

  const outcomes: Outcome[] = [];
  let notifiedAtSeconds: number | undefined;
  let transitions = 0;
  let checks = 0;
  let unanswered = 0;
  let executions = 0;
  const first = buildWatchExecution(burstWatch(change, EPOCH), settings, new Date(EPOCH + clock.now * 1_000)).input;
  let input: WatchExecutionInput | undefined = first;
  while (input) {
    failing = undefined;
    const run = await runLocally(
      machine.definition,
      { ...input, [RANDOM_SEED_FIELD]: context.randomSeed },
      {
        cloudfront,
        publish: async (request) => {
          outcomes.push(request.MessageAttributes.outcome!.StringValue as Outcome);
          notifiedAtSeconds ??= clock.now;
          return { MessageId: `burst-${outcomes.length}` };
        },
        enteredTime: () => clock.iso(),
        executionName: input.watch.executionName,
        extraHandlers,
        skipValidation: true,
      },
    );
    if (run.status === 'FAILED' && run.published.length === 0) {
      throw new Error(
        `${change.kind} ${change.number}: the execution failed without a notification: ${run.error} ${run.cause}`,
      );
    }
    executions += 1;
    transitions += run.statesEntered.length;
    checks += run.statesEntered.filter((name) => statusNames.has(name)).length;
    unanswered += run.statesEntered.filter((name) => noAnswerNames.has(name)).length;
    input = run.continuations[0]?.Input as WatchExecutionInput | undefined;
  }
  return {
    change,
    ...(outcomes[0] ? { outcome: outcomes[0] } : {}),
    notifications: outcomes.length,
    ...(notifiedAtSeconds === undefined ? {} : { notifiedAtSeconds }),
    checks,
    unanswered,
    calls,
    transitions: transitions + retries,
    executions,
  };
}

/**
 * The polling designs the benchmark compares. This project takes its waits from the state machine itself; the
 * baselines are fixed timings that the benchmark feeds into the same state machine's virtual waits, so their checks,
 * transitions and history are counted exactly as this project's.
 */
import { checkBudget, waitAfterCheck, type Schedule, type ScheduleKind } from '../../domain/schedule';
import { seededRandom } from './stats';

export type DesignId = 'project' | 'original' | 'cli' | 'sdk';

/** How one watch of a design is timed. */
export interface WatchTiming {
  /** Seconds to wait before check `check` (2 and up); undefined: the state machine's own wait. */
  readonly waitBefore?: (check: number) => number;
  /** The check budget for a watch with this many seconds left; undefined: the dispatcher's. */
  readonly maxChecks?: (secondsLeft: number) => number;
}

export interface Design {
  readonly id: DesignId;
  readonly name: string;
  readonly description: string;
  timing(kind: ScheduleKind, watchSeed: number): WatchTiming;
}

/** Attempts of the AWS CLI waiters (botocore waiter models). */
const CLI_WAITERS = {
  distribution: { delaySeconds: 60, maxAttempts: 35 },
  invalidation: { delaySeconds: 20, maxAttempts: 30 },
} as const satisfies Record<ScheduleKind, unknown>;

/** Delays of the JS SDK v3 waiters as @aws-sdk/client-cloudfront 3.1164 sets them (serviceDefaults). */
const SDK_V3_WAITERS = {
  distribution: { minDelaySeconds: 60, maxDelaySeconds: 2_100 },
  invalidation: { minDelaySeconds: 20, maxDelaySeconds: 600 },
} as const satisfies Record<ScheduleKind, unknown>;

function fixedTiming(schedule: Schedule, maxAttempts = Infinity): WatchTiming {
  return {
    waitBefore: (check) => waitAfterCheck(schedule, check - 1),
    maxChecks: (secondsLeft) => Math.min(maxAttempts, checkBudget(schedule, secondsLeft)),
  };
}

/**
 * The delay before retry `attempt` (1-based), as @smithy/util-waiter's exponentialBackoffWithJitter: a random
 * value between the minimum and min x 2^(attempt-1), capped at the maximum, which is used alone past the ceiling.
 */
export function sdkWaiterDelay(minDelay: number, maxDelay: number, attempt: number, random: () => number): number {
  const attemptCeiling = Math.log(maxDelay / minDelay) / Math.log(2) + 1;
  if (attempt > attemptCeiling) return maxDelay;
  const capped = Math.min(minDelay * 2 ** (attempt - 1), maxDelay);
  return minDelay + random() * (capped - minDelay);
}

/** The SDK waiter's checks for one watch; it gives up before a delay would pass maxWaitTime (here: the time left). */
function sdkTiming(kind: ScheduleKind, watchSeed: number): WatchTiming {
  const { minDelaySeconds, maxDelaySeconds } = SDK_V3_WAITERS[kind];
  const random = seededRandom(watchSeed);
  const delays: number[] = [];
  const delayBefore = (check: number): number => {
    while (delays.length < check - 1)
      delays.push(sdkWaiterDelay(minDelaySeconds, maxDelaySeconds, delays.length + 1, random));
    return delays[check - 2]!;
  };
  return {
    waitBefore: delayBefore,
    maxChecks: (secondsLeft) => {
      let checks = 1;
      for (let elapsed = delayBefore(2); elapsed <= secondsLeft; elapsed += delayBefore(checks + 1)) checks += 1;
      return checks;
    },
  };
}

export const DESIGNS: readonly Design[] = [
  {
    id: 'project',
    name: 'This project',
    description: 'the deployed schedule (fast, normal, growing, capped), default settings',
    timing: () => ({}),
  },
  {
    id: 'original',
    name: 'Original design',
    description: 'check at once, then every 60 s (SQS visibility timeout) until the message expires',
    timing: () => fixedTiming([{ waitSeconds: 60 }]),
  },
  {
    id: 'cli',
    name: 'AWS CLI waiter',
    description: 'wait distribution-deployed 60 s x 35, wait invalidation-completed 20 s x 30, then it gives up',
    timing: (kind) => fixedTiming([{ waitSeconds: CLI_WAITERS[kind].delaySeconds }], CLI_WAITERS[kind].maxAttempts),
  },
  {
    id: 'sdk',
    name: 'JS SDK v3 waiter',
    description:
      'waitUntilDistributionDeployed 60-2,100 s, waitUntilInvalidationCompleted 20-600 s: first retry at the minimum, ' +
      'then jittered exponential backoff; maxWaitTime = the watch limit',
    timing: sdkTiming,
  },
];

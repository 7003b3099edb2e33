/**
 * What the simulated CloudFront does in each `npm start --scenario`: the status it reports at each simulated moment,
 * in the SDK integration's response shape, with errors named as Step Functions names them.
 */
import { describeDuration } from '../../domain/watch-execution';
import type { CloudFrontAnswerer } from '../lib/local-engine';
import { answeringCloudFront, NEWER_ETAG, statusAnswer, THROTTLED } from '../lib/simulated-cloudfront';
import type { VirtualClock } from '../lib/virtual-clock';
import { type WatchKind, KINDS, statusOperation } from '../../domain/kinds';
import { AWS_ERRORS } from '../../domain/errors';
import { STATUS_CHECK_RETRY } from '../../statemachine/definition';

/** The timeout scenario's watch limit: not a sum of the default waits, so the check budget never sits on an edge. */
export const TIMEOUT_SCENARIO_RETENTION_SECONDS = 250;
/** Calls throttled in the throttling scenario: the first status check; its retry answers. */
export const THROTTLED_CALLS = 1;
/** Calls throttled in the no-answer scenario: the first status check and every retry of it. */
export const UNANSWERED_CALLS = STATUS_CHECK_RETRY.MaxAttempts + 1;

export const SCENARIOS = {
  deployed:
    'CloudFront reports InProgress until --finish-after has passed, then Deployed (Completed for an invalidation)',
  'not-found': 'the distribution (or invalidation) does not exist: no retry, a not-found notification',
  timeout: `the change never finishes; the watch limit is cut to ${describeDuration(TIMEOUT_SCENARIO_RETENTION_SECONDS)} so the timed-out notification comes quickly`,
  superseded:
    'a newer change replaced this one: Deployed after --finish-after, but with another ETag (an invalidation just completes)',
  throttling: `CloudFront throttles the first status check ${THROTTLED_CALLS} times; the definition's Retry backs off and tries again, then it behaves as in "deployed"`,
  'no-answer': `CloudFront throttles the first status check and all its retries (${UNANSWERED_CALLS} calls): an unanswered check, and the watch backs off to the next one; then as in "deployed"`,
  'access-denied': 'the watch may not read the status: retrying cannot help, a check-failed notification',
};
export type ScenarioName = keyof typeof SCENARIOS;
export const SCENARIO_NAMES = Object.keys(SCENARIOS) as ScenarioName[];
export const DEFAULT_SCENARIO: ScenarioName = 'deployed';

interface SimulationOptions {
  readonly scenario: ScenarioName;
  readonly finishAfterSeconds: number;
  /** Seconds since the change; the replay moves it on at every Wait, and this simulator at every retry. */
  readonly clock: VirtualClock;
  /** Simulated seconds before retry `attempt` (1-based) of a failed status check. */
  readonly retryDelaySeconds: (errorName: string, attempt: number) => number;
}

/** A CloudFront that reports what the scenario says at the virtual clock's time. */
export function simulatedCloudFront(options: SimulationOptions): CloudFrontAnswerer {
  let calls = 0;
  let failuresInARow = 0;
  let lastError = '';
  let failedAt = 0;

  return answeringCloudFront((kind) => {
    // A call right after a failure is the engine's retry: the backoff passes on the virtual clock first. After a Wait
    // (the clock moved) it is the next status check, whose retries count from 1 again.
    if (failuresInARow > 0 && options.clock.now !== failedAt) failuresInARow = 0;
    if (failuresInARow > 0) options.clock.advance(options.retryDelaySeconds(lastError, failuresInARow));
    calls += 1;
    const failure = scriptedFailure(options.scenario, kind, calls);
    if (failure) {
      failuresInARow += 1;
      lastError = failure.error;
      failedAt = options.clock.now;
      return failure;
    }
    failuresInARow = 0;
    const finished = options.scenario !== 'timeout' && options.clock.now >= options.finishAfterSeconds;
    const status = statusAnswer(kind, finished);
    return options.scenario === 'superseded' && finished ? { ...status, eTag: NEWER_ETAG } : status;
  });
}

function scriptedFailure(
  scenario: ScenarioName,
  kind: WatchKind,
  call: number,
): { error: string; cause: string } | undefined {
  switch (scenario) {
    case 'not-found': {
      const error = KINDS[kind].notFoundErrors[0];
      return {
        error,
        cause: `${error.replace(/^CloudFront\.|Exception$/g, '')}: the ${kind.replace('-', ' ')} does not exist. (simulated)`,
      };
    }
    case 'access-denied':
      return {
        error: AWS_ERRORS.accessDenied,
        cause: `User is not authorized to perform cloudfront:${statusOperation(kind)} (simulated)`,
      };
    case 'throttling':
      return call <= THROTTLED_CALLS ? THROTTLED : undefined;
    case 'no-answer':
      return call <= UNANSWERED_CALLS ? THROTTLED : undefined;
    default:
      return undefined;
  }
}

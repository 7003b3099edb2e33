/**
 * What the simulated CloudFront does in each `npm start --scenario`: the status it reports at each simulated moment,
 * in the SDK integration's response shape, with errors named as Step Functions names them.
 */
import type { WatchKind } from '../../functions/shared/cloudtrail';
import { describeDuration } from '../../functions/shared/watch-execution';
import { CLOUDFRONT_ERRORS, KIND_RULES } from '../../statemachine/constants';
import type { CloudFrontAnswerer } from '../lib/local-engine';
import { cloudfrontError, distributionResponse, invalidationResponse, NEWER_ETAG, tenantResponse } from '../lib/simulated-cloudfront';

/** The timeout scenario's watch limit: not a sum of the default waits, so the poll budget never sits on an edge. */
export const TIMEOUT_SCENARIO_RETENTION_SECONDS = 250;
export const THROTTLED_CALLS = 2;

export const SCENARIOS = {
  deployed: 'CloudFront reports InProgress until --finish-after has passed, then Deployed (Completed for an invalidation)',
  'not-found': 'the distribution (or invalidation) does not exist: no retry, a not-found notification',
  timeout: `the change never finishes; the watch limit is cut to ${describeDuration(TIMEOUT_SCENARIO_RETENTION_SECONDS)} so the timed-out notification comes quickly`,
  superseded:
    'a newer change replaced this one: Deployed after --finish-after, but with another ETag (an invalidation just completes)',
  throttling: 'CloudFront throttles the first two status checks (retried with backoff), then behaves as in "deployed"',
  'access-denied': 'the watch may not read the status: retrying cannot help, a check-failed notification',
};
export type ScenarioName = keyof typeof SCENARIOS;
export const SCENARIO_NAMES = Object.keys(SCENARIOS) as ScenarioName[];
export const DEFAULT_SCENARIO: ScenarioName = 'deployed';

const IN_PROGRESS = 'InProgress';

/** CloudFront's throttling is not a modeled error, so the integration reports it under the generic name. */
const THROTTLED = {
  name: 'CloudFront.CloudFrontException',
  cause: 'Rate exceeded (Service: CloudFront, Status Code: 400, Error Code: Throttling) (simulated)',
};

/** Simulated seconds since the change; the replay advances it at every Wait and retry instead of sleeping. */
export interface VirtualClock {
  seconds: number;
}

export interface SimulationOptions {
  readonly scenario: ScenarioName;
  readonly finishAfterSeconds: number;
  readonly clock: VirtualClock;
  /** Simulated seconds before retry `attempt` (1-based) of a failed status check. */
  readonly retryDelaySeconds: (errorName: string, attempt: number) => number;
}

/** A CloudFront that reports what the scenario says at the virtual clock's time. */
export function simulatedCloudFront(options: SimulationOptions): CloudFrontAnswerer {
  let calls = 0;
  let failuresInARow = 0;
  let lastError = '';

  const answer = (kind: WatchKind, respond: (status: string, eTag?: string) => unknown): Promise<unknown> => {
    // A call that follows a failure is the engine's retry: the backoff passes on the virtual clock first.
    if (failuresInARow > 0) options.clock.seconds += options.retryDelaySeconds(lastError, failuresInARow);
    calls += 1;
    const failure = scriptedFailure(options.scenario, kind, calls);
    if (failure) {
      failuresInARow += 1;
      lastError = failure.name;
      return Promise.reject(cloudfrontError(failure.name, failure.cause));
    }
    failuresInARow = 0;
    const finished = options.scenario !== 'timeout' && options.clock.seconds >= options.finishAfterSeconds;
    const eTag = options.scenario === 'superseded' && finished ? NEWER_ETAG : undefined;
    return Promise.resolve(respond(finished ? KIND_RULES[kind].doneStatus : IN_PROGRESS, eTag));
  };

  return {
    getDistribution: ({ Id }) => answer('distribution', (status, eTag) => distributionResponse(Id, status, eTag)),
    getInvalidation: ({ Id }) => answer('invalidation', (status) => invalidationResponse(Id, status)),
    getDistributionTenant: ({ Identifier }) => answer('tenant', (status, eTag) => tenantResponse(Identifier, status, eTag)),
    getInvalidationForDistributionTenant: ({ Id }) => answer('tenant-invalidation', (status) => invalidationResponse(Id, status)),
  };
}

/** The permission a kind's status check needs, for the access-denied message. */
const STATUS_ACTIONS: Record<WatchKind, string> = {
  distribution: 'GetDistribution',
  invalidation: 'GetInvalidation',
  tenant: 'GetDistributionTenant',
  'tenant-invalidation': 'GetInvalidationForDistributionTenant',
};

function scriptedFailure(scenario: ScenarioName, kind: WatchKind, call: number): { name: string; cause: string } | undefined {
  switch (scenario) {
    case 'not-found': {
      const name = KIND_RULES[kind].notFoundErrors[0];
      return { name, cause: `${name.replace(/^CloudFront\.|Exception$/g, '')}: the ${kind.replace('-', ' ')} does not exist. (simulated)` };
    }
    case 'access-denied':
      return {
        name: CLOUDFRONT_ERRORS.accessDenied,
        cause: `User is not authorized to perform cloudfront:${STATUS_ACTIONS[kind]} (simulated)`,
      };
    case 'throttling':
      return call <= THROTTLED_CALLS ? THROTTLED : undefined;
    default:
      return undefined;
  }
}

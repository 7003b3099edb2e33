/**
 * Workflow scenarios as data: the fixture event the dispatcher builds the input from, CloudFront's answer to every
 * call (retries included) and what must happen. The in-process tests and the Step Functions Local suite both run these.
 */
import type { WatchExecutionInput } from '../../domain/watch-execution';
import { NEWER_ETAG, THROTTLED, type CloudFrontAnswer } from '../lib/simulated-cloudfront';
import { fixtureWatch, watchInput } from './fixtures';
import { type Outcome } from '../../domain/kinds';
import { UNMODELED_CLOUDFRONT_ERROR, AWS_ERRORS, WATCH_ERRORS } from '../../domain/errors';
import { STATE_NAMES } from '../../statemachine/state-names';

export interface WatchScenario {
  /** PascalCase: it is also the Step Functions Local test case name. */
  readonly name: string;
  readonly description: string;
  /** The event in tools/fixtures/events the watch comes from. */
  readonly fixture: string;
  /** The input the dispatcher builds from the fixture one minute after the change, with the scenario's progress. */
  readonly input: WatchExecutionInput;
  readonly answers: readonly CloudFrontAnswer[];
  readonly expected: {
    readonly status: 'SUCCEEDED' | 'FAILED';
    readonly error?: string;
    /** CloudFront calls, retries included. */
    readonly cloudfrontCalls: number;
    readonly publishes: number;
    readonly outcome?: Outcome;
    readonly continuations: number;
    /** progress.unanswered as the last state to finish left it: checks without an answer. @default 0 */
    readonly unanswered?: number;
    /** The last state entered: where a person looking at the console graph sees the execution end. */
    readonly finalState: string;
  };
}

type Progress = WatchExecutionInput['progress'];
/** A scenario as written down: its input comes from the fixture, with `progress` set over the dispatcher's. */
type ScenarioData = Omit<WatchScenario, 'input'> & { readonly progress?: Partial<Progress> };

const IN_PROGRESS = { status: 'InProgress' } as const;
const DEPLOYED = { status: 'Deployed' } as const;
const COMPLETED = { status: 'Completed' } as const;
const UNAVAILABLE = { error: UNMODELED_CLOUDFRONT_ERROR, cause: 'Service Unavailable (Status Code: 503)' } as const;
/** A check and its one retry, both throttled: a check without an answer. */
const THROTTLED_CHECK: readonly CloudFrontAnswer[] = [THROTTLED, THROTTLED];
const TENANT_NOT_FOUND = {
  error: AWS_ERRORS.entityNotFound,
  cause: 'The specified distribution tenant does not exist.',
} as const;

const SCENARIOS: readonly ScenarioData[] = [
  {
    name: 'DeployedAfterFourChecks',
    description: 'A new distribution is InProgress for three checks and Deployed at the fourth',
    fixture: 'create-distribution.json',
    answers: [IN_PROGRESS, IN_PROGRESS, IN_PROGRESS, DEPLOYED],
    expected: {
      status: 'SUCCEEDED',
      cloudfrontCalls: 4,
      publishes: 1,
      outcome: 'deployed',
      continuations: 0,
      finalState: STATE_NAMES.distribution.done,
    },
  },
  {
    name: 'AlreadyDeployed',
    description: 'The update is already Deployed at the first check',
    fixture: 'update-distribution.json',
    answers: [DEPLOYED],
    expected: {
      status: 'SUCCEEDED',
      cloudfrontCalls: 1,
      publishes: 1,
      outcome: 'deployed',
      continuations: 0,
      finalState: STATE_NAMES.distribution.done,
    },
  },
  {
    name: 'InvalidationCompleted',
    description: 'An invalidation is InProgress once, then Completed',
    fixture: 'create-invalidation.json',
    answers: [IN_PROGRESS, COMPLETED],
    expected: {
      status: 'SUCCEEDED',
      cloudfrontCalls: 2,
      publishes: 1,
      outcome: 'completed',
      continuations: 0,
      finalState: STATE_NAMES.invalidation.done,
    },
  },
  {
    name: 'ThrottledThenDeployed',
    description: 'CloudFront throttles once (retried with backoff), then reports InProgress and Deployed',
    fixture: 'update-distribution.json',
    answers: [THROTTLED, IN_PROGRESS, DEPLOYED],
    expected: {
      status: 'SUCCEEDED',
      cloudfrontCalls: 3,
      publishes: 1,
      outcome: 'deployed',
      continuations: 0,
      finalState: STATE_NAMES.distribution.done,
    },
  },
  {
    name: 'DistributionNotFound',
    description: 'The distribution was deleted: no retry, a not-found notification, failure DistributionNotFound',
    fixture: 'update-distribution.json',
    answers: [{ error: AWS_ERRORS.noSuchDistribution, cause: 'The specified distribution does not exist.' }],
    expected: {
      status: 'FAILED',
      error: WATCH_ERRORS.distributionNotFound,
      cloudfrontCalls: 1,
      publishes: 1,
      outcome: 'not-found',
      continuations: 0,
      finalState: STATE_NAMES.distribution.notFound,
    },
  },
  {
    name: 'InvalidationNotFound',
    description: 'The invalidation id is unknown: no retry, a not-found notification, failure InvalidationNotFound',
    fixture: 'create-invalidation.json',
    answers: [{ error: AWS_ERRORS.noSuchInvalidation, cause: 'The specified invalidation does not exist.' }],
    expected: {
      status: 'FAILED',
      error: WATCH_ERRORS.invalidationNotFound,
      cloudfrontCalls: 1,
      publishes: 1,
      outcome: 'not-found',
      continuations: 0,
      finalState: STATE_NAMES.invalidation.notFound,
    },
  },
  {
    name: 'NeverCompletes',
    description: 'The change stays InProgress until the check budget (3 checks) runs out: timeout notification',
    fixture: 'create-distribution.json',
    progress: { maxChecks: 3 },
    answers: [IN_PROGRESS],
    expected: {
      status: 'FAILED',
      error: WATCH_ERRORS.timedOut,
      cloudfrontCalls: 3,
      publishes: 1,
      outcome: 'timed-out',
      continuations: 0,
      finalState: STATE_NAMES.timedOut,
    },
  },
  {
    name: 'ThrottledPastRetriesThenDeployed',
    description:
      'CloudFront throttles the first check and its retry: no answer, so the watch backs off to its next check, which finds Deployed',
    fixture: 'update-distribution.json',
    answers: [...THROTTLED_CHECK, DEPLOYED],
    expected: {
      status: 'SUCCEEDED',
      cloudfrontCalls: 3,
      publishes: 1,
      outcome: 'deployed',
      continuations: 0,
      unanswered: 1,
      finalState: STATE_NAMES.distribution.done,
    },
  },
  {
    name: 'BackingOffThenCompleted',
    description:
      'CloudFront throttles three checks through their retries, so the back-off doubles twice from its start (1 to 3 min); the fourth check finds the invalidation Completed',
    fixture: 'create-invalidation.json',
    answers: [...THROTTLED_CHECK, ...THROTTLED_CHECK, ...THROTTLED_CHECK, COMPLETED],
    expected: {
      status: 'SUCCEEDED',
      cloudfrontCalls: 7,
      publishes: 1,
      outcome: 'completed',
      continuations: 0,
      unanswered: 3,
      finalState: STATE_NAMES.invalidation.done,
    },
  },
  {
    name: 'UnansweredUntilBudgetEnds',
    description:
      'CloudFront answers 503 to every check and retry until the check budget (3 checks) runs out: timed-out, 3 checks unanswered',
    fixture: 'create-invalidation.json',
    progress: { maxChecks: 3 },
    answers: [UNAVAILABLE],
    expected: {
      status: 'FAILED',
      error: WATCH_ERRORS.timedOut,
      cloudfrontCalls: 6,
      publishes: 1,
      outcome: 'timed-out',
      continuations: 0,
      unanswered: 3,
      finalState: STATE_NAMES.timedOut,
    },
  },
  {
    name: 'NoAnswerThenHandOver',
    description:
      'The first check, with no status yet, gets no answer at the per-execution check limit: the next part carries the count',
    fixture: 'create-distribution.json',
    progress: { continueAt: 1 },
    answers: [THROTTLED],
    expected: {
      status: 'SUCCEEDED',
      cloudfrontCalls: 2,
      publishes: 0,
      continuations: 1,
      unanswered: 1,
      finalState: STATE_NAMES.continued,
    },
  },
  {
    name: 'AccessDenied',
    description: 'The role may not read the distribution: retrying cannot help, check-failed at once',
    fixture: 'update-distribution.json',
    answers: [
      { error: AWS_ERRORS.accessDenied, cause: 'User is not authorized to perform cloudfront:GetDistribution' },
    ],
    expected: {
      status: 'FAILED',
      error: WATCH_ERRORS.checkFailed,
      cloudfrontCalls: 1,
      publishes: 1,
      outcome: 'check-failed',
      continuations: 0,
      finalState: STATE_NAMES.checkFailed,
    },
  },
  {
    name: 'InvalidationAccessDenied',
    description: 'The role may not read the invalidation: retrying cannot help, check-failed at once',
    fixture: 'create-invalidation.json',
    answers: [
      { error: AWS_ERRORS.accessDenied, cause: 'User is not authorized to perform cloudfront:GetInvalidation' },
    ],
    expected: {
      status: 'FAILED',
      error: WATCH_ERRORS.checkFailed,
      cloudfrontCalls: 1,
      publishes: 1,
      outcome: 'check-failed',
      continuations: 0,
      finalState: STATE_NAMES.checkFailed,
    },
  },
  {
    name: 'ContinuesInNewExecution',
    description: 'At the per-execution check limit the watch hands over to a new execution and succeeds quietly',
    fixture: 'create-distribution.json',
    progress: { continueAt: 3 },
    answers: [IN_PROGRESS],
    expected: {
      status: 'SUCCEEDED',
      cloudfrontCalls: 3,
      publishes: 0,
      continuations: 1,
      finalState: STATE_NAMES.continued,
    },
  },
  {
    name: 'SupersededWhileDeploying',
    description:
      'A promoted staging config: CloudFront reports a newer ETag while InProgress (not an end) and when Deployed: superseded',
    fixture: 'update-distribution-with-staging-config.json',
    answers: [
      { ...IN_PROGRESS, eTag: NEWER_ETAG },
      { ...IN_PROGRESS, eTag: NEWER_ETAG },
      { ...DEPLOYED, eTag: NEWER_ETAG },
    ],
    expected: {
      status: 'SUCCEEDED',
      cloudfrontCalls: 3,
      publishes: 1,
      outcome: 'superseded',
      continuations: 0,
      finalState: STATE_NAMES.distribution.superseded,
    },
  },
  {
    name: 'AliasDeployedWhateverETag',
    description: 'AssociateAlias records no ETag, so a Deployed answer with any ETag is deployed, never superseded',
    fixture: 'associate-alias.json',
    answers: [
      { ...IN_PROGRESS, eTag: NEWER_ETAG },
      { ...DEPLOYED, eTag: NEWER_ETAG },
    ],
    expected: {
      status: 'SUCCEEDED',
      cloudfrontCalls: 2,
      publishes: 1,
      outcome: 'deployed',
      continuations: 0,
      finalState: STATE_NAMES.distribution.done,
    },
  },
  {
    name: 'TenantDeployed',
    description: 'A tenant update is InProgress once, then Deployed with the ETag the change made',
    fixture: 'update-distribution-tenant.json',
    answers: [IN_PROGRESS, DEPLOYED],
    expected: {
      status: 'SUCCEEDED',
      cloudfrontCalls: 2,
      publishes: 1,
      outcome: 'deployed',
      continuations: 0,
      finalState: STATE_NAMES.tenant.done,
    },
  },
  {
    name: 'TenantSuperseded',
    description: 'The tenant is Deployed with a newer ETag than the update made: superseded',
    fixture: 'update-distribution-tenant.json',
    answers: [{ ...DEPLOYED, eTag: NEWER_ETAG }],
    expected: {
      status: 'SUCCEEDED',
      cloudfrontCalls: 1,
      publishes: 1,
      outcome: 'superseded',
      continuations: 0,
      finalState: STATE_NAMES.tenant.superseded,
    },
  },
  {
    name: 'TenantNotFound',
    description:
      'The tenant was deleted (EntityNotFound): no retry, a not-found notification, failure DistributionTenantNotFound',
    fixture: 'update-distribution-tenant.json',
    answers: [TENANT_NOT_FOUND],
    expected: {
      status: 'FAILED',
      error: WATCH_ERRORS.tenantNotFound,
      cloudfrontCalls: 1,
      publishes: 1,
      outcome: 'not-found',
      continuations: 0,
      finalState: STATE_NAMES.tenant.notFound,
    },
  },
  {
    name: 'TenantNeverDeploys',
    description: 'The tenant stays InProgress until the check budget (2 checks) runs out: timeout notification',
    fixture: 'update-distribution-tenant.json',
    progress: { maxChecks: 2 },
    answers: [IN_PROGRESS],
    expected: {
      status: 'FAILED',
      error: WATCH_ERRORS.timedOut,
      cloudfrontCalls: 2,
      publishes: 1,
      outcome: 'timed-out',
      continuations: 0,
      finalState: STATE_NAMES.timedOut,
    },
  },
  {
    name: 'TenantAccessDenied',
    description: 'The role may not read the tenant: check-failed at once',
    fixture: 'update-distribution-tenant.json',
    answers: [
      { error: AWS_ERRORS.accessDenied, cause: 'User is not authorized to perform cloudfront:GetDistributionTenant' },
    ],
    expected: {
      status: 'FAILED',
      error: WATCH_ERRORS.checkFailed,
      cloudfrontCalls: 1,
      publishes: 1,
      outcome: 'check-failed',
      continuations: 0,
      finalState: STATE_NAMES.checkFailed,
    },
  },
  {
    name: 'TenantThrottledPastRetriesThenDeployed',
    description: 'A tenant check is throttled through its retry (no answer); the next check finds the tenant Deployed',
    fixture: 'update-distribution-tenant.json',
    answers: [...THROTTLED_CHECK, DEPLOYED],
    expected: {
      status: 'SUCCEEDED',
      cloudfrontCalls: 3,
      publishes: 1,
      outcome: 'deployed',
      continuations: 0,
      unanswered: 1,
      finalState: STATE_NAMES.tenant.done,
    },
  },
  {
    name: 'TenantInvalidationCompleted',
    description: 'A tenant invalidation is InProgress once, then Completed',
    fixture: 'create-invalidation-for-distribution-tenant.json',
    answers: [IN_PROGRESS, COMPLETED],
    expected: {
      status: 'SUCCEEDED',
      cloudfrontCalls: 2,
      publishes: 1,
      outcome: 'completed',
      continuations: 0,
      finalState: STATE_NAMES['tenant-invalidation'].done,
    },
  },
  {
    name: 'TenantInvalidationNotFound',
    description: 'The tenant invalidation id is unknown (NoSuchInvalidation): not-found, failure InvalidationNotFound',
    fixture: 'create-invalidation-for-distribution-tenant.json',
    answers: [{ error: AWS_ERRORS.noSuchInvalidation, cause: 'The specified invalidation does not exist.' }],
    expected: {
      status: 'FAILED',
      error: WATCH_ERRORS.invalidationNotFound,
      cloudfrontCalls: 1,
      publishes: 1,
      outcome: 'not-found',
      continuations: 0,
      finalState: STATE_NAMES['tenant-invalidation'].notFound,
    },
  },
  {
    name: 'TenantGoneDuringInvalidation',
    description:
      'The tenant was deleted while its invalidation ran (EntityNotFound): not-found, failure InvalidationNotFound',
    fixture: 'create-invalidation-for-distribution-tenant.json',
    answers: [IN_PROGRESS, TENANT_NOT_FOUND],
    expected: {
      status: 'FAILED',
      error: WATCH_ERRORS.invalidationNotFound,
      cloudfrontCalls: 2,
      publishes: 1,
      outcome: 'not-found',
      continuations: 0,
      finalState: STATE_NAMES['tenant-invalidation'].notFound,
    },
  },
  {
    name: 'TenantInvalidationNeverCompletes',
    description:
      'A tenant invalidation stays InProgress until the check budget (2 checks) runs out: timeout notification',
    fixture: 'create-invalidation-for-distribution-tenant.json',
    progress: { maxChecks: 2 },
    answers: [IN_PROGRESS],
    expected: {
      status: 'FAILED',
      error: WATCH_ERRORS.timedOut,
      cloudfrontCalls: 2,
      publishes: 1,
      outcome: 'timed-out',
      continuations: 0,
      finalState: STATE_NAMES.timedOut,
    },
  },
  {
    name: 'TenantInvalidationUnansweredUntilBudgetEnds',
    description:
      'Every check of a tenant invalidation is throttled until the check budget (2 checks) runs out: timed-out, 2 unanswered',
    fixture: 'create-invalidation-for-distribution-tenant.json',
    progress: { maxChecks: 2 },
    answers: [THROTTLED],
    expected: {
      status: 'FAILED',
      error: WATCH_ERRORS.timedOut,
      cloudfrontCalls: 4,
      publishes: 1,
      outcome: 'timed-out',
      continuations: 0,
      unanswered: 2,
      finalState: STATE_NAMES.timedOut,
    },
  },
  {
    name: 'TenantInvalidationAccessDenied',
    description: 'The role may not read the tenant invalidation: check-failed at once',
    fixture: 'create-invalidation-for-distribution-tenant.json',
    answers: [
      {
        error: AWS_ERRORS.accessDenied,
        cause: 'User is not authorized to perform cloudfront:GetInvalidationForDistributionTenant',
      },
    ],
    expected: {
      status: 'FAILED',
      error: WATCH_ERRORS.checkFailed,
      cloudfrontCalls: 1,
      publishes: 1,
      outcome: 'check-failed',
      continuations: 0,
      finalState: STATE_NAMES.checkFailed,
    },
  },
];

export const WATCH_SCENARIOS: readonly WatchScenario[] = SCENARIOS.map(({ progress, ...scenario }) => {
  const input = watchInput(fixtureWatch(scenario.fixture));
  return { ...scenario, input: { ...input, progress: { ...input.progress, ...progress } } };
});

/**
 * Workflow scenarios as data: the input the dispatcher would build, CloudFront's answer to every call (retries
 * included) and what must happen. The in-process tests and the Step Functions Local suite both run these.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseEventBridgeBody } from '../../functions/shared/cloudtrail';
import type { Outcome } from '../../functions/shared/notification';
import { buildSchedule } from '../../functions/shared/schedule';
import { buildWatchExecution, type WatchExecutionInput } from '../../functions/shared/watch-execution';
import type { CloudFrontAnswer } from '../../tools/lib/simulated-cloudfront';
import { DEFAULT_WATCHED_EVENTS } from '../../functions/shared/cloudtrail';
import { CLOUDFRONT_ERRORS, STATE_NAMES, WATCH_ERRORS } from '../../statemachine/constants';

export interface WatchScenario {
  /** PascalCase: it is also the Step Functions Local test case name. */
  readonly name: string;
  readonly description: string;
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
    /** The last state entered: where a person looking at the console graph sees the execution end. */
    readonly finalState: string;
  };
}

export function fixtureBody(file: string): string {
  return readFileSync(fileURLToPath(new URL(`../fixtures/events/${file}`, import.meta.url)), 'utf8');
}

/** The execution input the dispatcher builds for a fixture event, one minute after the change. */
export function scenarioInput(
  file: string,
  progress: Partial<WatchExecutionInput['progress']> = {},
  retentionSeconds = 345_600,
): WatchExecutionInput {
  const parsed = parseEventBridgeBody(fixtureBody(file), { watchedEvents: DEFAULT_WATCHED_EVENTS });
  if (parsed.type !== 'watch') throw new Error(`fixture ${file} is not a watch: ${parsed.type}`);
  const now = new Date(Date.parse(parsed.watch.eventTime) + 60_000);
  const execution = buildWatchExecution(
    parsed.watch,
    { retentionSeconds, schedule: (kind) => buildSchedule(kind, { pollIntervalSeconds: 60 }) },
    now,
  );
  return { ...execution.input, progress: { ...execution.input.progress, ...progress } };
}

const IN_PROGRESS = { status: 'InProgress' } as const;
const DEPLOYED = { status: 'Deployed' } as const;
const COMPLETED = { status: 'Completed' } as const;
const THROTTLED = { error: 'CloudFront.CloudFrontException', cause: 'Rate exceeded (Service: CloudFront, Status Code: 400, Error Code: Throttling)' } as const;
const UNAVAILABLE = { error: 'CloudFront.CloudFrontException', cause: 'Service Unavailable (Status Code: 503)' } as const;
/** The ETag of a newer change than the watched one: a Deployed answer with it means the watched change was superseded. */
const NEWER_ETAG = 'E3NEWERCHANGE1';
const TENANT_NOT_FOUND = { error: CLOUDFRONT_ERRORS.entityNotFound, cause: 'The specified distribution tenant does not exist.' } as const;

export const WATCH_SCENARIOS: readonly WatchScenario[] = [
  {
    name: 'DeployedAfterFourChecks',
    description: 'A new distribution is InProgress for three checks and Deployed at the fourth',
    input: scenarioInput('create-distribution.json'),
    answers: [IN_PROGRESS, IN_PROGRESS, IN_PROGRESS, DEPLOYED],
    expected: { status: 'SUCCEEDED', cloudfrontCalls: 4, publishes: 1, outcome: 'deployed', continuations: 0, finalState: STATE_NAMES.distribution.done },
  },
  {
    name: 'AlreadyDeployed',
    description: 'The update is already Deployed at the first check',
    input: scenarioInput('update-distribution.json'),
    answers: [DEPLOYED],
    expected: { status: 'SUCCEEDED', cloudfrontCalls: 1, publishes: 1, outcome: 'deployed', continuations: 0, finalState: STATE_NAMES.distribution.done },
  },
  {
    name: 'InvalidationCompleted',
    description: 'An invalidation is InProgress once, then Completed',
    input: scenarioInput('create-invalidation.json'),
    answers: [IN_PROGRESS, COMPLETED],
    expected: { status: 'SUCCEEDED', cloudfrontCalls: 2, publishes: 1, outcome: 'completed', continuations: 0, finalState: STATE_NAMES.invalidation.done },
  },
  {
    name: 'ThrottledThenDeployed',
    description: 'CloudFront throttles twice (retried with backoff), then reports InProgress and Deployed',
    input: scenarioInput('update-distribution.json'),
    answers: [THROTTLED, THROTTLED, IN_PROGRESS, DEPLOYED],
    expected: { status: 'SUCCEEDED', cloudfrontCalls: 4, publishes: 1, outcome: 'deployed', continuations: 0, finalState: STATE_NAMES.distribution.done },
  },
  {
    name: 'DistributionNotFound',
    description: 'The distribution was deleted: no retry, a not-found notification, failure DistributionNotFound',
    input: scenarioInput('update-distribution.json'),
    answers: [{ error: CLOUDFRONT_ERRORS.noSuchDistribution, cause: 'The specified distribution does not exist.' }],
    expected: { status: 'FAILED', error: WATCH_ERRORS.distributionNotFound, cloudfrontCalls: 1, publishes: 1, outcome: 'not-found', continuations: 0, finalState: STATE_NAMES.distribution.notFound },
  },
  {
    name: 'InvalidationNotFound',
    description: 'The invalidation id is unknown: no retry, a not-found notification, failure InvalidationNotFound',
    input: scenarioInput('create-invalidation.json'),
    answers: [{ error: CLOUDFRONT_ERRORS.noSuchInvalidation, cause: 'The specified invalidation does not exist.' }],
    expected: { status: 'FAILED', error: WATCH_ERRORS.invalidationNotFound, cloudfrontCalls: 1, publishes: 1, outcome: 'not-found', continuations: 0, finalState: STATE_NAMES.invalidation.notFound },
  },
  {
    name: 'NeverCompletes',
    description: 'The change stays InProgress until the poll budget (3 checks) runs out: timeout notification',
    input: scenarioInput('create-distribution.json', { maxChecks: 3 }),
    answers: [IN_PROGRESS],
    expected: { status: 'FAILED', error: WATCH_ERRORS.timedOut, cloudfrontCalls: 3, publishes: 1, outcome: 'timed-out', continuations: 0, finalState: STATE_NAMES.timedOut },
  },
  {
    name: 'StatusCheckKeepsFailing',
    description: 'CloudFront answers 503 to the check and all five retries: check-failed notification',
    input: scenarioInput('create-invalidation.json'),
    answers: [UNAVAILABLE],
    expected: { status: 'FAILED', error: WATCH_ERRORS.checkFailed, cloudfrontCalls: 6, publishes: 1, outcome: 'check-failed', continuations: 0, finalState: STATE_NAMES.checkFailed },
  },
  {
    name: 'AccessDenied',
    description: 'The role may not read the distribution: retrying cannot help, check-failed at once',
    input: scenarioInput('update-distribution.json'),
    answers: [{ error: CLOUDFRONT_ERRORS.accessDenied, cause: 'User is not authorized to perform cloudfront:GetDistribution' }],
    expected: { status: 'FAILED', error: WATCH_ERRORS.checkFailed, cloudfrontCalls: 1, publishes: 1, outcome: 'check-failed', continuations: 0, finalState: STATE_NAMES.checkFailed },
  },
  {
    name: 'ContinuesInNewExecution',
    description: 'At the per-execution check limit the watch hands over to a new execution and succeeds quietly',
    input: scenarioInput('create-distribution.json', { continueAt: 3 }),
    answers: [IN_PROGRESS],
    expected: { status: 'SUCCEEDED', cloudfrontCalls: 3, publishes: 0, continuations: 1, finalState: STATE_NAMES.continued },
  },
  {
    name: 'SupersededWhileDeploying',
    description: 'A promoted staging config: CloudFront reports a newer ETag while InProgress (not an end) and when Deployed: superseded',
    input: scenarioInput('update-distribution-with-staging-config.json'),
    answers: [{ ...IN_PROGRESS, eTag: NEWER_ETAG }, { ...IN_PROGRESS, eTag: NEWER_ETAG }, { ...DEPLOYED, eTag: NEWER_ETAG }],
    expected: { status: 'SUCCEEDED', cloudfrontCalls: 3, publishes: 1, outcome: 'superseded', continuations: 0, finalState: STATE_NAMES.distribution.superseded },
  },
  {
    name: 'AliasDeployedWhateverETag',
    description: 'AssociateAlias records no ETag, so a Deployed answer with any ETag is deployed, never superseded',
    input: scenarioInput('associate-alias.json'),
    answers: [{ ...IN_PROGRESS, eTag: NEWER_ETAG }, { ...DEPLOYED, eTag: NEWER_ETAG }],
    expected: { status: 'SUCCEEDED', cloudfrontCalls: 2, publishes: 1, outcome: 'deployed', continuations: 0, finalState: STATE_NAMES.distribution.done },
  },
  {
    name: 'TenantDeployed',
    description: 'A tenant update is InProgress once, then Deployed with the ETag the change made',
    input: scenarioInput('update-distribution-tenant.json'),
    answers: [IN_PROGRESS, DEPLOYED],
    expected: { status: 'SUCCEEDED', cloudfrontCalls: 2, publishes: 1, outcome: 'deployed', continuations: 0, finalState: STATE_NAMES.tenant.done },
  },
  {
    name: 'TenantSuperseded',
    description: 'The tenant is Deployed with a newer ETag than the update made: superseded',
    input: scenarioInput('update-distribution-tenant.json'),
    answers: [{ ...DEPLOYED, eTag: NEWER_ETAG }],
    expected: { status: 'SUCCEEDED', cloudfrontCalls: 1, publishes: 1, outcome: 'superseded', continuations: 0, finalState: STATE_NAMES.tenant.superseded },
  },
  {
    name: 'TenantNotFound',
    description: 'The tenant was deleted (EntityNotFound): no retry, a not-found notification, failure DistributionTenantNotFound',
    input: scenarioInput('update-distribution-tenant.json'),
    answers: [TENANT_NOT_FOUND],
    expected: { status: 'FAILED', error: WATCH_ERRORS.tenantNotFound, cloudfrontCalls: 1, publishes: 1, outcome: 'not-found', continuations: 0, finalState: STATE_NAMES.tenant.notFound },
  },
  {
    name: 'TenantNeverDeploys',
    description: 'The tenant stays InProgress until the poll budget (2 checks) runs out: timeout notification',
    input: scenarioInput('update-distribution-tenant.json', { maxChecks: 2 }),
    answers: [IN_PROGRESS],
    expected: { status: 'FAILED', error: WATCH_ERRORS.timedOut, cloudfrontCalls: 2, publishes: 1, outcome: 'timed-out', continuations: 0, finalState: STATE_NAMES.timedOut },
  },
  {
    name: 'TenantAccessDenied',
    description: 'The role may not read the tenant: check-failed at once',
    input: scenarioInput('update-distribution-tenant.json'),
    answers: [{ error: CLOUDFRONT_ERRORS.accessDenied, cause: 'User is not authorized to perform cloudfront:GetDistributionTenant' }],
    expected: { status: 'FAILED', error: WATCH_ERRORS.checkFailed, cloudfrontCalls: 1, publishes: 1, outcome: 'check-failed', continuations: 0, finalState: STATE_NAMES.checkFailed },
  },
  {
    name: 'TenantInvalidationCompleted',
    description: 'A tenant invalidation is InProgress once, then Completed',
    input: scenarioInput('create-invalidation-for-distribution-tenant.json'),
    answers: [IN_PROGRESS, COMPLETED],
    expected: { status: 'SUCCEEDED', cloudfrontCalls: 2, publishes: 1, outcome: 'completed', continuations: 0, finalState: STATE_NAMES['tenant-invalidation'].done },
  },
  {
    name: 'TenantInvalidationNotFound',
    description: 'The tenant invalidation id is unknown (NoSuchInvalidation): not-found, failure InvalidationNotFound',
    input: scenarioInput('create-invalidation-for-distribution-tenant.json'),
    answers: [{ error: CLOUDFRONT_ERRORS.noSuchInvalidation, cause: 'The specified invalidation does not exist.' }],
    expected: { status: 'FAILED', error: WATCH_ERRORS.invalidationNotFound, cloudfrontCalls: 1, publishes: 1, outcome: 'not-found', continuations: 0, finalState: STATE_NAMES['tenant-invalidation'].notFound },
  },
  {
    name: 'TenantGoneDuringInvalidation',
    description: 'The tenant was deleted while its invalidation ran (EntityNotFound): not-found, failure InvalidationNotFound',
    input: scenarioInput('create-invalidation-for-distribution-tenant.json'),
    answers: [IN_PROGRESS, TENANT_NOT_FOUND],
    expected: { status: 'FAILED', error: WATCH_ERRORS.invalidationNotFound, cloudfrontCalls: 2, publishes: 1, outcome: 'not-found', continuations: 0, finalState: STATE_NAMES['tenant-invalidation'].notFound },
  },
  {
    name: 'TenantInvalidationNeverCompletes',
    description: 'A tenant invalidation stays InProgress until the poll budget (2 checks) runs out: timeout notification',
    input: scenarioInput('create-invalidation-for-distribution-tenant.json', { maxChecks: 2 }),
    answers: [IN_PROGRESS],
    expected: { status: 'FAILED', error: WATCH_ERRORS.timedOut, cloudfrontCalls: 2, publishes: 1, outcome: 'timed-out', continuations: 0, finalState: STATE_NAMES.timedOut },
  },
  {
    name: 'TenantInvalidationAccessDenied',
    description: 'The role may not read the tenant invalidation: check-failed at once',
    input: scenarioInput('create-invalidation-for-distribution-tenant.json'),
    answers: [{ error: CLOUDFRONT_ERRORS.accessDenied, cause: 'User is not authorized to perform cloudfront:GetInvalidationForDistributionTenant' }],
    expected: { status: 'FAILED', error: WATCH_ERRORS.checkFailed, cloudfrontCalls: 1, publishes: 1, outcome: 'check-failed', continuations: 0, finalState: STATE_NAMES.checkFailed },
  },
];

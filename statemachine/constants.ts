/** Names and JSONPaths of the watch state machine, shared by the definition, the tests and the tools. */
import type { WatchKind } from '../functions/commons/cloudtrail';
import type { NotificationField, Outcome } from '../functions/commons/notification';

export const DISTRIBUTION_STATUS = { inProgress: 'InProgress', done: 'Deployed' } as const;
export const INVALIDATION_STATUS = { inProgress: 'InProgress', done: 'Completed' } as const;
export const TENANT_STATUS = { inProgress: 'InProgress', done: 'Deployed' } as const;

export const PATHS = {
  kind: '$.watch.kind',
  distributionId: '$.watch.distributionId',
  invalidationId: '$.watch.invalidationId',
  tenantId: '$.watch.tenantId',
  /** The ETag the watched change produced (absent when the record has none), and the one CloudFront reports now. */
  watchETag: '$.watch.eTag',
  statusETag: '$.status.eTag',
  executionName: '$.watch.executionName',
  watch: '$.watch',
  progress: '$.progress',
  check: '$.progress.check',
  maxChecks: '$.progress.maxChecks',
  continueAt: '$.progress.continueAt',
  part: '$.progress.part',
  waitSeconds: '$.progress.waitSeconds',
  status: '$.status',
  statusValue: '$.status.value',
  error: '$.error',
  notification: '$.notification',
  continuation: '$.continuation',
  enteredTime: '$$.State.EnteredTime',
} as const;

/** A field of the execution input's watch: what a status call's parameters are read from. */
type WatchField = 'distributionId' | 'invalidationId' | 'tenantId';

interface StatusCall {
  /** The CloudFront operation as the aws-sdk integration names it (camelCase); capitalized, it is the IAM action. */
  readonly call: string;
  /** Each request parameter and the watch field it is read from. */
  readonly parameters: Readonly<Record<string, WatchField>>;
  /** What the workflow keeps of the answer, as $.status: each key and its dotted path in the API's response. */
  readonly answer: Readonly<Record<string, string>>;
  /**
   * CloudFront added this call in 2025. Step Functions adds new SDK actions to its aws-sdk integrations late ("not
   * immediately available", https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html), and
   * CreateStateMachine refuses an action it does not know, so such a call is made by a Lambda unless the user opts in.
   */
  readonly recent: boolean;
}

/**
 * The status check of each kind: the CloudFront call, where its parameters come from, and what is kept of its answer.
 * The definition, the Lambdas that read a status, the local engine and the IAM grant all read this one table.
 */
export const STATUS_CALLS = {
  distribution: {
    call: 'getDistribution',
    parameters: { Id: 'distributionId' },
    answer: { value: 'Distribution.Status', domainName: 'Distribution.DomainName', eTag: 'ETag' },
    recent: false,
  },
  invalidation: {
    call: 'getInvalidation',
    parameters: { DistributionId: 'distributionId', Id: 'invalidationId' },
    answer: { value: 'Invalidation.Status', createTime: 'Invalidation.CreateTime' },
    recent: false,
  },
  tenant: {
    call: 'getDistributionTenant',
    parameters: { Identifier: 'tenantId' },
    answer: { value: 'DistributionTenant.Status', eTag: 'ETag' },
    recent: true,
  },
  'tenant-invalidation': {
    call: 'getInvalidationForDistributionTenant',
    parameters: { DistributionTenantId: 'tenantId', Id: 'invalidationId' },
    answer: { value: 'Invalidation.Status', createTime: 'Invalidation.CreateTime' },
    recent: true,
  },
} as const satisfies Record<WatchKind, StatusCall>;
export type StatusCallName = (typeof STATUS_CALLS)[WatchKind]['call'];

/** "GetDistribution": the API operation of a kind's status check, which is also its IAM action. */
export function statusOperation(kind: WatchKind): string {
  const { call } = STATUS_CALLS[kind];
  return `${call.charAt(0).toUpperCase()}${call.slice(1)}`;
}

/** The kinds whose status call Step Functions may not know yet (STATUS_CALLS `recent`). */
export function isRecentStatusCall(kind: WatchKind): boolean {
  return STATUS_CALLS[kind].recent;
}

/** Where the state machine finds each value a notification template names. */
export const NOTIFICATION_FIELD_PATHS: Record<NotificationField, string> = {
  distributionId: PATHS.distributionId,
  invalidationId: PATHS.invalidationId,
  tenantId: PATHS.tenantId,
  eTag: PATHS.watchETag,
  currentETag: PATHS.statusETag,
  change: '$.watch.change',
  changedBy: '$.watch.changedBy',
  startedAt: '$.watch.startedAt',
  paths: '$.watch.paths',
  consoleUrl: '$.watch.consoleUrl',
  eventId: '$.watch.eventId',
  watchLimit: '$.watch.watchLimit',
  checks: PATHS.check,
  endedAt: PATHS.enteredTime,
  domainName: '$.status.domainName',
  errorName: '$.error.Error',
  errorCause: '$.error.Cause',
};

/** Error names the execution fails with, after the matching notification went out. */
export const WATCH_ERRORS = {
  distributionNotFound: 'DistributionNotFound',
  invalidationNotFound: 'InvalidationNotFound',
  tenantNotFound: 'DistributionTenantNotFound',
  timedOut: 'WatchTimedOut',
  checkFailed: 'StatusCheckFailed',
  invalidInput: 'InvalidWatchInput',
} as const;

/**
 * Every AWS error name the definition matches. The aws-sdk integration names a service's error
 * `ServiceName.ErrorName`, adding an Exception suffix where the API reference has none
 * (https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html); the Lambda that reads a
 * tenant's status throws the same names, so one Retry and Catch serve both ways of reading a status.
 */
export const AWS_ERRORS = {
  /** GetDistribution and GetInvalidation: https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_GetDistribution.html#API_GetDistribution_Errors */
  noSuchDistribution: 'CloudFront.NoSuchDistributionException',
  /** GetInvalidation(ForDistributionTenant): https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_GetInvalidation.html#API_GetInvalidation_Errors */
  noSuchInvalidation: 'CloudFront.NoSuchInvalidationException',
  /** Every CloudFront read: https://docs.aws.amazon.com/cloudfront/latest/APIReference/CommonErrors.html */
  accessDenied: 'CloudFront.AccessDeniedException',
  /** A tenant that does not exist: https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_GetDistributionTenant.html#API_GetDistributionTenant_Errors */
  entityNotFound: 'CloudFront.EntityNotFoundException',
  /**
   * A continuation whose name exists. The optimized integration arn:aws:states:::states:startExecution prefixes the
   * StartExecution errors (https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html#API_StartExecution_Errors)
   * with "StepFunctions."; only the aws-sdk:sfn integration would say "Sfn.", and nothing says "SFN.".
   * https://docs.aws.amazon.com/step-functions/latest/dg/connect-stepfunctions.html
   */
  executionAlreadyExists: 'StepFunctions.ExecutionAlreadyExistsException',
} as const;

/**
 * How each kind of watch ends, for the state machine and the sqs-retry status check alike. A supersedable kind
 * returns an ETag, so a Deployed answer with another ETag than the change made means a newer change superseded it.
 */
export const KIND_RULES = {
  distribution: {
    doneStatus: DISTRIBUTION_STATUS.done,
    doneOutcome: 'deployed',
    notFoundErrors: [AWS_ERRORS.noSuchDistribution],
    notFoundError: WATCH_ERRORS.distributionNotFound,
    supersedable: true,
  },
  invalidation: {
    doneStatus: INVALIDATION_STATUS.done,
    doneOutcome: 'completed',
    notFoundErrors: [AWS_ERRORS.noSuchInvalidation, AWS_ERRORS.noSuchDistribution],
    notFoundError: WATCH_ERRORS.invalidationNotFound,
    supersedable: false,
  },
  tenant: {
    doneStatus: TENANT_STATUS.done,
    doneOutcome: 'deployed',
    notFoundErrors: [AWS_ERRORS.entityNotFound],
    notFoundError: WATCH_ERRORS.tenantNotFound,
    supersedable: true,
  },
  'tenant-invalidation': {
    doneStatus: INVALIDATION_STATUS.done,
    doneOutcome: 'completed',
    notFoundErrors: [AWS_ERRORS.noSuchInvalidation, AWS_ERRORS.entityNotFound],
    notFoundError: WATCH_ERRORS.invalidationNotFound,
    supersedable: false,
  },
} as const satisfies Record<WatchKind, KindRule>;

interface KindRule {
  readonly doneStatus: string;
  readonly doneOutcome: Outcome;
  readonly notFoundErrors: readonly string[];
  readonly notFoundError: string;
  readonly supersedable: boolean;
}

export interface KindStateNames {
  readonly getStatus: string;
  readonly isDone: string;
  readonly wait: string;
  readonly nextCheck: string;
  readonly notifyDone: string;
  readonly done: string;
  readonly notifyNotFound: string;
  readonly notFound: string;
  readonly notifyTimedOut: string;
  readonly notifyCheckFailed: string;
  /** Supersedable kinds only: the ETag comparison, its notification and its end. */
  readonly sameETag?: string;
  readonly notifySuperseded?: string;
  readonly superseded?: string;
}

export const STATE_NAMES = {
  chooseKind: 'Which kind of change?',
  invalidInput: 'Not a watch input',
  handOver: 'Hand over to a new execution',
  continueWatch: 'Continue watch in a new execution',
  continued: 'Watch continues in a new execution',
  timedOut: 'Watch timed out',
  checkFailed: 'Status check failed',
  distribution: {
    getStatus: 'Get distribution status',
    isDone: 'Deployed?',
    wait: 'Wait before next distribution check',
    nextCheck: 'Next distribution check in',
    notifyDone: 'Notify deployed',
    done: 'Change is deployed',
    notifyNotFound: 'Notify distribution not found',
    notFound: 'Distribution not found',
    notifyTimedOut: 'Notify still deploying',
    notifyCheckFailed: 'Notify distribution check failed',
    sameETag: 'Deployed with the ETag of this change?',
    notifySuperseded: 'Notify deployed with a newer change',
    superseded: 'Change is superseded by a newer one',
  },
  invalidation: {
    getStatus: 'Get invalidation status',
    isDone: 'Completed?',
    wait: 'Wait before next invalidation check',
    nextCheck: 'Next invalidation check in',
    notifyDone: 'Notify invalidation completed',
    done: 'Invalidation is completed',
    notifyNotFound: 'Notify invalidation not found',
    notFound: 'Invalidation not found',
    notifyTimedOut: 'Notify invalidation still in progress',
    notifyCheckFailed: 'Notify invalidation check failed',
  },
  tenant: {
    getStatus: 'Get tenant status',
    isDone: 'Tenant deployed?',
    wait: 'Wait before next tenant check',
    nextCheck: 'Next tenant check in',
    notifyDone: 'Notify tenant deployed',
    done: 'Tenant change is deployed',
    notifyNotFound: 'Notify tenant not found',
    notFound: 'Tenant not found',
    notifyTimedOut: 'Notify tenant still deploying',
    notifyCheckFailed: 'Notify tenant check failed',
    sameETag: 'Tenant deployed with the ETag of this change?',
    notifySuperseded: 'Notify tenant deployed with a newer change',
    superseded: 'Tenant change is superseded by a newer one',
  },
  'tenant-invalidation': {
    getStatus: 'Get tenant invalidation status',
    isDone: 'Tenant invalidation completed?',
    wait: 'Wait before next tenant invalidation check',
    nextCheck: 'Next tenant invalidation check in',
    notifyDone: 'Notify tenant invalidation completed',
    done: 'Tenant invalidation is completed',
    notifyNotFound: 'Notify tenant invalidation not found',
    notFound: 'Tenant invalidation not found',
    notifyTimedOut: 'Notify tenant invalidation still in progress',
    notifyCheckFailed: 'Notify tenant invalidation check failed',
  },
} as const satisfies Record<WatchKind, KindStateNames> & Record<string, unknown>;

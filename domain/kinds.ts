/**
 * The one table of kinds of watch. Every per-kind fact lives in its entry: the schedule it follows, the CloudFront call
 * that reads its status and what is kept of the answer, how it ends, what it is authorized on, and the names of its
 * states in the console graph. The state machine, the Lambdas that read a status, the simulator and the IAM grants
 * all derive from it; adding a kind is one entry here plus its words (notification texts in notification.ts).
 */
import { AWS_ERRORS, WATCH_ERRORS } from './errors';
import type { ScheduleKind } from './schedule';

/** What a watch follows: a distribution or a distribution tenant deploying, or an invalidation of either. */
export const WATCH_KINDS = ['distribution', 'invalidation', 'tenant', 'tenant-invalidation'] as const;
export type WatchKind = (typeof WATCH_KINDS)[number];

/** How a watch ends; each kind ends with some of these (its notification texts say which). */
export const OUTCOMES = ['deployed', 'completed', 'superseded', 'not-found', 'timed-out', 'check-failed'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** The statuses CloudFront reports; none of them means failed, so a watch enforces its own limit. */
export const CLOUDFRONT_STATUS = { inProgress: 'InProgress', deployed: 'Deployed', completed: 'Completed' } as const;
/**
 * The status a watch records for a check CloudFront did not answer (throttled or failing, after retries): no kind is
 * done with it, so the watch goes on to its next scheduled check as after InProgress.
 */
export const NO_ANSWER_STATUS = 'NoAnswer';

/** A field of the watch that identifies what is checked: where a status call's parameters are read from. */
export type WatchIdField = 'distributionId' | 'invalidationId' | 'tenantId';

export interface StatusCall {
  /** The CloudFront operation as the aws-sdk integration names it (camelCase); capitalized, it is the IAM action. */
  readonly call: string;
  /** Each request parameter and the watch field it is read from. */
  readonly parameters: Readonly<Record<string, WatchIdField>>;
  /** What the workflow keeps of the answer, as $.status: each key and its dotted path in the API's response. */
  readonly answer: Readonly<Record<string, string>>;
  /**
   * CloudFront added this call in 2025. Step Functions adds new SDK actions to its aws-sdk integrations late ("not
   * immediately available", https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html), and
   * CreateStateMachine refuses an action it does not know, so such a call is made by a Lambda unless the user opts in.
   */
  readonly recent: boolean;
}

/** The names of a kind's states, as a person reads them in the Step Functions console graph. */
export interface KindStateNames {
  readonly getStatus: string;
  /** Counts a check that got no answer and routes on as if CloudFront had said InProgress. */
  readonly noAnswer: string;
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

export interface KindDefinition {
  /** The schedule of checks it follows: a tenant deploys like a distribution, and its invalidations clear like any. */
  readonly schedule: ScheduleKind;
  readonly statusCall: StatusCall;
  readonly inProgressStatus: string;
  readonly doneStatus: string;
  readonly doneOutcome: Outcome;
  /** The AWS errors of its status call that mean the resource is gone, and the error its watch then ends with. */
  readonly notFoundErrors: readonly string[];
  readonly notFoundError: string;
  /** Its status call returns an ETag: Deployed with another ETag than the change made means a newer change superseded it. */
  readonly supersedable: boolean;
  /**
   * The CloudFront resource type its status read is authorized on, per the Service Authorization Reference:
   * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudfront.html
   */
  readonly resourceType: 'distribution' | 'distribution-tenant';
  /** The id its notifications carry as a message attribute: SNS refuses empty values, and a tenant watch may not know its distribution. */
  readonly idAttribute: 'distributionId' | 'tenantId';
  readonly states: KindStateNames;
}

export const KINDS = {
  distribution: {
    schedule: 'distribution',
    statusCall: {
      call: 'getDistribution',
      parameters: { Id: 'distributionId' },
      answer: { value: 'Distribution.Status', domainName: 'Distribution.DomainName', eTag: 'ETag' },
      recent: false,
    },
    inProgressStatus: CLOUDFRONT_STATUS.inProgress,
    doneStatus: CLOUDFRONT_STATUS.deployed,
    doneOutcome: 'deployed',
    notFoundErrors: [AWS_ERRORS.noSuchDistribution],
    notFoundError: WATCH_ERRORS.distributionNotFound,
    supersedable: true,
    resourceType: 'distribution',
    idAttribute: 'distributionId',
    states: {
      getStatus: 'Get distribution status',
      noAnswer: 'No answer to distribution check',
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
  },
  invalidation: {
    schedule: 'invalidation',
    statusCall: {
      call: 'getInvalidation',
      parameters: { DistributionId: 'distributionId', Id: 'invalidationId' },
      answer: { value: 'Invalidation.Status', createTime: 'Invalidation.CreateTime' },
      recent: false,
    },
    inProgressStatus: CLOUDFRONT_STATUS.inProgress,
    doneStatus: CLOUDFRONT_STATUS.completed,
    doneOutcome: 'completed',
    notFoundErrors: [AWS_ERRORS.noSuchInvalidation, AWS_ERRORS.noSuchDistribution],
    notFoundError: WATCH_ERRORS.invalidationNotFound,
    supersedable: false,
    resourceType: 'distribution',
    idAttribute: 'distributionId',
    states: {
      getStatus: 'Get invalidation status',
      noAnswer: 'No answer to invalidation check',
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
  },
  tenant: {
    schedule: 'distribution',
    statusCall: {
      call: 'getDistributionTenant',
      parameters: { Identifier: 'tenantId' },
      answer: { value: 'DistributionTenant.Status', eTag: 'ETag' },
      recent: true,
    },
    inProgressStatus: CLOUDFRONT_STATUS.inProgress,
    doneStatus: CLOUDFRONT_STATUS.deployed,
    doneOutcome: 'deployed',
    notFoundErrors: [AWS_ERRORS.entityNotFound],
    notFoundError: WATCH_ERRORS.tenantNotFound,
    supersedable: true,
    resourceType: 'distribution-tenant',
    idAttribute: 'tenantId',
    states: {
      getStatus: 'Get tenant status',
      noAnswer: 'No answer to tenant check',
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
  },
  'tenant-invalidation': {
    schedule: 'invalidation',
    statusCall: {
      call: 'getInvalidationForDistributionTenant',
      parameters: { DistributionTenantId: 'tenantId', Id: 'invalidationId' },
      answer: { value: 'Invalidation.Status', createTime: 'Invalidation.CreateTime' },
      recent: true,
    },
    inProgressStatus: CLOUDFRONT_STATUS.inProgress,
    doneStatus: CLOUDFRONT_STATUS.completed,
    doneOutcome: 'completed',
    notFoundErrors: [AWS_ERRORS.noSuchInvalidation, AWS_ERRORS.entityNotFound],
    notFoundError: WATCH_ERRORS.invalidationNotFound,
    supersedable: false,
    resourceType: 'distribution-tenant',
    idAttribute: 'tenantId',
    states: {
      getStatus: 'Get tenant invalidation status',
      noAnswer: 'No answer to tenant invalidation check',
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
  },
} as const satisfies Record<WatchKind, KindDefinition>;

/** The status call names there are, as the aws-sdk integration and the local engine name them. */
export type StatusCallName = (typeof KINDS)[WatchKind]['statusCall']['call'];

/** "GetDistribution": the API operation of a kind's status check, which is also its IAM action. */
export function statusOperation(kind: WatchKind): string {
  const { call } = KINDS[kind].statusCall;
  return `${call.charAt(0).toUpperCase()}${call.slice(1)}`;
}

/** The kinds whose status call Step Functions may not know yet (`recent`). */
export function isRecentStatusCall(kind: WatchKind): boolean {
  return KINDS[kind].statusCall.recent;
}

/** The kind whose status call this is: the simulator and the live run answer by call name. */
export function kindOfStatusCall(call: StatusCallName): WatchKind {
  return WATCH_KINDS.find((kind) => KINDS[kind].statusCall.call === call)!;
}

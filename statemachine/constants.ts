/** Names and JSONPaths of the watch state machine, shared by the definition, the tests and the tools. */
import type { WatchKind } from '../functions/shared/cloudtrail';
import type { NotificationField } from '../functions/shared/notification';

export const DISTRIBUTION_STATUS = { inProgress: 'InProgress', done: 'Deployed' } as const;
export const INVALIDATION_STATUS = { inProgress: 'InProgress', done: 'Completed' } as const;

export const PATHS = {
  kind: '$.watch.kind',
  distributionId: '$.watch.distributionId',
  invalidationId: '$.watch.invalidationId',
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

/** Where the state machine finds each value a notification template names. */
export const NOTIFICATION_FIELD_PATHS: Record<NotificationField, string> = {
  distributionId: PATHS.distributionId,
  invalidationId: PATHS.invalidationId,
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
  timedOut: 'WatchTimedOut',
  checkFailed: 'StatusCheckFailed',
  invalidInput: 'InvalidWatchInput',
} as const;

/** CloudFront errors as the aws-sdk integration names them. */
export const CLOUDFRONT_ERRORS = {
  noSuchDistribution: 'CloudFront.NoSuchDistributionException',
  noSuchInvalidation: 'CloudFront.NoSuchInvalidationException',
  accessDenied: 'CloudFront.AccessDeniedException',
} as const;
export const EXECUTION_ALREADY_EXISTS = 'SFN.ExecutionAlreadyExistsException';

interface KindStateNames {
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
}

export const STATE_NAMES = {
  chooseKind: 'Distribution or invalidation?',
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
} as const satisfies Record<WatchKind, KindStateNames> & Record<string, unknown>;

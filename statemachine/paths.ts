/**
 * The JSONPaths the definition reads and writes, built from the execution's type: a field renamed in
 * domain/watch-execution.ts fails the type check here instead of failing the workflow at run time.
 */
import type { KINDS, WatchKind } from '../domain/kinds';
import type { WatchFinish } from '../domain/change-event';
import type { ChatNotification, NotificationField } from '../domain/notification';
import type { WatchExecutionInput } from '../domain/watch-execution';

/** What a kind's status Task keeps of CloudFront's answer, in any kind. */
type StatusKey = { [K in WatchKind]: keyof (typeof KINDS)[K]['statusCall']['answer'] }[WatchKind];

/** What an execution holds while it runs: its input, and what its states add under their ResultPath. */
export interface ExecutionState extends Omit<WatchExecutionInput, 'status'> {
  readonly status?: Readonly<Partial<Record<StatusKey, string>>>;
  /** A caught error, as Step Functions hands it to a Catch. */
  readonly error?: { readonly Error: string; readonly Cause: string };
  readonly notification?: { readonly outcome: string; readonly messageId: string };
  /** With chat channels: the chat message, written just before the notification is published. */
  readonly chat?: ChatNotification;
  readonly continuation?: { readonly executionArn: string };
  /** Set when the notification could not be sent: the error the publish Task caught. */
  readonly notificationError?: { readonly Error: string; readonly Cause: string };
  /** Set at the end of a watch: how it ended, for the Change Finished event and the watch metrics. */
  readonly finished?: Omit<WatchFinish, 'outcome'> & { readonly outcome: string };
  /** The Change Finished event's id, or the error that kept it from EventBridge. */
  readonly changeEvent?: { readonly eventId: string } | { readonly Error: string; readonly Cause: string };
  /** With a read budget: the seconds to wait for this check's read slot, or the error that kept the slot from it. */
  readonly slot?: { readonly waitSeconds?: number; readonly Error?: string; readonly Cause?: string };
  /** The error that kept the watch metrics from CloudWatch. */
  readonly metricsError?: { readonly Error: string; readonly Cause: string };
  /**
   * backOffSeconds: the extra wait while CloudFront does not answer (BackOffRules), and backedOffSeconds all of it so
   * far; the dispatcher leaves both out and the workflow starts them at 0.
   */
  readonly progress: WatchExecutionInput['progress'] & {
    readonly backOffSeconds?: number;
    readonly backedOffSeconds?: number;
  };
}

type Key<T> = Extract<keyof NonNullable<T>, string>;

/** "$.watch.distributionId" from ('watch', 'distributionId'), checked against ExecutionState. */
export function jsonPath<A extends Key<ExecutionState>>(a: A): `$.${A}`;
export function jsonPath<A extends Key<ExecutionState>, B extends Key<ExecutionState[A]>>(a: A, b: B): `$.${A}.${B}`;
export function jsonPath(...keys: string[]): string {
  return `$.${keys.join('.')}`;
}

export const PATHS = {
  kind: jsonPath('watch', 'kind'),
  distributionId: jsonPath('watch', 'distributionId'),
  invalidationId: jsonPath('watch', 'invalidationId'),
  tenantId: jsonPath('watch', 'tenantId'),
  /** The ETag the watched change produced (absent when the record has none), and the one CloudFront reports now. */
  watchETag: jsonPath('watch', 'eTag'),
  statusETag: jsonPath('status', 'eTag'),
  executionName: jsonPath('watch', 'executionName'),
  watch: jsonPath('watch'),
  progress: jsonPath('progress'),
  check: jsonPath('progress', 'check'),
  maxChecks: jsonPath('progress', 'maxChecks'),
  continueAt: jsonPath('progress', 'continueAt'),
  part: jsonPath('progress', 'part'),
  unanswered: jsonPath('progress', 'unanswered'),
  backOffSeconds: jsonPath('progress', 'backOffSeconds'),
  backedOffSeconds: jsonPath('progress', 'backedOffSeconds'),
  waitSeconds: jsonPath('progress', 'waitSeconds'),
  elapsedSeconds: jsonPath('progress', 'elapsedSeconds'),
  notificationError: jsonPath('notificationError'),
  finished: jsonPath('finished'),
  changeEvent: jsonPath('changeEvent'),
  metricsError: jsonPath('metricsError'),
  finishedOutcome: jsonPath('finished', 'outcome'),
  finishedChecks: jsonPath('finished', 'checks'),
  finishedDuration: jsonPath('finished', 'durationSeconds'),
  status: jsonPath('status'),
  statusValue: jsonPath('status', 'value'),
  error: jsonPath('error'),
  slot: jsonPath('slot'),
  slotWaitSeconds: jsonPath('slot', 'waitSeconds'),
  notification: jsonPath('notification'),
  chat: jsonPath('chat'),
  continuation: jsonPath('continuation'),
  /** The context object's time the current state was entered: when a notification says the watch ended. */
  enteredTime: '$$.State.EnteredTime',
} as const;

/** Where the state machine finds each value a notification template names. */
export const NOTIFICATION_FIELD_PATHS: Record<NotificationField, string> = {
  distributionId: PATHS.distributionId,
  invalidationId: PATHS.invalidationId,
  tenantId: PATHS.tenantId,
  eTag: PATHS.watchETag,
  currentETag: PATHS.statusETag,
  change: jsonPath('watch', 'change'),
  changedBy: jsonPath('watch', 'changedBy'),
  startedAt: jsonPath('watch', 'startedAt'),
  paths: jsonPath('watch', 'paths'),
  consoleUrl: jsonPath('watch', 'consoleUrl'),
  eventId: jsonPath('watch', 'eventId'),
  watchLimit: jsonPath('watch', 'watchLimit'),
  checks: PATHS.check,
  unanswered: PATHS.unanswered,
  endedAt: PATHS.enteredTime,
  domainName: jsonPath('status', 'domainName'),
  errorName: jsonPath('error', 'Error'),
  errorCause: jsonPath('error', 'Cause'),
};

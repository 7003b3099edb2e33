/**
 * Where the sqs-retry checker finds each value a notification template names: the code twin of the state
 * machine's NOTIFICATION_FIELD_PATHS (statemachine/paths.ts). Both fill the templates of domain/notification.ts,
 * so the two modes send the same words for the same change and outcome.
 */
import type { NotificationValues } from '../../domain/notification';
import type { WatchDetails } from '../../domain/watch-execution';

/** What one status check learned, next to the watch it belongs to. */
export interface CheckFacts {
  /** The same details the dispatcher hands a state machine execution. */
  readonly watch: WatchDetails;
  /** Number of this check: the message's ApproximateReceiveCount, as $.progress.check in the state machine. */
  readonly check: number;
  /** When the check was made; the state machine writes its $$.State.EnteredTime in the same ISO form. */
  readonly checkedAt: Date;
  /** From the GetDistribution answer, as $.status.domainName. */
  readonly domainName?: string;
  /** The ETag CloudFront reports now, as $.status.eTag. */
  readonly currentETag?: string;
  /** As $.error.Error and $.error.Cause in the state machine: the integration's error name and the message. */
  readonly error?: { readonly name: string; readonly cause: string };
  /** This check got no answer (throttled or failing, after the SDK's retries). */
  readonly unanswered?: boolean;
}

/**
 * $.progress.unanswered has no twin: SQS hands the same message back on every check and nothing can be added to it, so
 * only this check is known. The count says so, as a lower bound.
 */
function unansweredAtLeast(facts: CheckFacts): string {
  return `${facts.unanswered ? 1 : 0} or more`;
}

export function notificationValues(facts: CheckFacts): NotificationValues {
  const { watch } = facts;
  return {
    distributionId: watch.distributionId,
    invalidationId: watch.invalidationId ?? '',
    tenantId: watch.tenantId ?? '',
    eTag: watch.eTag ?? '',
    currentETag: facts.currentETag ?? '',
    change: watch.change,
    changedBy: watch.changedBy,
    startedAt: watch.startedAt,
    paths: watch.paths ?? '',
    consoleUrl: watch.consoleUrl,
    eventId: watch.eventId,
    watchLimit: watch.watchLimit,
    checks: facts.check,
    unanswered: unansweredAtLeast(facts),
    endedAt: facts.checkedAt.toISOString(),
    domainName: facts.domainName ?? '',
    errorName: facts.error?.name ?? '',
    errorCause: facts.error?.cause ?? '',
  };
}

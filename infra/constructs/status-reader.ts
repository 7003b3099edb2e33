import { Duration } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { watchKindsOf } from '../../domain/cloudtrail';
import { grantReadCloudFrontStatus } from './cloudfront-status-reads';
import type { LogOptions } from './log-options';
import { NotifierFunction } from './notifier-function';
import { type WatchKind, isRecentStatusCall } from '../../domain/kinds';

/** A status read is one CloudFront call, made once: the state machine's Retry does the retrying. */
const STATUS_READER_TIMEOUT = Duration.seconds(10);

/** The log options apply to the function's log group. */
export interface StatusReaderProps extends LogOptions {
  /** CloudTrail event names that start a watch: the function reads the recent kinds among the kinds they start. */
  readonly watchedEvents: readonly string[];
}

/** The kinds whose status call is recent among those the events start; refuses events that start none. */
function recentKindsOf(watchedEvents: readonly string[]): readonly WatchKind[] {
  const kinds = watchKindsOf(watchedEvents).filter(isRecentStatusCall);
  if (kinds.length === 0)
    throw new Error('StatusReader: none of the watched events starts a kind whose status call is recent');
  return kinds;
}

/**
 * The Lambda the state machine asks for a status whose CloudFront call Step Functions' aws-sdk integration may not
 * know yet (STATUS_CALLS `recent`: the tenant reads), so that a stack watching tenants deploys either way. Its errors
 * are not alarmed: a not-found or a throttled read is an error here by design, and the state machine handles it.
 */
export class StatusReader extends NotifierFunction {
  /** The kinds whose status this function reads. */
  readonly kinds: readonly WatchKind[];

  constructor(scope: Construct, id: string, props: StatusReaderProps) {
    const kinds = recentKindsOf(props.watchedEvents);
    super(scope, id, {
      entry: 'status-reader/handler.ts',
      description:
        'Reads the status of a CloudFront distribution tenant or tenant invalidation for the watch state machine',
      roleDescription: 'Reads CloudFront distribution tenant and tenant invalidation status',
      timeout: STATUS_READER_TIMEOUT,
      logRetention: props.logRetention,
      logRemovalPolicy: props.logRemovalPolicy,
    });
    this.kinds = kinds;
    grantReadCloudFrontStatus(this, this.function, {
      watchedEvents: props.watchedEvents,
      distributionIds: [],
      kinds: this.kinds,
    });
  }
}

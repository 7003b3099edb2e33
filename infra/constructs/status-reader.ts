import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import { watchKindsOf } from '../../domain/cloudtrail';
import type { LogOptions } from '../operations';
import { bundledFunction, grantReadCloudFrontStatus } from './notifier-function';
import { type WatchKind, isRecentStatusCall } from '../../domain/kinds';

/** A status read is one CloudFront call, made once: the state machine's Retry does the retrying. */
const STATUS_READER_TIMEOUT_SECONDS = 10;

/** The log options apply to the function's logs. */
export interface StatusReaderProps extends LogOptions {
  /** CloudTrail event names that start a watch: the function reads the recent kinds among the kinds they start. */
  readonly watchedEvents: readonly string[];
}

/**
 * The Lambda the state machine asks for a status whose CloudFront call Step Functions' aws-sdk integration may not
 * know yet (KINDS `recent`: the tenant reads), so that a stack watching tenants deploys either way. Its errors
 * are not alarmed: a not-found or a throttled read is an error here by design, and the state machine handles it.
 */
export class StatusReader extends Construct {
  readonly function: NodejsFunction;
  /** The kinds whose status this function reads. */
  readonly kinds: readonly WatchKind[];

  constructor(scope: Construct, id: string, props: StatusReaderProps) {
    super(scope, id);
    this.kinds = watchKindsOf(props.watchedEvents).filter(isRecentStatusCall);
    if (this.kinds.length === 0)
      throw new Error('StatusReader: none of the watched events starts a kind whose status call is recent');
    this.function = bundledFunction(this, {
      entry: 'status-reader/handler.ts',
      description:
        'Reads the status of a CloudFront distribution tenant or tenant invalidation for the watch state machine',
      roleDescription: 'Reads CloudFront distribution tenant and tenant invalidation status',
      environment: {},
      timeoutSeconds: STATUS_READER_TIMEOUT_SECONDS,
      logRetention: props.logRetention,
      logRemovalPolicy: props.logRemovalPolicy,
    });
    grantReadCloudFrontStatus(this, this.function, {
      watchedEvents: props.watchedEvents,
      distributionIds: [],
      kinds: this.kinds,
    });
  }
}

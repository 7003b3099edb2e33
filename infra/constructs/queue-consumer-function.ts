import type { Duration } from 'aws-cdk-lib';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { WATCH_SETTINGS_ENV, type WatchSettings } from '../../domain/settings';
import { checkEnvironmentSize } from './lambda-environment-size';
import type { LogOptions } from './log-options';
import { NotifierFunction, type NotifierFunctionProps } from './notifier-function';

/** What the stack hands each function that consumes the buffer queue (the dispatcher, the sqs-retry status check). */
export interface QueueConsumerProps extends LogOptions {
  /** The queue the function consumes, with ReportBatchItemFailures. */
  readonly queue: sqs.IQueue;
  /** What is watched, how long and how often: handed to the running code in WATCH_SETTINGS_ENV. */
  readonly settings: WatchSettings;
  /** How long one invocation may run; the queue's visibility timeout must be at least six times longer. */
  readonly timeout: Duration;
}

export interface QueueConsumerFunctionProps extends QueueConsumerProps, NotifierFunctionProps {
  /** Records per invocation. */
  readonly batchSize: number;
  /**
   * How long SQS gathers a batch.
   * @default - no batching window: records are handed over at once
   */
  readonly maxBatchingWindow?: Duration;
}

/**
 * A NotifierFunction that consumes the buffer queue: the watch settings travel in WATCH_SETTINGS_ENV, checked against
 * Lambda's 4 KB environment quota, and an SQS event source reports failed records one by one.
 */
export class QueueConsumerFunction extends NotifierFunction {
  readonly eventSource: SqsEventSource;

  constructor(scope: Construct, id: string, props: QueueConsumerFunctionProps) {
    super(scope, id, {
      ...props,
      environment: { ...props.environment, [WATCH_SETTINGS_ENV]: JSON.stringify(props.settings) },
    });
    // Here, not in config.ts: only the function sees every variable it gets, so the size is measured, not estimated.
    checkEnvironmentSize(this, this.environment, props.settings);
    this.eventSource = new SqsEventSource(props.queue, {
      batchSize: props.batchSize,
      reportBatchItemFailures: true,
      ...(props.maxBatchingWindow ? { maxBatchingWindow: props.maxBatchingWindow } : {}),
    });
    this.function.addEventSource(this.eventSource);
  }
}

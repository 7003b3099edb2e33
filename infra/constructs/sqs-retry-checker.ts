import { Stack, type Duration } from 'aws-cdk-lib';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { grantReadCloudFrontStatus } from './cloudfront-status-reads';
import { grantPublish } from './notification-topic';
import { grantPutChangeEvent } from './watch-end-grants';
import { QueueConsumerFunction, type QueueConsumerProps } from './queue-consumer-function';
import { SQS_RETRY_ENV } from '../../domain/settings';

/**
 * Records per invocation: the most SQS hands over without a batching window, which would delay every check. Records
 * are checked in parallel and each keeps or releases its own message, so a batch costs one invocation, not ten.
 */
export const SQS_RETRY_BATCH_SIZE = 10;

export interface SqsRetryCheckerProps extends QueueConsumerProps {
  /** The queue's visibility timeout: when a message comes back that the function did not reschedule. */
  readonly visibilityTimeout: Duration;
  /** Where the function publishes each finished watch's notification; it may publish there and use the topic's key. */
  readonly topic: sns.ITopic;
  /**
   * The event bus that receives the Change Finished event of every watch; the function may put events there only.
   * @default - no event
   */
  readonly eventBusName?: string;
}

/** Mode sqs-retry: a Lambda checks each buffered change once per delivery and lets SQS bring it back until done. */
export class SqsRetryChecker extends QueueConsumerFunction {
  constructor(scope: Construct, id: string, props: SqsRetryCheckerProps) {
    super(scope, id, {
      entry: 'sqs-retry/handler.ts',
      description: 'Checks a buffered CloudFront change once per SQS delivery and notifies when it is done',
      roleDescription: 'Checks buffered CloudFront changes and publishes their notifications',
      // The queue's event source grants sqs:ChangeMessageVisibility, which the function also calls itself.
      ...props,
      environment: {
        [SQS_RETRY_ENV.topicArn]: props.topic.topicArn,
        [SQS_RETRY_ENV.queueUrl]: props.queue.queueUrl,
        [SQS_RETRY_ENV.visibilityTimeoutSeconds]: String(props.visibilityTimeout.toSeconds()),
        [SQS_RETRY_ENV.notifier]: Stack.of(scope).stackName,
        ...(props.eventBusName === undefined ? {} : { [SQS_RETRY_ENV.eventBusName]: props.eventBusName }),
      },
      batchSize: SQS_RETRY_BATCH_SIZE,
    });
    grantReadCloudFrontStatus(this, this.function, props.settings);
    grantPublish(props.topic, this.function);
    // The watch metrics go out as embedded metric format in the function's log: no PutMetricData permission.
    if (props.eventBusName !== undefined) grantPutChangeEvent(this, this.function, props.eventBusName);
  }
}

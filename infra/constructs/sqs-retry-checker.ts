import { Lazy, Stack, type Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
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
   * With the reconciliation sweep on: the function searches its own log group for a watch the sweep started of a late
   * event's change, and drops the event's message when there is one (functions/sqs-retry/check.ts).
   * @default false
   */
  readonly findsSweptWatches?: boolean;
  /**
   * Chat channels are subscribed to the topic: each notification carries a chat message besides the email text.
   * @default false
   */
  readonly chat?: boolean;
  /**
   * The event bus that receives the Change Finished event of every watch; the function may put events there only.
   * @default - no event
   */
  readonly eventBusName?: string;
}

/** Mode sqs-retry: a Lambda checks each buffered change once per delivery and lets SQS bring it back until done. */
export class SqsRetryChecker extends QueueConsumerFunction {
  constructor(scope: Construct, id: string, props: SqsRetryCheckerProps) {
    // The function's own log group exists only once super() has made it; the environment is measured with its name.
    const own: { logGroup?: logs.ILogGroup } = {};
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
        ...(props.findsSweptWatches
          ? { [SQS_RETRY_ENV.sweptWatchLogGroupName]: Lazy.string({ produce: () => own.logGroup!.logGroupName }) }
          : {}),
        ...(props.chat ? { [SQS_RETRY_ENV.chat]: 'true' } : {}),
        [SQS_RETRY_ENV.notifier]: Stack.of(scope).stackName,
        ...(props.eventBusName === undefined ? {} : { [SQS_RETRY_ENV.eventBusName]: props.eventBusName }),
      },
      batchSize: SQS_RETRY_BATCH_SIZE,
    });
    own.logGroup = this.logGroup;
    grantReadCloudFrontStatus(this, this.function, props.settings);
    grantPublish(props.topic, this.function);
    if (props.findsSweptWatches) {
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'FindSweptWatches',
          actions: ['logs:FilterLogEvents'],
          resources: [this.logGroup.logGroupArn],
        }),
      );
    }
    // The watch metrics go out as embedded metric format in the function's log: no PutMetricData permission.
    if (props.eventBusName !== undefined) grantPutChangeEvent(this, this.function, props.eventBusName);
  }
}

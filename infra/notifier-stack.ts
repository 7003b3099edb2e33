import { CfnOutput, Duration, Stack, Token, type StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { watchKindsOf } from '../domain/cloudtrail';
import { buildSchedule } from '../domain/schedule';
import type { WatchSettings } from '../domain/settings';
import { SQS_RETRY_CHECKER_TIMEOUT_SECONDS, sqsRetryMaxReceiveCount } from '../domain/receive-budget';
import { DISPATCHER_TIMEOUT_SECONDS, type NotifierConfig } from './config';
import { ChangeEventCapture } from './constructs/change-event-capture';
import { Dispatcher } from './constructs/dispatcher';
import { NotificationTopic } from './constructs/notification-topic';
import { StatusCheckConsumer } from './constructs/status-check-consumer';
import { StatusReader } from './constructs/status-reader';
import { WatchStateMachine } from './constructs/watch-state-machine';
import { logOptions, Operations, type OperationsProps } from './operations';
import { isRecentStatusCall } from '../domain/kinds';

/** CloudTrail records CloudFront calls in us-east-1 only, and EventBridge rules see their own Region only. */
export const REQUIRED_REGION = 'us-east-1';

export interface NotifierStackProps extends StackProps {
  readonly config: NotifierConfig;
}

/** capture → buffer → dispatch → watch → notify */
export class NotifierStack extends Stack {
  readonly capture: ChangeEventCapture;
  readonly notifications: NotificationTopic;
  /** Mode stepfunctions with a tenant call watched and tenantStatusCheck lambda: reads the tenant statuses. */
  readonly statusReader?: StatusReader;
  /** Mode sqs-retry only: the Lambda that checks each buffered change once per delivery. */
  readonly statusCheck?: StatusCheckConsumer;
  readonly operations: Operations;

  constructor(scope: Construct, id: string, props: NotifierStackProps) {
    super(scope, id, props);
    if (Token.isUnresolved(this.region) || this.region !== REQUIRED_REGION) {
      throw new Error(
        `The CloudFront change notifier must be deployed to ${REQUIRED_REGION}, not ${Token.isUnresolved(this.region) ? 'an unspecified Region' : this.region}: ` +
          'CloudFront reports its API calls to CloudTrail only in us-east-1, and an EventBridge rule only sees events of its own Region.',
      );
    }
    const { config } = props;

    this.notifications = new NotificationTopic(this, 'Notifications', { emails: config.notificationEmails });
    const settings: WatchSettings = {
      watchedEvents: config.watchedEvents,
      distributionIds: config.distributionIds,
      retentionSeconds: config.retentionSeconds,
      schedule: config.schedule,
    };
    this.capture = new ChangeEventCapture(this, 'Capture', {
      watchedEvents: config.watchedEvents,
      distributionIds: config.distributionIds,
      retentionSeconds: config.retentionSeconds,
      receiveWaitSeconds: config.receiveWaitSeconds,
      visibilityTimeoutSeconds: config.visibilityTimeoutSeconds,
      // In mode sqs-retry every status check is a receive: the redrive threshold follows from schedule and retention.
      ...(config.mode === 'sqs-retry' ? { maxReceiveCount: sqsRetryMaxReceiveCount(settings) } : {}),
    });

    const logging = logOptions(config);
    let alarmSources: OperationsProps['alarmSources'];
    if (config.mode === 'sqs-retry') {
      this.statusCheck = new StatusCheckConsumer(this, 'StatusCheck', {
        ...logging,
        queue: this.capture.queue,
        visibilityTimeoutSeconds: config.visibilityTimeoutSeconds,
        topic: this.notifications.topic,
        settings,
        timeoutSeconds: SQS_RETRY_CHECKER_TIMEOUT_SECONDS,
      });
      // A watched message stays in the queue for the whole watch here, so its age says nothing about the consumer.
      alarmSources = {
        deadLetterQueue: this.capture.deadLetterQueue,
        functions: { StatusCheck: this.statusCheck.function },
      };
      new CfnOutput(this, 'StatusCheckFunctionName', {
        value: this.statusCheck.function.functionName,
        description: 'Checks each change once per SQS delivery',
      });
      new CfnOutput(this, 'StatusCheckLogGroupName', {
        value: this.statusCheck.function.logGroup.logGroupName,
        description: 'Where the status check logs each watch; npm run smoke reads it',
      });
    } else {
      const readsRecentStatus =
        config.tenantStatusCheck === 'lambda' && watchKindsOf(config.watchedEvents).some(isRecentStatusCall);
      if (readsRecentStatus)
        this.statusReader = new StatusReader(this, 'StatusReader', { ...logging, watchedEvents: config.watchedEvents });
      const watch = new WatchStateMachine(this, 'Watch', {
        ...logging,
        topic: this.notifications.topic,
        schedules: {
          distribution: buildSchedule('distribution', settings.schedule),
          invalidation: buildSchedule('invalidation', settings.schedule),
        },
        retentionSeconds: config.retentionSeconds,
        watchedEvents: config.watchedEvents,
        distributionIds: config.distributionIds,
        ...(this.statusReader ? { statusReader: this.statusReader } : {}),
      });
      const dispatcher = new Dispatcher(this, 'Dispatcher', {
        ...logging,
        queue: this.capture.queue,
        stateMachine: watch.stateMachine,
        settings,
        timeoutSeconds: DISPATCHER_TIMEOUT_SECONDS,
      });
      alarmSources = {
        deadLetterQueue: this.capture.deadLetterQueue,
        bufferQueue: this.capture.queue,
        // One failed attempt is normal; an event still there after two visibility timeouts failed twice or is not consumed.
        maxBufferAge: Duration.seconds(2 * config.visibilityTimeoutSeconds),
        watch,
        functions: { Dispatcher: dispatcher.function },
      };
      new CfnOutput(this, 'StateMachineName', {
        value: watch.stateMachineName,
        description: 'One execution per watched change',
      });
      new CfnOutput(this, 'StateMachineArn', {
        value: watch.stateMachine.stateMachineArn,
        description: 'npm run smoke starts one execution here',
      });
    }

    this.operations = new Operations(this, 'Operations', { config, notifications: this.notifications, alarmSources });

    new CfnOutput(this, 'TopicArn', {
      value: this.notifications.topic.topicArn,
      description: 'Subscribe here for notifications',
    });
    new CfnOutput(this, 'BufferQueueUrl', {
      value: this.capture.queue.queueUrl,
      description: 'CloudTrail events waiting to be watched',
    });
    new CfnOutput(this, 'DeadLetterQueueUrl', {
      value: this.capture.deadLetterQueue.queueUrl,
      description: 'Events that could not be watched',
    });
  }
}

import { CfnOutput, Stack, Token, type StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { buildSchedule } from '../functions/shared/schedule';
import type { WatchSettings } from '../functions/shared/settings';
import { DISPATCHER_TIMEOUT_SECONDS, type NotifierConfig } from './config';
import { ChangeEventCapture } from './constructs/change-event-capture';
import { Dispatcher } from './constructs/dispatcher';
import { NotificationTopic } from './constructs/notification-topic';
import { WatchStateMachine } from './constructs/watch-state-machine';

/** CloudTrail records CloudFront calls in us-east-1 only, and EventBridge rules see their own Region only. */
export const REQUIRED_REGION = 'us-east-1';

export interface NotifierStackProps extends StackProps {
  readonly config: NotifierConfig;
}

/** capture → buffer → dispatch → watch → notify */
export class NotifierStack extends Stack {
  readonly capture: ChangeEventCapture;
  readonly notifications: NotificationTopic;

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
    this.capture = new ChangeEventCapture(this, 'Capture', {
      watchedEvents: config.watchedEvents,
      distributionIds: config.distributionIds,
      retentionSeconds: config.retentionSeconds,
      receiveWaitSeconds: config.receiveWaitSeconds,
      visibilityTimeoutSeconds: config.visibilityTimeoutSeconds,
    });

    const settings: WatchSettings = {
      watchedEvents: config.watchedEvents,
      distributionIds: config.distributionIds,
      retentionSeconds: config.retentionSeconds,
      schedule: config.schedule,
    };
    const watch = new WatchStateMachine(this, 'Watch', {
      topic: this.notifications.topic,
      schedules: {
        distribution: buildSchedule('distribution', settings.schedule),
        invalidation: buildSchedule('invalidation', settings.schedule),
      },
      retentionSeconds: config.retentionSeconds,
      distributionIds: config.distributionIds,
    });
    new Dispatcher(this, 'Dispatcher', {
      queue: this.capture.queue,
      stateMachine: watch.stateMachine,
      settings,
      timeoutSeconds: DISPATCHER_TIMEOUT_SECONDS,
    });

    new CfnOutput(this, 'TopicArn', { value: this.notifications.topic.topicArn, description: 'Subscribe here for notifications' });
    new CfnOutput(this, 'StateMachineName', { value: watch.stateMachineName, description: 'One execution per watched change' });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: this.capture.deadLetterQueue.queueUrl, description: 'Events that could not be watched' });
  }
}

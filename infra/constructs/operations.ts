import { CfnOutput, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { AccountTrail, type AccountTrailProps } from './account-trail';
import { NotifierAlarms, type NotifierAlarmsProps } from './alarms';
import { NotificationTopic } from './notification-topic';

/** The alarms on the notifier's own health, and where they go. */
export interface OperationsAlarmsOptions {
  /**
   * Addresses for alarms only: they get an alarm topic of their own, encrypted with the notification topic's key.
   * @default - alarms go to the notification topic
   */
  readonly emails?: readonly string[];
  /** What the mode has to watch: everything but the topic. */
  readonly sources: Omit<NotifierAlarmsProps, 'topic'>;
}

export interface OperationsProps {
  /** The notification topic: alarms go there unless they have addresses of their own, and its key encrypts the alarm topic. */
  readonly notifications: NotificationTopic;
  /**
   * CloudWatch alarms on the notifier's own health.
   * @default - no alarms
   */
  readonly alarms?: OperationsAlarmsOptions;
  /**
   * A multi-Region CloudTrail trail, for an account that has none.
   * @default - no trail: the account's own trail must log management events
   */
  readonly trail?: AccountTrailProps;
}

/** The parts that keep the notifier operable: its own alarms and, when asked for, the account's CloudTrail trail. */
export class Operations extends Construct {
  readonly alarms?: NotifierAlarms;
  /** Only when the alarms have addresses of their own; otherwise alarms go to the notification topic. */
  readonly alarmTopic?: NotificationTopic;
  readonly trail?: AccountTrail;

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    if (props.alarms) {
      const emails = props.alarms.emails ?? [];
      if (emails.length > 0) {
        this.alarmTopic = new NotificationTopic(this, 'AlarmNotifications', {
          emails,
          masterKey: props.notifications.key,
          displayName: 'CloudFront change notifier alarms',
        });
        new CfnOutput(Stack.of(this), 'AlarmTopicArn', {
          value: this.alarmTopic.topic.topicArn,
          description: 'Alarms about the notifier itself',
        });
      }
      this.alarms = new NotifierAlarms(this, 'Alarms', {
        ...props.alarms.sources,
        topic: (this.alarmTopic ?? props.notifications).topic,
      });
    }
    if (props.trail) {
      this.trail = new AccountTrail(this, 'Trail', props.trail);
      new CfnOutput(Stack.of(this), 'TrailBucketName', {
        value: this.trail.bucket.bucketName,
        description: 'CloudTrail log files (kept when the stack is deleted)',
      });
    }
  }
}

import { CfnOutput, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { NotifierConfig } from './config';
import { AccountTrail } from './constructs/account-trail';
import { NotifierAlarms, type NotifierAlarmsProps } from './constructs/alarms';
import { NotificationTopic } from './constructs/notification-topic';

/** How long a log group is kept, and whether it outlives the stack. */
export interface LogOptions {
  readonly logRetention: logs.RetentionDays;
  readonly logRemovalPolicy: RemovalPolicy;
}

/** Log retention and removal for every log group of the stack, from the config. */
export function logOptions(config: NotifierConfig): LogOptions {
  return {
    // LOG_RETENTION_DAYS lists exactly the numbers RetentionDays names.
    logRetention: config.logRetentionDays as logs.RetentionDays,
    logRemovalPolicy: config.logRemovalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
  };
}

export interface OperationsProps {
  readonly config: NotifierConfig;
  readonly notifications: NotificationTopic;
  /** What the mode has to watch: everything but the topic and the dead-letter queue. */
  readonly alarmSources: Omit<NotifierAlarmsProps, 'topic'>;
}

/** The parts that keep the notifier operable: its own alarms and, when asked for, the account's CloudTrail trail. */
export class Operations extends Construct {
  readonly alarms?: NotifierAlarms;
  /** Only when alarmEmails is set; otherwise alarms go to the notification topic. */
  readonly alarmTopic?: NotificationTopic;
  readonly trail?: AccountTrail;

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    const { config } = props;
    if (config.alarms) {
      if (config.alarmEmails.length > 0) {
        this.alarmTopic = new NotificationTopic(this, 'AlarmNotifications', {
          emails: config.alarmEmails,
          masterKey: props.notifications.key,
          displayName: 'CloudFront change notifier alarms',
        });
        new CfnOutput(Stack.of(this), 'AlarmTopicArn', {
          value: this.alarmTopic.topic.topicArn,
          description: 'Alarms about the notifier itself',
        });
      }
      this.alarms = new NotifierAlarms(this, 'Alarms', {
        ...props.alarmSources,
        topic: (this.alarmTopic ?? props.notifications).topic,
      });
    }
    if (config.createTrail) {
      this.trail = new AccountTrail(this, 'Trail', { retentionDays: config.trailRetentionDays });
      new CfnOutput(Stack.of(this), 'TrailBucketName', {
        value: this.trail.bucket.bucketName,
        description: 'CloudTrail log files (kept when the stack is deleted)',
      });
    }
  }
}

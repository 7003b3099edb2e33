import { CfnOutput, Duration, RemovalPolicy, Stack, Token, type StackProps } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { watchKindsOf } from '../domain/cloudtrail';
import { SQS_RETRY_CHECKER_TIMEOUT_SECONDS, sqsRetryMaxReceiveCount } from '../domain/receive-budget';
import { DISPATCHER_TIMEOUT_SECONDS, type LogsConfig, type NotifierConfig } from './config';
import { ChangeEventCapture } from './constructs/change-event-capture';
import { Dispatcher } from './constructs/dispatcher';
import type { LogOptions } from './constructs/log-options';
import { NotificationTopic } from './constructs/notification-topic';
import { Operations, type OperationsAlarmsOptions } from './constructs/operations';
import { SqsRetryChecker } from './constructs/sqs-retry-checker';
import { StatusReader } from './constructs/status-reader';
import { WatchStateMachine } from './constructs/watch-state-machine';
import { ReconciliationSweep } from './constructs/reconciliation-sweep';
import { isRecentStatusCall, KINDS } from '../domain/kinds';
import { CHECKER_LOG_MESSAGES } from '../domain/checker-log';
import { kindsToSweep } from '../domain/sweep';

/** CloudTrail records CloudFront calls in us-east-1 only, and EventBridge rules see their own Region only. */
export const REQUIRED_REGION = 'us-east-1';

export interface NotifierStackProps extends StackProps {
  /** What readConfig made of the CDK context. */
  readonly config: NotifierConfig;
}

/** The log options of every log group of the stack. */
function logOptions(config: LogsConfig): LogOptions {
  return {
    // LOG_RETENTION_DAYS lists exactly the numbers RetentionDays names.
    logRetention: config.retentionDays as logs.RetentionDays,
    logRemovalPolicy: config.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
  };
}

/** capture → buffer → dispatch → watch → notify */
export class NotifierStack extends Stack {
  readonly notifications: NotificationTopic;
  /** The notification topic. */
  readonly topic: sns.Topic;
  readonly capture: ChangeEventCapture;
  /** The buffer queue of captured changes. */
  readonly queue: sqs.Queue;
  /** Mode stepfunctions only: the state machine that follows each change. */
  readonly watch?: WatchStateMachine;
  /** Mode stepfunctions only: the Lambda that starts one watch execution per buffered change. */
  readonly dispatcher?: Dispatcher;
  /** Mode stepfunctions with a tenant call watched and tenantStatusCheck lambda: reads the tenant statuses. */
  readonly statusReader?: StatusReader;
  /** Mode sqs-retry only: the Lambda that checks each buffered change once per delivery. */
  readonly statusCheck?: SqsRetryChecker;
  /** With sweepIntervalMinutes above 0: the reconciliation sweep, which starts the watches of changes no event announced. */
  readonly sweep?: ReconciliationSweep;
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
    const { watch: settings, capture } = config;

    this.notifications = new NotificationTopic(this, 'Notifications', config.notifications);
    this.topic = this.notifications.topic;
    this.capture = new ChangeEventCapture(this, 'Capture', {
      watchedEvents: settings.watchedEvents,
      distributionIds: settings.distributionIds,
      retentionPeriod: Duration.seconds(settings.retentionSeconds),
      receiveMessageWaitTime: Duration.seconds(capture.receiveWaitSeconds),
      visibilityTimeout: Duration.seconds(capture.visibilityTimeoutSeconds),
      // In mode sqs-retry every status check is a receive: the redrive threshold follows from schedule and retention.
      ...(config.mode === 'sqs-retry' ? { maxReceiveCount: sqsRetryMaxReceiveCount(settings) } : {}),
    });
    this.queue = this.capture.queue;

    const logging = logOptions(config.logs);
    const changeEvents = config.events.enabled ? { eventBusName: config.events.busName } : {};
    let alarmSources: OperationsAlarmsOptions['sources'];
    if (config.mode === 'sqs-retry') {
      this.statusCheck = new SqsRetryChecker(this, 'StatusCheck', {
        ...logging,
        queue: this.queue,
        visibilityTimeout: Duration.seconds(capture.visibilityTimeoutSeconds),
        topic: this.topic,
        settings,
        timeout: Duration.seconds(SQS_RETRY_CHECKER_TIMEOUT_SECONDS),
        ...changeEvents,
      });
      // A watched message stays in the queue for the whole watch here, so its age says nothing about the consumer.
      alarmSources = {
        deadLetterQueue: this.capture.deadLetterQueue,
        functions: { StatusCheck: this.statusCheck.function },
        unansweredChecks: {
          logGroup: this.statusCheck.logGroup,
          filterPattern: logs.FilterPattern.stringValue('$.message', '=', CHECKER_LOG_MESSAGES.noAnswer),
        },
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
        config.tenantStatusCheck === 'lambda' && watchKindsOf(settings.watchedEvents).some(isRecentStatusCall);
      if (readsRecentStatus)
        this.statusReader = new StatusReader(this, 'StatusReader', {
          ...logging,
          watchedEvents: settings.watchedEvents,
        });
      this.watch = new WatchStateMachine(this, 'Watch', {
        ...logging,
        topic: this.topic,
        settings,
        ...(this.statusReader ? { statusReader: this.statusReader } : {}),
        ...changeEvents,
      });
      this.dispatcher = new Dispatcher(this, 'Dispatcher', {
        ...logging,
        queue: this.queue,
        stateMachine: this.watch.stateMachine,
        settings,
        timeout: Duration.seconds(DISPATCHER_TIMEOUT_SECONDS),
      });
      alarmSources = {
        deadLetterQueue: this.capture.deadLetterQueue,
        bufferQueue: this.queue,
        // One failed attempt is normal; an event still there after two visibility timeouts failed twice or is not consumed.
        maxBufferAge: Duration.seconds(2 * capture.visibilityTimeoutSeconds),
        watch: this.watch,
        functions: { Dispatcher: this.dispatcher.function },
        // One log event per "No answer to ... check" state entered, with the state in details.name (level ALL):
        // https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html
        unansweredChecks: {
          logGroup: this.watch.logGroup,
          filterPattern: logs.FilterPattern.all(
            logs.FilterPattern.stringValue('$.type', '=', 'PassStateEntered'),
            logs.FilterPattern.any(
              ...watchKindsOf(settings.watchedEvents).map((kind) =>
                logs.FilterPattern.stringValue('$.details.name', '=', KINDS[kind].states.noAnswer),
              ),
            ),
          ),
        },
      };
      new CfnOutput(this, 'StateMachineName', {
        value: this.watch.stateMachineName,
        description: 'One execution per watched change',
      });
      new CfnOutput(this, 'StateMachineArn', {
        value: this.watch.stateMachine.stateMachineArn,
        description: 'npm run smoke starts one execution here',
      });
    }

    // Only tenant invalidations watched: nothing a sweep can afford to look for (domain/sweep.ts).
    if (config.sweep.intervalMinutes > 0 && kindsToSweep(settings.watchedEvents).length > 0) {
      this.sweep = new ReconciliationSweep(this, 'Sweep', {
        ...logging,
        settings,
        interval: Duration.minutes(config.sweep.intervalMinutes),
        target: this.watch
          ? { stateMachine: this.watch.stateMachine }
          : { queue: this.queue, checkerLogGroup: this.statusCheck!.logGroup },
      });
      alarmSources = {
        ...alarmSources,
        sweep: { function: this.sweep.function, logGroup: this.sweep.logGroup, captureRule: this.capture.rule },
      };
    }

    this.operations = new Operations(this, 'Operations', {
      notifications: this.notifications,
      ...(config.alarms.enabled ? { alarms: { emails: config.alarms.emails, sources: alarmSources } } : {}),
      ...(config.trail.enabled ? { trail: { retention: Duration.days(config.trail.retentionDays) } } : {}),
    });

    new CfnOutput(this, 'TopicArn', {
      value: this.topic.topicArn,
      description: 'Subscribe here for notifications',
    });
    new CfnOutput(this, 'BufferQueueUrl', {
      value: this.queue.queueUrl,
      description: 'CloudTrail events waiting to be watched',
    });
    new CfnOutput(this, 'DeadLetterQueueUrl', {
      value: this.capture.deadLetterQueue.queueUrl,
      description: 'Events that could not be watched',
    });
  }
}

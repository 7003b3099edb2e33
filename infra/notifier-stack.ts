import { CfnOutput, Duration, RemovalPolicy, Stack, Token, type StackProps } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { watchKindsOf } from '../domain/cloudtrail';
import { SQS_RETRY_CHECKER_TIMEOUT_SECONDS, sqsRetryMaxReceiveCount } from '../domain/receive-budget';
import { DISPATCHER_TIMEOUT_SECONDS, type LogsConfig, type NotifierConfig } from './config';
import { ChangeEventCapture } from './constructs/change-event-capture';
import { NotifierDashboard, type InProgressSource, type LoggedStarts } from './constructs/dashboard';
import { ChatChannels } from './constructs/chat-channels';
import { Dispatcher } from './constructs/dispatcher';
import type { LogOptions } from './constructs/log-options';
import { NotificationTopic } from './constructs/notification-topic';
import { Operations, type OperationsAlarmsOptions } from './constructs/operations';
import { SqsRetryChecker } from './constructs/sqs-retry-checker';
import { ReadBudget } from './constructs/read-budget';
import { StatusReader } from './constructs/status-reader';
import { WatchStateMachine } from './constructs/watch-state-machine';
import { ReconciliationSweep } from './constructs/reconciliation-sweep';
import { isRecentStatusCall, KINDS, type WatchKind } from '../domain/kinds';
import { CHECKER_LOG_MESSAGES } from '../domain/checker-log';
import { kindsToSweep, MISSED_BY_CAPTURE_LOG_FIELD, WATCHES_IN_PROGRESS_LOG_FIELD } from '../domain/sweep';
import { WATCH_STARTED_LOG_MESSAGE } from '../domain/watch-execution';

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
  /** Mode stepfunctions with readBudgetPerSecond above 0: the read slots all watches share. */
  readonly readBudget?: ReadBudget;
  /** Mode sqs-retry only: the Lambda that checks each buffered change once per delivery. */
  readonly statusCheck?: SqsRetryChecker;
  /** With sweepIntervalMinutes above 0: the reconciliation sweep, which starts the watches of changes no event announced. */
  readonly sweep?: ReconciliationSweep;
  /** With slackChannels or teamsChannels: the chat channel configurations on the topic. */
  readonly chat?: ChatChannels;
  readonly operations: Operations;
  /** With dashboard true: the CloudWatch dashboard of what the notifier sees. */
  readonly dashboard?: NotifierDashboard;

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
    const { slackChannels, teamsChannels } = config.notifications;
    const chat = slackChannels.length + teamsChannels.length > 0;
    if (chat) this.chat = new ChatChannels(this, 'Chat', { topic: this.topic, slackChannels, teamsChannels });
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
    // Only tenant invalidations watched: nothing a sweep can afford to look for (domain/sweep.ts).
    const sweeping = config.sweep.intervalMinutes > 0 && kindsToSweep(settings.watchedEvents).length > 0;
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
        // A late event finds the watch the sweep started of its change, as the sweep finds the event's watch.
        findsSweptWatches: sweeping,
        ...(chat ? { chat } : {}),
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
      if (config.readBudget.perSecond > 0)
        this.readBudget = new ReadBudget(this, 'ReadBudget', {
          ...logging,
          perSecond: config.readBudget.perSecond,
          maxWait: Duration.seconds(settings.schedule.pollIntervalSeconds),
        });
      this.watch = new WatchStateMachine(this, 'Watch', {
        ...logging,
        topic: this.topic,
        settings,
        ...(this.statusReader ? { statusReader: this.statusReader } : {}),
        ...(this.readBudget ? { readBudget: this.readBudget.function } : {}),
        ...(chat ? { chat } : {}),
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
        ...(this.readBudget ? { readBudget: this.readBudget.function } : {}),
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

    if (sweeping) {
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

    if (config.dashboard.enabled) this.dashboard = this.addDashboard(watchKindsOf(settings.watchedEvents));

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

  /** The dashboard, fed by the log lines of whatever starts a watch in this mode. */
  private addDashboard(kinds: WatchKind[]): NotifierDashboard {
    const watchesStarted: Record<string, LoggedStarts> = {};
    let watchesInProgress: InProgressSource | undefined;
    if (this.statusCheck) {
      // Each receive of a watched message logs exactly one of these, with its receive count as the check number.
      watchesStarted.StatusCheck = {
        logGroup: this.statusCheck.logGroup,
        filterPattern: logs.FilterPattern.all(
          logs.FilterPattern.numberValue('$.check', '=', 1),
          logs.FilterPattern.any(
            ...[
              CHECKER_LOG_MESSAGES.notDone,
              CHECKER_LOG_MESSAGES.noAnswer,
              CHECKER_LOG_MESSAGES.ended,
              CHECKER_LOG_MESSAGES.publishFailed,
            ].map((message) => logs.FilterPattern.stringValue('$.message', '=', message)),
          ),
        ),
      };
      watchesInProgress = { bufferQueue: this.queue };
    } else {
      watchesStarted.Dispatcher = {
        logGroup: this.dispatcher!.logGroup,
        filterPattern: logs.FilterPattern.stringValue('$.message', '=', WATCH_STARTED_LOG_MESSAGE),
      };
      if (this.sweep) {
        watchesStarted.Sweep = {
          logGroup: this.sweep.logGroup,
          filterPattern: logs.FilterPattern.numberValue(`$.${MISSED_BY_CAPTURE_LOG_FIELD}`, '=', 1),
        };
        watchesInProgress = {
          gauge: {
            logGroup: this.sweep.logGroup,
            filterPattern: logs.FilterPattern.numberValue(`$.${WATCHES_IN_PROGRESS_LOG_FIELD}`, '>=', 0),
            valueField: `$.${WATCHES_IN_PROGRESS_LOG_FIELD}`,
          },
        };
      }
    }
    const dashboard = new NotifierDashboard(this, 'Dashboard', {
      kinds,
      watchesStarted,
      deadLetterQueue: this.capture.deadLetterQueue,
      ...(watchesInProgress ? { watchesInProgress } : {}),
      ...(this.operations.alarms ? { alarms: this.operations.alarms.alarms } : {}),
    });
    new CfnOutput(this, 'DashboardUrl', {
      // The console's route to a dashboard by name (unverified: the console's URLs are not a documented API).
      value: `https://${this.region}.console.aws.amazon.com/cloudwatch/home?region=${this.region}#dashboards/dashboard/${dashboard.dashboard.dashboardName}`,
      description: 'What the notifier sees: watches, time to done, checks, dead-letter queue, alarms',
    });
    return dashboard;
  }
}

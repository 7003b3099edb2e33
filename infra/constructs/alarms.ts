import { Aws, Duration, Stack, type CfnElement } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { TOPIC_KEY_ACTIONS } from './notification-topic';
import { KINDS } from '../../domain/kinds';
import { WATCH_ERRORS } from '../../domain/errors';
import { MISSED_BY_CAPTURE_LOG_FIELD } from '../../domain/sweep';
import type * as events from 'aws-cdk-lib/aws-events';

/** Failures the workflow ends with on purpose, after a notification that tells the subscribers what happened. */
export const NOTIFIED_FAILURES: readonly string[] = [
  WATCH_ERRORS.timedOut,
  // Every kind's not-found ending, so that a new kind of watch cannot be forgotten here.
  ...new Set(Object.values(KINDS).map((rule) => rule.notFoundError)),
];

/** The Step Functions execution log entry of a failure nobody was told about (CloudWatch Logs JSON filter). */
export const UNEXPECTED_FAILURE_PATTERN = logs.FilterPattern.all(
  logs.FilterPattern.stringValue('$.type', '=', 'ExecutionFailed'),
  ...NOTIFIED_FAILURES.map((error) => logs.FilterPattern.stringValue('$.details.error', '!=', error)),
);

export interface WatchAlarmSource {
  /** Alarms on its timed-out and aborted executions. */
  readonly stateMachine: sfn.IStateMachine;
  /** Receives the state machine's execution log at level ALL or ERROR. */
  readonly logGroup: logs.ILogGroup;
}

export interface SweepAlarmSource {
  /** The sweeper: its errors mean a sweep could not look at everything. */
  readonly function: lambda.IFunction;
  /** The sweeper's log group, with one line per watch it started (ChangesMissedByCapture). */
  readonly logGroup: logs.ILogGroup;
  /** The rule that should have caught the changes the sweep found: the alarm description names it. */
  readonly captureRule: events.IRule;
}

export interface UnansweredCheckSource {
  /** The log that records each status check CloudFront gave no answer to. */
  readonly logGroup: logs.ILogGroup;
  /** Matches one log event per unanswered check. */
  readonly filterPattern: logs.IFilterPattern;
}

export interface NotifierAlarmsProps {
  /** Receives ALARM and OK messages. CloudWatch gets permission to publish to it and to use its KMS key. */
  readonly topic: sns.ITopic;
  /** Events that could not be delivered or watched: one message there fires an alarm. */
  readonly deadLetterQueue: sqs.IQueue;
  /**
   * The buffer of CloudTrail events; the age of its oldest message tells whether the consumer keeps up.
   * @default - no backlog alarm
   */
  readonly bufferQueue?: sqs.IQueue;
  /**
   * How old the oldest buffered message may get before the backlog alarm fires.
   * @default Duration.minutes(15)
   */
  readonly maxBufferAge?: Duration;
  /**
   * The watch state machine (stepfunctions mode): alarms on timed-out, aborted and unexpectedly failed executions.
   * @default - no execution alarms
   */
  readonly watch?: WatchAlarmSource;
  /**
   * Lambda functions whose errors and throttles alarm, keyed by the name the alarm names use.
   * @default - no function alarms
   */
  readonly functions?: Readonly<Record<string, lambda.IFunction>>;
  /**
   * The reconciliation sweep: alarms when it finds changes no event announced, and when it fails.
   * @default - no sweep alarms
   */
  readonly sweep?: SweepAlarmSource;
  /**
   * Where the unanswered status checks are logged: alarms when checks have gone unanswered for 15 minutes on end.
   * @default - no alarm on unanswered checks
   */
  readonly unansweredChecks?: UnansweredCheckSource;
  /**
   * The read-budget function (readBudgetPerSecond above 0): alarms when it fails, since checks then go ahead unbudgeted.
   * @default - no read-budget alarm
   */
  readonly readBudget?: lambda.IFunction;
}

const FIVE_MINUTES = Duration.minutes(5);

/**
 * The alarms that tell the platform team the notifier itself is in trouble. Each alarm's description says what it
 * means and what to do; docs/operations.md says the same at more length.
 */
export class NotifierAlarms extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];
  /** With a watch source: counts the execution failures nobody was notified about, from the execution log. */
  readonly unexpectedFailures?: logs.MetricFilter;
  /** With a sweep source: counts the watches the sweep started, from its log. */
  readonly changesMissedByCapture?: logs.MetricFilter;
  private readonly prefix: string;
  private readonly action: SnsAction;

  constructor(scope: Construct, id: string, props: NotifierAlarmsProps) {
    super(scope, id);
    this.prefix = Stack.of(this).stackName;
    this.action = new SnsAction(props.topic);
    allowAlarmsToPublish(props.topic, this.prefix);

    // The functions of this mode consume the buffer queue: their logs say why a message ended in the dead-letter queue.
    const consumers = Object.keys(props.functions ?? {});
    const consumerLogs = consumers.length > 0 ? `${consumers.join(' and ')} function logs` : 'function logs';
    this.add('DeadLetterQueueNotEmpty', {
      metric: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        statistic: 'Maximum',
        period: FIVE_MINUTES,
      }),
      threshold: 1,
      description:
        'CloudFront change events are in the dead-letter queue: they were never watched, so nobody will be notified of those changes. ' +
        `Read the messages (and the ${consumerLogs}) to find why, ` +
        'fix the cause, then redrive or delete them.',
    });

    if (props.bufferQueue) {
      const maxAge = props.maxBufferAge ?? Duration.minutes(15);
      this.add('BufferBacklog', {
        metric: props.bufferQueue.metricApproximateAgeOfOldestMessage({ statistic: 'Maximum', period: FIVE_MINUTES }),
        threshold: maxAge.toSeconds(),
        description:
          `A CloudFront change event has waited more than ${maxAge.toSeconds()} s in the buffer queue: the consumer is failing, ` +
          'throttled or disabled. Check the function alarms and logs and the event source mapping.',
      });
    }

    if (props.watch) this.unexpectedFailures = this.addWatchAlarms(props.watch);
    if (props.sweep) this.changesMissedByCapture = this.addSweepAlarms(props.sweep);
    if (props.unansweredChecks) this.addUnansweredChecksAlarm(props.unansweredChecks);
    if (props.readBudget) {
      this.add('ReadBudgetErrors', {
        metric: props.readBudget.metricErrors({ statistic: 'Sum', period: FIVE_MINUTES }),
        threshold: 1,
        description:
          'The read-budget function failed, so status checks went ahead without a read slot and may exceed ' +
          'readBudgetPerSecond (no watch stops for it). Read the function log; check its DynamoDB table and permissions.',
      });
    }

    for (const [name, fn] of Object.entries(props.functions ?? {})) {
      this.add(`${name}Errors`, {
        metric: fn.metricErrors({ statistic: 'Sum', period: FIVE_MINUTES }),
        threshold: 1,
        description:
          `The ${name} function failed (crash or timeout, not a reported record failure). The records are retried and end in the ` +
          'dead-letter queue if it keeps failing. Read the function logs.',
      });
      this.add(`${name}Throttles`, {
        metric: fn.metricThrottles({ statistic: 'Sum', period: FIVE_MINUTES }),
        threshold: 1,
        evaluationPeriods: 3,
        description:
          `The ${name} function has been throttled for 15 minutes: the account or function concurrency limit is reached. ` +
          'Events wait in the buffer queue; raise the limit or find what uses the concurrency.',
      });
    }
  }

  private addWatchAlarms(watch: WatchAlarmSource): logs.MetricFilter {
    this.add('ExecutionsTimedOut', {
      metric: watch.stateMachine.metricTimedOut({ statistic: 'Sum', period: FIVE_MINUTES }),
      threshold: 1,
      description:
        'A watch execution hit its execution timeout before its own watch limit, so no final notification was sent. ' +
        'This should never happen: open the execution history and report it.',
    });
    this.add('ExecutionsAborted', {
      metric: watch.stateMachine.metricAborted({ statistic: 'Sum', period: FIVE_MINUTES }),
      threshold: 1,
      description:
        'A watch execution was stopped by hand, so that change will get no notification. ' +
        'If that was not intended, find who called StopExecution in CloudTrail.',
    });
    // ExecutionsFailed also counts the designed endings (watch timed out, not found) that already notified the
    // subscribers, so count only the other failures, read from the execution log.
    const unexpected = new logs.MetricFilter(this, 'UnexpectedFailures', {
      logGroup: watch.logGroup,
      filterPattern: UNEXPECTED_FAILURE_PATTERN,
      metricNamespace: `CloudFrontChangeNotifier/${this.prefix}`,
      metricName: 'UnexpectedExecutionFailures',
      metricValue: '1',
    });
    this.add('UnexpectedExecutionFailures', {
      metric: unexpected.metric({ statistic: 'Sum', period: FIVE_MINUTES }),
      threshold: 1,
      description:
        `A watch execution failed with an error other than ${NOTIFIED_FAILURES.join(', ')}: CloudFront refused a status ` +
        "check (StatusCheckFailed: access denied; check the state machine role's CloudFront read permission), a " +
        'notification could not be published, or the input was invalid. Throttling and 5xx never end a watch. ' +
        'Open the failed execution and read its error and cause.',
    });
    return unexpected;
  }

  private addUnansweredChecksAlarm(source: UnansweredCheckSource): void {
    const unanswered = new logs.MetricFilter(this, 'StatusChecksUnansweredFilter', {
      logGroup: source.logGroup,
      filterPattern: source.filterPattern,
      metricNamespace: `CloudFrontChangeNotifier/${this.prefix}`,
      metricName: 'StatusChecksUnanswered',
      metricValue: '1',
    });
    // A throttled minute is normal in a burst and ends no watch; a quarter of an hour of it is worth a look.
    this.add('StatusChecksUnanswered', {
      metric: unanswered.metric({ statistic: 'Sum', period: FIVE_MINUTES }),
      threshold: 1,
      evaluationPeriods: 3,
      description:
        'For 15 minutes, status checks have gone unanswered (throttled or failing after retries). Watches go on and ' +
        "end on time, but later than they could: CloudFront's read limit of the account is used up (by the notifier " +
        'in a burst of changes, or by other tools), or CloudFront or the status reader keeps failing. Read the ' +
        'errors in the execution history (the "No answer to ... check" states) or the sqs-retry checker log.',
    });
  }

  private addSweepAlarms(sweep: SweepAlarmSource): logs.MetricFilter {
    // The logical id, known at synth: the rule's generated name is known only once deployed.
    const captureRule = Stack.of(this).resolve((sweep.captureRule.node.defaultChild as CfnElement).logicalId) as string;
    const missed = new logs.MetricFilter(this, 'ChangesMissedByCaptureFilter', {
      logGroup: sweep.logGroup,
      filterPattern: logs.FilterPattern.numberValue(`$.${MISSED_BY_CAPTURE_LOG_FIELD}`, '=', 1),
      metricNamespace: `CloudFrontChangeNotifier/${this.prefix}`,
      metricName: 'ChangesMissedByCapture',
      metricValue: '1',
    });
    this.add('ChangesMissedByCapture', {
      metric: missed.metric({ statistic: 'Sum', period: FIVE_MINUTES }),
      threshold: 1,
      description:
        'The reconciliation sweep found a CloudFront change InProgress that no CloudTrail event had announced, and started ' +
        'its watch (its notification says the sweep found it, without who made it). CloudTrail events are not reaching ' +
        'the notifier: check that a trail logs management events (CloudTrail console, or deploy with createTrail=true), ' +
        `that the EventBridge rule ${captureRule} of this stack exists and is enabled, its FailedInvocations metric, and ` +
        "the dead-letter queue. The sweep's log names each change.",
    });
    this.add('SweepErrors', {
      metric: sweep.function.metricErrors({ statistic: 'Sum', period: FIVE_MINUTES }),
      threshold: 1,
      description:
        'A reconciliation sweep failed or could not make every call (throttled, or access denied), so changes whose event ' +
        'was lost may go unnoticed until a sweep succeeds. Read the sweep log: its last line lists the calls that failed.',
    });
    return missed;
  }

  private add(
    name: string,
    options: { metric: cloudwatch.IMetric; threshold: number; description: string; evaluationPeriods?: number },
  ): void {
    const alarm = new cloudwatch.Alarm(this, name, {
      alarmName: `${this.prefix}-${name}`,
      alarmDescription: options.description,
      metric: options.metric,
      threshold: options.threshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: options.evaluationPeriods ?? 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.alarms.push(alarm);
  }
}

/**
 * A topic policy replaces the default one, and CloudWatch needs the topic's key too: the key policy must name
 * cloudwatch.amazonaws.com (a KMS grant to an IAM role cannot cover a service principal).
 */
function allowAlarmsToPublish(topic: sns.ITopic, alarmNamePrefix: string): void {
  const cloudWatch = new iam.ServicePrincipal('cloudwatch.amazonaws.com');
  topic.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowNotifierAlarmsToPublish',
      principals: [cloudWatch],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions: {
        ArnLike: {
          'aws:SourceArn': `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:${alarmNamePrefix}-*`,
        },
        StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
      },
    }),
  );
  topic.masterKey?.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowCloudWatchAlarmsToPublishToEncryptedTopics',
      principals: [cloudWatch],
      actions: [...TOPIC_KEY_ACTIONS],
      resources: ['*'],
    }),
  );
}

import { ArnFormat, Aws, Duration, Fn, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { watchKindsOf } from '../../domain/cloudtrail';
import { buildSchedule, completeScheduleSettings } from '../../domain/schedule';
import type { WatchSettings } from '../../domain/settings';
import { buildWatchDefinition } from '../../statemachine/definition';
import { grantReadCloudFrontStatus } from './cloudfront-status-reads';
import { logGroupProps, type LogOptions } from './log-options';
import { grantPublish } from './notification-topic';
import { grantPutChangeEvent, grantPutWatchMetrics } from './watch-end-grants';
import { type WatchKind } from '../../domain/kinds';

/** A Lambda that reads some kinds' status for the state machine (a StatusReader). */
export interface RecentStatusReader {
  /** The function the state machine invokes, by its unqualified ARN. */
  readonly function: lambda.IFunction;
  /** The kinds whose status it reads. */
  readonly kinds: readonly WatchKind[];
}

/** The log options apply to the execution log group. */
export interface WatchStateMachineProps extends LogOptions {
  /** Where each watch's notification is published; the state machine may publish there and use the topic's key. */
  readonly topic: sns.ITopic;
  /**
   * What is watched, how long and how often: the workflow holds the kinds of watch that watchedEvents start, reads
   * only their status and only on distributionIds (none: every distribution of the account), counts its checks from
   * retentionSeconds and waits between them as the schedule says.
   */
  readonly settings: WatchSettings;
  /**
   * The Lambda that reads the status of the kinds it names, in place of the aws-sdk integration.
   * @default - every status is read with the aws-sdk:cloudfront integration
   */
  readonly statusReader?: RecentStatusReader;
  /**
   * Chat channels are subscribed to the topic: each notification carries a chat message besides the email text.
   * @default false
   */
  readonly chat?: boolean;
  /**
   * The event bus that receives the Change Finished event of every watch; the state machine may put events there only.
   * @default - no event
   */
  readonly eventBusName?: string;
  /**
   * The Lambda that reserves a slot of the read budget all watches share (a ReadBudget): every status check waits for
   * its slot first, at most pollIntervalSeconds.
   * @default - no read budget
   */
  readonly readBudget?: lambda.IFunction;
}

/**
 * The Standard state machine that follows one change per execution, with full execution logs and X-Ray tracing.
 * Its name is fixed so that it can start its own continuation without a circular reference.
 */
export class WatchStateMachine extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly stateMachineName: string;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: WatchStateMachineProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.stateMachineName = `${stack.stackName}-ChangeWatch`;
    const ownArn = stack.formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: this.stateMachineName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });

    this.logGroup = new logs.LogGroup(this, 'ExecutionLogs', {
      // The stack's GUID in the name: a log group retained from a deleted stack cannot block a new one of the same name.
      logGroupName: `/aws/vendedlogs/states/${this.stateMachineName}-${Fn.select(4, Fn.split('-', Fn.select(2, Fn.split('/', Aws.STACK_ID))))}`,
      ...logGroupProps(props),
    });

    const { settings } = props;
    const kinds = watchKindsOf(settings.watchedEvents);
    const definition = buildWatchDefinition({
      topicArn: props.topic.topicArn,
      stateMachineArn: ownArn,
      schedules: {
        distribution: buildSchedule('distribution', settings.schedule),
        invalidation: buildSchedule('invalidation', settings.schedule),
      },
      checkJitterPercent: completeScheduleSettings(settings.schedule).checkJitterPercent,
      pollIntervalSeconds: settings.schedule.pollIntervalSeconds,
      retentionSeconds: settings.retentionSeconds,
      kinds,
      ...(props.statusReader ? { statusReaderArn: props.statusReader.function.functionArn } : {}),
      ...(props.chat ? { chat: true } : {}),
      notifier: stack.stackName,
      ...(props.eventBusName === undefined ? {} : { eventBusName: props.eventBusName }),
      ...(props.readBudget ? { readBudgetArn: props.readBudget.functionArn } : {}),
    });

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: this.stateMachineName,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromString(stack.toJsonString(definition)),
      timeout: Duration.seconds(definition.TimeoutSeconds),
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
    });

    const readElsewhere = props.statusReader?.kinds ?? [];
    grantReadCloudFrontStatus(this.stateMachine, this.stateMachine, {
      watchedEvents: settings.watchedEvents,
      distributionIds: settings.distributionIds,
      kinds: kinds.filter((kind) => !readElsewhere.includes(kind)),
    });
    if (props.statusReader) {
      // The unqualified ARN only: grantInvoke would add every version and alias (":*"), which the workflow never calls.
      this.stateMachine.addToRolePolicy(
        new iam.PolicyStatement({
          sid: 'ReadRecentStatus',
          actions: ['lambda:InvokeFunction'],
          resources: [props.statusReader.function.functionArn],
        }),
      );
    }
    if (props.readBudget) {
      this.stateMachine.addToRolePolicy(
        new iam.PolicyStatement({
          sid: 'ReserveReadSlot',
          actions: ['lambda:InvokeFunction'],
          resources: [props.readBudget.functionArn],
        }),
      );
    }
    grantPublish(props.topic, this.stateMachine);
    if (props.eventBusName !== undefined) grantPutChangeEvent(this, this.stateMachine, props.eventBusName);
    grantPutWatchMetrics(this.stateMachine);
    this.stateMachine.addToRolePolicy(
      new iam.PolicyStatement({ sid: 'ContinueLongWatches', actions: ['states:StartExecution'], resources: [ownArn] }),
    );
    Validations.of(this.stateMachine).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray tracing (xray:PutTraceSegments and friends), CloudWatch Logs delivery (logs:CreateLogDelivery and friends) ' +
        'and cloudwatch:PutMetricData (limited to its namespace by a condition) have no resource-level permissions; ' +
        'test/infra/least-privilege.test.ts pins the exact actions allowed on "*".',
    });
  }
}

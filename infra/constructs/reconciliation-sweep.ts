import { Aws, Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { SWEEP_ENV, WATCH_SETTINGS_ENV, type WatchSettings } from '../../domain/settings';
import { kindsToSweep, type SweepInvocation } from '../../domain/sweep';
import { MAX_LISTED_DISTRIBUTION_ARNS } from './cloudfront-status-reads';
import { checkEnvironmentSize } from './lambda-environment-size';
import type { LogOptions } from './log-options';
import { NotifierFunction } from './notifier-function';

/** Where the sweep starts the watch of a change it found. */
export type SweepTarget =
  /** Mode stepfunctions: an execution of the watch state machine, named as the dispatcher names it. */
  | { readonly stateMachine: sfn.IStateMachine }
  /**
   * Mode sqs-retry: a message on the buffer queue for the sqs-retry checker, unless the checker's log group shows a
   * watch of the change already.
   */
  | { readonly queue: sqs.IQueue; readonly checkerLogGroup: logs.ILogGroup };

export interface ReconciliationSweepProps extends LogOptions {
  /**
   * What is watched: the sweep looks for the kinds of change these watched events start, on distributionIds only, and
   * gives each watch the check budget that retentionSeconds and the schedule give.
   */
  readonly settings: WatchSettings;
  /** The time between two sweeps: at least a minute, EventBridge Scheduler's finest rate. */
  readonly interval: Duration;
  /** Where a swept change's watch starts, which also decides the mode's grants (StartExecution, or SendMessage). */
  readonly target: SweepTarget;
  /**
   * How long one sweep may run: its per-distribution calls are paced at two a second.
   * @default Duration.minutes(2)
   */
  readonly timeout?: Duration;
}

/**
 * The reconciliation sweep: an EventBridge Scheduler schedule ("Schedule", with its role "ScheduleRole") invokes the
 * sweeper Lambda every `interval`; it lists what CloudFront has InProgress and starts a watch of each change that no
 * watch follows, because its CloudTrail event never reached the notifier.
 */
export class ReconciliationSweep extends NotifierFunction {
  readonly schedule: scheduler.CfnSchedule;
  /** The role EventBridge Scheduler invokes the sweeper with: it may invoke this function and nothing else. */
  readonly scheduleRole: iam.Role;

  constructor(scope: Construct, id: string, props: ReconciliationSweepProps) {
    const { settings, target } = props;
    const minutes = props.interval.toMinutes();
    super(scope, id, {
      ...props,
      entry: 'sweeper/handler.ts',
      description: 'Finds CloudFront changes InProgress that no watch follows and starts their watch',
      roleDescription:
        'Lists CloudFront distributions and tenants, and starts the watches of changes no event announced',
      timeout: props.timeout ?? Duration.minutes(2),
      environment: {
        [WATCH_SETTINGS_ENV]: JSON.stringify(settings),
        ...('stateMachine' in target
          ? { [SWEEP_ENV.stateMachineArn]: target.stateMachine.stateMachineArn }
          : {
              [SWEEP_ENV.queueUrl]: target.queue.queueUrl,
              [SWEEP_ENV.checkerLogGroupName]: target.checkerLogGroup.logGroupName,
            }),
      },
    });
    checkEnvironmentSize(this, this.environment, settings);
    this.grantSweepReads(settings);
    if ('stateMachine' in target) {
      target.stateMachine.grantStartExecution(this.function);
      // Running watches named after their event (AssociateAlias) are found by their distribution, not their name.
      target.stateMachine.grant(this.function, 'states:ListExecutions');
    } else {
      target.queue.grantSendMessages(this.function);
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'FindCheckerWatches',
          actions: ['logs:FilterLogEvents'],
          resources: [target.checkerLogGroup.logGroupArn],
        }),
      );
    }
    // A sweep that could not run is not run again: the next one comes an interval later.
    this.function.configureAsyncInvoke({
      retryAttempts: 0,
      maxEventAge: Duration.seconds(Math.min(Math.max(props.interval.toSeconds(), 60), 21_600)),
    });

    this.scheduleRole = new iam.Role(this, 'ScheduleRole', {
      description: 'Lets EventBridge Scheduler invoke the reconciliation sweep',
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    });
    // The unqualified ARN only: grantInvoke would add every version and alias (":*"), which the schedule never calls.
    this.scheduleRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'InvokeSweeper',
        actions: ['lambda:InvokeFunction'],
        resources: [this.function.functionArn],
      }),
    );
    this.schedule = new scheduler.CfnSchedule(this, 'Schedule', {
      description: 'Runs the reconciliation sweep of the CloudFront change notifier',
      scheduleExpression: `rate(${minutes} ${minutes === 1 ? 'minute' : 'minutes'})`,
      flexibleTimeWindow: { mode: 'OFF' },
      target: {
        arn: this.function.functionArn,
        roleArn: this.scheduleRole.roleArn,
        input: JSON.stringify({ intervalMinutes: minutes } satisfies SweepInvocation),
        retryPolicy: { maximumRetryAttempts: 0, maximumEventAgeInSeconds: 60 },
      },
    });
  }

  /** The list calls (no resource-level permission) and the per-distribution reads, on distributionIds where listed. */
  private grantSweepReads(settings: WatchSettings): void {
    const kinds = kindsToSweep(settings.watchedEvents);
    const lists = [
      ...(kinds.includes('distribution') || kinds.includes('invalidation') ? ['cloudfront:ListDistributions'] : []),
      ...(kinds.includes('tenant') ? ['cloudfront:ListDistributionTenants'] : []),
    ];
    const reads = [
      // An invalidation sweep reads each distribution's count of InProgress invalidations before listing them.
      ...(kinds.includes('distribution') || kinds.includes('invalidation') ? ['cloudfront:GetDistribution'] : []),
      ...(kinds.includes('invalidation') ? ['cloudfront:ListInvalidations'] : []),
    ];
    if (lists.length > 0) {
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({ sid: 'ListCloudFront', actions: lists, resources: ['*'] }),
      );
      Validations.of(this.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          `${lists.map((action) => action.replace('cloudfront:', '')).join(' and ')} have no resource-level permission ` +
          '(https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudfront.html), and X-Ray ' +
          'tracing has none either; the sweep reads lists only, in its own account.',
      });
    }
    if (reads.length === 0) return;
    const listed =
      settings.distributionIds.length > 0 && settings.distributionIds.length <= MAX_LISTED_DISTRIBUTION_ARNS;
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadSweptDistributions',
        actions: reads,
        resources: (listed ? settings.distributionIds : ['*']).map(
          (distributionId) => `arn:${Aws.PARTITION}:cloudfront::${Aws.ACCOUNT_ID}:distribution/${distributionId}`,
        ),
      }),
    );
    if (!listed) {
      Validations.of(this.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudfront::<AWS::AccountId>:distribution/*]',
        reason:
          'The sweep reads every distribution of the account that distributionIds selects, which is all of them without ' +
          `distributionIds or with more than ${MAX_LISTED_DISTRIBUTION_ARNS} ids; read-only (${reads.join(', ')}), own account.`,
      });
    }
  }
}

import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import { ReconciliationSweep, type SweepTarget } from '../../../infra/constructs/reconciliation-sweep';
import type { WatchSettings } from '../../../domain/settings';
import { acknowledgedOn, bareStack, grantsOf, SETTINGS } from './bare-stack';

const LISTED_DISTRIBUTION = {
  'Fn::Join': [
    '',
    ['arn:', { Ref: 'AWS::Partition' }, ':cloudfront::', { Ref: 'AWS::AccountId' }, ':distribution/E2QWRUHAPOMQZL'],
  ],
};

function sweepOnBareStack(
  mode: 'stepfunctions' | 'sqs-retry',
  options: { settings?: WatchSettings; interval?: Duration } = {},
) {
  const stack = bareStack();
  const stateMachine = new sfn.StateMachine(stack, 'Machine', {
    definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'Pass')),
  });
  const queue = new sqs.Queue(stack, 'Queue');
  const checkerLogGroup = new logs.LogGroup(stack, 'CheckerLogs');
  const target: SweepTarget = mode === 'stepfunctions' ? { stateMachine } : { queue, checkerLogGroup };
  const sweep = new ReconciliationSweep(stack, 'Sweep', {
    settings: options.settings ?? SETTINGS,
    interval: options.interval ?? Duration.minutes(5),
    target,
  });
  return { stack, stateMachine, queue, checkerLogGroup, sweep, template: Template.fromStack(stack) };
}

describe('ReconciliationSweep', () => {
  it('runs the sweeper every interval with EventBridge Scheduler, handing it the interval, never retried', () => {
    // Act
    const { stack, sweep, template } = sweepOnBareStack('stepfunctions');
    // Assert
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(5 minutes)',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: stack.resolve(sweep.function.functionArn),
        RoleArn: stack.resolve(sweep.scheduleRole.roleArn),
        Input: '{"intervalMinutes":5}',
        RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 },
      },
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: stack.resolve(sweep.function.functionName),
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 300,
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'Finds CloudFront changes InProgress that no watch follows and starts their watch',
      Timeout: 120,
    });
  });

  it('names a one-minute rate in the singular, as EventBridge Scheduler requires', () => {
    // Act
    const { template } = sweepOnBareStack('stepfunctions', { interval: Duration.minutes(1) });
    // Assert
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 minute)',
      Target: Match.objectLike({ Input: '{"intervalMinutes":1}' }),
    });
  });

  it('lets only EventBridge Scheduler of this account assume the schedule role, which may invoke the sweeper alone', () => {
    // Act
    const { stack, sweep, template } = sweepOnBareStack('stepfunctions');
    // Assert
    template.hasResourceProperties('AWS::IAM::Role', {
      Description: 'Lets EventBridge Scheduler invoke the reconciliation sweep',
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          },
        ],
      },
    });
    expect(grantsOf(stack, sweep.scheduleRole)).toEqual([
      {
        sid: 'InvokeSweeper',
        actions: ['lambda:InvokeFunction'],
        resources: [stack.resolve(sweep.function.functionArn)],
      },
    ]);
  });

  it('in mode stepfunctions lists distributions, reads the listed ones, and starts and lists executions of the watch', () => {
    // Act
    const { stack, stateMachine, sweep, template } = sweepOnBareStack('stepfunctions');
    // Assert
    const grants = grantsOf(stack, sweep.role);
    expect(grants).toContainEqual({
      sid: 'ListCloudFront',
      actions: ['cloudfront:ListDistributions'],
      resources: ['*'],
    });
    expect(grants).toContainEqual({
      sid: 'ReadSweptDistributions',
      actions: ['cloudfront:GetDistribution', 'cloudfront:ListInvalidations'],
      resources: [LISTED_DISTRIBUTION],
    });
    const stateMachineArn = stack.resolve(stateMachine.stateMachineArn);
    expect(grants.filter(({ actions }) => actions.some((action) => action.startsWith('states:')))).toEqual([
      { actions: ['states:StartExecution'], resources: [stateMachineArn] },
      { actions: ['states:ListExecutions'], resources: [stateMachineArn] },
    ]);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ STATE_MACHINE_ARN: stateMachineArn }) },
    });
    expect(acknowledgedOn(sweep.role)).toEqual(['AwsSolutions-IAM5[Resource::*]']);
  });

  it('in mode sqs-retry sends to the buffer queue and searches the checker log group, and starts no execution', () => {
    // Act
    const { stack, queue, checkerLogGroup, sweep, template } = sweepOnBareStack('sqs-retry');
    // Assert
    const grants = grantsOf(stack, sweep.role);
    expect(grants).toContainEqual({
      sid: 'FindCheckerWatches',
      actions: ['logs:FilterLogEvents'],
      resources: [stack.resolve(checkerLogGroup.logGroupArn)],
    });
    expect(grants).toContainEqual({
      actions: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
      resources: [stack.resolve(queue.queueArn)],
    });
    expect(grants.flatMap(({ actions }) => actions).filter((action) => action.startsWith('states:'))).toEqual([]);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          QUEUE_URL: stack.resolve(queue.queueUrl),
          CHECKER_LOG_GROUP_NAME: stack.resolve(checkerLogGroup.logGroupName),
        }),
      },
    });
  });

  it('lists tenants only when tenant calls are watched, and reads every distribution without distributionIds', () => {
    // Act
    const { stack, sweep } = sweepOnBareStack('stepfunctions', {
      settings: { ...SETTINGS, distributionIds: [], watchedEvents: ['UpdateDistributionTenant', 'CreateInvalidation'] },
    });
    // Assert
    const grants = grantsOf(stack, sweep.role);
    expect(grants).toContainEqual({
      sid: 'ListCloudFront',
      actions: ['cloudfront:ListDistributions', 'cloudfront:ListDistributionTenants'],
      resources: ['*'],
    });
    expect(grants).toContainEqual({
      sid: 'ReadSweptDistributions',
      actions: ['cloudfront:GetDistribution', 'cloudfront:ListInvalidations'],
      resources: [
        {
          'Fn::Join': [
            '',
            ['arn:', { Ref: 'AWS::Partition' }, ':cloudfront::', { Ref: 'AWS::AccountId' }, ':distribution/*'],
          ],
        },
      ],
    });
    expect(acknowledgedOn(sweep.role)).toEqual([
      'AwsSolutions-IAM5[Resource::*]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudfront::<AWS::AccountId>:distribution/*]',
    ]);
  });
});

import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { NotificationTopic } from '../../../infra/constructs/notification-topic';
import { WatchStateMachine } from '../../../infra/constructs/watch-state-machine';
import { resolveIntrinsics, type CfnTemplate } from '../../../tools/lib/synth';
import { acknowledgedOn, bareStack, grantsOf, SETTINGS } from './bare-stack';

const OWN_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:Bare-ChangeWatch';

function watchOnBareStack(withReader = false) {
  const stack = bareStack();
  const notifications = new NotificationTopic(stack, 'Notifications');
  const reader = new lambda.Function(stack, 'Reader', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({})'),
  });
  const watch = new WatchStateMachine(stack, 'Watch', {
    topic: notifications.topic,
    settings: withReader
      ? { ...SETTINGS, watchedEvents: ['UpdateDistribution', 'CreateDistributionTenant'] }
      : SETTINGS,
    ...(withReader ? { statusReader: { function: reader, kinds: ['tenant'] as const } } : {}),
  });
  return { stack, notifications, reader, watch };
}

/** The grants of the state machine's role with every intrinsic resolved to a stand-in value. */
function resolvedGrants(stack: ReturnType<typeof bareStack>, watch: WatchStateMachine) {
  const template = Template.fromStack(stack).toJSON() as CfnTemplate;
  return grantsOf(stack, watch.stateMachine.role).map((grant) => ({
    ...grant,
    resources: grant.resources.map((resource) => resolveIntrinsics(resource, template)),
  }));
}

describe('WatchStateMachine', () => {
  it('is a Standard workflow named after the stack, with full execution logs in a log group named after the stack instance, and X-Ray', () => {
    // Act
    const { stack, watch } = watchOnBareStack();
    // Assert
    expect(watch.stateMachineName).toBe('Bare-ChangeWatch');
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineName: 'Bare-ChangeWatch',
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: {
        Level: 'ALL',
        IncludeExecutionData: true,
        Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: stack.resolve(watch.logGroup.logGroupArn) } }],
      },
    });
    template.hasResource('AWS::Logs::LogGroup', {
      DeletionPolicy: 'Retain',
      Properties: {
        RetentionInDays: 90,
        LogGroupName: {
          'Fn::Join': [
            '',
            ['/aws/vendedlogs/states/Bare-ChangeWatch-', Match.objectLike({ 'Fn::Select': Match.anyValue() })],
          ],
        },
      },
    });
  });

  it('watches for as long as the settings say, plus what jitter and retries can add and an hour, as execution timeout', () => {
    // Act
    const { stack } = watchOnBareStack();
    // Assert: 1 day, + 10 % of it for jitter, + 10 % for the back-off and one more back-off at its cap of 990 s (15 min, + 10 %),
    // + 801 checks of 22 s each with every retry spent, + 1 h
    const [machine] = Object.values(Template.fromStack(stack).findResources('AWS::StepFunctions::StateMachine'));
    expect(JSON.stringify(machine!.Properties.DefinitionString)).toContain('\\"TimeoutSeconds\\":125892');
  });

  it('may continue itself, publish with the topic key and read the watched kinds on the listed distributions', () => {
    // Act
    const { stack, notifications, watch } = watchOnBareStack();
    // Assert
    const resolved = resolvedGrants(stack, watch);
    expect(resolved).toContainEqual({
      sid: 'ContinueLongWatches',
      actions: ['states:StartExecution'],
      resources: [OWN_ARN],
    });
    expect(resolved).toContainEqual({
      sid: 'ReadCloudFrontStatus',
      actions: ['cloudfront:GetDistribution', 'cloudfront:GetInvalidation'],
      resources: ['arn:aws:cloudfront::123456789012:distribution/E2QWRUHAPOMQZL'],
    });
    const grants = grantsOf(stack, watch.stateMachine.role);
    expect(grants).toContainEqual({
      sid: 'PublishNotifications',
      actions: ['sns:Publish'],
      resources: [stack.resolve(notifications.topic.topicArn)],
    });
    expect(grants).toContainEqual({
      sid: 'EncryptNotifications',
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: [stack.resolve(notifications.key.keyArn)],
    });
    expect(grants.flatMap(({ actions }) => actions)).not.toContain('lambda:InvokeFunction');
    expect(acknowledgedOn(watch.stateMachine)).toEqual(['AwsSolutions-IAM5[Resource::*]']);
  });

  it('with a status reader, invokes it by its unqualified ARN for its kinds and reads only the other kinds itself', () => {
    // Act
    const { stack, reader, watch } = watchOnBareStack(true);
    // Assert
    const grants = grantsOf(stack, watch.stateMachine.role);
    expect(grants).toContainEqual({
      sid: 'ReadRecentStatus',
      actions: ['lambda:InvokeFunction'],
      resources: [stack.resolve(reader.functionArn)],
    });
    const reads = grants.flatMap(({ actions }) => actions).filter((action) => action.startsWith('cloudfront:'));
    expect(reads).toEqual(['cloudfront:GetDistribution']);
  });
});

import type { CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { LOG_REMOVAL_POLICIES, LOG_RETENTION_DAYS } from '../../infra/config';
import { NOTIFIED_FAILURES, UNEXPECTED_FAILURE_PATTERN } from '../../infra/constructs/alarms';
import type { SynthResult } from '../../tools/lib/synth';
import { EVERY_CALL, deployedDefinition, synthesized } from '../support/definition';
import { ALARM_EMAILS } from './configurations';
import { configErrorFrom, configFrom } from '../support/config';
import { WATCH_ERRORS } from '../../domain/errors';

const SQS_RETRY = { mode: 'sqs-retry' };

function stacked(context: Record<string, unknown>): {
  result: SynthResult;
  template: Template;
  id: (c: IConstruct) => string;
} {
  const result = synthesized(context);
  return {
    result,
    template: Template.fromJSON(result.template),
    id: (construct) => result.stack.getLogicalId(construct.node.defaultChild as CfnElement),
  };
}

function alarmNames(template: Template): string[] {
  return Object.values(template.findResources('AWS::CloudWatch::Alarm'))
    .map((alarm) => alarm.Properties.AlarmName as string)
    .sort();
}

describe('operations config', () => {
  it('turns alarms on, the trail off, and keeps logs 90 days and after a delete, when nothing is set', () => {
    // Arrange
    const context = {};
    // Act
    const config = configFrom(context);
    // Assert
    expect(config).toMatchObject({
      alarms: { enabled: true, emails: [] },
      trail: { enabled: false, retentionDays: 365 },
      logs: { retentionDays: 90, removalPolicy: 'retain' },
    });
  });

  it('reads `-c` strings and cdk.json values alike', () => {
    // Arrange
    const fromCommandLine = {
      alarms: 'false',
      createTrail: 'true',
      trailRetentionDays: '400',
      logRetentionDays: '30',
      logRemovalPolicy: 'destroy',
      alarmEmails: 'a@example.com, b@example.org',
    };
    const fromCdkJson = {
      alarms: false,
      createTrail: true,
      trailRetentionDays: 400,
      logRetentionDays: 30,
      logRemovalPolicy: 'destroy',
      alarmEmails: ['a@example.com', 'b@example.org'],
    };
    // Act
    const configs = [configFrom(fromCommandLine), configFrom(fromCdkJson)];
    // Assert
    for (const config of configs) {
      expect(config).toMatchObject({
        alarms: { enabled: false, emails: ['a@example.com', 'b@example.org'] },
        trail: { enabled: true, retentionDays: 400 },
        logs: { retentionDays: 30, removalPolicy: 'destroy' },
      });
    }
  });

  it.each([
    { key: 'alarms', given: 'yes', allowed: ['true', 'false'] },
    { key: 'createTrail', given: 1, allowed: ['true', 'false'] },
    { key: 'logRetentionDays', given: '45', allowed: LOG_RETENTION_DAYS.map(String) },
    { key: 'logRetentionDays', given: 0, allowed: ['1', '3653'] },
    { key: 'logRemovalPolicy', given: 'delete', allowed: [...LOG_REMOVAL_POLICIES] },
    { key: 'trailRetentionDays', given: '0', allowed: ['1', '3653'] },
    { key: 'alarmEmails', given: 'not-an-address', allowed: ['email addresses'] },
  ])('rejects $key = $given, naming key, value and what is allowed', ({ key, given, allowed }) => {
    // Arrange
    const context = { [key]: given };
    // Act
    const error = configErrorFrom(context);
    // Assert
    expect(error.message).toContain(`"${key}"`);
    expect(error.message).toContain(JSON.stringify(given));
    for (const part of allowed) expect(error.message).toContain(part);
  });

  it('offers exactly the retention periods CloudWatch Logs accepts', () => {
    // Arrange
    const cdkNames = Object.values(logs.RetentionDays).filter((days): days is number => typeof days === 'number');
    // Act
    const offered = [...LOG_RETENTION_DAYS];
    // Assert: every CloudWatch Logs period but "never expire" (CDK's 9999)
    expect(offered).toEqual(
      cdkNames.filter((days) => days !== Number(logs.RetentionDays.INFINITE)).sort((a, b) => a - b),
    );
  });
});

describe('alarms', () => {
  it('in mode stepfunctions watch the DLQ, the buffer, the executions and the dispatcher, all reporting to the notification topic', () => {
    // Arrange
    const { result, template, id } = stacked({});
    // Act
    const names = alarmNames(template);
    // Assert
    expect(names).toEqual(
      [
        'BufferBacklog',
        'ChangesMissedByCapture',
        'DeadLetterQueueNotEmpty',
        'DispatcherErrors',
        'DispatcherThrottles',
        'ExecutionsAborted',
        'ExecutionsTimedOut',
        'StatusChecksUnanswered',
        'SweepErrors',
        'UnexpectedExecutionFailures',
      ]
        .map((name) => `CloudFrontChangeNotifier-${name}`)
        .sort(),
    );
    const topic = { Ref: id(result.stack.notifications.topic) };
    template.allResourcesProperties('AWS::CloudWatch::Alarm', {
      AlarmActions: [topic],
      OKActions: [topic],
      AlarmDescription: Match.stringLikeRegexp('.{80,}'),
      TreatMissingData: 'notBreaching',
    });
  });

  it('with a read budget also alarm on the read-budget function, whose failures let checks go ahead unbudgeted', () => {
    // Arrange
    const { template } = stacked({ readBudgetPerSecond: '4' });
    // Act
    const [alarm] = Object.values(
      template.findResources('AWS::CloudWatch::Alarm', {
        Properties: { AlarmName: 'CloudFrontChangeNotifier-ReadBudgetErrors' },
      }),
    );
    // Assert
    expect(alarm!.Properties).toMatchObject({
      MetricName: 'Errors',
      Namespace: 'AWS/Lambda',
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
    });
    expect(alarm!.Properties.AlarmDescription).toContain('may exceed readBudgetPerSecond');
  });

  it('in mode sqs-retry watch the DLQ and the status-check function; there is no state machine and no backlog signal', () => {
    // Arrange
    const { template } = stacked(SQS_RETRY);
    // Act
    const names = alarmNames(template);
    // Assert
    expect(names).toEqual(
      [
        'ChangesMissedByCapture',
        'DeadLetterQueueNotEmpty',
        'StatusCheckErrors',
        'StatusCheckThrottles',
        'StatusChecksUnanswered',
        'SweepErrors',
      ].map((name) => `CloudFrontChangeNotifier-${name}`),
    );
  });

  it.each([
    { mode: 'stepfunctions', context: {}, logs: 'Dispatcher function logs' },
    { mode: 'sqs-retry', context: SQS_RETRY, logs: 'StatusCheck function logs' },
  ])('in mode $mode point to the logs of the function that consumed the dead letters', ({ context, logs }) => {
    // Arrange
    const { template } = stacked(context);
    // Act
    const [alarm] = Object.values(
      template.findResources('AWS::CloudWatch::Alarm', {
        Properties: { AlarmName: 'CloudFrontChangeNotifier-DeadLetterQueueNotEmpty' },
      }),
    );
    // Assert
    expect(alarm!.Properties.AlarmDescription).toContain(`(and the ${logs})`);
  });

  it('fire on the first message in the dead-letter queue', () => {
    // Arrange
    const { result, template, id } = stacked({});
    // Act & Assert
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'CloudFrontChangeNotifier-DeadLetterQueueNotEmpty',
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        { Name: 'QueueName', Value: { 'Fn::GetAtt': [id(result.stack.capture.deadLetterQueue), 'QueueName'] } },
      ],
      Statistic: 'Maximum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('call the buffer backlogged when its oldest event has outlived two visibility timeouts', () => {
    // Arrange
    const { result, template, id } = stacked({ visibilityTimeoutSeconds: '300' });
    // Act & Assert
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'CloudFrontChangeNotifier-BufferBacklog',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [id(result.stack.capture.queue), 'QueueName'] } }],
      Threshold: 600,
    });
  });

  it.each([
    {
      mode: 'stepfunctions',
      context: {},
      pattern:
        '{ ($.type = "PassStateEntered") && (($.details.name = "No answer to distribution check") || ' +
        '($.details.name = "No answer to invalidation check")) }',
    },
    {
      mode: 'sqs-retry',
      context: SQS_RETRY,
      pattern: '{ $.message = "CloudFront gave no answer; the change is checked again at the next scheduled check" }',
    },
  ])('in mode $mode count the unanswered status checks and alarm after 15 minutes of them', ({ context, pattern }) => {
    // Arrange
    const { template } = stacked(context);
    // Act
    const filters = template.findResources('AWS::Logs::MetricFilter', {
      Properties: { MetricTransformations: [Match.objectLike({ MetricName: 'StatusChecksUnanswered' })] },
    });
    // Assert
    expect(Object.values(filters).map((filter) => filter.Properties.FilterPattern)).toEqual([pattern]);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'CloudFrontChangeNotifier-StatusChecksUnanswered',
      MetricName: 'StatusChecksUnanswered',
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      EvaluationPeriods: 3,
    });
  });

  it('count only the execution failures nobody was notified about, from the execution log', () => {
    // Arrange
    const { template } = stacked({});
    const logGroupId = Object.keys(
      template.findResources('AWS::Logs::LogGroup', { Properties: { LogGroupName: Match.anyValue() } }),
    )[0]!;
    // Act
    const filters = template.findResources('AWS::Logs::MetricFilter', {
      Properties: {
        LogGroupName: { Ref: logGroupId },
        MetricTransformations: [Match.objectLike({ MetricName: 'UnexpectedExecutionFailures' })],
      },
    });
    // Assert
    expect(Object.values(filters)).toHaveLength(1);
    const filter = Object.values(filters)[0]!.Properties;
    expect(filter.LogGroupName).toEqual({ Ref: logGroupId });
    expect(filter.FilterPattern).toBe(UNEXPECTED_FAILURE_PATTERN.logPatternString);
    expect(filter.FilterPattern).toContain('$.type = "ExecutionFailed"');
    for (const error of NOTIFIED_FAILURES) expect(filter.FilterPattern).toContain(`$.details.error != "${error}"`);
    expect(filter.FilterPattern).toContain('$.details.error != "DistributionTenantNotFound"');
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'CloudFrontChangeNotifier-UnexpectedExecutionFailures',
      Namespace: filter.MetricTransformations[0].MetricNamespace,
      MetricName: filter.MetricTransformations[0].MetricName,
    });
  });

  it.each([
    { mode: 'stepfunctions', context: {} },
    { mode: 'sqs-retry', context: SQS_RETRY },
  ])(
    'in mode $mode count the changes the sweep found that no event announced, from its log, and say what to check',
    ({ context }) => {
      // Arrange
      const { result, template, id } = stacked(context);
      // Act
      const filters = template.findResources('AWS::Logs::MetricFilter', {
        Properties: {
          LogGroupName: { Ref: id(result.stack.sweep!.logGroup) },
          MetricTransformations: [Match.objectLike({ MetricName: 'ChangesMissedByCapture' })],
        },
      });
      // Assert
      expect(Object.values(filters).map(({ Properties }) => Properties)).toEqual([
        {
          FilterPattern: '{ $.missedByCapture = 1 }',
          LogGroupName: { Ref: id(result.stack.sweep!.logGroup) },
          MetricTransformations: [
            {
              MetricName: 'ChangesMissedByCapture',
              MetricNamespace: 'CloudFrontChangeNotifier/CloudFrontChangeNotifier',
              MetricValue: '1',
            },
          ],
        },
      ]);
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: 'CloudFrontChangeNotifier-ChangesMissedByCapture',
        Namespace: 'CloudFrontChangeNotifier/CloudFrontChangeNotifier',
        MetricName: 'ChangesMissedByCapture',
        Statistic: 'Sum',
        Threshold: 1,
        AlarmDescription: Match.stringLikeRegexp(
          'check that a trail logs management events .* that the EventBridge rule CaptureCloudFrontChangeRule[0-9A-F]{8} of this stack exists and is enabled',
        ),
      });
    },
  );

  it('leave out exactly the failures the deployed workflow announces first; check failures and bad input still alarm', () => {
    // Arrange
    // Every call watched, so the tenant kinds' endings are in the definition too.
    const definition = deployedDefinition(EVERY_CALL);
    const states = Object.entries(definition.States);
    // Act
    const failErrors = states.filter(([, state]) => state.Type === 'Fail').map(([, state]) => state.Error as string);
    // After its notification a watch ends by the rule of its outcome ($.finished.outcome) in a "How did … end?" Choice.
    const endRules = states.flatMap(([, state]) =>
      ((state.Choices ?? []) as Array<{ Variable?: string; Next: string }>).filter(
        (rule) => rule.Variable === '$.finished.outcome',
      ),
    );
    const announced = states
      .filter(([, state]) => state.Type === 'Fail')
      .filter(([name]) => endRules.some((rule) => rule.Next === name))
      .map(([, state]) => state.Error as string);
    // Assert
    expect([...NOTIFIED_FAILURES].sort()).toEqual(
      [...new Set(announced)].filter((error) => error !== WATCH_ERRORS.checkFailed).sort(),
    );
    expect(NOTIFIED_FAILURES).toContain(WATCH_ERRORS.tenantNotFound);
    expect(failErrors).toEqual(expect.arrayContaining([WATCH_ERRORS.checkFailed, WATCH_ERRORS.invalidInput]));
    expect(NOTIFIED_FAILURES).not.toContain(WATCH_ERRORS.checkFailed);
    expect(NOTIFIED_FAILURES).not.toContain(WATCH_ERRORS.invalidInput);
  });

  it('go to a topic of their own, encrypted with the same key, when alarmEmails is set', () => {
    // Arrange
    const { result, template, id } = stacked({ alarmEmails: ALARM_EMAILS.join(',') });
    const alarmTopic = result.stack.operations.alarmTopic!.topic;
    // Act
    const alarmTopicId = id(alarmTopic);
    // Assert
    template.allResourcesProperties('AWS::CloudWatch::Alarm', {
      AlarmActions: [{ Ref: alarmTopicId }],
      OKActions: [{ Ref: alarmTopicId }],
    });
    template.hasResourceProperties('AWS::SNS::Topic', {
      DisplayName: 'CloudFront change notifier alarms',
      KmsMasterKeyId: { 'Fn::GetAtt': [id(result.stack.notifications.key), 'Arn'] },
    });
    for (const email of ALARM_EMAILS) {
      template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: email,
        TopicArn: { Ref: alarmTopicId },
      });
    }
    template.hasOutput('AlarmTopicArn', { Value: { Ref: alarmTopicId } });
  });

  it('let CloudWatch publish to the alarm topic for this stack’s alarms only, and use its key', () => {
    // Arrange
    const { result, template, id } = stacked({});
    // Act & Assert
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: id(result.stack.notifications.topic) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Condition: {
              ArnLike: {
                'aws:SourceArn': {
                  'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':alarm:CloudFrontChangeNotifier-\\*$')])],
                },
              },
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
            },
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
          }),
        ]),
      },
    });
  });

  it.each([
    { mode: 'stepfunctions', context: {} },
    { mode: 'sqs-retry', context: SQS_RETRY },
  ])('disappear with alarms=false in mode $mode, and CloudWatch loses its grants', ({ context }) => {
    // Arrange
    const { template, result } = stacked({ ...context, alarms: 'false' });
    // Act
    const alarms = template.findResources('AWS::CloudWatch::Alarm');
    // Assert
    expect(alarms).toEqual({});
    const filtered = Object.values(template.findResources('AWS::Logs::MetricFilter')).map(
      ({ Properties }) => Properties.MetricTransformations[0].MetricName as string,
    );
    // The dashboard's own metric filters stay.
    expect(filtered.filter((name) => !['WatchesStarted', 'WatchesInProgress'].includes(name))).toEqual([]);
    expect(JSON.stringify(result.template)).not.toContain('cloudwatch.amazonaws.com');
  });
});

describe('encryption', () => {
  it('encrypts the notification topic with a customer-managed key that rotates', () => {
    // Arrange
    const { result, template, id } = stacked({});
    // Act
    const keyId = id(result.stack.notifications.key);
    // Assert
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete', Properties: { PendingWindowInDays: 7 } });
  });

  it.each([
    { mode: 'stepfunctions', context: {}, role: 'WatchStateMachineRole' },
    { mode: 'sqs-retry', context: SQS_RETRY, role: 'StatusCheckRole' },
  ])(
    'lets the publisher of mode $mode use the key with the two calls SNS makes, on that key only',
    ({ context, role }) => {
      // Arrange
      const { result, template, id } = stacked(context);
      // Act
      const policies = template.findResources('AWS::IAM::Policy', {
        Properties: { Roles: [{ Ref: Match.stringLikeRegexp(`^${role}`) }] },
      });
      // Assert
      const statements = Object.values(policies).flatMap((policy) => policy.Properties.PolicyDocument.Statement);
      expect(statements).toContainEqual(
        expect.objectContaining({
          Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
          Resource: { 'Fn::GetAtt': [id(result.stack.notifications.key), 'Arn'] },
        }),
      );
    },
  );
});

describe('the optional CloudTrail trail', () => {
  it('is not created unless createTrail=true', () => {
    // Arrange
    const { template } = stacked({});
    // Act & Assert
    template.resourceCountIs('AWS::CloudTrail::Trail', 0);
    template.resourceCountIs('AWS::S3::Bucket', 0);
  });

  it('records management events of every Region, with log file validation', () => {
    // Arrange
    const { template } = stacked({ createTrail: 'true' });
    // Act & Assert
    template.hasResourceProperties('AWS::CloudTrail::Trail', {
      IsMultiRegionTrail: true,
      IncludeGlobalServiceEvents: true,
      IsLogging: true,
      EnableLogFileValidation: true,
      EventSelectors: [{ IncludeManagementEvents: true, ReadWriteType: 'All' }],
    });
  });

  it('keeps its logs in an encrypted, private, TLS-only bucket that expires them and survives a stack delete', () => {
    // Arrange
    const { result, template, id } = stacked({ createTrail: 'true', trailRetentionDays: '400' });
    const bucketId = id(result.stack.operations.trail!.bucket);
    // Act & Assert
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 400, Status: 'Enabled' })] },
      },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('lets only this trail write to its bucket', () => {
    // Arrange
    const { template } = stacked({ createTrail: 'true' });
    const trail = Object.values(template.findResources('AWS::CloudTrail::Trail'))[0]!;
    // Act & Assert
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Principal: { Service: 'cloudtrail.amazonaws.com' },
            Condition: {
              StringNotEquals: {
                'aws:SourceArn': {
                  'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(`:trail/${trail.Properties.TrailName}$`)])],
                },
              },
            },
          }),
        ]),
      },
    });
  });
});

describe('log retention and removal', () => {
  it.each([
    { mode: 'stepfunctions', context: {} },
    { mode: 'sqs-retry', context: SQS_RETRY },
  ])('keeps every log group of mode $mode 90 days and after a stack delete by default', ({ context }) => {
    // Arrange
    const { template } = stacked(context);
    // Act
    const groups = Object.values(template.findResources('AWS::Logs::LogGroup'));
    // Assert
    expect(groups.length).toBeGreaterThan(0);
    for (const group of groups) {
      expect(group.Properties.RetentionInDays).toBe(90);
      expect(group.DeletionPolicy).toBe('Retain');
    }
  });

  it.each([
    { mode: 'stepfunctions', context: {} },
    { mode: 'sqs-retry', context: SQS_RETRY },
  ])('applies logRetentionDays and logRemovalPolicy=destroy to every log group of mode $mode', ({ context }) => {
    // Arrange
    const { template } = stacked({ ...context, logRetentionDays: '14', logRemovalPolicy: 'destroy' });
    // Act
    const groups = Object.values(template.findResources('AWS::Logs::LogGroup'));
    // Assert
    expect(groups.length).toBeGreaterThan(0);
    for (const group of groups) {
      expect(group.Properties.RetentionInDays).toBe(14);
      expect(group.DeletionPolicy).toBe('Delete');
    }
  });

  it('names the execution log group after the stack instance, so a retained group cannot block a redeploy', () => {
    // Arrange
    const { result, template } = stacked({});
    // Act
    const named = Object.values(
      template.findResources('AWS::Logs::LogGroup', { Properties: { LogGroupName: Match.anyValue() } }),
    );
    // Assert
    expect(named).toHaveLength(1);
    expect(JSON.stringify(named[0]!.Properties.LogGroupName)).toContain('AWS::StackId');
    expect(JSON.stringify(named[0]!.Properties.LogGroupName)).toContain(
      `/aws/vendedlogs/states/${result.stack.stackName}-ChangeWatch-`,
    );
  });
});

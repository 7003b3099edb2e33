import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { NotifierFunction } from '../../../infra/constructs/notifier-function';
import { acknowledgedOn, bareStack, grantsOf } from './bare-stack';

const PROPS = {
  entry: 'status-reader/handler.ts',
  description: 'Does one thing',
  roleDescription: 'May do one thing',
  environment: { OWN_SETTING: 'on' },
  timeout: Duration.seconds(12),
};

describe('NotifierFunction', () => {
  it('runs Node.js 24 on arm64 with X-Ray, JSON logs in its own log group, its own variables and Powertools’', () => {
    // Arrange
    const stack = bareStack();
    // Act
    const notifier = new NotifierFunction(stack, 'Notifier', PROPS);
    // Assert
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'Does one thing',
      Handler: 'index.handler',
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 256,
      Timeout: 12,
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: { LogFormat: 'JSON', LogGroup: stack.resolve(notifier.logGroup.logGroupName) },
      Role: stack.resolve(notifier.role.roleArn),
      Environment: {
        Variables: {
          OWN_SETTING: 'on',
          POWERTOOLS_SERVICE_NAME: 'cloudfront-change-notifier',
          POWERTOOLS_LOG_LEVEL: 'INFO',
        },
      },
    });
    expect(notifier.environment).toEqual({
      OWN_SETTING: 'on',
      POWERTOOLS_SERVICE_NAME: 'cloudfront-change-notifier',
      POWERTOOLS_LOG_LEVEL: 'INFO',
    });
  });

  it('keeps its logs 90 days and after a stack delete unless told otherwise', () => {
    // Arrange
    const stack = bareStack();
    const other = bareStack();
    // Act
    new NotifierFunction(stack, 'Notifier', PROPS);
    new NotifierFunction(other, 'Notifier', {
      ...PROPS,
      logRetention: logs.RetentionDays.ONE_WEEK,
      logRemovalPolicy: RemovalPolicy.DESTROY,
    });
    // Assert
    Template.fromStack(stack).hasResource('AWS::Logs::LogGroup', {
      DeletionPolicy: 'Retain',
      Properties: { RetentionInDays: 90 },
    });
    Template.fromStack(other).hasResource('AWS::Logs::LogGroup', {
      DeletionPolicy: 'Delete',
      Properties: { RetentionInDays: 7 },
    });
  });

  it('gives its role its own log group and the X-Ray calls only, and acknowledges the X-Ray wildcard on itself', () => {
    // Arrange
    const stack = bareStack();
    // Act
    const notifier = new NotifierFunction(stack, 'Notifier', PROPS);
    // Assert
    expect(grantsOf(stack, notifier.role)).toEqual([
      {
        sid: 'WriteOwnLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [stack.resolve(notifier.logGroup.logGroupArn)],
      },
      { actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], resources: ['*'] },
    ]);
    expect(acknowledgedOn(notifier)).toEqual(['AwsSolutions-IAM5[Resource::*]']);
  });
});

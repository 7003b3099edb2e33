import * as logs from 'aws-cdk-lib/aws-logs';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { FunctionRole } from '../../../infra/constructs/function-role';
import { bareStack, grantsOf } from './bare-stack';

describe('FunctionRole', () => {
  it('is assumed by Lambda, has no managed policy, and may write to its own log group only', () => {
    // Arrange
    const stack = bareStack();
    const logGroup = new logs.LogGroup(stack, 'Logs');
    // Act
    const role = new FunctionRole(stack, 'Role', { logGroup, description: 'Reads one thing' });
    // Assert
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::Role', 1);
    template.hasResourceProperties('AWS::IAM::Role', {
      Description: 'Reads one thing',
      AssumeRolePolicyDocument: {
        Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } }],
      },
    });
    expect(Object.values(template.findResources('AWS::IAM::Role'))[0]!.Properties.ManagedPolicyArns).toBeUndefined();
    expect(grantsOf(stack, role)).toEqual([
      {
        sid: 'WriteOwnLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [stack.resolve(logGroup.logGroupArn)],
      },
    ]);
  });
});

import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ChangeEventCapture } from '../../../infra/constructs/change-event-capture';
import { bareStack } from './bare-stack';

const PROPS = {
  watchedEvents: ['UpdateDistribution', 'CreateInvalidation'],
  retentionPeriod: Duration.days(2),
  receiveMessageWaitTime: Duration.seconds(5),
  visibilityTimeout: Duration.minutes(3),
};

describe('ChangeEventCapture', () => {
  it('buffers in an encrypted queue with the given times, redriving to a 14-day dead-letter queue after five receives', () => {
    // Arrange
    const stack = bareStack();
    // Act
    const capture = new ChangeEventCapture(stack, 'Capture', PROPS);
    // Assert
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SQS::Queue', 2);
    template.hasResourceProperties('AWS::SQS::Queue', {
      MessageRetentionPeriod: 172_800,
      ReceiveMessageWaitTimeSeconds: 5,
      VisibilityTimeout: 180,
      SqsManagedSseEnabled: true,
      RedrivePolicy: { deadLetterTargetArn: stack.resolve(capture.deadLetterQueue.queueArn), maxReceiveCount: 5 },
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      MessageRetentionPeriod: 1_209_600,
      SqsManagedSseEnabled: true,
    });
  });

  it('redrives after the given number of receives', () => {
    // Arrange
    const stack = bareStack();
    // Act
    const capture = new ChangeEventCapture(stack, 'Capture', { ...PROPS, maxReceiveCount: 998 });
    // Assert
    Template.fromStack(stack).hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: { deadLetterTargetArn: stack.resolve(capture.deadLetterQueue.queueArn), maxReceiveCount: 998 },
    });
  });

  it('matches the successful CloudTrail records of the watched calls and sends them to the queue, failures to the dead-letter queue', () => {
    // Arrange
    const stack = bareStack();
    // Act
    const capture = new ChangeEventCapture(stack, 'Capture', PROPS);
    // Assert
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.cloudfront'],
        'detail-type': ['AWS API Call via CloudTrail'],
        detail: {
          eventSource: ['cloudfront.amazonaws.com'],
          eventName: ['UpdateDistribution', 'CreateInvalidation'],
          errorCode: [{ exists: false }],
        },
      },
      Targets: [
        {
          Arn: stack.resolve(capture.queue.queueArn),
          Id: 'Target0',
          DeadLetterConfig: { Arn: stack.resolve(capture.deadLetterQueue.queueArn) },
          RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 },
        },
      ],
    });
  });

  it('with distributionIds, also requires a listed id in one of the id fields', () => {
    // Arrange
    const stack = bareStack();
    // Act
    new ChangeEventCapture(stack, 'Capture', { ...PROPS, distributionIds: ['E2QWRUHAPOMQZL'] });
    // Assert
    const [rule] = Object.values(Template.fromStack(stack).findResources('AWS::Events::Rule'));
    const or = rule!.Properties.EventPattern.detail.$or as unknown[];
    expect(or).toContainEqual({ requestParameters: { id: ['E2QWRUHAPOMQZL'] } });
    expect(or).toContainEqual({ requestParameters: { distributionId: ['E2QWRUHAPOMQZL'] } });
  });
});

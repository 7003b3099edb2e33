import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import { NotificationTopic } from '../../../infra/constructs/notification-topic';
import { Operations } from '../../../infra/constructs/operations';
import { bareStack } from './bare-stack';

function operationsScope() {
  const stack = bareStack();
  const notifications = new NotificationTopic(stack, 'Notifications');
  const deadLetterQueue = new sqs.Queue(stack, 'DeadLetters');
  return { stack, notifications, deadLetterQueue };
}

describe('Operations', () => {
  it('adds nothing when asked for no alarms and no trail', () => {
    // Arrange
    const { stack, notifications } = operationsScope();
    // Act
    const operations = new Operations(stack, 'Operations', { notifications });
    // Assert
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    template.resourceCountIs('AWS::CloudTrail::Trail', 0);
    expect(operations.alarms).toBeUndefined();
    expect(operations.alarmTopic).toBeUndefined();
    expect(operations.trail).toBeUndefined();
  });

  it('sends alarms to the notification topic when they have no addresses of their own', () => {
    // Arrange
    const { stack, notifications, deadLetterQueue } = operationsScope();
    // Act
    const operations = new Operations(stack, 'Operations', { notifications, alarms: { sources: { deadLetterQueue } } });
    // Assert
    expect(operations.alarmTopic).toBeUndefined();
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmActions: [stack.resolve(notifications.topic.topicArn)],
    });
  });

  it('gives alarms with addresses a topic of their own under the same key, and names it in an output', () => {
    // Arrange
    const { stack, notifications, deadLetterQueue } = operationsScope();
    // Act
    const operations = new Operations(stack, 'Operations', {
      notifications,
      alarms: { emails: ['ops@example.com'], sources: { deadLetterQueue } },
    });
    // Assert
    const alarmTopicArn = stack.resolve(operations.alarmTopic!.topic.topicArn);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SNS::Topic', {
      DisplayName: 'CloudFront change notifier alarms',
      KmsMasterKeyId: stack.resolve(notifications.key.keyArn),
    });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmActions: [alarmTopicArn] });
    template.hasOutput('AlarmTopicArn', { Value: alarmTopicArn });
  });

  it('creates the trail it is asked for and names its bucket in an output', () => {
    // Arrange
    const { stack, notifications } = operationsScope();
    // Act
    const operations = new Operations(stack, 'Operations', { notifications, trail: { retention: Duration.days(10) } });
    // Assert
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::CloudTrail::Trail', 1);
    template.hasOutput('TrailBucketName', { Value: stack.resolve(operations.trail!.bucket.bucketName) });
  });
});

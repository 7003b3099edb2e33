import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { grantPublish, NotificationTopic } from '../../../infra/constructs/notification-topic';
import { bareStack, grantsOf } from './bare-stack';

describe('NotificationTopic', () => {
  it('encrypts with a new rotating key that goes with the stack, and subscribes each address by email', () => {
    // Arrange
    const stack = bareStack();
    // Act
    const notifications = new NotificationTopic(stack, 'Notifications', {
      emails: ['ops@example.com', 'dev@example.org'],
    });
    // Assert
    const template = Template.fromStack(stack);
    template.hasResource('AWS::KMS::Key', {
      DeletionPolicy: 'Delete',
      Properties: { EnableKeyRotation: true, PendingWindowInDays: 7 },
    });
    template.hasResourceProperties('AWS::SNS::Topic', {
      DisplayName: 'CloudFront change notifier',
      KmsMasterKeyId: stack.resolve(notifications.key.keyArn),
    });
    const endpoints = Object.values(template.findResources('AWS::SNS::Subscription')).map(
      (subscription) => `${subscription.Properties.Protocol} ${subscription.Properties.Endpoint}`,
    );
    expect(endpoints.sort()).toEqual(['email dev@example.org', 'email ops@example.com']);
  });

  it('denies requests without TLS', () => {
    // Arrange
    const stack = bareStack();
    // Act
    new NotificationTopic(stack, 'Notifications');
    // Assert
    const [policy] = Object.values(Template.fromStack(stack).findResources('AWS::SNS::TopicPolicy'));
    expect(policy!.Properties.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });

  it('uses the key and the sender name it is given, creating no key of its own', () => {
    // Arrange
    const stack = bareStack();
    const key = new kms.Key(stack, 'SharedKey');
    // Act
    const alarms = new NotificationTopic(stack, 'Alarms', { masterKey: key, displayName: 'Alarms' });
    // Assert
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.resourceCountIs('AWS::SNS::Subscription', 0);
    template.hasResourceProperties('AWS::SNS::Topic', {
      DisplayName: 'Alarms',
      KmsMasterKeyId: stack.resolve(key.keyArn),
    });
    expect(alarms.key).toBe(key);
  });
});

describe('grantPublish', () => {
  it('allows sns:Publish on the topic and the two KMS calls SNS makes on its key, nothing more', () => {
    // Arrange
    const stack = bareStack();
    const notifications = new NotificationTopic(stack, 'Notifications');
    const role = new iam.Role(stack, 'Publisher', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    // Act
    grantPublish(notifications.topic, role);
    // Assert
    expect(grantsOf(stack, role)).toEqual([
      {
        sid: 'PublishNotifications',
        actions: ['sns:Publish'],
        resources: [stack.resolve(notifications.topic.topicArn)],
      },
      {
        sid: 'EncryptNotifications',
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [stack.resolve(notifications.key.keyArn)],
      },
    ]);
  });
});

import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import { NotificationTopic } from '../../../infra/constructs/notification-topic';
import { SqsRetryChecker } from '../../../infra/constructs/sqs-retry-checker';
import { bareStack, grantsOf, SETTINGS } from './bare-stack';

function statusCheckOnBareStack(findsSweptWatches?: boolean) {
  const stack = bareStack();
  const queue = new sqs.Queue(stack, 'Queue');
  const notifications = new NotificationTopic(stack, 'Notifications');
  const statusCheck = new SqsRetryChecker(stack, 'StatusCheck', {
    queue,
    topic: notifications.topic,
    visibilityTimeout: Duration.minutes(5),
    settings: SETTINGS,
    timeout: Duration.seconds(30),
    ...(findsSweptWatches === undefined ? {} : { findsSweptWatches }),
  });
  return { stack, queue, notifications, statusCheck };
}

describe('SqsRetryChecker', () => {
  it('hands the running code the topic, the queue and its visibility timeout in seconds, batches of ten at once', () => {
    // Act
    const { stack, queue, notifications } = statusCheckOnBareStack();
    // Assert
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 30,
      Environment: {
        Variables: Match.objectLike({
          TOPIC_ARN: stack.resolve(notifications.topic.topicArn),
          QUEUE_URL: stack.resolve(queue.queueUrl),
          QUEUE_VISIBILITY_TIMEOUT_SECONDS: '300',
        }),
      },
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it.each([{ findsSweptWatches: undefined }, { findsSweptWatches: false }])(
    'with findsSweptWatches $findsSweptWatches searches no log',
    ({ findsSweptWatches }) => {
      // Act
      const { stack, statusCheck } = statusCheckOnBareStack(findsSweptWatches);
      // Assert
      expect(statusCheck.environment.SWEPT_WATCH_LOG_GROUP_NAME).toBeUndefined();
      expect(grantsOf(stack, statusCheck.role).map(({ sid }) => sid)).not.toContain('FindSweptWatches');
    },
  );

  it('with the sweep on, may search only its own log group, whose name it is handed, for watches the sweep started', () => {
    // Act
    const { stack, statusCheck } = statusCheckOnBareStack(true);
    // Assert
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ SWEPT_WATCH_LOG_GROUP_NAME: stack.resolve(statusCheck.logGroup.logGroupName) }),
      },
    });
    expect(grantsOf(stack, statusCheck.role)).toContainEqual({
      sid: 'FindSweptWatches',
      actions: ['logs:FilterLogEvents'],
      resources: [stack.resolve(statusCheck.logGroup.logGroupArn)],
    });
  });

  it('may read the status of the watched kinds on the listed distributions, and publish with the topic key', () => {
    // Act
    const { stack, notifications, statusCheck } = statusCheckOnBareStack();
    // Assert
    const grants = grantsOf(stack, statusCheck.role);
    expect(grants).toContainEqual({
      sid: 'ReadCloudFrontStatus',
      actions: ['cloudfront:GetDistribution', 'cloudfront:GetInvalidation'],
      resources: [
        {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':cloudfront::',
              { Ref: 'AWS::AccountId' },
              ':distribution/E2QWRUHAPOMQZL',
            ],
          ],
        },
      ],
    });
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
  });
});

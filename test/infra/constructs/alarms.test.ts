import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import { NotifierAlarms } from '../../../infra/constructs/alarms';
import { NotificationTopic } from '../../../infra/constructs/notification-topic';
import { bareStack } from './bare-stack';

function sources() {
  const stack = bareStack();
  const notifications = new NotificationTopic(stack, 'Notifications');
  const deadLetterQueue = new sqs.Queue(stack, 'DeadLetters');
  const bufferQueue = new sqs.Queue(stack, 'Buffer');
  const logGroup = new logs.LogGroup(stack, 'ExecutionLogs');
  const stateMachine = new sfn.StateMachine(stack, 'Machine', {
    definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'Pass')),
  });
  const consumer = new lambda.Function(stack, 'Consumer', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({})'),
  });
  return { stack, notifications, deadLetterQueue, bufferQueue, logGroup, stateMachine, consumer };
}

const alarmNames = (template: Template) =>
  Object.values(template.findResources('AWS::CloudWatch::Alarm'))
    .map((alarm) => alarm.Properties.AlarmName as string)
    .sort();

describe('NotifierAlarms', () => {
  it('alarms on the dead-letter queue alone when given nothing else, to the topic, on ALARM and OK', () => {
    // Arrange
    const { stack, notifications, deadLetterQueue } = sources();
    // Act
    new NotifierAlarms(stack, 'Alarms', { topic: notifications.topic, deadLetterQueue });
    // Assert
    const template = Template.fromStack(stack);
    expect(alarmNames(template)).toEqual(['Bare-DeadLetterQueueNotEmpty']);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: stack.resolve(deadLetterQueue.queueName) }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [stack.resolve(notifications.topic.topicArn)],
      OKActions: [stack.resolve(notifications.topic.topicArn)],
    });
  });

  it('alarms on the backlog, the executions and each function when given them', () => {
    // Arrange
    const { stack, notifications, deadLetterQueue, bufferQueue, logGroup, stateMachine, consumer } = sources();
    // Act
    const alarms = new NotifierAlarms(stack, 'Alarms', {
      topic: notifications.topic,
      deadLetterQueue,
      bufferQueue,
      maxBufferAge: Duration.minutes(6),
      watch: { stateMachine, logGroup },
      functions: { Consumer: consumer },
    });
    // Assert
    const template = Template.fromStack(stack);
    expect(alarmNames(template)).toEqual([
      'Bare-BufferBacklog',
      'Bare-ConsumerErrors',
      'Bare-ConsumerThrottles',
      'Bare-DeadLetterQueueNotEmpty',
      'Bare-ExecutionsAborted',
      'Bare-ExecutionsTimedOut',
      'Bare-UnexpectedExecutionFailures',
    ]);
    expect(alarms.alarms).toHaveLength(7);
    expect(alarms.unexpectedFailures!.metric().metricName).toBe('UnexpectedExecutionFailures');
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'Bare-BufferBacklog',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Threshold: 360,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'Bare-ConsumerThrottles',
      EvaluationPeriods: 3,
    });
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      LogGroupName: stack.resolve(logGroup.logGroupName),
      MetricTransformations: [
        {
          MetricNamespace: 'CloudFrontChangeNotifier/Bare',
          MetricName: 'UnexpectedExecutionFailures',
          MetricValue: '1',
        },
      ],
    });
  });

  it('lets CloudWatch publish for alarms of this stack only, and use the topic key', () => {
    // Arrange
    const { stack, notifications, deadLetterQueue } = sources();
    // Act
    new NotifierAlarms(stack, 'Alarms', { topic: notifications.topic, deadLetterQueue });
    // Assert
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'AllowNotifierAlarmsToPublish',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Condition: {
              ArnLike: {
                'aws:SourceArn': {
                  'Fn::Join': [
                    '',
                    [
                      'arn:',
                      { Ref: 'AWS::Partition' },
                      ':cloudwatch:',
                      { Ref: 'AWS::Region' },
                      ':',
                      { Ref: 'AWS::AccountId' },
                      ':alarm:Bare-*',
                    ],
                  ],
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
          {
            Sid: 'AllowCloudWatchAlarmsToPublishToEncryptedTopics',
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
            Resource: '*',
          },
        ]),
      },
    });
  });
});

import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../infra/config';
import { QueueConsumerFunction } from '../../../infra/constructs/queue-consumer-function';
import { bareStack, grantsOf, SETTINGS } from './bare-stack';

const PROPS = {
  entry: 'dispatcher/handler.ts',
  description: 'Consumes the queue',
  roleDescription: 'May consume the queue',
  environment: { OWN_SETTING: 'on' },
  timeout: Duration.seconds(30),
  settings: SETTINGS,
  batchSize: 7,
};

describe('QueueConsumerFunction', () => {
  it('hands the running code the watch settings as JSON, after its own variables and before Powertools’', () => {
    // Arrange
    const stack = bareStack();
    const queue = new sqs.Queue(stack, 'Queue');
    // Act
    const consumer = new QueueConsumerFunction(stack, 'Consumer', { ...PROPS, queue });
    // Assert
    const settings =
      '{"watchedEvents":["UpdateDistribution","CreateInvalidation"],"distributionIds":["E2QWRUHAPOMQZL"],' +
      '"retentionSeconds":86400,"schedule":{"pollIntervalSeconds":30}}';
    expect(Object.entries(consumer.environment)).toEqual([
      ['OWN_SETTING', 'on'],
      ['WATCH_SETTINGS', settings],
      ['POWERTOOLS_SERVICE_NAME', 'cloudfront-change-notifier'],
      ['POWERTOOLS_LOG_LEVEL', 'INFO'],
    ]);
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ WATCH_SETTINGS: settings }) },
    });
  });

  it('reads the queue in batches, reports failed records one by one, and may receive and delete', () => {
    // Arrange
    const stack = bareStack();
    const queue = new sqs.Queue(stack, 'Queue');
    // Act
    const consumer = new QueueConsumerFunction(stack, 'Consumer', {
      ...PROPS,
      queue,
      maxBatchingWindow: Duration.seconds(2),
    });
    // Assert
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: stack.resolve(queue.queueArn),
      FunctionName: stack.resolve(consumer.function.functionName),
      BatchSize: 7,
      MaximumBatchingWindowInSeconds: 2,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    expect(grantsOf(stack, consumer.role)).toContainEqual({
      actions: expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility']),
      resources: [stack.resolve(queue.queueArn)],
    });
  });

  it('hands records over at once without a batching window', () => {
    // Arrange
    const stack = bareStack();
    const queue = new sqs.Queue(stack, 'Queue');
    // Act
    new QueueConsumerFunction(stack, 'Consumer', { ...PROPS, queue });
    // Assert
    const [mapping] = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::EventSourceMapping'));
    expect(mapping!.Properties.MaximumBatchingWindowInSeconds).toBeUndefined();
  });

  it("refuses settings whose distributionIds would pass Lambda's 4 KB environment, naming the key, the count and the function", () => {
    // Arrange
    const stack = bareStack();
    const queue = new sqs.Queue(stack, 'Queue');
    const distributionIds = Array.from({ length: 400 }, (_, index) => `E${String(index).padStart(13, '0')}`);
    // Act
    let refusal: unknown;
    try {
      new QueueConsumerFunction(stack, 'Consumer', { ...PROPS, queue, settings: { ...SETTINGS, distributionIds } });
    } catch (error) {
      refusal = error;
    }
    // Assert
    expect(refusal).toBeInstanceOf(ConfigError);
    const { message } = refusal as ConfigError;
    expect(message).toMatch(
      /^Invalid context value for "distributionIds": ".*\(400 ids\)"\. Allowed: at most \d+ ids of 14 characters/,
    );
    expect(message).toContain('in the WATCH_SETTINGS variable of Bare/Consumer');
  });
});

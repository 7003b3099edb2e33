import { CloudFrontClient, GetDistributionCommand, GetInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { ChangeMessageVisibilityCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WATCH_SETTINGS_ENV, SQS_RETRY_ENV } from '../../../domain/settings';
import { distributionResponse, invalidationResponse, THROTTLED } from '../../../tools/lib/simulated-cloudfront';
import { fixtureBody } from '../../../tools/scenarios/fixtures';
import { QUEUE_URL, sdkError, VISIBILITY_TIMEOUT_SECONDS } from '../../support/redelivery';
import { DISPATCH_SETTINGS } from '../../../tools/scenarios/dispatch-settings';
import { capturePowertoolsLines, lambdaContext, sqsEvent } from '../../support/lambda';
import { AWS_ERRORS } from '../../../domain/errors';

const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:notifications';
const NOW = new Date('2026-11-28T18:00:00Z');

const cloudfrontMock = mockClient(CloudFrontClient);
const snsMock = mockClient(SNSClient);
const sqsMock = mockClient(SQSClient);
const eventBridgeMock = mockClient(EventBridgeClient);

const context = lambdaContext('notifier-status-check');

function visibilityByReceipt(): Record<string, number | undefined> {
  return Object.fromEntries(
    sqsMock
      .commandCalls(ChangeMessageVisibilityCommand)
      .map((call) => [call.args[0].input.ReceiptHandle, call.args[0].input.VisibilityTimeout]),
  );
}

const ENV = {
  [WATCH_SETTINGS_ENV]: JSON.stringify(DISPATCH_SETTINGS),
  [SQS_RETRY_ENV.topicArn]: TOPIC_ARN,
  [SQS_RETRY_ENV.queueUrl]: QUEUE_URL,
  [SQS_RETRY_ENV.visibilityTimeoutSeconds]: String(VISIBILITY_TIMEOUT_SECONDS),
  [SQS_RETRY_ENV.notifier]: 'CloudFrontChangeNotifier',
  [SQS_RETRY_ENV.eventBusName]: 'deployments',
};

/** The handler reads its environment at import: each test imports a fresh copy. */
async function importHandler(env: Record<string, string> = ENV) {
  vi.resetModules();
  for (const [key, value] of Object.entries(env)) vi.stubEnv(key, value);
  return (await import('../../../functions/sqs-retry/handler')).handler;
}

let logLines: () => Array<Record<string, unknown>>;

describe('the status-check Lambda handler', () => {
  beforeEach(() => {
    cloudfrontMock.reset();
    snsMock.reset();
    sqsMock.reset();
    eventBridgeMock.reset();
    eventBridgeMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'event-1' }] });
    snsMock.on(PublishCommand).resolves({ MessageId: 'message-1' });
    sqsMock.on(ChangeMessageVisibilityCommand).resolves({});
    vi.useFakeTimers({ toFake: ['Date'], now: NOW });
    logLines = capturePowertoolsLines();
  });

  afterEach(() => {
    vi.restoreAllMocks();
    vi.useRealTimers();
    vi.unstubAllEnvs();
  });

  it('handles a batch of done, not done, not found, throttled and malformed records, each on its own', async () => {
    // Arrange: the middle of every jitter draw, so each wait is the schedule's
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    cloudfrontMock.on(GetInvalidationCommand).resolves(invalidationResponse('I2J0I21PCUYOIK', 'Completed') as never);
    cloudfrontMock
      .on(GetDistributionCommand, { Id: 'E2QWRUHAPOMQZL' })
      .resolves(distributionResponse('E2QWRUHAPOMQZL', 'InProgress') as never)
      .on(GetDistributionCommand, { Id: 'E1KX7NS0V9EXMP' })
      .rejects(sdkError(AWS_ERRORS.noSuchDistribution, 'The specified distribution does not exist.'))
      .on(GetDistributionCommand, { Id: 'E3STAGINGEXAMP' })
      .rejects(sdkError(THROTTLED.error, THROTTLED.cause));
    const event = sqsEvent(
      { messageId: 'done', body: fixtureBody('create-invalidation.json'), receiveCount: 3 },
      { messageId: 'not-done', body: fixtureBody('update-distribution.json'), receiveCount: 2 },
      { messageId: 'not-found', body: fixtureBody('create-distribution-with-tags.json') },
      { messageId: 'throttled', body: fixtureBody('copy-distribution.json'), receiveCount: 4 },
      { messageId: 'malformed', body: 'this is not an EventBridge event' },
    );
    const handler = await importHandler();
    // Act
    const response = await handler(event, context);
    // Assert
    // Records are checked in parallel, so failures are listed in the order they finished.
    expect(response.batchItemFailures.map((failure) => failure.itemIdentifier).sort()).toEqual([
      'malformed',
      'not-done',
      'throttled',
    ]);
    // The default schedule waits 17 s after the early checks, 1 min after one without an answer; an unusable message comes back at once
    expect(visibilityByReceipt()).toEqual({
      'receipt-not-done': 17,
      'receipt-throttled': 60,
      'receipt-malformed': 0,
    });
    expect(
      sqsMock.commandCalls(ChangeMessageVisibilityCommand).every((call) => call.args[0].input.QueueUrl === QUEUE_URL),
    ).toBe(true);
    const outcomes = snsMock
      .commandCalls(PublishCommand)
      .map((call) => call.args[0].input.MessageAttributes!.outcome!.StringValue);
    expect(outcomes.sort()).toEqual(['completed', 'not-found']);
  });

  it("names each record's own messageId on its log lines while the records of a batch are checked at the same time", async () => {
    // Arrange: the first record's answer comes last, so its lines are written while the other record is in flight
    cloudfrontMock.on(GetDistributionCommand).callsFake(async ({ Id }: { Id: string }) => {
      await new Promise((resolve) => setImmediate(resolve));
      if (Id === 'E2QWRUHAPOMQZL') await new Promise((resolve) => setImmediate(resolve));
      return distributionResponse(Id, 'InProgress');
    });
    const event = sqsEvent(
      { messageId: 'slow', body: fixtureBody('update-distribution.json'), receiveCount: 2 },
      { messageId: 'fast', body: fixtureBody('copy-distribution.json'), receiveCount: 2 },
    );
    const handler = await importHandler();
    // Act
    await handler(event, context);
    // Assert
    const notDone = logLines().filter((line) => line.message === 'Change not done yet');
    expect(notDone.map((line) => [line.messageId, line.distributionId]).sort()).toEqual([
      ['fast', 'E3STAGINGEXAMP'],
      ['slow', 'E2QWRUHAPOMQZL'],
    ]);
  });

  it('reports a batch in which every change is still in progress as item failures, without failing the invocation', async () => {
    // Arrange
    cloudfrontMock.on(GetDistributionCommand).resolves(distributionResponse('E2QWRUHAPOMQZL', 'InProgress') as never);
    const handler = await importHandler();
    // Act
    const response = await handler(
      sqsEvent({ messageId: 'only', body: fixtureBody('update-distribution.json') }),
      context,
    );
    // Assert
    expect(response).toEqual<SQSBatchResponse>({ batchItemFailures: [{ itemIdentifier: 'only' }] });
  });

  it('puts the Change Finished event on EVENT_BUS_NAME and writes the watch metrics to stdout in embedded metric format', async () => {
    // Arrange: create-invalidation.json's change was made at 13:45:10, this check at 18:00
    cloudfrontMock.on(GetInvalidationCommand).resolves(invalidationResponse('I2J0I21PCUYOIK', 'Completed') as never);
    const event = sqsEvent({ messageId: 'done', body: fixtureBody('create-invalidation.json'), receiveCount: 3 });
    const handler = await importHandler();
    // Act
    await handler(event, context);
    // Assert
    const entries = eventBridgeMock.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries);
    expect(entries).toHaveLength(1);
    expect(entries[0]![0]).toMatchObject({
      Source: 'cloudfront-change-notifier',
      DetailType: 'CloudFront Change Finished',
      EventBusName: 'deployments',
    });
    expect(JSON.parse(entries[0]![0]!.Detail!)).toMatchObject({
      outcome: 'completed',
      kind: 'invalidation',
      invalidationId: 'I2J0I21PCUYOIK',
      checks: 3,
      durationSeconds: 15_290,
      finishedAt: '2026-11-28T18:00:00.000Z',
    });
    const metrics = logLines().filter((line) => '_aws' in line);
    expect(metrics).toEqual([
      {
        _aws: {
          Timestamp: NOW.getTime(),
          CloudWatchMetrics: [
            {
              Namespace: 'CloudFrontChangeNotifier',
              Dimensions: [['Notifier', 'Outcome']],
              Metrics: [{ Name: 'WatchesFinished', Unit: 'Count' }],
            },
            {
              Namespace: 'CloudFrontChangeNotifier',
              Dimensions: [['Notifier', 'Kind', 'Outcome']],
              Metrics: [
                { Name: 'WatchDuration', Unit: 'Seconds' },
                { Name: 'ChecksPerWatch', Unit: 'Count' },
              ],
            },
          ],
        },
        Notifier: 'CloudFrontChangeNotifier',
        Kind: 'invalidation',
        Outcome: 'completed',
        WatchesFinished: 1,
        WatchDuration: 15_290,
        ChecksPerWatch: 3,
      },
    ]);
  });

  it('puts no event without EVENT_BUS_NAME (events=false), and still notifies', async () => {
    // Arrange
    cloudfrontMock.on(GetInvalidationCommand).resolves(invalidationResponse('I2J0I21PCUYOIK', 'Completed') as never);
    const event = sqsEvent({ messageId: 'done', body: fixtureBody('create-invalidation.json'), receiveCount: 3 });
    const { [SQS_RETRY_ENV.eventBusName]: _omitted, ...withoutBus } = ENV;
    const handler = await importHandler(withoutBus);
    // Act
    await handler(event, context);
    // Assert
    expect(eventBridgeMock.commandCalls(PutEventsCommand)).toEqual([]);
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(1);
  });

  it.each(['TOPIC_ARN', 'QUEUE_URL', 'QUEUE_VISIBILITY_TIMEOUT_SECONDS', 'NOTIFIER_NAME'])(
    'refuses to start without %s',
    async (name) => {
      // Arrange
      const env = { ...ENV, [name]: '' };
      // Act
      const importing = importHandler(env);
      // Assert
      await expect(importing).rejects.toThrow(`${name} is not set`);
    },
  );
});

import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { reserveSlot } from '../../../functions/read-budget/reserve';
import { collectingLogger } from '../../support/logger';
import { lambdaContext } from '../../support/lambda';

const dynamodbMock = mockClient(DynamoDBClient);
const NOW = 1_800_000_000_000;
const SETTINGS = { tableName: 'notifier-read-budget', perSecond: 5, maxWaitSeconds: 60 };
const KEY = { pk: { S: 'next-read-slot' } };

function conflict(): ConditionalCheckFailedException {
  return new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
}

function deps() {
  return { dynamodb: new DynamoDBClient({}), logger: collectingLogger(), now: () => NOW };
}

describe('the read budget: reserving a slot in DynamoDB', () => {
  beforeEach(() => dynamodbMock.reset());

  it('takes the slot now in an empty table, writing the item only if it still does not exist', async () => {
    // Arrange
    dynamodbMock.on(GetItemCommand).resolves({});
    dynamodbMock.on(PutItemCommand).resolves({});
    // Act
    const answer = await reserveSlot(SETTINGS, deps());
    // Assert
    expect(answer).toEqual({ waitSeconds: 0 });
    expect(dynamodbMock.commandCalls(GetItemCommand)[0]!.args[0].input).toEqual({
      TableName: 'notifier-read-budget',
      Key: KEY,
      ConsistentRead: true,
    });
    expect(dynamodbMock.commandCalls(PutItemCommand).map((call) => call.args[0].input)).toEqual([
      {
        TableName: 'notifier-read-budget',
        Item: { ...KEY, nextFreeAtMs: { N: '1800000000200' } },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    ]);
  });

  it('queues behind the next free slot and writes on the condition that it is unchanged', async () => {
    // Arrange
    dynamodbMock.on(GetItemCommand).resolves({ Item: { ...KEY, nextFreeAtMs: { N: '1800000002200' } } });
    dynamodbMock.on(PutItemCommand).resolves({});
    // Act
    const answer = await reserveSlot(SETTINGS, deps());
    // Assert
    expect(answer).toEqual({ waitSeconds: 3 });
    expect(dynamodbMock.commandCalls(PutItemCommand).map((call) => call.args[0].input)).toEqual([
      {
        TableName: 'notifier-read-budget',
        Item: { ...KEY, nextFreeAtMs: { N: '1800000002400' } },
        ConditionExpression: '#next = :previous',
        ExpressionAttributeNames: { '#next': 'nextFreeAtMs' },
        ExpressionAttributeValues: { ':previous': { N: '1800000002200' } },
      },
    ]);
  });

  it('reads again and takes the next slot when another watch wrote first', async () => {
    // Arrange
    dynamodbMock
      .on(GetItemCommand)
      .resolvesOnce({ Item: { ...KEY, nextFreeAtMs: { N: '1800000001000' } } })
      .resolves({ Item: { ...KEY, nextFreeAtMs: { N: '1800000001200' } } });
    dynamodbMock.on(PutItemCommand).rejectsOnce(conflict()).resolves({});
    const reserveDeps = deps();
    // Act
    const answer = await reserveSlot(SETTINGS, reserveDeps);
    // Assert
    expect(answer).toEqual({ waitSeconds: 2 });
    expect(dynamodbMock.commandCalls(PutItemCommand).map((call) => call.args[0].input.Item?.nextFreeAtMs?.N)).toEqual([
      '1800000001200',
      '1800000001400',
    ]);
    expect(reserveDeps.logger.lines.map((line) => [line.message, line.fields])).toEqual([
      ['Another watch took the read slot first; reserving again', { attempt: 1 }],
    ]);
  });

  it('gives up after 5 lost races, so the state machine checks without a slot', async () => {
    // Arrange
    dynamodbMock.on(GetItemCommand).resolves({ Item: { ...KEY, nextFreeAtMs: { N: '1800000001000' } } });
    dynamodbMock.on(PutItemCommand).rejects(conflict());
    // Act
    const reserving = reserveSlot(SETTINGS, deps());
    // Assert
    await expect(reserving).rejects.toThrow(ConditionalCheckFailedException);
    expect(dynamodbMock.commandCalls(PutItemCommand)).toHaveLength(5);
  });

  it('writes nothing when the queue reaches beyond the cap: the watch waits the cap and checks anyway', async () => {
    // Arrange
    dynamodbMock.on(GetItemCommand).resolves({ Item: { ...KEY, nextFreeAtMs: { N: '1800000090000' } } });
    // Act
    const answer = await reserveSlot(SETTINGS, deps());
    // Assert
    expect(answer).toEqual({ waitSeconds: 60 });
    expect(dynamodbMock.commandCalls(PutItemCommand)).toHaveLength(0);
  });

  it('lets any other DynamoDB error through at once', async () => {
    // Arrange
    dynamodbMock.on(GetItemCommand).rejects(new Error('ProvisionedThroughputExceededException'));
    // Act
    const reserving = reserveSlot(SETTINGS, deps());
    // Assert
    await expect(reserving).rejects.toThrow('ProvisionedThroughputExceededException');
    expect(dynamodbMock.commandCalls(GetItemCommand)).toHaveLength(1);
  });
});

describe('the read-budget Lambda handler', () => {
  beforeEach(() => dynamodbMock.reset());
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.useRealTimers();
  });

  it('reads its settings from the environment and answers the seconds to wait', async () => {
    // Arrange
    vi.resetModules();
    vi.stubEnv('READ_BUDGET_TABLE', 'notifier-read-budget');
    vi.stubEnv('READ_BUDGET_PER_SECOND', '2');
    vi.stubEnv('READ_BUDGET_MAX_WAIT_SECONDS', '60');
    vi.useFakeTimers({ now: NOW, toFake: ['Date'] });
    dynamodbMock.on(GetItemCommand).resolves({ Item: { ...KEY, nextFreeAtMs: { N: '1800000000500' } } });
    dynamodbMock.on(PutItemCommand).resolves({});
    const { handler } = await import('../../../functions/read-budget/handler');
    // Act
    const answer = await handler({}, lambdaContext('notifier-read-budget'));
    // Assert
    expect(answer).toEqual({ waitSeconds: 1 });
    expect(dynamodbMock.commandCalls(PutItemCommand)[0]!.args[0].input.Item?.nextFreeAtMs).toEqual({
      N: '1800000001000',
    });
    expect(dynamodbMock.commandCalls(GetItemCommand)[0]!.args[0].input.TableName).toBe('notifier-read-budget');
  });
});

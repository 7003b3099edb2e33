import { ConditionalCheckFailedException, DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { reserveSlot } from '../../../functions/read-budget/reserve';
import { collectingLogger } from '../../support/logger';
import { lambdaContext } from '../../support/lambda';

const dynamodbMock = mockClient(DynamoDBClient);
const NOW = 1_800_000_000_000;
const SETTINGS = { tableName: 'notifier-read-budget', perSecond: 5, maxWaitSeconds: 60 };
const KEY = { pk: { S: 'next-read-slot' } };

/** DynamoDB's answer to a failed condition, with the item as it was when ReturnValuesOnConditionCheckFailure asks. */
function conditionFailed(nextFreeAtMs?: string): ConditionalCheckFailedException {
  return new ConditionalCheckFailedException({
    message: 'The conditional request failed',
    $metadata: {},
    ...(nextFreeAtMs === undefined ? {} : { Item: { ...KEY, nextFreeAtMs: { N: nextFreeAtMs } } }),
  });
}

function deps() {
  return { dynamodb: new DynamoDBClient({}), logger: collectingLogger(), now: () => NOW };
}

const updates = () => dynamodbMock.commandCalls(UpdateItemCommand).map((call) => call.args[0].input);

describe('the read budget: reserving a slot in DynamoDB', () => {
  beforeEach(() => dynamodbMock.reset());

  it('queues behind the next free slot in one conditional update that moves it on by one slot', async () => {
    // Arrange
    dynamodbMock.on(UpdateItemCommand).resolves({ Attributes: { nextFreeAtMs: { N: '1800000002200' } } });
    // Act
    const answer = await reserveSlot(SETTINGS, deps());
    // Assert
    expect(answer).toEqual({ waitSeconds: 3 });
    expect(updates()).toEqual([
      {
        TableName: 'notifier-read-budget',
        Key: KEY,
        UpdateExpression: 'SET #next = #next + :interval',
        ConditionExpression: '#next >= :now AND #next <= :latest',
        ExpressionAttributeNames: { '#next': 'nextFreeAtMs' },
        ExpressionAttributeValues: {
          ':interval': { N: '200' },
          ':now': { N: '1800000000000' },
          ':latest': { N: '1800000060000' },
        },
        ReturnValues: 'UPDATED_OLD',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    ]);
  });

  it('takes the slot now when the table is empty, starting the queue one slot ahead', async () => {
    // Arrange
    dynamodbMock.on(UpdateItemCommand).rejectsOnce(conditionFailed()).resolves({});
    // Act
    const answer = await reserveSlot(SETTINGS, deps());
    // Assert
    expect(answer).toEqual({ waitSeconds: 0 });
    expect(updates()[1]).toEqual({
      TableName: 'notifier-read-budget',
      Key: KEY,
      UpdateExpression: 'SET #next = :next',
      ConditionExpression: 'attribute_not_exists(#next) OR #next < :now',
      ExpressionAttributeNames: { '#next': 'nextFreeAtMs' },
      ExpressionAttributeValues: { ':next': { N: '1800000000200' }, ':now': { N: '1800000000000' } },
    });
  });

  it('takes the slot now when the next free slot has passed', async () => {
    // Arrange
    dynamodbMock.on(UpdateItemCommand).rejectsOnce(conditionFailed('1799999995000')).resolves({});
    // Act
    const answer = await reserveSlot(SETTINGS, deps());
    // Assert
    expect(answer).toEqual({ waitSeconds: 0 });
    expect(updates()).toHaveLength(2);
  });

  it('queues again when another watch started the queue between its two updates', async () => {
    // Arrange
    dynamodbMock
      .on(UpdateItemCommand)
      .rejectsOnce(conditionFailed())
      .rejectsOnce(conditionFailed('1800000000200'))
      .resolves({ Attributes: { nextFreeAtMs: { N: '1800000000200' } } });
    const reserveDeps = deps();
    // Act
    const answer = await reserveSlot(SETTINGS, reserveDeps);
    // Assert
    expect(answer).toEqual({ waitSeconds: 1 });
    expect(updates().map((input) => input.UpdateExpression)).toEqual([
      'SET #next = #next + :interval',
      'SET #next = :next',
      'SET #next = #next + :interval',
    ]);
    expect(reserveDeps.logger.lines.map((line) => [line.message, line.fields])).toEqual([
      ['Another watch started the queue first; reserving again', { attempt: 1 }],
    ]);
  });

  it('gives up after 3 attempts, so the state machine checks without a slot', async () => {
    // Arrange
    dynamodbMock.on(UpdateItemCommand).rejects(conditionFailed());
    // Act
    const reserving = reserveSlot(SETTINGS, deps());
    // Assert
    await expect(reserving).rejects.toThrow(ConditionalCheckFailedException);
    expect(updates()).toHaveLength(6);
  });

  it('writes nothing when the queue reaches beyond the cap: the watch waits the cap and checks anyway', async () => {
    // Arrange
    dynamodbMock.on(UpdateItemCommand).rejects(conditionFailed('1800000090000'));
    // Act
    const answer = await reserveSlot(SETTINGS, deps());
    // Assert
    expect(answer).toEqual({ waitSeconds: 60 });
    expect(updates()).toHaveLength(1);
  });

  it('lets any other DynamoDB error through at once', async () => {
    // Arrange
    dynamodbMock.on(UpdateItemCommand).rejects(new Error('ProvisionedThroughputExceededException'));
    // Act
    const reserving = reserveSlot(SETTINGS, deps());
    // Assert
    await expect(reserving).rejects.toThrow('ProvisionedThroughputExceededException');
    expect(updates()).toHaveLength(1);
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
    dynamodbMock.on(UpdateItemCommand).resolves({ Attributes: { nextFreeAtMs: { N: '1800000000500' } } });
    const { handler } = await import('../../../functions/read-budget/handler');
    // Act
    const answer = await handler({}, lambdaContext('notifier-read-budget'));
    // Assert
    expect(answer).toEqual({ waitSeconds: 1 });
    expect(updates()[0]).toMatchObject({
      TableName: 'notifier-read-budget',
      ExpressionAttributeValues: { ':interval': { N: '500' }, ':latest': { N: '1800000060000' } },
    });
  });
});

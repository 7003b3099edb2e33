/**
 * The read-budget Lambda's work: reserve the next read slot for a watch's status check in the one DynamoDB item that
 * holds the next free slot, and answer how long the watch waits for it. Each reservation is one conditional
 * UpdateItem, which DynamoDB applies to the item one at a time, so a burst of watches queues without lost races.
 */
import { ConditionalCheckFailedException, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { latestSlotMs, slotIntervalMs, waitSecondsUntil } from '../../domain/read-budget';
import type { LogSink } from '../commons/log';

/** The one item's key, and the attribute that holds the next free slot in epoch milliseconds. */
export const READ_BUDGET_KEY = { pk: { S: 'next-read-slot' } } as const;
export const NEXT_FREE_AT_ATTRIBUTE = 'nextFreeAtMs';
/** Times a watch tries again after another watch started the queue between its two updates; then the error goes up. */
export const RESERVE_ATTEMPTS = 3;

export interface ReadBudgetSettings {
  readonly tableName: string;
  readonly perSecond: number;
  /** The longest a watch waits for a slot (pollIntervalSeconds): further out, it waits this and checks anyway. */
  readonly maxWaitSeconds: number;
}

export interface ReserveDeps {
  readonly dynamodb: Pick<DynamoDBClient, 'send'>;
  readonly logger: LogSink;
  readonly now: () => number;
}

/** What the reservation Task keeps: the whole seconds to wait before the status check. */
export interface ReadSlotAnswer {
  readonly waitSeconds: number;
}

const NEXT = { '#next': NEXT_FREE_AT_ATTRIBUTE };

const numberValue = (value: number) => ({ N: String(value) });

/**
 * The slot is the item's next free slot when that is ahead of now and within the cap, else now when the queue is
 * empty; a queue beyond the cap gives no slot (the watch waits the cap and checks anyway). domain/read-budget.ts's
 * reserveReadSlot says the same in memory, for the benchmark.
 */
export async function reserveSlot(settings: ReadBudgetSettings, deps: ReserveDeps): Promise<ReadSlotAnswer> {
  const { tableName, perSecond, maxWaitSeconds } = settings;
  const intervalMs = slotIntervalMs(perSecond);
  for (let attempt = 1; ; attempt += 1) {
    const nowMs = deps.now();
    const latestMs = latestSlotMs(nowMs, maxWaitSeconds);
    try {
      const taken = await deps.dynamodb.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: READ_BUDGET_KEY,
          UpdateExpression: 'SET #next = #next + :interval',
          ConditionExpression: '#next >= :now AND #next <= :latest',
          ExpressionAttributeNames: NEXT,
          ExpressionAttributeValues: {
            ':interval': numberValue(intervalMs),
            ':now': numberValue(nowMs),
            ':latest': numberValue(latestMs),
          },
          ReturnValues: 'UPDATED_OLD',
          // The item comes back with a failed condition, telling an empty queue from one beyond the cap:
          // https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateItem.html
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { waitSeconds: waitSecondsUntil(Number(taken.Attributes?.[NEXT_FREE_AT_ATTRIBUTE]?.N), nowMs) };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const stored = error.Item?.[NEXT_FREE_AT_ATTRIBUTE]?.N;
      if (stored !== undefined && Number(stored) > latestMs) return { waitSeconds: maxWaitSeconds };
    }
    try {
      await deps.dynamodb.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: READ_BUDGET_KEY,
          UpdateExpression: 'SET #next = :next',
          ConditionExpression: 'attribute_not_exists(#next) OR #next < :now',
          ExpressionAttributeNames: NEXT,
          ExpressionAttributeValues: { ':next': numberValue(nowMs + intervalMs), ':now': numberValue(nowMs) },
        }),
      );
      return { waitSeconds: 0 };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException) || attempt >= RESERVE_ATTEMPTS) throw error;
      deps.logger.info('Another watch started the queue first; reserving again', { attempt });
    }
  }
}

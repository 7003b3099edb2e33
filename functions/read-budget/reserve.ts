/**
 * The read-budget Lambda's work: reserve the next read slot for a watch's status check in the one DynamoDB item that
 * holds the next free slot, and answer how long the watch waits for it. Read, then write on the condition that the
 * item still holds what was read (optimistic locking), so two watches never get the same slot.
 */
import {
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { reserveReadSlot } from '../../domain/read-budget';
import type { LogSink } from '../commons/log';

/** The one item's key, and the attribute that holds the next free slot in epoch milliseconds. */
export const READ_BUDGET_KEY = { pk: { S: 'next-read-slot' } } as const;
export const NEXT_FREE_AT_ATTRIBUTE = 'nextFreeAtMs';
/** Reservations that lost the race to another watch are tried again this many times in all, then the error goes up. */
export const RESERVE_ATTEMPTS = 5;

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

export async function reserveSlot(settings: ReadBudgetSettings, deps: ReserveDeps): Promise<ReadSlotAnswer> {
  const { tableName, perSecond, maxWaitSeconds } = settings;
  for (let attempt = 1; ; attempt += 1) {
    const read = await deps.dynamodb.send(
      new GetItemCommand({ TableName: tableName, Key: READ_BUDGET_KEY, ConsistentRead: true }),
    );
    const stored = read.Item?.[NEXT_FREE_AT_ATTRIBUTE]?.N;
    const previous = stored === undefined ? undefined : Number(stored);
    const slot = reserveReadSlot(previous, deps.now(), perSecond, maxWaitSeconds);
    // Beyond the cap the watch takes no slot, so there is nothing to write.
    if (slot.nextFreeAtMs === previous) return { waitSeconds: slot.waitSeconds };
    try {
      await deps.dynamodb.send(
        new PutItemCommand({
          TableName: tableName,
          Item: { ...READ_BUDGET_KEY, [NEXT_FREE_AT_ATTRIBUTE]: { N: String(slot.nextFreeAtMs) } },
          ...(previous === undefined
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : {
                ConditionExpression: '#next = :previous',
                ExpressionAttributeNames: { '#next': NEXT_FREE_AT_ATTRIBUTE },
                ExpressionAttributeValues: { ':previous': { N: stored! } },
              }),
        }),
      );
      return { waitSeconds: slot.waitSeconds };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException) || attempt >= RESERVE_ATTEMPTS) throw error;
      deps.logger.info('Another watch took the read slot first; reserving again', { attempt });
    }
  }
}

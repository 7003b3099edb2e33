import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { READ_BUDGET_ENV } from '../../domain/settings';
import { requireEnv } from '../commons/lambda-env';
import { reserveSlot, type ReadSlotAnswer } from './reserve';

const logger = new Logger();
const dynamodb = new DynamoDBClient({});
const settings = {
  tableName: requireEnv(READ_BUDGET_ENV.tableName),
  perSecond: Number(requireEnv(READ_BUDGET_ENV.perSecond)),
  maxWaitSeconds: Number(requireEnv(READ_BUDGET_ENV.maxWaitSeconds)),
};

export const handler = async (_event: unknown, context: Context): Promise<ReadSlotAnswer> => {
  logger.addContext(context);
  return reserveSlot(settings, { dynamodb, logger, now: Date.now });
};

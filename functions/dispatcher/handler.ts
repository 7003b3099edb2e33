import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { parseWatchSettings, WATCH_SETTINGS_ENV } from '../shared/settings';
import { dispatchEvent } from './dispatch';

const logger = new Logger();
const sfn = new SFNClient({});
const settings = parseWatchSettings(process.env[WATCH_SETTINGS_ENV]);
const stateMachineArn = process.env.STATE_MACHINE_ARN ?? '';
if (stateMachineArn === '') throw new Error('STATE_MACHINE_ARN is not set: deploy this function with the notifier stack');
const processor = new BatchProcessor(EventType.SQS);

async function recordHandler(record: SQSRecord): Promise<void> {
  logger.appendKeys({ messageId: record.messageId });
  try {
    await dispatchEvent(record.body, { sfn, logger, stateMachineArn, settings, now: () => new Date() });
  } finally {
    logger.removeKeys(['messageId']);
  }
}

export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  logger.addContext(context);
  // Report every failed record back to SQS, even when all of a batch fail: the queue and its DLQ keep them.
  return processPartialResponse(event, recordHandler, processor, { context, throwOnFullBatchFailure: false });
};

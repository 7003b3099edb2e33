import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { requireEnv } from '../commons/lambda-env';
import { logUnexpected, withFields } from '../commons/log';
import { parseWatchSettings, WATCH_SETTINGS_ENV, DISPATCHER_ENV } from '../../domain/settings';
import { dispatchEvent } from './dispatch';

const logger = new Logger();
const sfn = new SFNClient({});
const settings = parseWatchSettings(process.env[WATCH_SETTINGS_ENV]);
const stateMachineArn = requireEnv(DISPATCHER_ENV.stateMachineArn);
const processor = new BatchProcessor(EventType.SQS);

async function recordHandler(record: SQSRecord): Promise<void> {
  // Records run in parallel, so the messageId goes on each line rather than into the logger's shared keys.
  const recordLogger = withFields(logger, { messageId: record.messageId });
  await logUnexpected(recordLogger, () =>
    dispatchEvent(record.body, { sfn, logger: recordLogger, stateMachineArn, settings, now: () => new Date() }),
  );
}

export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  logger.addContext(context);
  // Report every failed record back to SQS, even when all of a batch fail: the queue and its DLQ keep them.
  return processPartialResponse(event, recordHandler, processor, { context, throwOnFullBatchFailure: false });
};

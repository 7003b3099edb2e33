import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { parseWatchSettings, WATCH_SETTINGS_ENV } from '../shared/settings';
import { checkQueuedChange, keepsMessage } from './check';
import { SDK_MAX_ATTEMPTS, STATUS_CHECK_ENV, parseQueuedChange, requireEnv } from './lambda-env';

const logger = new Logger();
const clientConfig = { maxAttempts: SDK_MAX_ATTEMPTS };
const cloudfront = new CloudFrontClient(clientConfig);
const sns = new SNSClient(clientConfig);
const sqs = new SQSClient(clientConfig);
const settings = parseWatchSettings(process.env[WATCH_SETTINGS_ENV]);
const topicArn = requireEnv(STATUS_CHECK_ENV.topicArn);
const queue = {
  url: requireEnv(STATUS_CHECK_ENV.queueUrl),
  visibilityTimeoutSeconds: Number(requireEnv(STATUS_CHECK_ENV.visibilityTimeoutSeconds)),
};
const processor = new BatchProcessor(EventType.SQS);

/** Thrown so the batch processor reports the record as failed and SQS keeps the message. */
class MessageKept extends Error {
  override name = 'MessageKept';
}

async function recordHandler(record: SQSRecord): Promise<void> {
  logger.appendKeys({ messageId: record.messageId });
  try {
    const result = await checkQueuedChange(parseQueuedChange(record), {
      cloudfront,
      sns,
      sqs,
      logger,
      topicArn,
      queue,
      settings,
      now: () => new Date(),
    });
    if (keepsMessage(result)) throw new MessageKept(result.result);
  } finally {
    logger.removeKeys(['messageId']);
  }
}

export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  logger.addContext(context);
  // A batch of changes that are all still in progress is the normal case, not an error of the invocation.
  return processPartialResponse(event, recordHandler, processor, { context, throwOnFullBatchFailure: false });
};

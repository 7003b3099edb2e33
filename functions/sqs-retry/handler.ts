import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { parseWatchSettings, WATCH_SETTINGS_ENV, SQS_RETRY_ENV } from '../../domain/settings';
import { checkQueuedChange, keepsMessage } from './check';
import { requireEnv } from '../commons/lambda-env';
import { logUnexpected, withFields } from '../commons/log';
import { SDK_MAX_ATTEMPTS, parseQueuedChange } from './queued-change';

const logger = new Logger();
const clientConfig = { maxAttempts: SDK_MAX_ATTEMPTS };
const cloudfront = new CloudFrontClient(clientConfig);
const sns = new SNSClient(clientConfig);
const sqs = new SQSClient(clientConfig);
const settings = parseWatchSettings(process.env[WATCH_SETTINGS_ENV]);
const topicArn = requireEnv(SQS_RETRY_ENV.topicArn);
const queue = {
  url: requireEnv(SQS_RETRY_ENV.queueUrl),
  visibilityTimeoutSeconds: Number(requireEnv(SQS_RETRY_ENV.visibilityTimeoutSeconds)),
};
const sweptWatchLogGroupName = process.env[SQS_RETRY_ENV.sweptWatchLogGroupName];
// Set only with the sweep on: without it no watch was started by a sweep, and nothing is searched.
const sweptWatches = sweptWatchLogGroupName
  ? { logs: new CloudWatchLogsClient(clientConfig), logGroupName: sweptWatchLogGroupName }
  : undefined;
const chat = process.env[SQS_RETRY_ENV.chat] === 'true';
const notifier = requireEnv(SQS_RETRY_ENV.notifier);
const eventBusName = process.env[SQS_RETRY_ENV.eventBusName];
const changeEvents =
  eventBusName === undefined
    ? {}
    : { changeEvents: { eventBridge: new EventBridgeClient(clientConfig), busName: eventBusName } };
/**
 * Straight to stdout, as the Powertools Logger writes, so that Lambda's JSON log format keeps the line as it is and
 * CloudWatch reads its embedded metrics: AWS's EMF client for Node.js needs 4.1.1+ with that format, which writes to
 * stdout instead of console.log (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Libraries.html).
 */
const writeMetrics = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
const processor = new BatchProcessor(EventType.SQS);

/** Thrown so the batch processor reports the record as failed and SQS keeps the message. */
class MessageKept extends Error {
  override name = 'MessageKept';
}

async function recordHandler(record: SQSRecord): Promise<void> {
  // Records run in parallel, so the messageId goes on each line rather than into the logger's shared keys.
  const recordLogger = withFields(logger, { messageId: record.messageId });
  const result = await logUnexpected(recordLogger, () =>
    checkQueuedChange(parseQueuedChange(record), {
      cloudfront,
      sns,
      sqs,
      logger: recordLogger,
      topicArn,
      queue,
      settings,
      chat,
      now: () => new Date(),
      random: Math.random,
      ...(sweptWatches ? { sweptWatches } : {}),
      notifier,
      writeMetrics,
      ...changeEvents,
    }),
  );
  if (keepsMessage(result)) throw new MessageKept(result.result);
}

export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  logger.addContext(context);
  // A batch of changes that are all still in progress is the normal case, not an error of the invocation.
  return processPartialResponse(event, recordHandler, processor, { context, throwOnFullBatchFailure: false });
};

/** What a Lambda handler receives from an SQS event source mapping, built locally: for npm start's replay and the handler tests. */
import { createHash } from 'node:crypto';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';

const BUFFER_QUEUE_ARN = 'arn:aws:sqs:us-east-1:123456789012:notifier-buffer';

export interface QueuedMessage {
  readonly messageId: string;
  readonly body: string;
  /** ApproximateReceiveCount. @default 1 */
  readonly receiveCount?: number;
  /** When the buffer queue received the message. @default now, which a test may fake */
  readonly sentAt?: Date;
  /** The queue the record comes from. @default a buffer queue of account 123456789012 */
  readonly queueArn?: string;
}

/** A record of the buffer queue; its receipt handle is `receipt-<messageId>`. */
function sqsRecord({
  messageId,
  body,
  receiveCount = 1,
  sentAt = new Date(),
  queueArn = BUFFER_QUEUE_ARN,
}: QueuedMessage): SQSRecord {
  const sent = String(sentAt.getTime());
  return {
    messageId,
    receiptHandle: `receipt-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: sent,
      SenderId: 'AIDAEVENTBRIDGE',
      ApproximateFirstReceiveTimestamp: sent,
    },
    messageAttributes: {},
    md5OfBody: createHash('md5').update(body).digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: 'us-east-1',
  };
}

export function sqsEvent(...messages: readonly QueuedMessage[]): SQSEvent {
  return { Records: messages.map(sqsRecord) };
}

export function lambdaContext(functionName: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: '8f5c1c2e-0000-4000-8000-000000000001',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2026/11/28/[$LATEST]0123456789abcdef',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

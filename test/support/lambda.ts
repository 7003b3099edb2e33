/** What a handler test needs around a Lambda handler: SQS records as the event source mapping hands them over, a Context, and Powertools' output. */
import { createHash } from 'node:crypto';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { vi } from 'vitest';

const BUFFER_QUEUE_ARN = 'arn:aws:sqs:us-east-1:123456789012:notifier-buffer';

export interface QueuedMessage {
  readonly messageId: string;
  readonly body: string;
  /** ApproximateReceiveCount. @default 1 */
  readonly receiveCount?: number;
  /** When the buffer queue received the message. @default now, which a test may fake */
  readonly sentAt?: Date;
}

/** A record of the buffer queue; its receipt handle is `receipt-<messageId>`. */
function sqsRecord({ messageId, body, receiveCount = 1, sentAt = new Date() }: QueuedMessage): SQSRecord {
  const sent = String(sentAt.getTime());
  return {
    messageId,
    receiptHandle: `receipt-${messageId}`,
    body,
    attributes: { ApproximateReceiveCount: String(receiveCount), SentTimestamp: sent, SenderId: 'AIDAEVENTBRIDGE', ApproximateFirstReceiveTimestamp: sent },
    messageAttributes: {},
    md5OfBody: createHash('md5').update(body).digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: BUFFER_QUEUE_ARN,
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

/**
 * Keeps what the handler writes to stdout and stderr out of the test output (vi.restoreAllMocks ends it) and returns
 * a reader of the JSON lines Powertools wrote so far; Node's own warnings are plain text and left out.
 */
export function capturePowertoolsLines(): () => Array<Record<string, unknown>> {
  const output: string[] = [];
  const capture = (chunk: string | Uint8Array) => {
    output.push(String(chunk));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  return () =>
    output
      .join('')
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
}

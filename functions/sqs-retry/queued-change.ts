/** How an SQS record becomes a QueuedChange, and how hard the sqs-retry checker tries each AWS call. */
import type { SQSRecord } from 'aws-lambda';
import type { QueuedChange } from './check';

/**
 * Attempts per AWS call inside one delivery, the SDK's standard retry with backoff. The first two throttles or 5xx
 * answers are absorbed in place, as the state machine's retries do; what still fails waits for the next check.
 */
export const SDK_MAX_ATTEMPTS = 3;

export function parseQueuedChange(record: SQSRecord): QueuedChange {
  const receiveCount = Number(record.attributes.ApproximateReceiveCount);
  const sentAt = Number(record.attributes.SentTimestamp);
  return {
    body: record.body,
    receiptHandle: record.receiptHandle,
    // Lambda always sends both attributes; the fallbacks keep a malformed record from disabling the limits.
    receiveCount: Number.isInteger(receiveCount) && receiveCount > 0 ? receiveCount : 1,
    sentAt: new Date(Number.isFinite(sentAt) && sentAt > 0 ? sentAt : Date.now()),
  };
}

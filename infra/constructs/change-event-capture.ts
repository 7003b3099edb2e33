import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  CLOUDTRAIL_EVENT_SOURCE,
  DETAIL_TYPE,
  DISTRIBUTION_ID_FIELDS,
  EVENT_SOURCE,
} from '../../functions/shared/cloudtrail';

export interface ChangeEventCaptureProps {
  /** CloudTrail event names that start a watch. */
  readonly watchedEvents: readonly string[];
  /**
   * Only changes that name one of these distributions are captured.
   * @default - every distribution in the account
   */
  readonly distributionIds?: readonly string[];
  /** How long a buffered event is kept: the longest a change is watched. */
  readonly retentionSeconds: number;
  /** SQS long polling, in seconds. */
  readonly receiveWaitSeconds: number;
  /** How long a received message stays hidden before SQS hands it out again. */
  readonly visibilityTimeoutSeconds: number;
  /**
   * Receives after which a message that keeps failing moves to the dead-letter queue.
   * @default 5
   */
  readonly maxReceiveCount?: number;
}

/**
 * Catches successful CloudFront API calls that CloudTrail reports and buffers them in an encrypted, TLS-only
 * queue with a dead-letter queue. Only this rule may send to the queue.
 */
export class ChangeEventCapture extends Construct {
  readonly rule: events.Rule;
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: ChangeEventCaptureProps) {
    super(scope, id);

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });

    this.queue = new sqs.Queue(this, 'BufferQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.seconds(props.retentionSeconds),
      receiveMessageWaitTime: Duration.seconds(props.receiveWaitSeconds),
      visibilityTimeout: Duration.seconds(props.visibilityTimeoutSeconds),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount ?? 5 },
    });

    this.rule = new events.Rule(this, 'CloudFrontChangeRule', {
      description: 'Successful CloudFront API calls that start a deployment or an invalidation',
      eventPattern: changeEventPattern(props.watchedEvents, props.distributionIds ?? []),
    });
    // Events EventBridge cannot deliver land in the dead-letter queue instead of vanishing.
    this.rule.addTarget(
      new targets.SqsQueue(this.queue, {
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: 185,
        maxEventAge: Duration.hours(24),
      }),
    );
  }
}

/** EventBridge's quota on the length of a rule's event pattern, in characters (default; adjustable in Service Quotas). */
export const MAX_EVENT_PATTERN_CHARACTERS = 2_048;

/** The rule's pattern as the JSON text EventBridge receives, without whitespace: its length counts against the quota. */
export function changeEventPatternText(watchedEvents: readonly string[], distributionIds: readonly string[]): string {
  const { detailType, ...rest } = changeEventPattern(watchedEvents, distributionIds);
  return JSON.stringify({ ...rest, 'detail-type': detailType });
}

/** The rule's pattern; the distribution filter names the same fields as the dispatcher's parser. */
export function changeEventPattern(watchedEvents: readonly string[], distributionIds: readonly string[]): events.EventPattern {
  const detail: Record<string, unknown> = {
    eventSource: [CLOUDTRAIL_EVENT_SOURCE],
    eventName: [...watchedEvents],
    errorCode: [{ exists: false }],
  };
  if (distributionIds.length > 0) {
    detail.$or = DISTRIBUTION_ID_FIELDS.map((field) =>
      field
        .split('.')
        .reverse()
        .reduce<unknown>((inner, key) => ({ [key]: inner }), [...distributionIds]),
    );
  }
  return { source: [EVENT_SOURCE], detailType: [DETAIL_TYPE], detail };
}

import { Annotations, Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CLOUDTRAIL_EVENT_SOURCE, DETAIL_TYPE, DISTRIBUTION_ID_FIELDS, EVENT_SOURCE } from '../../domain/cloudtrail';

export interface ChangeEventCaptureProps {
  /** CloudTrail event names that start a watch. */
  readonly watchedEvents: readonly string[];
  /**
   * Only changes that name one of these distributions are captured, when the filter fits in the rule's pattern;
   * otherwise the rule passes every watched call and the consuming Lambda drops the others.
   * @default - every distribution in the account
   */
  readonly distributionIds?: readonly string[];
  /** How long a buffered event is kept: the longest a change is watched. */
  readonly retentionPeriod: Duration;
  /** How long a receive waits for a message (SQS long polling). */
  readonly receiveMessageWaitTime: Duration;
  /** How long a received message stays hidden before SQS hands it out again. */
  readonly visibilityTimeout: Duration;
  /**
   * Receives after which a message that keeps failing moves to the dead-letter queue.
   * @default 5: a change whose dispatch failed five times is left for someone to read
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
      retentionPeriod: props.retentionPeriod,
      receiveMessageWaitTime: props.receiveMessageWaitTime,
      visibilityTimeout: props.visibilityTimeout,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount ?? 5 },
    });

    const distributionIds = props.distributionIds ?? [];
    const filterInRule = ruleCanFilterDistributions(props.watchedEvents, distributionIds);
    this.rule = new events.Rule(this, 'CloudFrontChangeRule', {
      description: 'Successful CloudFront API calls that start a deployment or an invalidation',
      eventPattern: changeEventPattern(props.watchedEvents, filterInRule ? distributionIds : []),
    });
    if (distributionIds.length > 0 && !filterInRule) {
      Annotations.of(this.rule).addInfoV2(
        DISTRIBUTION_FILTER_LEFT_OUT,
        `distributionIds lists ${distributionIds.length} ids: filtering them in this rule would make its event pattern ` +
          `${changeEventPatternText(props.watchedEvents, distributionIds).length.toLocaleString('en-US')} characters, more than ` +
          `EventBridge's ${MAX_EVENT_PATTERN_CHARACTERS.toLocaleString('en-US')}. The rule now passes every watched call, and the ` +
          'dispatcher (or the sqs-retry status check) drops changes to other distributions: one Lambda invocation per unrelated change.',
      );
    }
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

/** Id of the synth-time info shown when the distribution filter is left out of the rule. */
export const DISTRIBUTION_FILTER_LEFT_OUT = 'cloudfront-change-notifier:distributionIdsNotInRule';

/**
 * Whether the rule can name these ids within EventBridge's quota. The filter is only an optimisation: the dispatcher
 * and the sqs-retry status check apply distributionIds again, so a rule without it watches no more than one with it.
 */
function ruleCanFilterDistributions(watchedEvents: readonly string[], distributionIds: readonly string[]): boolean {
  return (
    distributionIds.length > 0 &&
    changeEventPatternText(watchedEvents, distributionIds).length <= MAX_EVENT_PATTERN_CHARACTERS
  );
}

/** The rule's pattern as the JSON text EventBridge receives, without whitespace: its length counts against the quota. */
function changeEventPatternText(watchedEvents: readonly string[], distributionIds: readonly string[]): string {
  const { detailType, ...rest } = changeEventPattern(watchedEvents, distributionIds);
  return JSON.stringify({ ...rest, 'detail-type': detailType });
}

/** The rule's pattern; the distribution filter names the same fields as the dispatcher's parser. */
function changeEventPattern(watchedEvents: readonly string[], distributionIds: readonly string[]): events.EventPattern {
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

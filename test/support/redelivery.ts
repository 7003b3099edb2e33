/**
 * Drives the status-check Lambda's domain code the way SQS and the SDK would: one call per delivery with the receive
 * count going up, CloudFront answered by the same scripted simulator the state machine scenarios use, and the SDK's
 * in-place retries of transient errors (service-errors.test.ts proves the real client retries exactly those).
 */
import {
  AccessDenied,
  CloudFrontServiceException,
  EntityNotFound,
  GetDistributionCommand,
  GetDistributionTenantCommand,
  GetInvalidationCommand,
  GetInvalidationForDistributionTenantCommand,
  NoSuchDistribution,
  NoSuchInvalidation,
} from '@aws-sdk/client-cloudfront';
import { PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { PublishCommand, type PublishCommandInput } from '@aws-sdk/client-sns';
import { ChangeMessageVisibilityCommand } from '@aws-sdk/client-sqs';
import type { WatchSettings } from '../../domain/settings';
import { STACK_NAME } from '../../infra/notifier-app';
import {
  checkQueuedChange,
  keepsMessage,
  type StatusCheckDeps,
  type StatusCheckResult,
} from '../../functions/sqs-retry/check';
import { SDK_MAX_ATTEMPTS } from '../../functions/sqs-retry/queued-change';
import type { CloudFrontAnswerer } from '../../tools/lib/local-engine';
import { cloudfrontError } from '../../tools/lib/simulated-cloudfront';
import { EVERY_CALL_SETTINGS } from '../../tools/scenarios/dispatch-settings';
import { collectingLogger } from './logger';
import { AWS_ERRORS } from '../../domain/errors';

const THROTTLING_ERROR_NAMES = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'SlowDown',
]);

interface SdkErrorShape {
  readonly name?: string;
  readonly $fault?: 'client' | 'server';
  readonly $retryable?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

/**
 * Throttling, 5xx and calls that got no answer at all: what the SDK's standard retry tries again in place (modelled
 * here for the redelivery runs; service-errors.test.ts checks it against the real client).
 */
export function isTransient(error: unknown): boolean {
  const { name, $fault, $retryable, $metadata } = (error ?? {}) as SdkErrorShape;
  if ($retryable || THROTTLING_ERROR_NAMES.has(name ?? '')) return true;
  const status = $metadata?.httpStatusCode;
  if (status !== undefined) return status >= 500 || status === 429;
  if ($fault !== undefined) return $fault === 'server';
  // No service answer at all: a network error or a timeout.
  return true;
}

export const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/notifier-buffer';
/** The middle of every jitter draw: each wait is exactly the schedule's, so timings can be spelled out. */
export const MIDDLE_DRAW = (): number => 0.5;
export const VISIBILITY_TIMEOUT_SECONDS = 180;

function statusCode(cause: string, fallback: number): number {
  const match = /Status Code: (\d{3})/.exec(cause);
  return match ? Number(match[1]) : fallback;
}

/** The SDK v3 error for an error the simulator names as Step Functions' aws-sdk integration does. */
export function sdkErrorFor(error: Error): Error {
  const message = error.message;
  switch (error.name) {
    case AWS_ERRORS.noSuchDistribution:
      return new NoSuchDistribution({ message, $metadata: { httpStatusCode: 404 } });
    case AWS_ERRORS.noSuchInvalidation:
      return new NoSuchInvalidation({ message, $metadata: { httpStatusCode: 404 } });
    case AWS_ERRORS.entityNotFound:
      return new EntityNotFound({ message, $metadata: { httpStatusCode: 404 } });
    case AWS_ERRORS.accessDenied:
      return new AccessDenied({ message, $metadata: { httpStatusCode: 403 } });
    case 'CloudFront.CloudFrontException': {
      const status = statusCode(message, 500);
      return new CloudFrontServiceException({
        name: /Throttling/.test(message) ? 'Throttling' : 'ServiceUnavailable',
        $fault: status >= 500 ? 'server' : 'client',
        $metadata: { httpStatusCode: status },
        message,
      });
    }
    default:
      throw new Error(`no SDK error known for ${error.name}`);
  }
}

/** The SDK error for the integration's error `name`, as a mocked CloudFrontClient should throw it. */
export function sdkError(name: string, cause?: string): Error {
  return sdkErrorFor(cloudfrontError(name, cause));
}

export interface RedeliveryOptions {
  readonly body: string;
  readonly cloudfront: CloudFrontAnswerer;
  readonly sentAt: Date;
  /** The time a delivery sees: one fixed time (as the state machine runs' EnteredTime), or one per receive count. */
  readonly checkTime: Date | ((receiveCount: number) => Date);
  readonly topicArn: string;
  /** Stop after this many deliveries even if SQS would bring the message back again. */
  readonly maxDeliveries: number;
  /** @default EVERY_CALL_SETTINGS: the settings the scenarios' execution inputs are built with, every call watched */
  readonly settings?: WatchSettings;
  /** Answers SNS; throw to fail a publish. @default succeeds */
  readonly publish?: (input: PublishCommandInput) => void;
  /** The jitter draws of the waits. @default MIDDLE_DRAW: every wait is the schedule's */
  readonly random?: () => number;
  /** Chat channels are subscribed: publish the chat message too. @default false */
  readonly chat?: boolean;
  /** The bus of the Change Finished event; null: events off. @default the default bus */
  readonly eventBusName?: string | null;
  /** Answers EventBridge; throw to fail a PutEvents. @default succeeds */
  readonly putEvents?: (entry: PutEventsRequestEntry) => void;
}

/** The Notifier dimension the redelivery runs record their metrics with: the stack name of the scenarios' templates. */
export const REDELIVERY_NOTIFIER = STACK_NAME;

export interface RedeliveryRun {
  readonly results: readonly StatusCheckResult[];
  readonly published: readonly PublishCommandInput[];
  /** The entry of every PutEvents call, in order, whether EventBridge took it or not. */
  readonly events: readonly PutEventsRequestEntry[];
  /** Every line of embedded metric format written. */
  readonly metricLines: readonly string[];
  /** VisibilityTimeout of every ChangeMessageVisibility call, in order. */
  readonly visibilityChanges: readonly number[];
  readonly cloudfrontCalls: number;
  /** Whether SQS still holds the message after the last delivery. */
  readonly kept: boolean;
}

export async function runRedeliveries(options: RedeliveryOptions): Promise<RedeliveryRun> {
  const published: PublishCommandInput[] = [];
  const events: PutEventsRequestEntry[] = [];
  const metricLines: string[] = [];
  const visibilityChanges: number[] = [];
  const eventBusName = options.eventBusName === undefined ? 'default' : options.eventBusName;
  let cloudfrontCalls = 0;
  let receiveCount = 0;
  const withSdkRetries = async (call: () => Promise<unknown>): Promise<unknown> => {
    for (let attempt = 1; ; attempt += 1) {
      cloudfrontCalls += 1;
      try {
        return await call();
      } catch (error) {
        const sdkError = sdkErrorFor(error as Error);
        if (!isTransient(sdkError) || attempt === SDK_MAX_ATTEMPTS) throw sdkError;
      }
    }
  };
  const deps: StatusCheckDeps = {
    cloudfront: {
      send: (async (command: unknown) => {
        if (command instanceof GetDistributionCommand) {
          return withSdkRetries(() => options.cloudfront.getDistribution({ Id: command.input.Id! }));
        }
        if (command instanceof GetInvalidationCommand) {
          return withSdkRetries(() =>
            options.cloudfront.getInvalidation({
              DistributionId: command.input.DistributionId!,
              Id: command.input.Id!,
            }),
          );
        }
        if (command instanceof GetDistributionTenantCommand) {
          return withSdkRetries(() =>
            options.cloudfront.getDistributionTenant({ Identifier: command.input.Identifier! }),
          );
        }
        if (command instanceof GetInvalidationForDistributionTenantCommand) {
          return withSdkRetries(() =>
            options.cloudfront.getInvalidationForDistributionTenant({
              DistributionTenantId: command.input.DistributionTenantId!,
              Id: command.input.Id!,
            }),
          );
        }
        throw new Error('unexpected CloudFront command');
      }) as StatusCheckDeps['cloudfront']['send'],
    },
    sns: {
      send: (async (command: unknown) => {
        if (!(command instanceof PublishCommand)) throw new Error('unexpected SNS command');
        options.publish?.(command.input);
        published.push(command.input);
        return { MessageId: `message-${published.length}` };
      }) as StatusCheckDeps['sns']['send'],
    },
    sqs: {
      send: (async (command: unknown) => {
        if (!(command instanceof ChangeMessageVisibilityCommand)) throw new Error('unexpected SQS command');
        visibilityChanges.push(command.input.VisibilityTimeout!);
        return {};
      }) as StatusCheckDeps['sqs']['send'],
    },
    logger: collectingLogger(),
    topicArn: options.topicArn,
    queue: { url: QUEUE_URL, visibilityTimeoutSeconds: VISIBILITY_TIMEOUT_SECONDS },
    settings: options.settings ?? EVERY_CALL_SETTINGS,
    ...(options.chat ? { chat: true } : {}),
    now: () => (typeof options.checkTime === 'function' ? options.checkTime(receiveCount) : options.checkTime),
    random: options.random ?? MIDDLE_DRAW,
    notifier: REDELIVERY_NOTIFIER,
    writeMetrics: (line) => metricLines.push(line),
    ...(eventBusName === null
      ? {}
      : {
          changeEvents: {
            busName: eventBusName,
            eventBridge: {
              send: (async (command: unknown) => {
                if (!(command instanceof PutEventsCommand)) throw new Error('unexpected EventBridge command');
                const entry = command.input.Entries![0]!;
                events.push(entry);
                options.putEvents?.(entry);
                return { FailedEntryCount: 0, Entries: [{ EventId: `event-${events.length}` }] };
              }) as NonNullable<StatusCheckDeps['changeEvents']>['eventBridge']['send'],
            },
          },
        }),
  };

  const results: StatusCheckResult[] = [];
  for (receiveCount = 1; receiveCount <= options.maxDeliveries; receiveCount += 1) {
    const result = await checkQueuedChange(
      { body: options.body, receiptHandle: `handle-${receiveCount}`, receiveCount, sentAt: options.sentAt },
      deps,
    );
    results.push(result);
    if (!keepsMessage(result)) break;
  }
  return {
    results,
    published,
    events,
    metricLines,
    visibilityChanges,
    cloudfrontCalls,
    kept: keepsMessage(results.at(-1)!),
  };
}

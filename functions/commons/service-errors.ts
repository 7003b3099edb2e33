/**
 * How the sqs-retry checker and the status reader read an AWS SDK error: the name Step Functions' aws-sdk integration would give it
 * (so a notification's {errorName} reads the same in both modes) and whether trying again later can help.
 */
import { CloudFrontServiceException } from '@aws-sdk/client-cloudfront';
import { UNMODELED_CLOUDFRONT_ERROR } from '../../domain/errors';

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

/** "NoSuchDistribution" → "CloudFront.NoSuchDistributionException"; unmodeled errors keep the generic name. */
export function integrationErrorName(error: unknown): string {
  if (!(error instanceof CloudFrontServiceException)) return (error as Error).name ?? 'Error';
  // Modeled errors are subclasses; the SDK answers anything else (throttling, 5xx) with the base class itself.
  if (Object.getPrototypeOf(error) === CloudFrontServiceException.prototype) return UNMODELED_CLOUDFRONT_ERROR;
  return `CloudFront.${error.name.endsWith('Exception') ? error.name : `${error.name}Exception`}`;
}

/** Throttling, 5xx and calls that got no answer at all: the same call may well succeed later. */
export function isTransient(error: unknown): boolean {
  const { name, $fault, $retryable, $metadata } = (error ?? {}) as SdkErrorShape;
  if ($retryable || THROTTLING_ERROR_NAMES.has(name ?? '')) return true;
  const status = $metadata?.httpStatusCode;
  if (status !== undefined) return status >= 500 || status === 429;
  if ($fault !== undefined) return $fault === 'server';
  // No service answer at all: a network error or a timeout.
  return true;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * How the sqs-retry checker and the status reader read an AWS SDK error: the name Step Functions' aws-sdk integration
 * would give it, so a notification's {errorName} reads the same in both modes.
 */
import { CloudFrontServiceException } from '@aws-sdk/client-cloudfront';
import { UNMODELED_CLOUDFRONT_ERROR } from '../../domain/errors';

/** "NoSuchDistribution" → "CloudFront.NoSuchDistributionException"; unmodeled errors keep the generic name. */
export function integrationErrorName(error: unknown): string {
  if (!(error instanceof CloudFrontServiceException)) return (error as Error).name ?? 'Error';
  // Modeled errors are subclasses; the SDK answers anything else (throttling, 5xx) with the base class itself.
  if (Object.getPrototypeOf(error) === CloudFrontServiceException.prototype) return UNMODELED_CLOUDFRONT_ERROR;
  return `CloudFront.${error.name.endsWith('Exception') ? error.name : `${error.name}Exception`}`;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

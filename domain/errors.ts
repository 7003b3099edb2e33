/** The error names a watch deals in: those AWS gives the workflow, and those a watch ends with. */

/**
 * Every AWS error name the definition matches. The aws-sdk integration names a service's error
 * `ServiceName.ErrorName`, adding an Exception suffix where the API reference has none
 * (https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html); the Lambda that reads a
 * tenant's status throws the same names, so one Retry and Catch serve both ways of reading a status.
 */
export const AWS_ERRORS = {
  /** GetDistribution and GetInvalidation: https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_GetDistribution.html#API_GetDistribution_Errors */
  noSuchDistribution: 'CloudFront.NoSuchDistributionException',
  /** GetInvalidation(ForDistributionTenant): https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_GetInvalidation.html#API_GetInvalidation_Errors */
  noSuchInvalidation: 'CloudFront.NoSuchInvalidationException',
  /** Every CloudFront read: https://docs.aws.amazon.com/cloudfront/latest/APIReference/CommonErrors.html */
  accessDenied: 'CloudFront.AccessDeniedException',
  /** A tenant that does not exist: https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_GetDistributionTenant.html#API_GetDistributionTenant_Errors */
  entityNotFound: 'CloudFront.EntityNotFoundException',
  /**
   * A continuation whose name exists. The optimized integration arn:aws:states:::states:startExecution prefixes the
   * StartExecution errors (https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html#API_StartExecution_Errors)
   * with "StepFunctions."; only the aws-sdk:sfn integration would say "Sfn.", and nothing says "SFN.".
   * https://docs.aws.amazon.com/step-functions/latest/dg/connect-stepfunctions.html
   */
  executionAlreadyExists: 'StepFunctions.ExecutionAlreadyExistsException',
} as const;

/** What Step Functions calls a CloudFront error it has no model for, such as throttling. */
export const UNMODELED_CLOUDFRONT_ERROR = 'CloudFront.CloudFrontException';

/** Error names the execution fails with, after the matching notification went out. */
export const WATCH_ERRORS = {
  distributionNotFound: 'DistributionNotFound',
  invalidationNotFound: 'InvalidationNotFound',
  tenantNotFound: 'DistributionTenantNotFound',
  timedOut: 'WatchTimedOut',
  checkFailed: 'StatusCheckFailed',
  invalidInput: 'InvalidWatchInput',
} as const;

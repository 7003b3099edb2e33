/** Pieces common to the preflight tests: the mocked clients, AWS errors as the SDK raises them, and canned answers. */
import { cloudFormation, cloudTrail, sfn, sns, ssm, sts } from './aws-mocks';

/** The clients preflight calls, mocked, in the order of its checks. */
export const preflightMocks = [sts, ssm, cloudTrail, sfn, cloudFormation, sns];

type ServiceExceptionClass = new (options: {
  name: string;
  $fault: 'client' | 'server';
  message: string;
  $metadata: { httpStatusCode?: number };
}) => Error;

/** An error as the SDK raises it for a service error the client does not model (e.g. AccessDeniedException): its service's base exception. */
export function awsError(Base: unknown, name: string, message: string, httpStatusCode = 400): Error {
  return new (Base as ServiceExceptionClass)({ name, $fault: 'client', message, $metadata: { httpStatusCode } });
}

/** What the SDK v3 default chain throws when no provider has credentials (seen with env, files and IMDS all empty). */
export function noCredentialsError(): Error {
  return Object.assign(new Error('Could not load credentials from any providers'), {
    name: 'CredentialsProviderError',
  });
}

export const ACCOUNT = '111122223333';
export const PRINCIPAL = `arn:aws:sts::${ACCOUNT}:assumed-role/Deployer/alice`;
export const TOPIC_ARN = `arn:aws:sns:us-east-1:${ACCOUNT}:CloudFrontChangeNotifier-NotificationsTopicAE679CBD-1A2B3C4D5E6F`;
export const TRAIL_ARN = `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/management-events`;

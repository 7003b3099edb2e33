/**
 * The AWS SDK clients the preflight and smoke tests mock (aws-sdk-client-mock): one mock per client class, shared by
 * every test file that imports it (each file has its own module instance), and one reset for all of them.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';

export const sts = mockClient(STSClient);
export const ssm = mockClient(SSMClient);
export const cloudTrail = mockClient(CloudTrailClient);
export const sfn = mockClient(SFNClient);
export const cloudFormation = mockClient(CloudFormationClient);
export const sns = mockClient(SNSClient);
export const sqs = mockClient(SQSClient);
export const logs = mockClient(CloudWatchLogsClient);
export const cloudFront = mockClient(CloudFrontClient);

/** Forgets every mock's answers and calls. */
export function resetAwsMocks(): void {
  for (const mock of [sts, ssm, cloudTrail, sfn, cloudFormation, sns, sqs, logs, cloudFront]) mock.reset();
}

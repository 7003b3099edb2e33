/**
 * A kind's status read with the SDK v3 client (its statusCall in KINDS), so the sqs-retry checker and the status
 * reader ask exactly what the state machine's status Task asks.
 */
import {
  GetDistributionCommand,
  GetDistributionTenantCommand,
  GetInvalidationCommand,
  GetInvalidationForDistributionTenantCommand,
  type CloudFrontClient,
} from '@aws-sdk/client-cloudfront';
import { KINDS, type StatusCallName, type WatchKind } from '../../domain/kinds';
import type { StatusParameters } from '../../domain/status';

type CloudFrontSender = Pick<CloudFrontClient, 'send'>;

const SENDERS: Record<StatusCallName, (cloudfront: CloudFrontSender, input: StatusParameters) => Promise<object>> = {
  getDistribution: (cloudfront, input) => cloudfront.send(new GetDistributionCommand(input as { Id: string })),
  getInvalidation: (cloudfront, input) =>
    cloudfront.send(new GetInvalidationCommand(input as { DistributionId: string; Id: string })),
  getDistributionTenant: (cloudfront, input) =>
    cloudfront.send(new GetDistributionTenantCommand(input as { Identifier: string })),
  getInvalidationForDistributionTenant: (cloudfront, input) =>
    cloudfront.send(
      new GetInvalidationForDistributionTenantCommand(input as { DistributionTenantId: string; Id: string }),
    ),
};

/** The API's answer as the aws-sdk integration returns it: the response body, without the SDK's $metadata. */
export async function readCloudFrontStatus(
  cloudfront: CloudFrontSender,
  kind: WatchKind,
  parameters: StatusParameters,
): Promise<Record<string, unknown>> {
  const { $metadata: _metadata, ...answer } = (await SENDERS[KINDS[kind].statusCall.call](
    cloudfront,
    parameters,
  )) as Record<string, unknown>;
  return answer;
}

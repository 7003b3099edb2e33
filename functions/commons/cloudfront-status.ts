/**
 * A kind's status read with the SDK v3 client: the call, parameters and answer fields of STATUS_CALLS, so the
 * sqs-retry status check and the status-reader Lambda ask exactly what the state machine's status Task asks.
 */
import {
  GetDistributionCommand,
  GetDistributionTenantCommand,
  GetInvalidationCommand,
  GetInvalidationForDistributionTenantCommand,
  type CloudFrontClient,
} from '@aws-sdk/client-cloudfront';
import { STATUS_CALLS, type StatusCallName } from '../../statemachine/constants';
import { valueAt, type WatchKind } from './cloudtrail';
import type { WatchDetails } from './watch-execution';

type StatusParameters = Record<string, string>;
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

/** The parameters of a kind's status call, read from the watch as the state machine reads them. */
export function statusParameters(
  kind: WatchKind,
  watch: Pick<WatchDetails, 'distributionId' | 'tenantId' | 'invalidationId'>,
): StatusParameters {
  return Object.fromEntries(
    Object.entries(STATUS_CALLS[kind].parameters).map(([name, field]) => [
      name,
      watch[field as keyof typeof watch] ?? '',
    ]),
  );
}

/** The API's answer as the aws-sdk integration returns it: the response body, without the SDK's $metadata. */
export async function readCloudFrontStatus(
  cloudfront: CloudFrontSender,
  kind: WatchKind,
  parameters: StatusParameters,
): Promise<Record<string, unknown>> {
  const { $metadata: _metadata, ...answer } = (await SENDERS[STATUS_CALLS[kind].call](
    cloudfront,
    parameters,
  )) as Record<string, unknown>;
  return answer;
}

/** What the workflow keeps of an answer (its $.status): each STATUS_CALLS answer field that the answer holds. */
export function selectStatus(kind: WatchKind, answer: unknown): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(STATUS_CALLS[kind].answer)
      .map(([key, path]) => [key, valueAt(answer, path)])
      .filter(([, value]) => value !== undefined),
  );
}

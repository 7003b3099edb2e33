/**
 * The pieces of `npm start -- --live`: CloudFront answered by the real API (read-only), errors renamed the way the
 * Step Functions aws-sdk integration names them, and the synthetic watch a live run follows.
 */
import { randomUUID } from 'node:crypto';
import { CloudFrontServiceException, type CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { readCloudFrontStatus } from '../../functions/commons/cloudfront-status';
import { watchedCall, type Watch } from '../../domain/cloudtrail';
import { integrationErrorName } from '../../functions/commons/service-errors';
import type { CloudFrontAnswerer } from '../lib/local-engine';
import { UsageError, type LiveTarget } from './args';
import { KINDS, WATCH_KINDS, type WatchKind } from '../../domain/kinds';

/**
 * The error a Step Functions Task sees: named as the integration names it (integrationErrorName), with the message
 * in the integration's format. Errors that never reached CloudFront (network, timeouts) stay as they are, and the
 * definition's States.ALL retrier handles them.
 */
export function integrationError(error: unknown): Error {
  if (!(error instanceof CloudFrontServiceException)) return error as Error;
  const renamed = new Error(
    `${error.message} (Service: CloudFront, Status Code: ${error.$metadata.httpStatusCode ?? 'unknown'}, ` +
      `Error Code: ${error.name}, Request ID: ${error.$metadata.requestId ?? 'unknown'})`,
  );
  renamed.name = integrationErrorName(error);
  return renamed;
}

/** Each status call made with the SDK as the notifier's Lambdas make it (KINDS), answered as plain JSON. */
export function liveCloudFront(client: Pick<CloudFrontClient, 'send'>): CloudFrontAnswerer {
  const read =
    (kind: WatchKind) =>
    async (parameters: Record<string, string>): Promise<unknown> => {
      try {
        return JSON.parse(JSON.stringify(await readCloudFrontStatus(client, kind, parameters)));
      } catch (error) {
        throw integrationError(error);
      }
    };
  return Object.fromEntries(WATCH_KINDS.map((kind) => [KINDS[kind].statusCall.call, read(kind)])) as CloudFrontAnswerer;
}

/** Resolves the client's credentials before any call, so a missing login is one clear line, not a retried failure. */
export async function requireCredentials(client: Pick<CloudFrontClient, 'config'>): Promise<void> {
  try {
    await client.config.credentials();
  } catch (error) {
    const reason = ((error as Error).message ?? String(error)).split('\n')[0];
    throw new UsageError(
      `--live needs AWS credentials and found none (${reason}). Log in (aws configure, aws sso login or AWS_PROFILE), or run npm start without --live.`,
    );
  }
}

/** A live watch has no CloudTrail event; this stands in for one, so the execution is built by the same domain code. */
export function liveWatch(target: LiveTarget & { readonly invalidationId?: string }, now: Date): Watch {
  const { invalidationId } = target;
  const common = {
    eventId: `live-${randomUUID()}`,
    startedAt: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    changedBy: 'unknown (watched with npm start -- --live)',
  };
  if (target.tenantId !== undefined) {
    // A tenant watch names its parent distribution only when an event does; a live one has none.
    const tenant = { ...common, distributionId: '', tenantId: target.tenantId };
    return invalidationId === undefined
      ? { ...tenant, ...watchedCall('UpdateDistributionTenant') }
      : { ...tenant, ...watchedCall('CreateInvalidationForDistributionTenant'), invalidationId };
  }
  const distribution = { ...common, distributionId: target.distributionId };
  return invalidationId === undefined
    ? { ...distribution, ...watchedCall('UpdateDistribution') }
    : { ...distribution, ...watchedCall('CreateInvalidation'), invalidationId };
}

/**
 * CloudFront answers in the shape the Step Functions aws-sdk integration returns them (PascalCase, as the API),
 * so the same responses serve the in-process engine and Step Functions Local's mock file.
 */
import type { CloudFrontAnswerer } from './local-engine';

/** A status, optionally with the ETag CloudFront reports (another than the change made: a newer change superseded it). */
export type CloudFrontAnswer =
  | { readonly status: string; readonly eTag?: string }
  | { readonly error: string; readonly cause?: string };

export const SIMULATED_DOMAIN = 'd111111abcdef8.cloudfront.net';
/**
 * The ETag a simulated distribution or tenant carries unless an answer names another: the one the changes in
 * test/fixtures/events produced, so a simulated resource carries the watched change.
 */
export const SIMULATED_ETAG = 'E2QWRUHEXAMPLE';
/** The ETag of a newer change that superseded the watched one. */
export const NEWER_ETAG = 'E3NEWERCHANGE1';

export function distributionResponse(id: string, status: string, eTag = SIMULATED_ETAG): Record<string, unknown> {
  return {
    ETag: eTag,
    Distribution: {
      Id: id,
      ARN: `arn:aws:cloudfront::123456789012:distribution/${id}`,
      Status: status,
      LastModifiedTime: '2026-11-28T09:15:02.000Z',
      InProgressInvalidationBatches: 0,
      DomainName: SIMULATED_DOMAIN,
    },
  };
}

export function tenantResponse(id: string, status: string, eTag = SIMULATED_ETAG): Record<string, unknown> {
  return {
    ETag: eTag,
    DistributionTenant: {
      Id: id,
      DistributionId: 'E1MULTITENANT1',
      Name: 'tenant-shop-example',
      Arn: `arn:aws:cloudfront::123456789012:distribution-tenant/${id}`,
      Domains: [{ Domain: 'shop.example.com', Status: 'active' }],
      Enabled: true,
      Status: status,
      LastModifiedTime: '2026-11-28T09:15:02.000Z',
    },
  };
}

export function invalidationResponse(id: string, status: string): Record<string, unknown> {
  return {
    Invalidation: {
      Id: id,
      Status: status,
      CreateTime: '2026-11-28T13:45:10.000Z',
      InvalidationBatch: { CallerReference: 'simulated', Paths: { Quantity: 1, Items: ['/*'] } },
    },
  };
}

/** An error whose name is the ASL error name, which is what drives Retry and Catch in the engine. */
export function cloudfrontError(name: string, cause = `${name} (simulated)`): Error {
  const error = new Error(cause);
  error.name = name;
  return error;
}

/** Answers call n with answers[n]; past the end, the last answer repeats (a change that never moves on). */
export function scriptedCloudFront(answers: readonly CloudFrontAnswer[]): CloudFrontAnswerer {
  if (answers.length === 0) throw new Error('a script needs at least one answer');
  let call = 0;
  const next = (respond: (status: string, eTag?: string) => unknown): Promise<unknown> => {
    const answer = answers[Math.min(call, answers.length - 1)]!;
    call += 1;
    if ('error' in answer) return Promise.reject(cloudfrontError(answer.error, answer.cause));
    return Promise.resolve(respond(answer.status, answer.eTag));
  };
  return {
    getDistribution: ({ Id }) => next((status, eTag) => distributionResponse(Id, status, eTag)),
    getInvalidation: ({ Id }) => next((status) => invalidationResponse(Id, status)),
    getDistributionTenant: ({ Identifier }) => next((status, eTag) => tenantResponse(Identifier, status, eTag)),
    getInvalidationForDistributionTenant: ({ Id }) => next((status) => invalidationResponse(Id, status)),
  };
}

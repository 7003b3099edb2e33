/**
 * CloudFront answers in the shape the Step Functions aws-sdk integration returns them (PascalCase, as the API),
 * so the same responses serve the in-process engine and Step Functions Local's mock file.
 */
import { UNMODELED_CLOUDFRONT_ERROR } from '../../domain/errors';
import { KINDS, WATCH_KINDS, type WatchKind } from '../../domain/kinds';
import type { CloudFrontAnswerer } from './local-engine';

/** A status, optionally with the ETag CloudFront reports (another than the change made: a newer change superseded it). */
export type CloudFrontAnswer =
  { readonly status: string; readonly eTag?: string } | { readonly error: string; readonly cause?: string };

/** CloudFront's throttling is no modeled error, so the integration reports it under the generic name. */
export const THROTTLED = {
  error: UNMODELED_CLOUDFRONT_ERROR,
  cause: 'Rate exceeded (Service: CloudFront, Status Code: 400, Error Code: Throttling)',
} as const satisfies CloudFrontAnswer;

/** The status CloudFront reports for a change of this kind, in progress or done. */
export function statusAnswer(kind: WatchKind, done: boolean): CloudFrontAnswer {
  return { status: done ? KINDS[kind].doneStatus : KINDS[kind].inProgressStatus };
}

export const SIMULATED_DOMAIN = 'd111111abcdef8.cloudfront.net';
/**
 * The ETag a simulated distribution or tenant carries unless an answer names another: the one the changes in
 * tools/fixtures/events produced, so a simulated resource carries the watched change.
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

/** CloudFront's answer shapes, by the object that holds the status: the first segment of a kind's `value` path. */
const RESPONSES: Record<string, (id: string, status: string, eTag?: string) => Record<string, unknown>> = {
  Distribution: distributionResponse,
  DistributionTenant: tenantResponse,
  Invalidation: (id, status) => invalidationResponse(id, status),
};

/**
 * A CloudFront whose every status check gets what `answer` says for the watch's kind, in the response shape of the
 * call that kind makes (KINDS); `answer` is asked once per call, retries included.
 */
export function answeringCloudFront(answer: (kind: WatchKind) => CloudFrontAnswer): CloudFrontAnswerer {
  const calls = WATCH_KINDS.map((kind) => {
    const { call, answer: kept } = KINDS[kind].statusCall;
    const respond = RESPONSES[kept.value.split('.')[0]!];
    if (respond === undefined) throw new Error(`the simulator has no response shape for ${call}`);
    const answerCall = (parameters: Record<string, string>): Promise<unknown> => {
      const given = answer(kind);
      if ('error' in given) return Promise.reject(cloudfrontError(given.error, given.cause));
      // The status read names its resource Id, or Identifier for a tenant.
      return Promise.resolve(respond(parameters.Id ?? parameters.Identifier ?? '', given.status, given.eTag));
    };
    return [call, answerCall] as const;
  });
  return Object.fromEntries(calls) as CloudFrontAnswerer;
}

/** Answers call n with answers[n]; past the end, the last answer repeats (a change that never moves on). */
export function scriptedCloudFront(answers: readonly CloudFrontAnswer[]): CloudFrontAnswerer {
  if (answers.length === 0) throw new Error('a script needs at least one answer');
  let call = 0;
  return answeringCloudFront(() => answers[Math.min(call++, answers.length - 1)]!);
}

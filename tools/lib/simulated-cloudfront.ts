/**
 * CloudFront answers in the shape the Step Functions aws-sdk integration returns them (PascalCase, as the API),
 * so the same responses serve the in-process engine and Step Functions Local's mock file.
 */
import type { CloudFrontAnswerer } from './local-engine';

export type CloudFrontAnswer = { readonly status: string } | { readonly error: string; readonly cause?: string };

export const SIMULATED_DOMAIN = 'd111111abcdef8.cloudfront.net';

export function distributionResponse(id: string, status: string): Record<string, unknown> {
  return {
    ETag: 'E2QWRUHEXAMPLE',
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
  const next = (respond: (status: string) => unknown): Promise<unknown> => {
    const answer = answers[Math.min(call, answers.length - 1)]!;
    call += 1;
    if ('error' in answer) return Promise.reject(cloudfrontError(answer.error, answer.cause));
    return Promise.resolve(respond(answer.status));
  };
  return {
    getDistribution: ({ Id }) => next((status) => distributionResponse(Id, status)),
    getInvalidation: ({ Id }) => next((status) => invalidationResponse(Id, status)),
  };
}

/**
 * The status-reader Lambda's work: one status read for the state machine, for the kinds whose CloudFront call Step
 * Functions' aws-sdk integration may not know yet. It answers what that integration would: the API's response on
 * success, and on failure an error named as the integration names it, so the definition's Retry and Catch apply as is.
 */
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { RESOURCE_ID_PATTERN } from '../../domain/cloudtrail';
import { readCloudFrontStatus } from '../commons/cloudfront-status';
import type { LogSink } from '../commons/log';
import { errorMessage, integrationErrorName } from '../commons/service-errors';
import { isRecentStatusCall, KINDS, WATCH_KINDS, type WatchKind } from '../../domain/kinds';

/** What the status Task hands over: the kind of watch and the call's parameters, as in KINDS. */
export interface StatusReadRequest {
  readonly kind: WatchKind;
  readonly parameters: Readonly<Record<string, string>>;
}

/** The error name a request nobody should send fails with; the status Task reports it as a failed check. */
export const INVALID_STATUS_REQUEST = 'InvalidStatusReadRequest';

/**
 * An error Step Functions sees under `name`: Lambda reports a Node.js function's error with errorType = error.name
 * (https://docs.aws.amazon.com/lambda/latest/dg/nodejs-exceptions.html), and the lambda:invoke integration matches
 * Retry and Catch on that errorType (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html).
 */
export class StatusReadError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

export interface StatusReadDeps {
  readonly cloudfront: Pick<CloudFrontClient, 'send'>;
  readonly logger: LogSink;
}

/** Reads only what a status Task may ask: a recent kind, exactly its parameters, each a CloudFront id. */
export function parseStatusReadRequest(event: unknown): StatusReadRequest {
  const { kind, parameters } = (typeof event === 'object' && event !== null ? event : {}) as Record<string, unknown>;
  const recentKinds = WATCH_KINDS.filter(isRecentStatusCall);
  if (typeof kind !== 'string' || !(recentKinds as readonly string[]).includes(kind)) {
    throw new StatusReadError(
      INVALID_STATUS_REQUEST,
      `kind must be one of ${recentKinds.join(', ')}, got ${JSON.stringify(kind)}`,
    );
  }
  const expected = Object.keys(KINDS[kind as WatchKind].statusCall.parameters).sort();
  const given = typeof parameters === 'object' && parameters !== null ? (parameters as Record<string, unknown>) : {};
  const names = Object.keys(given).sort();
  const bad = names.find((name) => typeof given[name] !== 'string' || !RESOURCE_ID_PATTERN.test(given[name] as string));
  if (names.join(',') !== expected.join(',') || bad !== undefined) {
    throw new StatusReadError(
      INVALID_STATUS_REQUEST,
      `parameters must be ${expected.join(' and ')}, each a CloudFront id; got ${JSON.stringify(parameters)?.slice(0, 200)}`,
    );
  }
  return { kind: kind as WatchKind, parameters: given as Record<string, string> };
}

export async function readStatusForWorkflow(event: unknown, deps: StatusReadDeps): Promise<Record<string, unknown>> {
  const request = parseStatusReadRequest(event);
  try {
    return await readCloudFrontStatus(deps.cloudfront, request.kind, request.parameters);
  } catch (error) {
    const name = integrationErrorName(error);
    deps.logger.warn('CloudFront refused the status read; the state machine decides on the error', {
      kind: request.kind,
      ...request.parameters,
      error: name,
      errorMessage: errorMessage(error),
    });
    throw new StatusReadError(name, errorMessage(error));
  }
}

import { Logger } from '@aws-lambda-powertools/logger';
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { Context } from 'aws-lambda';
import { readStatusForWorkflow } from './read';

const logger = new Logger();
// One attempt: the status Task's Retry (with backoff and jitter) is the one retry policy, visible in the history.
const cloudfront = new CloudFrontClient({ maxAttempts: 1 });

export const handler = async (event: unknown, context: Context): Promise<Record<string, unknown>> => {
  logger.addContext(context);
  return readStatusForWorkflow(event, { cloudfront, logger });
};

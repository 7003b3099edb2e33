import { Readable } from 'node:stream';
import { CloudFrontClient, GetDistributionCommand } from '@aws-sdk/client-cloudfront';
import { describe, expect, it } from 'vitest';
import { SDK_MAX_ATTEMPTS } from '../../../functions/sqs-retry/queued-change';
import { integrationErrorName } from '../../../functions/commons/service-errors';
import { cloudfrontError } from '../../../tools/lib/simulated-cloudfront';
import { WATCH_SCENARIOS } from '../../../tools/scenarios/watch-scenarios';
import { isTransient, sdkErrorFor } from '../../support/redelivery';
import { UNMODELED_CLOUDFRONT_ERROR } from '../../../domain/errors';

interface HttpAnswer {
  readonly statusCode: number;
  readonly code?: string;
  readonly message?: string;
}

function errorXml(code: string, message: string): string {
  return `<?xml version="1.0"?><ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>req-1</RequestId></ErrorResponse>`;
}

const DEPLOYED_XML =
  '<?xml version="1.0"?><Distribution><Id>E2QWRUHAPOMQZL</Id><Status>Deployed</Status><DomainName>d1.cloudfront.net</DomainName></Distribution>';

/** The client as the handler builds it, answered by a loopback handler instead of the network. */
function clientAnswering(answers: readonly HttpAnswer[]): { client: CloudFrontClient; attempts: () => number } {
  let attempts = 0;
  const client = new CloudFrontClient({
    maxAttempts: SDK_MAX_ATTEMPTS,
    requestHandler: {
      handle: async () => {
        const answer = answers[Math.min(attempts, answers.length - 1)]!;
        attempts += 1;
        const body = answer.code ? errorXml(answer.code, answer.message ?? answer.code) : DEPLOYED_XML;
        return {
          response: {
            statusCode: answer.statusCode,
            headers: { 'content-type': 'text/xml', etag: 'E1' },
            body: Readable.from([Buffer.from(body)]),
          },
        };
      },
    } as never,
  });
  return { client, attempts: () => attempts };
}

async function failureOf(client: CloudFrontClient): Promise<unknown> {
  try {
    await client.send(new GetDistributionCommand({ Id: 'E2QWRUHAPOMQZL' }));
  } catch (error) {
    return error;
  }
  throw new Error('the call succeeded');
}

describe('CloudFront errors as the status-check Lambda meets them', () => {
  it('the SDK client absorbs a throttle and a 503 in place, within the attempts the handler allows', async () => {
    // Arrange
    const { client, attempts } = clientAnswering([
      { statusCode: 400, code: 'Throttling', message: 'Rate exceeded' },
      { statusCode: 503, code: 'ServiceUnavailable' },
      { statusCode: 200 },
    ]);
    // Act
    const answer = await client.send(new GetDistributionCommand({ Id: 'E2QWRUHAPOMQZL' }));
    // Assert
    expect(answer.Distribution?.Status).toBe('Deployed');
    expect(attempts()).toBe(3);
  });

  it('throttling that outlasts the attempts is transient and named as Step Functions names it', async () => {
    // Arrange
    const { client, attempts } = clientAnswering([{ statusCode: 400, code: 'Throttling', message: 'Rate exceeded' }]);
    // Act
    const error = await failureOf(client);
    // Assert
    expect(attempts()).toBe(3);
    expect(isTransient(error)).toBe(true);
    expect(integrationErrorName(error)).toBe(UNMODELED_CLOUDFRONT_ERROR);
  });

  it.each([
    [404, 'NoSuchDistribution', 'CloudFront.NoSuchDistributionException'],
    [404, 'NoSuchInvalidation', 'CloudFront.NoSuchInvalidationException'],
    [403, 'AccessDenied', 'CloudFront.AccessDeniedException'],
  ])('a %i %s is final: one attempt, not transient, named %s', async (statusCode, code, name) => {
    // Arrange
    const { client, attempts } = clientAnswering([{ statusCode, code }]);
    // Act
    const error = await failureOf(client);
    // Assert
    expect(attempts()).toBe(1);
    expect(isTransient(error)).toBe(false);
    expect(integrationErrorName(error)).toBe(name);
  });

  it('the parity runs turn every scenario error into the SDK error that Step Functions would name the same', () => {
    // Arrange
    const names = [
      ...new Set(
        WATCH_SCENARIOS.flatMap((scenario) =>
          scenario.answers.flatMap((answer) => ('error' in answer ? [answer] : [])),
        ),
      ),
    ];
    // Act
    const mapped = names.map((answer) =>
      integrationErrorName(sdkErrorFor(cloudfrontError(answer.error, answer.cause))),
    );
    // Assert
    expect(mapped).toEqual(names.map((answer) => answer.error));
  });
});

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudFrontClient, GetDistributionCommand, NoSuchDistribution } from '@aws-sdk/client-cloudfront';
import { describe, expect, it } from 'vitest';
import { integrationError } from '../../tools/cli/live';
import { UNMODELED_CLOUDFRONT_ERROR, AWS_ERRORS } from '../../domain/errors';

describe('--live: CloudFront SDK errors as the Step Functions integration reports them', () => {
  it('names a CloudFront error as the integration does and words its message in the integration format', () => {
    // Arrange
    const error = new NoSuchDistribution({
      message: 'The specified distribution does not exist.',
      $metadata: { httpStatusCode: 404, requestId: 'r1' },
    });
    // Act
    const reported = integrationError(error);
    // Assert
    expect(reported.name).toBe(AWS_ERRORS.noSuchDistribution);
    expect(reported.message).toBe(
      'The specified distribution does not exist. (Service: CloudFront, Status Code: 404, Error Code: NoSuchDistribution, Request ID: r1)',
    );
  });

  it('keeps errors that never reached CloudFront as they are, for the States.ALL retrier', () => {
    // Arrange
    const timeout = Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
    // Act / Assert
    expect(integrationError(timeout)).toBe(timeout);
  });

  it('reports the errors the real SDK deserializes from CloudFront XML answers (loopback server)', async () => {
    // Arrange
    const server = createServer((request, response) => {
      const code = request.url!.includes('EGONE') ? 'NoSuchDistribution' : 'Throttling';
      response.writeHead(code === 'Throttling' ? 400 : 404, { 'content-type': 'text/xml' });
      response.end(
        `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${code}</Message></Error><RequestId>r1</RequestId></ErrorResponse>`,
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const client = new CloudFrontClient({
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      maxAttempts: 1,
    });
    const reportOf = (id: string) =>
      client.send(new GetDistributionCommand({ Id: id })).then(
        () => 'answered',
        (error) => `${integrationError(error).name}: ${integrationError(error).message}`,
      );
    try {
      // Act
      const reports = [await reportOf('E1'), await reportOf('EGONE')];
      // Assert
      expect(reports).toEqual([
        `${UNMODELED_CLOUDFRONT_ERROR}: Throttling (Service: CloudFront, Status Code: 400, Error Code: Throttling, Request ID: r1)`,
        `${AWS_ERRORS.noSuchDistribution}: NoSuchDistribution (Service: CloudFront, Status Code: 404, Error Code: NoSuchDistribution, Request ID: r1)`,
      ]);
    } finally {
      server.close();
    }
  });
});

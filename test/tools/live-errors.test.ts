import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AccessDenied, CloudFrontClient, CloudFrontServiceException, GetDistributionCommand, NoSuchDistribution } from '@aws-sdk/client-cloudfront';
import { describe, expect, it } from 'vitest';
import { CLOUDFRONT_ERRORS } from '../../statemachine/constants';
import { integrationError } from '../../tools/cli/live';

describe('CloudFront SDK errors as the Step Functions integration names them', () => {
  it.each([
    [new NoSuchDistribution({ message: 'gone', $metadata: {} }), CLOUDFRONT_ERRORS.noSuchDistribution],
    [new AccessDenied({ message: 'no', $metadata: {} }), CLOUDFRONT_ERRORS.accessDenied],
    [new CloudFrontServiceException({ name: 'Throttling', $fault: 'client', message: 'Rate exceeded', $metadata: {} }), 'CloudFront.CloudFrontException'],
  ])('%s becomes %s', (error, name) => {
    // Act / Assert
    expect(integrationError(error).name).toBe(name);
  });

  it('keeps errors that never reached CloudFront as they are, for the States.ALL retrier', () => {
    // Arrange
    const timeout = Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
    // Act / Assert
    expect(integrationError(timeout)).toBe(timeout);
  });

  it('maps the errors the real SDK deserializes from CloudFront XML answers (loopback server)', async () => {
    // Arrange
    const server = createServer((request, response) => {
      const code = request.url!.includes('EGONE') ? 'NoSuchDistribution' : 'Throttling';
      response.writeHead(code === 'Throttling' ? 400 : 404, { 'content-type': 'text/xml' });
      response.end(`<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${code}</Message></Error><RequestId>r1</RequestId></ErrorResponse>`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const client = new CloudFrontClient({
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      maxAttempts: 1,
    });
    const nameOf = (id: string) => client.send(new GetDistributionCommand({ Id: id })).then(() => 'answered', (error) => integrationError(error).name);
    try {
      // Act
      const names = [await nameOf('E1'), await nameOf('EGONE')];
      // Assert
      expect(names).toEqual(['CloudFront.CloudFrontException', CLOUDFRONT_ERRORS.noSuchDistribution]);
    } finally {
      server.close();
    }
  });
});

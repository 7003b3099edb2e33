import {
  CloudFrontClient,
  GetDistributionCommand,
  GetDistributionTenantCommand,
  GetInvalidationForDistributionTenantCommand,
} from '@aws-sdk/client-cloudfront';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { readStatusForWorkflow } from '../../../functions/status-reader/read';
import { invalidationResponse, tenantResponse, THROTTLED } from '../../../tools/lib/simulated-cloudfront';
import { sdkError } from '../../support/redelivery';
import { lambdaContext } from '../../support/lambda';
import { collectingLogger } from '../../support/logger';

const cloudfrontMock = mockClient(CloudFrontClient);
const TENANT_ID = 'dt_2abcEXAMPLE';
const INVALIDATION_ID = 'I2J0I21PCUYOIK';

/** The error a read ends with, so its name and message can be checked. */
async function failureOf(work: Promise<unknown>): Promise<Error> {
  const outcome = await work.then(
    () => undefined,
    (error: Error) => error,
  );
  if (outcome === undefined) throw new Error('the read succeeded');
  return outcome;
}

describe('the status reader: tenant status for the state machine', () => {
  beforeEach(() => cloudfrontMock.reset());

  it('asks GetDistributionTenant with the given parameters and answers with the response body, as the aws-sdk integration does', async () => {
    // Arrange
    cloudfrontMock.on(GetDistributionTenantCommand, { Identifier: TENANT_ID }).resolves({
      ...(tenantResponse(TENANT_ID, 'Deployed', 'E3NEWERCHANGE1') as object),
      $metadata: { httpStatusCode: 200 },
    });
    const deps = { cloudfront: new CloudFrontClient({}), logger: collectingLogger() };
    // Act
    const answer = await readStatusForWorkflow({ kind: 'tenant', parameters: { Identifier: TENANT_ID } }, deps);
    // Assert
    expect(answer).toEqual({
      ETag: 'E3NEWERCHANGE1',
      DistributionTenant: expect.objectContaining({ Id: TENANT_ID, Status: 'Deployed' }),
    });
    expect(answer).not.toHaveProperty('$metadata');
    expect(cloudfrontMock.commandCalls(GetDistributionTenantCommand).map((call) => call.args[0].input)).toEqual([
      { Identifier: TENANT_ID },
    ]);
  });

  it('asks GetInvalidationForDistributionTenant for a tenant invalidation', async () => {
    // Arrange
    cloudfrontMock
      .on(GetInvalidationForDistributionTenantCommand)
      .resolves(invalidationResponse(INVALIDATION_ID, 'Completed') as never);
    const deps = { cloudfront: new CloudFrontClient({}), logger: collectingLogger() };
    // Act
    const answer = await readStatusForWorkflow(
      { kind: 'tenant-invalidation', parameters: { DistributionTenantId: TENANT_ID, Id: INVALIDATION_ID } },
      deps,
    );
    // Assert
    expect(answer).toMatchObject({ Invalidation: { Id: INVALIDATION_ID, Status: 'Completed' } });
    expect(
      cloudfrontMock.commandCalls(GetInvalidationForDistributionTenantCommand).map((call) => call.args[0].input),
    ).toEqual([{ DistributionTenantId: TENANT_ID, Id: INVALIDATION_ID }]);
  });

  it.each([
    {
      label: 'a deleted tenant',
      error: sdkError('CloudFront.EntityNotFoundException', 'The tenant does not exist.'),
      name: 'CloudFront.EntityNotFoundException',
    },
    {
      label: 'access denied',
      error: sdkError('CloudFront.AccessDeniedException', 'not authorized'),
      name: 'CloudFront.AccessDeniedException',
    },
    { label: 'throttling', error: sdkError(THROTTLED.error, THROTTLED.cause), name: 'CloudFront.CloudFrontException' },
  ])(
    'fails $label under the name the aws-sdk integration gives it, so the Retry and Catch match',
    async ({ error, name }) => {
      // Arrange
      cloudfrontMock.on(GetDistributionTenantCommand).rejects(error);
      const logger = collectingLogger();
      // Act
      const failure = await failureOf(
        readStatusForWorkflow(
          { kind: 'tenant', parameters: { Identifier: TENANT_ID } },
          { cloudfront: new CloudFrontClient({}), logger },
        ),
      );
      // Assert
      expect(failure.name).toBe(name);
      expect(failure.message).toBe(error.message);
      expect(logger.lines).toEqual([
        expect.objectContaining({
          level: 'warn',
          fields: expect.objectContaining({ kind: 'tenant', Identifier: TENANT_ID, error: name }),
        }),
      ]);
    },
  );

  it.each([
    {
      label: 'a kind whose status the state machine reads itself',
      event: { kind: 'distribution', parameters: { Id: 'E2QWRUHAPOMQZL' } },
    },
    { label: 'an unknown kind', event: { kind: 'streaming', parameters: { Identifier: TENANT_ID } } },
    {
      label: 'a missing parameter',
      event: { kind: 'tenant-invalidation', parameters: { DistributionTenantId: TENANT_ID } },
    },
    {
      label: 'an extra parameter',
      event: { kind: 'tenant', parameters: { Identifier: TENANT_ID, Id: 'E2QWRUHAPOMQZL' } },
    },
    { label: 'an id that is no CloudFront id', event: { kind: 'tenant', parameters: { Identifier: '../../etc' } } },
    { label: 'no object at all', event: 'tenant' },
  ])('refuses $label without calling CloudFront', async ({ event }) => {
    // Arrange
    const deps = { cloudfront: new CloudFrontClient({}), logger: collectingLogger() };
    // Act
    const failure = await failureOf(readStatusForWorkflow(event, deps));
    // Assert
    expect(failure.name).toBe('InvalidStatusReadRequest');
    expect(cloudfrontMock.calls()).toEqual([]);
    expect(cloudfrontMock.commandCalls(GetDistributionCommand)).toEqual([]);
  });

  it('runs in the Lambda handler with its own client and answers the request', async () => {
    // Arrange
    cloudfrontMock.on(GetDistributionTenantCommand).resolves(tenantResponse(TENANT_ID, 'InProgress') as never);
    vi.resetModules();
    const { handler } = await import('../../../functions/status-reader/handler');
    // Act
    const answer = await handler(
      { kind: 'tenant', parameters: { Identifier: TENANT_ID } },
      lambdaContext('notifier-status-reader'),
    );
    // Assert
    expect(answer).toMatchObject({ DistributionTenant: { Status: 'InProgress' }, ETag: 'E2QWRUHEXAMPLE' });
  });
});

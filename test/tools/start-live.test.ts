import {
  CloudFrontClient,
  CloudFrontServiceException,
  GetDistributionCommand,
  GetDistributionTenantCommand,
  GetInvalidationCommand,
  GetInvalidationForDistributionTenantCommand,
  NoSuchDistribution,
} from '@aws-sdk/client-cloudfront';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../../tools/cli/run';
import { notificationText, testIo } from './support';
import { EVERY_CALL } from '../support/definition';
import { AWS_ERRORS } from '../../domain/errors';
import { STATE_NAMES } from '../../statemachine/state-names';

const DISTRIBUTION = 'E2QWRUHAPOMQZL';
const INVALIDATION = 'I2J0I21PCUYOIK';
const TENANT = 'dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB';
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:cloudfront-ops';
const cloudfront = mockClient(CloudFrontClient);
const sns = mockClient(SNSClient);

function distribution(status: string) {
  return {
    ETag: 'E2QWRUHEXAMPLE',
    Distribution: { Id: DISTRIBUTION, Status: status, DomainName: 'd2abc.cloudfront.net' },
  } as never;
}

function invalidation(status: string) {
  return { Invalidation: { Id: INVALIDATION, Status: status, CreateTime: new Date('2027-03-01T08:00:00Z') } } as never;
}

function tenant(status: string) {
  return {
    ETag: 'E2QWRUHEXAMPLE',
    DistributionTenant: { Id: TENANT, DistributionId: 'E1MULTITENANT1', Status: status },
  } as never;
}

async function live(argv: string[], overrides = {}, target = ['--distribution', DISTRIBUTION]) {
  const io = testIo({ liveWaitMilliseconds: 1, ...overrides });
  const code = await run(['--live', ...target, ...argv], io);
  return { code, stdout: io.stdout.text, stderr: io.stderr.text };
}

beforeEach(() => {
  cloudfront.reset();
  sns.reset();
});
afterEach(() => {
  cloudfront.reset();
  sns.reset();
});

describe('npm start -- --live against a mocked CloudFront API', () => {
  it('checks the real distribution until it is Deployed and only prints the notification without --publish', async () => {
    // Arrange
    cloudfront.on(GetDistributionCommand).resolvesOnce(distribution('InProgress')).resolves(distribution('Deployed'));
    // Act
    const { code, stdout, stderr } = await live([]);
    // Assert
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(cloudfront.commandCalls(GetDistributionCommand).map((call) => call.args[0].input)).toEqual([
      { Id: DISTRIBUTION },
      { Id: DISTRIBUTION },
    ]);
    expect(stdout).toContain('(GetDistribution only) with your credentials');
    expect(stdout).toMatch(/check +1: InProgress[\s\S]*wait +.+ before check 2[\s\S]*check +2: Deployed/);
    expect(stdout).toContain('SNS would receive (not published: no --publish)');
    expect(notificationText(stdout)).toMatch(/^Domain: +d2abc\.cloudfront\.net$/m);
    expect(sns.calls()).toHaveLength(0);
  });

  it('publishes the notification of a completed invalidation to the given topic with --publish', async () => {
    // Arrange
    cloudfront.on(GetInvalidationCommand).resolves(invalidation('Completed'));
    sns.on(PublishCommand).resolves({ MessageId: 'message-1' });
    // Act
    const { code } = await live(['--invalidation', INVALIDATION, '--publish', TOPIC]);
    // Assert
    expect(code).toBe(0);
    expect(cloudfront.commandCalls(GetInvalidationCommand)[0]!.args[0].input).toEqual({
      DistributionId: DISTRIBUTION,
      Id: INVALIDATION,
    });
    const [publish] = sns.commandCalls(PublishCommand);
    expect(publish!.args[0].input).toMatchObject({
      TopicArn: TOPIC,
      Subject: `CloudFront ${DISTRIBUTION} invalidation completed`,
      MessageAttributes: {
        outcome: { DataType: 'String', StringValue: 'completed' },
        kind: { DataType: 'String', StringValue: 'invalidation' },
        distributionId: { DataType: 'String', StringValue: DISTRIBUTION },
      },
    });
    expect(publish!.args[0].input.Message).toContain(`Invalidation:  ${INVALIDATION}`);
  });

  it('refuses a tenant watch when the stack does not watch tenant calls, and says how to opt in', async () => {
    // Act
    const { code, stderr } = await live([], {}, ['--tenant', TENANT]);
    // Assert
    expect(code).toBe(2);
    expect(stderr).toBe(
      'npm start: this stack does not watch tenant changes, so its state machine cannot check one (it is not in watchedEvents; watch it too with ' +
        '-c watchedEvents=CreateDistribution,CreateDistributionWithTags,UpdateDistribution,CopyDistribution,UpdateDistributionWithStagingConfig,AssociateAlias,CreateInvalidation,UpdateDistributionTenant)\n',
    );
    expect(cloudfront.calls()).toEqual([]);
  });

  it.each(['lambda', 'sdk'])(
    'checks a distribution tenant with GetDistributionTenant until it is Deployed and ends with the tenant notification (tenantStatusCheck %s)',
    async (check) => {
      // Arrange
      cloudfront.on(GetDistributionTenantCommand).resolvesOnce(tenant('InProgress')).resolves(tenant('Deployed'));
      // Act
      const { code, stdout, stderr } = await live(
        ['-c', `watchedEvents=${EVERY_CALL.watchedEvents}`, '-c', `tenantStatusCheck=${check}`],
        {},
        ['--tenant', TENANT],
      );
      // Assert
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      expect(cloudfront.commandCalls(GetDistributionTenantCommand).map((call) => call.args[0].input)).toEqual([
        { Identifier: TENANT },
        { Identifier: TENANT },
      ]);
      expect(cloudfront.commandCalls(GetDistributionCommand)).toHaveLength(0);
      expect(stdout).toContain('(GetDistributionTenant only) with your credentials');
      expect(stdout).toMatch(new RegExp(`watch +distribution tenant ${TENANT}$`, 'm'));
      expect(stdout).toMatch(/check +2: Deployed/);
      expect(stdout).toContain(`SUCCEEDED in "${STATE_NAMES.tenant.done}"`);
      const notification = notificationText(stdout);
      expect(notification).toMatch(new RegExp(`^Subject: +CloudFront tenant ${TENANT} deployed$`, 'm'));
      expect(notification).toContain(`"tenantId":{"DataType":"String","StringValue":"${TENANT}"}`);
      expect(notification).toMatch(
        new RegExp(`^What changed: +UpdateDistributionTenant on distribution tenant ${TENANT}$`, 'm'),
      );
    },
  );

  it('checks a tenant invalidation with GetInvalidationForDistributionTenant until it is Completed', async () => {
    // Arrange
    cloudfront.on(GetInvalidationForDistributionTenantCommand).resolves(invalidation('Completed'));
    // Act
    const { code, stdout, stderr } = await live(
      ['--invalidation', INVALIDATION, '-c', `watchedEvents=${EVERY_CALL.watchedEvents}`],
      {},
      ['--tenant', TENANT],
    );
    // Assert
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(
      cloudfront.commandCalls(GetInvalidationForDistributionTenantCommand).map((call) => call.args[0].input),
    ).toEqual([{ DistributionTenantId: TENANT, Id: INVALIDATION }]);
    expect(stdout).toContain('(GetInvalidationForDistributionTenant only) with your credentials');
    expect(stdout).toMatch(new RegExp(`watch +invalidation ${INVALIDATION} of distribution tenant ${TENANT}$`, 'm'));
    expect(notificationText(stdout)).toMatch(
      new RegExp(`^Subject: +CloudFront tenant ${TENANT} invalidation completed$`, 'm'),
    );
  });

  it('ends with the not-found notification, without retrying, when the distribution does not exist', async () => {
    // Arrange
    cloudfront.on(GetDistributionCommand).rejects(
      new NoSuchDistribution({
        message: 'The specified distribution does not exist.',
        $metadata: { httpStatusCode: 404 },
      }),
    );
    // Act
    const { code, stdout } = await live([]);
    // Assert
    expect(code).toBe(0);
    expect(cloudfront.commandCalls(GetDistributionCommand)).toHaveLength(1);
    expect(stdout).toMatch(/FAILED with DistributionNotFound/);
    expect(notificationText(stdout)).toMatch(
      new RegExp(`^Error: +${AWS_ERRORS.noSuchDistribution.replace('.', '\\.')}$`, 'm'),
    );
  });

  it('retries throttling (an unmodeled error) and then reports Deployed', async () => {
    // Arrange
    const throttled = new CloudFrontServiceException({
      name: 'Throttling',
      $fault: 'client',
      message: 'Rate exceeded',
      $metadata: { httpStatusCode: 400 },
    });
    cloudfront.on(GetDistributionCommand).rejectsOnce(throttled).resolves(distribution('Deployed'));
    // Act
    const { code, stdout } = await live([]);
    // Assert
    expect(code).toBe(0);
    expect(cloudfront.commandCalls(GetDistributionCommand)).toHaveLength(2);
    expect(stdout).toMatch(/check +1: CloudFront\.CloudFrontException \(retry 1 after a backoff\)/);
    expect(stdout).toMatch(/check +1: Deployed/);
  });

  it('explains missing credentials in one line with exit code 2, before any call', async () => {
    // Arrange
    const noCredentials = Object.assign(new Error('Could not load credentials from any providers'), {
      name: 'CredentialsProviderError',
    });
    const client = new CloudFrontClient({ region: 'us-east-1', credentials: () => Promise.reject(noCredentials) });
    // Act
    const { code, stdout, stderr } = await live([], { cloudFront: client });
    // Assert
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /^npm start: --live needs AWS credentials and found none \(Could not load credentials from any providers\)/,
    );
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stdout).toBe('');
    expect(cloudfront.calls()).toHaveLength(0);
  });
});

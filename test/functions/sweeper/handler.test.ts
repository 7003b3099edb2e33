import { CloudFrontClient, ListDistributionsCommand } from '@aws-sdk/client-cloudfront';
import { ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WATCH_SETTINGS_ENV } from '../../../domain/settings';
import { DISPATCH_SETTINGS, DISPATCH_STATE_MACHINE_ARN } from '../../../tools/scenarios/dispatch-settings';
import { capturePowertoolsLines, lambdaContext } from '../../support/lambda';

const cloudfrontMock = mockClient(CloudFrontClient);
const sfnMock = mockClient(SFNClient);
const context = lambdaContext('notifier-sweep');

describe('the sweeper Lambda handler', () => {
  let logLines: ReturnType<typeof capturePowertoolsLines>;

  /** The handler reads its environment at import: each test imports a fresh copy. */
  async function importHandler() {
    vi.resetModules();
    vi.stubEnv(WATCH_SETTINGS_ENV, JSON.stringify({ ...DISPATCH_SETTINGS, watchedEvents: ['UpdateDistribution'] }));
    vi.stubEnv('STATE_MACHINE_ARN', DISPATCH_STATE_MACHINE_ARN);
    return (await import('../../../functions/sweeper/handler')).handler;
  }

  beforeEach(() => {
    cloudfrontMock.reset();
    sfnMock.reset();
    logLines = capturePowertoolsLines();
  });

  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  it('sweeps with the interval the schedule hands it, and succeeds when every call did', async () => {
    // Arrange
    cloudfrontMock
      .on(ListDistributionsCommand)
      .resolves({ DistributionList: { IsTruncated: false, Items: [] } } as never);
    sfnMock.on(ListExecutionsCommand).resolves({ executions: [] });
    const handler = await importHandler();
    // Act
    await handler({ intervalMinutes: 5 }, context);
    // Assert
    expect(cloudfrontMock.commandCalls(ListDistributionsCommand)).toHaveLength(1);
    expect(logLines()).toContainEqual(
      expect.objectContaining({ level: 'INFO', message: 'Sweep done', started: 0, watchesInProgress: 0 }),
    );
  });

  it('fails an invocation that is not the schedule’s, before any call', async () => {
    // Arrange
    const handler = await importHandler();
    // Act
    const run = handler({ source: 'aws.events' }, context);
    // Assert
    await expect(run).rejects.toMatchObject({ name: 'NotASweepInvocation' });
    expect(cloudfrontMock.commandCalls(ListDistributionsCommand)).toEqual([]);
  });

  it('fails the invocation after a sweep that could not list, so SweepErrors alarms, and logs the failed call', async () => {
    // Arrange
    cloudfrontMock
      .on(ListDistributionsCommand)
      .rejects(Object.assign(new Error('User is not authorized'), { name: 'AccessDenied', $metadata: {} }));
    const handler = await importHandler();
    // Act
    const run = handler({ intervalMinutes: 5 }, context);
    // Assert
    await expect(run).rejects.toMatchObject({ name: 'SweepIncomplete' });
    expect(logLines()).toContainEqual(
      expect.objectContaining({
        level: 'ERROR',
        message: 'Sweep incomplete: some calls failed; the next sweep tries again',
        failures: ['ListDistributions: AccessDenied: User is not authorized'],
      }),
    );
  });
});

import { CloudFrontServiceException } from '@aws-sdk/client-cloudfront';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { beforeEach, describe, expect, it } from 'vitest';
import { sweep, type SweepDeps } from '../../../functions/sweeper/sweep';
import type { WatchExecutionInput } from '../../../domain/watch-execution';
import { DISPATCH_SETTINGS, EVERY_CALL_SETTINGS } from '../../../tools/scenarios/dispatch-settings';
import { collectingLogger } from '../../support/logger';
import {
  SimulatedCloudFront,
  SimulatedStepFunctions,
  STATE_MACHINE_ARN,
  type SimulatedDistribution,
} from '../../support/simulated-account';

const NOW = new Date('2026-11-28T12:00:00Z');
/** Ten minutes before NOW: long enough ago that its event should have started a watch. */
const TEN_MINUTES_AGO = '2026-11-28T11:50:00Z';
/** Thirty seconds before NOW: its event may still be on its way. */
const JUST_NOW = '2026-11-28T11:59:30Z';

const FIVE_DISTRIBUTIONS: SimulatedDistribution[] = [
  { id: 'E1INPROGRESS01', status: 'InProgress', eTag: 'E1CHANGEETAG01', lastModified: TEN_MINUTES_AGO },
  { id: 'E2DEPLOYED0002', status: 'Deployed', eTag: 'E2CHANGEETAG02', lastModified: '2026-11-20T08:00:00Z' },
  { id: 'E3INPROGRESS03', status: 'InProgress', eTag: 'E3CHANGEETAG03', lastModified: TEN_MINUTES_AGO },
  { id: 'E4JUSTCHANGED4', status: 'InProgress', eTag: 'E4CHANGEETAG04', lastModified: JUST_NOW },
  { id: 'E5DEPLOYED0005', status: 'Deployed', eTag: 'E5CHANGEETAG05', lastModified: '2026-11-21T08:00:00Z' },
];

describe('sweep in mode stepfunctions, against a simulated account', () => {
  let logger: ReturnType<typeof collectingLogger>;
  let sfn: SimulatedStepFunctions;
  let pauses: number[];

  function deps(cloudfront: SimulatedCloudFront, settings = DISPATCH_SETTINGS): SweepDeps {
    return {
      cloudfront: cloudfront.client,
      target: { mode: 'stepfunctions', sfn: sfn.client, stateMachineArn: STATE_MACHINE_ARN },
      logger,
      settings,
      intervalMinutes: 5,
      now: () => NOW,
      pause: async (milliseconds) => {
        pauses.push(milliseconds);
      },
    };
  }

  const input = (name: string) => JSON.parse(sfn.executions.get(name)!.input) as WatchExecutionInput;

  beforeEach(() => {
    logger = collectingLogger();
    sfn = new SimulatedStepFunctions();
    pauses = [];
  });

  it('reads every page of distributions and starts a watch of each one InProgress long enough, none of the Deployed', async () => {
    // Arrange
    const cloudfront = new SimulatedCloudFront(FIVE_DISTRIBUTIONS);
    // Act
    const report = await sweep(deps(cloudfront));
    // Assert
    expect([...sfn.executions.keys()]).toEqual([
      'E1INPROGRESS01-deploy-E1CHANGEETAG01',
      'E3INPROGRESS03-deploy-E3CHANGEETAG03',
    ]);
    expect(report.changes.map(({ change, result }) => [change.distributionId, result])).toEqual([
      ['E1INPROGRESS01', 'started'],
      ['E3INPROGRESS03', 'started'],
      ['E4JUSTCHANGED4', 'too-recent'],
    ]);
    expect(cloudfront.calls).toEqual([
      'ListDistributions',
      'ListDistributions',
      'ListDistributions',
      'ListInvalidations E1INPROGRESS01',
      'ListInvalidations E2DEPLOYED0002',
      'ListInvalidations E3INPROGRESS03',
      'ListInvalidations E4JUSTCHANGED4',
      'ListInvalidations E5DEPLOYED0005',
    ]);
    expect(report.failures).toEqual([]);
  });

  it('starts a watch that says the sweep found the change, with the ETag it found and its last-modified time', async () => {
    // Arrange
    const cloudfront = new SimulatedCloudFront(FIVE_DISTRIBUTIONS.slice(0, 1));
    // Act
    await sweep(deps(cloudfront));
    // Assert
    const { watch, progress } = input('E1INPROGRESS01-deploy-E1CHANGEETAG01');
    expect(watch).toEqual({
      kind: 'distribution',
      change: 'a change found InProgress by the reconciliation sweep',
      distributionId: 'E1INPROGRESS01',
      eTag: 'E1CHANGEETAG01',
      eventId: 'none (found by the reconciliation sweep at 2026-11-28T12:00:00Z)',
      startedAt: '2026-11-28T11:50:00Z',
      changedBy: 'unknown (no CloudTrail event)',
      consoleUrl:
        'https://us-east-1.console.aws.amazon.com/cloudfront/v4/home?region=us-east-1#/distributions/E1INPROGRESS01',
      watchLimit: '4 days',
      executionName: 'E1INPROGRESS01-deploy-E1CHANGEETAG01',
    });
    expect(progress).toMatchObject({ check: 1, continueAt: 801, part: 1 });
  });

  it('logs one line per started watch for the ChangesMissedByCapture metric, and a summary', async () => {
    // Arrange
    const cloudfront = new SimulatedCloudFront(FIVE_DISTRIBUTIONS);
    // Act
    await sweep(deps(cloudfront));
    // Assert
    expect(logger.lines.map(({ level, message, fields }) => [level, message, fields.missedByCapture])).toEqual([
      ['warn', 'Change found InProgress that no event had announced: its watch is started', 1],
      ['warn', 'Change found InProgress that no event had announced: its watch is started', 1],
      ['info', 'Sweep done', undefined],
    ]);
    expect(logger.lines[2]!.fields).toEqual({
      inProgress: 3,
      started: 2,
      alreadyWatched: 0,
      tooRecent: 1,
      gone: 0,
      failures: [],
      watchesInProgress: 2,
    });
  });

  it('counts the running executions in its summary, for the dashboard, and leaves the count out when they cannot be listed', async () => {
    // Arrange
    const cloudfront = new SimulatedCloudFront(FIVE_DISTRIBUTIONS.slice(1, 2));
    sfn.add('E9OTHERWATCH09-deploy-E9CHANGEETAG09', '{}');
    sfn.add('E8FINISHED008-deploy-E8CHANGEETAG08', '{}', false);
    const unlisted = { send: () => Promise.reject(new Error('Rate exceeded')) } as unknown as Pick<SFNClient, 'send'>;
    // Act
    await sweep(deps(cloudfront));
    const listed = logger.lines.at(-1)!.fields;
    await sweep({
      ...deps(cloudfront),
      target: { mode: 'stepfunctions', sfn: unlisted, stateMachineArn: STATE_MACHINE_ARN },
    });
    const unknown = logger.lines.at(-1)!.fields;
    // Assert
    expect(listed).toMatchObject({ watchesInProgress: 1, failures: [] });
    expect(unknown).not.toHaveProperty('watchesInProgress');
    expect(unknown).toMatchObject({ failures: [] });
  });

  it('finds InProgress invalidations and names their watch by the invalidation id', async () => {
    // Arrange
    const cloudfront = new SimulatedCloudFront([
      {
        id: 'E2DEPLOYED0002',
        status: 'Deployed',
        eTag: 'E2CHANGEETAG02',
        lastModified: '2026-11-20T08:00:00Z',
        invalidations: [
          { id: 'I1INPROGRESS01', status: 'InProgress', created: TEN_MINUTES_AGO },
          { id: 'I2COMPLETED002', status: 'Completed', created: '2026-11-28T11:00:00Z' },
        ],
      },
    ]);
    // Act
    await sweep(deps(cloudfront));
    // Assert
    expect([...sfn.executions.keys()]).toEqual(['E2DEPLOYED0002-invalidate-I1INPROGRESS01']);
    expect(input('E2DEPLOYED0002-invalidate-I1INPROGRESS01').watch).toMatchObject({
      kind: 'invalidation',
      distributionId: 'E2DEPLOYED0002',
      invalidationId: 'I1INPROGRESS01',
      paths: 'not in the CloudTrail record',
      startedAt: '2026-11-28T11:50:00Z',
    });
  });

  it('asks GetDistribution for the ETag when the list shows none', async () => {
    // Arrange
    const cloudfront = new SimulatedCloudFront([
      { id: 'E1INPROGRESS01', status: 'InProgress', currentETag: 'E1CHANGEETAG01', lastModified: TEN_MINUTES_AGO },
    ]);
    // Act
    await sweep(deps(cloudfront, { ...DISPATCH_SETTINGS, watchedEvents: ['UpdateDistribution'] }));
    // Assert
    expect(cloudfront.calls).toEqual(['ListDistributions', 'GetDistribution E1INPROGRESS01']);
    expect([...sfn.executions.keys()]).toEqual(['E1INPROGRESS01-deploy-E1CHANGEETAG01']);
  });

  it('goes on without a distribution that disappears mid-sweep, and reports it gone, not failed', async () => {
    // Arrange: listed, then deleted before the sweep asks about it
    const cloudfront = new SimulatedCloudFront([
      { id: 'E1INPROGRESS01', status: 'InProgress', currentETag: 'E1CHANGEETAG01', lastModified: TEN_MINUTES_AGO },
      { id: 'E3INPROGRESS03', status: 'InProgress', eTag: 'E3CHANGEETAG03', lastModified: TEN_MINUTES_AGO },
    ]);
    cloudfront.deleted.add('E1INPROGRESS01');
    // Act
    const report = await sweep(deps(cloudfront));
    // Assert
    expect(report.gone).toEqual(['E1INPROGRESS01']);
    expect(report.failures).toEqual([]);
    expect([...sfn.executions.keys()]).toEqual(['E3INPROGRESS03-deploy-E3CHANGEETAG03']);
    expect(cloudfront.calls).toEqual([
      'ListDistributions',
      'GetDistribution E1INPROGRESS01',
      'ListInvalidations E1INPROGRESS01',
      'ListInvalidations E3INPROGRESS03',
    ]);
  });

  it('stops listing invalidations at a throttled call, keeps the distribution watches, and reports the failure', async () => {
    // Arrange
    const cloudfront = new SimulatedCloudFront(FIVE_DISTRIBUTIONS);
    cloudfront.failing.set(
      'E2DEPLOYED0002',
      new CloudFrontServiceException({
        name: 'Throttling',
        message: 'Rate exceeded',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    // Act
    const report = await sweep(deps(cloudfront));
    // Assert
    expect(cloudfront.calls.filter((call) => call.startsWith('ListInvalidations'))).toEqual([
      'ListInvalidations E1INPROGRESS01',
      'ListInvalidations E2DEPLOYED0002',
    ]);
    expect(report.failures).toEqual([
      'ListInvalidations E2DEPLOYED0002: CloudFront.CloudFrontException: Rate exceeded',
    ]);
    expect(sfn.executions.size).toBe(2);
  });

  it('sweeps only the distributions distributionIds lists', async () => {
    // Arrange
    const cloudfront = new SimulatedCloudFront(FIVE_DISTRIBUTIONS);
    // Act
    await sweep(deps(cloudfront, { ...DISPATCH_SETTINGS, distributionIds: ['E3INPROGRESS03'] }));
    // Assert
    expect([...sfn.executions.keys()]).toEqual(['E3INPROGRESS03-deploy-E3CHANGEETAG03']);
    expect(cloudfront.calls.filter((call) => call.startsWith('ListInvalidations'))).toEqual([
      'ListInvalidations E3INPROGRESS03',
    ]);
  });

  it('lists tenants in pages when tenant calls are watched, and names a tenant watch by its ETag', async () => {
    // Arrange
    const cloudfront = new SimulatedCloudFront(
      [],
      [
        {
          id: 'dt_1Deployed',
          distributionId: 'E1MULTITENANT1',
          status: 'Deployed',
          eTag: 'E1TENANTETAG01',
          lastModified: TEN_MINUTES_AGO,
        },
        {
          id: 'dt_2InProgress',
          distributionId: 'E1MULTITENANT1',
          status: 'InProgress',
          eTag: 'E2TENANTETAG02',
          lastModified: TEN_MINUTES_AGO,
        },
        {
          id: 'dt_3InProgress',
          distributionId: 'E1MULTITENANT1',
          status: 'InProgress',
          eTag: 'E3TENANTETAG03',
          lastModified: TEN_MINUTES_AGO,
        },
      ],
    );
    // Act
    await sweep(deps(cloudfront, { ...EVERY_CALL_SETTINGS, watchedEvents: ['UpdateDistributionTenant'] }));
    // Assert
    expect(cloudfront.calls).toEqual(['ListDistributionTenants', 'ListDistributionTenants']);
    expect([...sfn.executions.keys()]).toEqual([
      'dt_2InProgress-deploy-E2TENANTETAG02',
      'dt_3InProgress-deploy-E3TENANTETAG03',
    ]);
    expect(input('dt_2InProgress-deploy-E2TENANTETAG02').watch).toMatchObject({
      kind: 'tenant',
      tenantId: 'dt_2InProgress',
      distributionId: 'E1MULTITENANT1',
      eTag: 'E2TENANTETAG02',
    });
  });

  it('keeps its pace: half a second between two per-distribution calls and between two starts', async () => {
    // Arrange
    const cloudfront = new SimulatedCloudFront(FIVE_DISTRIBUTIONS);
    // Act
    await sweep(deps(cloudfront));
    // Assert: four pauses between five invalidation lists, one between two starts
    expect(pauses).toEqual([500, 500, 500, 500, 500]);
  });
});

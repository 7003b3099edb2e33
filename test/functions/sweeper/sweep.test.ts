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

  it('reads every page of distributions, starts a watch of each one InProgress long enough, and lists no invalidations where none is counted', async () => {
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
      'GetDistribution E1INPROGRESS01',
      'GetDistribution E2DEPLOYED0002',
      'GetDistribution E3INPROGRESS03',
      'GetDistribution E4JUSTCHANGED4',
      'GetDistribution E5DEPLOYED0005',
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
      invalidationListsCut: 0,
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

  describe('invalidations over several pages (two a page here, newest first)', () => {
    /** Seven invalidations of one Deployed distribution, newest first: pages I7 I6, I5 I4, I3 I2, I1. */
    const invalidations = (statuses: Record<string, string>, created = '2026-11-28T11:') =>
      ['I7', 'I6', 'I5', 'I4', 'I3', 'I2', 'I1'].map((id, index) => ({
        id: `${id}INVALIDATION`,
        status: statuses[id] ?? 'Completed',
        created: `${created}${String(50 - index).padStart(2, '0')}:00Z`,
      }));
    const deployed = (extra: Partial<SimulatedDistribution>): SimulatedDistribution => ({
      id: 'E2DEPLOYED0002',
      status: 'Deployed',
      eTag: 'E2CHANGEETAG02',
      lastModified: '2026-11-20T08:00:00Z',
      ...extra,
    });

    it('pages on until it has found as many InProgress as the distribution counts: the one on page 3', async () => {
      // Arrange
      const cloudfront = new SimulatedCloudFront([deployed({ invalidations: invalidations({ I3: 'InProgress' }) })]);
      // Act
      const report = await sweep(deps(cloudfront));
      // Assert
      expect(cloudfront.calls).toEqual([
        'ListDistributions',
        'GetDistribution E2DEPLOYED0002',
        'ListInvalidations E2DEPLOYED0002',
        'ListInvalidations E2DEPLOYED0002 after I6INVALIDATION',
        'ListInvalidations E2DEPLOYED0002 after I4INVALIDATION',
      ]);
      expect([...sfn.executions.keys()]).toEqual(['E2DEPLOYED0002-invalidate-I3INVALIDATION']);
      expect(input('E2DEPLOYED0002-invalidate-I3INVALIDATION').watch.startedAt).toBe('2026-11-28T11:46:00Z');
      expect(report.cutListings).toEqual([]);
      expect(pauses).toEqual([500, 500, 500]);
    });

    it('stops at the last page when fewer are InProgress than counted, and says so', async () => {
      // Arrange: counted 2, one finished in between
      const cloudfront = new SimulatedCloudFront([
        deployed({ invalidations: invalidations({ I5: 'InProgress' }), inProgressInvalidationBatches: 2 }),
      ]);
      // Act
      const report = await sweep(deps(cloudfront));
      // Assert
      expect(cloudfront.calls.filter((call) => call.startsWith('ListInvalidations'))).toHaveLength(4);
      expect([...sfn.executions.keys()]).toEqual(['E2DEPLOYED0002-invalidate-I5INVALIDATION']);
      expect(report.cutListings).toEqual([]);
      expect(logger.lines.find(({ message }) => message.startsWith('Fewer'))).toEqual({
        level: 'info',
        message: 'Fewer InProgress invalidations listed than the distribution counted',
        fields: {
          distributionId: 'E2DEPLOYED0002',
          step: 'list-ended',
          inProgressCounted: 2,
          inProgressFound: 1,
          pagesRead: 4,
        },
      });
    });

    it('stops at a page that reaches invalidations as old as the watch limit: none further could be taken over', async () => {
      // Arrange: all seven made on 2026-11-24, four days and more before NOW
      const cloudfront = new SimulatedCloudFront([
        deployed({ invalidations: invalidations({}, '2026-11-24T11:'), inProgressInvalidationBatches: 1 }),
      ]);
      // Act
      const report = await sweep(deps(cloudfront));
      // Assert
      expect(cloudfront.calls).toEqual([
        'ListDistributions',
        'GetDistribution E2DEPLOYED0002',
        'ListInvalidations E2DEPLOYED0002',
      ]);
      expect(report.cutListings).toEqual([]);
    });

    it('reads at most 5 pages of one distribution, then logs the cut and reports it', async () => {
      // Arrange: counted 1, but none InProgress on any of 12 invalidations (6 pages)
      const twelve = [...invalidations({}), ...invalidations({}, '2026-11-28T10:').slice(0, 5)].map((item, index) => ({
        ...item,
        id: `I${String(12 - index).padStart(2, '0')}INVALIDATIO`,
      }));
      const cloudfront = new SimulatedCloudFront([
        deployed({ invalidations: twelve, inProgressInvalidationBatches: 1 }),
      ]);
      // Act
      const report = await sweep(deps(cloudfront));
      // Assert
      expect(cloudfront.calls.filter((call) => call.startsWith('ListInvalidations'))).toEqual([
        'ListInvalidations E2DEPLOYED0002',
        'ListInvalidations E2DEPLOYED0002 after I11INVALIDATIO',
        'ListInvalidations E2DEPLOYED0002 after I09INVALIDATIO',
        'ListInvalidations E2DEPLOYED0002 after I07INVALIDATIO',
        'ListInvalidations E2DEPLOYED0002 after I05INVALIDATIO',
      ]);
      expect(report.cutListings).toEqual([
        {
          distributionId: 'E2DEPLOYED0002',
          step: 'distribution-page-bound',
          inProgressCounted: 1,
          inProgressFound: 0,
          pagesRead: 5,
        },
      ]);
      expect(logger.lines.filter(({ level }) => level === 'warn').map(({ message }) => message)).toEqual([
        'Invalidation list cut at a page bound: InProgress invalidations on the pages left unread are not swept',
      ]);
      expect(logger.lines.at(-1)!.fields.invalidationListsCut).toBe(1);
    });

    it('reads at most 50 pages in one sweep: the eleventh distribution to need pages gets none, and is reported', async () => {
      // Arrange: eleven distributions that each would read more than 5 pages
      const eleven = Array.from({ length: 11 }, (_, index) =>
        deployed({
          id: `E${String(index + 1).padStart(2, '0')}PAGEBOUND000`,
          invalidations: [...invalidations({}), ...invalidations({}, '2026-11-28T10:')],
          inProgressInvalidationBatches: 1,
        }),
      );
      const cloudfront = new SimulatedCloudFront(eleven);
      // Act
      const report = await sweep(deps(cloudfront));
      // Assert
      expect(cloudfront.calls.filter((call) => call.startsWith('ListInvalidations'))).toHaveLength(50);
      expect(
        report.cutListings.map(({ distributionId, step, pagesRead }) => [distributionId, step, pagesRead]),
      ).toEqual([
        ['E01PAGEBOUND000', 'distribution-page-bound', 5],
        ['E02PAGEBOUND000', 'distribution-page-bound', 5],
        ['E03PAGEBOUND000', 'distribution-page-bound', 5],
        ['E04PAGEBOUND000', 'distribution-page-bound', 5],
        ['E05PAGEBOUND000', 'distribution-page-bound', 5],
        ['E06PAGEBOUND000', 'distribution-page-bound', 5],
        ['E07PAGEBOUND000', 'distribution-page-bound', 5],
        ['E08PAGEBOUND000', 'distribution-page-bound', 5],
        ['E09PAGEBOUND000', 'distribution-page-bound', 5],
        ['E10PAGEBOUND000', 'distribution-page-bound', 5],
        ['E11PAGEBOUND000', 'sweep-page-bound', 0],
      ]);
    });

    it('drops what it found of a distribution deleted between two pages, and reports it gone, not failed', async () => {
      // Arrange: counted 2, one InProgress on page 1; the distribution is deleted once page 1 is answered
      const cloudfront = new SimulatedCloudFront([
        deployed({ invalidations: invalidations({ I7: 'InProgress', I2: 'InProgress' }) }),
      ]);
      cloudfront.afterCall = (call) => {
        if (call === 'ListInvalidations E2DEPLOYED0002') cloudfront.deleted.add('E2DEPLOYED0002');
      };
      // Act
      const report = await sweep(deps(cloudfront));
      // Assert
      expect(cloudfront.calls).toEqual([
        'ListDistributions',
        'GetDistribution E2DEPLOYED0002',
        'ListInvalidations E2DEPLOYED0002',
        'ListInvalidations E2DEPLOYED0002 after I6INVALIDATION',
      ]);
      expect(report.gone).toEqual(['E2DEPLOYED0002']);
      expect(report.failures).toEqual([]);
      expect(sfn.executions.size).toBe(0);
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
      'GetDistribution E3INPROGRESS03',
    ]);
  });

  it('stops looking at invalidations at a throttled call, keeps the distribution watches, and reports the failure', async () => {
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
    expect(cloudfront.calls.filter((call) => call.startsWith('GetDistribution'))).toEqual([
      'GetDistribution E1INPROGRESS01',
      'GetDistribution E2DEPLOYED0002',
    ]);
    expect(report.failures).toEqual(['GetDistribution E2DEPLOYED0002: CloudFront.CloudFrontException: Rate exceeded']);
    expect(sfn.executions.size).toBe(2);
  });

  it('sweeps only the distributions distributionIds lists', async () => {
    // Arrange
    const cloudfront = new SimulatedCloudFront(FIVE_DISTRIBUTIONS);
    // Act
    await sweep(deps(cloudfront, { ...DISPATCH_SETTINGS, distributionIds: ['E3INPROGRESS03'] }));
    // Assert
    expect([...sfn.executions.keys()]).toEqual(['E3INPROGRESS03-deploy-E3CHANGEETAG03']);
    expect(cloudfront.calls.filter((call) => call.startsWith('GetDistribution'))).toEqual([
      'GetDistribution E3INPROGRESS03',
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
    // Assert: four pauses between five distributions' counts, one between two starts
    expect(pauses).toEqual([500, 500, 500, 500, 500]);
  });
});

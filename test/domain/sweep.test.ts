import { describe, expect, it } from 'vitest';
import type { SweptChange, Watch } from '../../domain/cloudtrail';
import {
  adoption,
  invalidationListSlice,
  isEventNamedWatchOf,
  kindsToSweep,
  maySweepWatchAlready,
  nextInvalidationListStep,
  sweepIntervalOf,
  sweptWatchLogFilter,
  watchLogFilter,
  watchLogSearchStart,
} from '../../domain/sweep';

const NOW = new Date('2026-11-28T12:00:00Z');
const SETTINGS = { distributionIds: [], retentionSeconds: 345_600 };
const DISTRIBUTION_CHANGE: SweptChange = {
  kind: 'distribution',
  distributionId: 'E2QWRUHAPOMQZL',
  eTag: 'E3SWEPTCHANGE1',
  startedAt: '2026-11-28T11:50:00Z',
  foundAt: '2026-11-28T12:00:00Z',
};

describe('kindsToSweep', () => {
  it.each([
    { watchedEvents: ['UpdateDistribution', 'CreateInvalidation'], kinds: ['distribution', 'invalidation'] },
    { watchedEvents: ['AssociateAlias'], kinds: ['distribution'] },
    {
      watchedEvents: ['UpdateDistributionTenant', 'CreateInvalidationForDistributionTenant'],
      kinds: ['tenant'],
    },
  ])('looks for $kinds when $watchedEvents are watched, never for tenant invalidations', ({ watchedEvents, kinds }) => {
    expect(kindsToSweep(watchedEvents)).toEqual(kinds);
  });
});

describe('adoption', () => {
  it.each([
    { startedAt: '2026-11-28T11:50:00Z', expected: 'adopt', why: 'ten minutes old' },
    { startedAt: '2026-11-28T11:58:00Z', expected: 'adopt', why: 'exactly the grace of 120 s old' },
    {
      startedAt: '2026-11-28T11:58:01Z',
      expected: 'too-recent',
      why: 'younger than the grace: its event may still come',
    },
    { startedAt: '2026-11-24T12:00:01Z', expected: 'adopt', why: 'a second within the watch limit' },
    { startedAt: '2026-11-24T12:00:00Z', expected: 'beyond-watch-limit', why: 'as old as the watch limit' },
  ])('is $expected for a change $why', ({ startedAt, expected }) => {
    expect(adoption({ ...DISTRIBUTION_CHANGE, startedAt }, SETTINGS, NOW)).toBe(expected);
  });

  it('leaves a change on a distribution distributionIds does not list, and takes a tenant of a listed one', () => {
    // Arrange
    const settings = { ...SETTINGS, distributionIds: ['E1MULTITENANT1'] };
    const tenant: SweptChange = {
      kind: 'tenant',
      distributionId: 'E1MULTITENANT1',
      tenantId: 'dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB',
      eTag: 'E3TENANTETAG01',
      startedAt: '2026-11-28T11:50:00Z',
      foundAt: '2026-11-28T12:00:00Z',
    };
    // Act
    const decisions = [adoption(DISTRIBUTION_CHANGE, settings, NOW), adoption(tenant, settings, NOW)];
    // Assert
    expect(decisions).toEqual(['not-selected', 'adopt']);
  });
});

describe('invalidationListSlice', () => {
  const ids = (count: number) => Array.from({ length: count }, (_, index) => `E${String(index).padStart(13, '0')}`);

  it('lists every distribution while there are at most 100', () => {
    expect(invalidationListSlice(ids(100), NOW, 5)).toEqual(ids(100));
  });

  it('lists 250 distributions in turns of 100, 100 and 50, one turn per sweep', () => {
    // Arrange: three sweeps in a row, five minutes apart
    const sweeps = [0, 5, 10].map((minutes) => new Date(NOW.getTime() + minutes * 60_000));
    // Act
    const slices = sweeps.map((now) => invalidationListSlice(ids(250), now, 5));
    // Assert
    expect(slices.map((slice) => slice.length).sort()).toEqual([100, 100, 50]);
    expect(new Set(slices.flat()).size).toBe(250);
  });
});

describe('nextInvalidationListStep', () => {
  const START = { inProgressCounted: 2, inProgressFound: 0, pagesRead: 0, truncated: true, sweepPagesLeft: 50 };

  it.each([
    { why: 'nothing counted: no page to read', listing: { ...START, inProgressCounted: 0 }, expected: 'all-found' },
    { why: 'counted, no page read yet', listing: START, expected: 'next-page' },
    {
      why: 'as many found as counted',
      listing: { ...START, inProgressFound: 2, pagesRead: 1, oldestCreatedAt: '2026-11-28T11:00:00Z' },
      expected: 'all-found',
    },
    {
      why: 'more found than counted (one created since the count)',
      listing: { ...START, inProgressFound: 3, pagesRead: 1 },
      expected: 'all-found',
    },
    {
      why: 'fewer found and more pages',
      listing: { ...START, inProgressFound: 1, pagesRead: 2, oldestCreatedAt: '2026-11-28T11:00:00Z' },
      expected: 'next-page',
    },
    {
      why: 'fewer found and the last page read',
      listing: { ...START, inProgressFound: 1, pagesRead: 2, truncated: false },
      expected: 'list-ended',
    },
    {
      why: 'a page reached an invalidation as old as the watch limit',
      listing: { ...START, pagesRead: 1, oldestCreatedAt: '2026-11-24T12:00:00Z' },
      expected: 'beyond-watch-limit',
    },
    {
      why: 'the oldest read a second younger than the watch limit',
      listing: { ...START, pagesRead: 1, oldestCreatedAt: '2026-11-24T12:00:01Z' },
      expected: 'next-page',
    },
    {
      why: '5 pages read of this distribution',
      listing: { ...START, pagesRead: 5 },
      expected: 'distribution-page-bound',
    },
    { why: 'no page left in the sweep', listing: { ...START, sweepPagesLeft: 0 }, expected: 'sweep-page-bound' },
  ])('is $expected when $why', ({ listing, expected }) => {
    expect(nextInvalidationListStep(listing, 345_600, NOW)).toBe(expected);
  });
});

describe('isEventNamedWatchOf', () => {
  it.each([
    { name: 'E1TARGETEXAMPL-alias-e1f2a3b4-c5d6-4e7f-8a9b-c0d1e2f3a4b2', expected: true },
    { name: 'E1TARGETEXAMPL-alias-e1f2a3b4-c5d6-4e7f-8a9b-c0d1e2f3a4b2-part2', expected: true },
    { name: 'E1TARGETEXAMPL-deploy-E2QWRUHEXAMPLE', expected: false },
    { name: 'E1TARGETEXAMPL-invalidate-I2J0I21PCUYOIK', expected: false },
    { name: 'E2QWRUHAPOMQZL-alias-e1f2a3b4-c5d6-4e7f-8a9b-c0d1e2f3a4b2', expected: false },
  ])('is $expected for $name on distribution E1TARGETEXAMPL', ({ name, expected }) => {
    expect(isEventNamedWatchOf(name, 'E1TARGETEXAMPL')).toBe(expected);
  });
});

describe('watchLogFilter and watchLogSearchStart (mode sqs-retry)', () => {
  it('finds the checker lines of the same distribution change, or of a keyless watch of that distribution', () => {
    expect(watchLogFilter(DISTRIBUTION_CHANGE)).toBe(
      '{ ($.distributionId = "E2QWRUHAPOMQZL") && (($.eTag = "E3SWEPTCHANGE1") || ($.change = "AssociateAlias")) }',
    );
  });

  it('finds an invalidation by its id and a tenant change by its tenant', () => {
    // Arrange
    const invalidation: SweptChange = {
      kind: 'invalidation',
      distributionId: 'E2QWRUHAPOMQZL',
      invalidationId: 'I2J0I21PCUYOIK',
      startedAt: '2026-11-28T11:50:00Z',
      foundAt: '2026-11-28T12:00:00Z',
    };
    const tenant: SweptChange = {
      kind: 'tenant',
      distributionId: 'E1MULTITENANT1',
      tenantId: 'dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB',
      eTag: 'E3TENANTETAG01',
      startedAt: '2026-11-28T11:50:00Z',
      foundAt: '2026-11-28T12:00:00Z',
    };
    // Act
    const filters = [watchLogFilter(invalidation), watchLogFilter(tenant)];
    // Assert
    expect(filters).toEqual([
      '{ ($.distributionId = "E2QWRUHAPOMQZL") && (($.invalidationId = "I2J0I21PCUYOIK")) }',
      '{ ($.tenantId = "dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB") && (($.eTag = "E3TENANTETAG01")) }',
    ]);
  });

  it('searches from a minute before the change', () => {
    expect(watchLogSearchStart(DISTRIBUTION_CHANGE)).toEqual(new Date('2026-11-28T11:49:00Z'));
  });
});

describe('maySweepWatchAlready and sweptWatchLogFilter (mode sqs-retry, an event late after a sweep)', () => {
  const EVENT_WATCH: Watch = {
    kind: 'distribution',
    change: 'UpdateDistribution',
    action: 'update',
    eventId: 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111',
    startedAt: '2026-11-28T11:50:00Z',
    distributionId: 'E2QWRUHAPOMQZL',
    eTag: 'E3SWEPTCHANGE1',
    changedBy: 'arn:aws:iam::123456789012:user/deployer',
  };

  it.each([
    { why: 'first checked a minute after its change', watch: {}, checkedAt: '2026-11-28T11:51:00Z', expected: true },
    { why: 'first checked 59 s after its change', watch: {}, checkedAt: '2026-11-28T11:50:59Z', expected: false },
    {
      why: 'keyless (AssociateAlias)',
      watch: { change: 'AssociateAlias' as const, eTag: undefined },
      checkedAt: '2026-11-28T12:00:00Z',
      expected: false,
    },
    {
      why: 'the own watch of the sweep',
      watch: { change: 'a change found InProgress by the reconciliation sweep' as const },
      checkedAt: '2026-11-28T12:00:00Z',
      expected: false,
    },
    {
      why: 'a tenant invalidation, which no sweep looks for',
      watch: {
        kind: 'tenant-invalidation' as const,
        change: 'CreateInvalidationForDistributionTenant' as const,
        tenantId: 'dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB',
        invalidationId: 'I2J0I21PCUYOIK',
        eTag: undefined,
      },
      checkedAt: '2026-11-28T12:00:00Z',
      expected: false,
    },
  ])('is $expected for an event $why', ({ watch, checkedAt, expected }) => {
    expect(maySweepWatchAlready({ ...EVENT_WATCH, ...watch }, new Date(checkedAt))).toBe(expected);
  });

  it('finds the lines of a sweep-started watch of the same distribution change, invalidation or tenant change', () => {
    // Arrange
    const invalidation: Watch = {
      ...EVENT_WATCH,
      kind: 'invalidation',
      change: 'CreateInvalidation',
      invalidationId: 'I2J0I21PCUYOIK',
      eTag: undefined,
    };
    const tenant: Watch = { ...EVENT_WATCH, kind: 'tenant', tenantId: 'dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB' };
    // Act
    const filters = [EVENT_WATCH, invalidation, tenant].map(sweptWatchLogFilter);
    // Assert
    expect(filters).toEqual([
      '{ ($.distributionId = "E2QWRUHAPOMQZL") && ($.change = "a change found InProgress by the reconciliation sweep") && ($.eTag = "E3SWEPTCHANGE1") }',
      '{ ($.distributionId = "E2QWRUHAPOMQZL") && ($.change = "a change found InProgress by the reconciliation sweep") && ($.invalidationId = "I2J0I21PCUYOIK") }',
      '{ ($.tenantId = "dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB") && ($.change = "a change found InProgress by the reconciliation sweep") && ($.eTag = "E3SWEPTCHANGE1") }',
    ]);
  });
});

describe('sweepIntervalOf', () => {
  it.each([
    { event: { intervalMinutes: 5 }, expected: 5 },
    { event: { intervalMinutes: 0 }, expected: undefined },
    { event: { intervalMinutes: '5' }, expected: undefined },
    { event: {}, expected: undefined },
    { event: null, expected: undefined },
  ])('reads $expected from the schedule input $event', ({ event, expected }) => {
    expect(sweepIntervalOf(event)).toBe(expected);
  });
});

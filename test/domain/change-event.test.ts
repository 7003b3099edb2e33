import { describe, expect, it } from 'vitest';
import {
  changeEventEntry,
  changeFinishedDetail,
  distinctWatchMetrics,
  secondsSinceChange,
  watchMetricDimensions,
  watchMetricsEmf,
} from '../../domain/change-event';
import type { WatchDetails } from '../../domain/watch-execution';

const WATCH: WatchDetails = {
  kind: 'invalidation',
  change: 'CreateInvalidation',
  distributionId: 'E2QWRUHAPOMQZL',
  invalidationId: 'I2J0I21PCUYOIK',
  paths: '1 path: /index.html',
  eventId: '5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9',
  startedAt: '2026-11-28T13:45:10Z',
  changedBy: 'arn:aws:iam::123456789012:user/alice',
  consoleUrl: 'https://console.example/invalidation',
  watchLimit: '4 days',
  executionName: 'E2QWRUHAPOMQZL-invalidate-I2J0I21PCUYOIK',
};
const FINISH = {
  outcome: 'completed',
  checks: 3,
  durationSeconds: 75,
  finishedAt: '2026-11-28T13:46:25.000Z',
} as const;

describe('the Change Finished event', () => {
  it('carries the watch as the execution input holds it and how it ended', () => {
    // Act
    const detail = changeFinishedDetail(WATCH, FINISH);
    // Assert
    expect(detail).toEqual({
      kind: 'invalidation',
      change: 'CreateInvalidation',
      distributionId: 'E2QWRUHAPOMQZL',
      invalidationId: 'I2J0I21PCUYOIK',
      paths: '1 path: /index.html',
      eventId: '5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9',
      startedAt: '2026-11-28T13:45:10Z',
      changedBy: 'arn:aws:iam::123456789012:user/alice',
      consoleUrl: 'https://console.example/invalidation',
      watchLimit: '4 days',
      executionName: 'E2QWRUHAPOMQZL-invalidate-I2J0I21PCUYOIK',
      outcome: 'completed',
      checks: 3,
      durationSeconds: 75,
      finishedAt: '2026-11-28T13:46:25.000Z',
    });
  });

  it('is one PutEvents entry with its source, detail type, bus and the detail as JSON', () => {
    // Act
    const entry = changeEventEntry('deployments', changeFinishedDetail(WATCH, FINISH));
    // Assert
    expect({ ...entry, Detail: JSON.parse(entry.Detail) as unknown }).toEqual({
      Source: 'cloudfront-change-notifier',
      DetailType: 'CloudFront Change Finished',
      EventBusName: 'deployments',
      Detail: expect.objectContaining({ outcome: 'completed', durationSeconds: 75 }),
    });
  });

  it('counts whole seconds from the change, never below 0', () => {
    expect(secondsSinceChange('2026-11-28T13:45:10Z', new Date('2026-11-28T13:46:10.600Z'))).toBe(61);
    expect(secondsSinceChange('2026-11-28T13:45:10Z', new Date('2026-11-28T13:45:00Z'))).toBe(0);
  });
});

describe('the watch metrics', () => {
  it('are one embedded-metric-format line: one directive per dimension set, values at the top level', () => {
    // Act
    const line = watchMetricsEmf(
      { notifier: 'Notifier-A', kind: 'invalidation', outcome: 'completed' },
      FINISH,
      new Date('2026-11-28T13:46:25Z'),
    );
    // Assert
    expect(JSON.parse(line)).toEqual({
      _aws: {
        Timestamp: 1_795_873_585_000,
        CloudWatchMetrics: [
          {
            Namespace: 'CloudFrontChangeNotifier',
            Dimensions: [['Notifier', 'Outcome']],
            Metrics: [{ Name: 'WatchesFinished', Unit: 'Count' }],
          },
          {
            Namespace: 'CloudFrontChangeNotifier',
            Dimensions: [['Notifier', 'Kind', 'Outcome']],
            Metrics: [
              { Name: 'WatchDuration', Unit: 'Seconds' },
              { Name: 'ChecksPerWatch', Unit: 'Count' },
            ],
          },
        ],
      },
      Notifier: 'Notifier-A',
      Kind: 'invalidation',
      Outcome: 'completed',
      WatchesFinished: 1,
      WatchDuration: 75,
      ChecksPerWatch: 3,
    });
  });

  it('are at most 24 distinct custom metrics for the default kinds, 42 with the tenant kinds', () => {
    // Distributions end 5 ways, invalidations 4, 6 outcomes in all: 6 + 9 + 9; with the tenant kinds 6 + 18 + 18
    expect(distinctWatchMetrics(['distribution', 'invalidation'])).toBe(24);
    expect(distinctWatchMetrics(['distribution', 'invalidation', 'tenant', 'tenant-invalidation'])).toBe(42);
  });
});

describe('watchMetricDimensions', () => {
  it('names the dimensions each metric is recorded with, for a reader that must ask for the whole set', () => {
    // Arrange
    const values = { notifier: 'CloudFrontChangeNotifier', kind: 'invalidation', outcome: 'completed' };
    // Act
    const finished = watchMetricDimensions('WatchesFinished', values);
    const duration = watchMetricDimensions('WatchDuration', values);
    // Assert
    expect(finished).toEqual({ Notifier: 'CloudFrontChangeNotifier', Outcome: 'completed' });
    expect(duration).toEqual({ Notifier: 'CloudFrontChangeNotifier', Kind: 'invalidation', Outcome: 'completed' });
  });

  it('refuses to leave out a dimension the metric is recorded with, which would match no data', () => {
    // Act
    const leftOut = () =>
      watchMetricDimensions('ChecksPerWatch', { notifier: 'CloudFrontChangeNotifier', outcome: 'deployed' });
    // Assert
    expect(leftOut).toThrow('ChecksPerWatch is recorded with a kind dimension: give its value');
  });
});

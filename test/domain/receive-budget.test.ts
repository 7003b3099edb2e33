import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildSchedule, secondsUntilCheck, type ScheduleKind } from '../../domain/schedule';
import type { WatchSettings } from '../../domain/settings';
import {
  longestRetentionThatFits,
  longestWaitSeconds,
  MAX_WAIT_AFTER_CHECK_SECONDS,
  maxChecksPerWatch,
  NOTIFY_RETRY_RECEIVES,
  notifyRoomSeconds,
  SQS_MAX_RECEIVE_COUNT,
  SQS_MAX_VISIBILITY_TIMEOUT_SECONDS,
  sqsRetryMaxReceiveCount,
} from '../../domain/receive-budget';
import { ConfigError, readConfig } from '../../infra/config';
import { scriptedCloudFront } from '../../tools/lib/simulated-cloudfront';
import { runRedeliveries, VISIBILITY_TIMEOUT_SECONDS } from '../support/redelivery';
import { DISPATCH_SETTINGS } from '../../tools/scenarios/dispatch-settings';
import { fixtureBody, fixtureWatch } from '../../tools/scenarios/fixtures';

const FIXTURES: Record<ScheduleKind, string> = {
  distribution: 'update-distribution.json',
  invalidation: 'create-invalidation.json',
};

function eventTimeOf(kind: ScheduleKind): number {
  return Date.parse(fixtureWatch(FIXTURES[kind]).startedAt);
}

function settingsFor(pollIntervalSeconds: number, retentionSeconds: number): WatchSettings {
  return { ...DISPATCH_SETTINGS, retentionSeconds, schedule: { pollIntervalSeconds } };
}

/** Delivers a change that never finishes, at the times the schedule asks for, until the Lambda lets the message go. */
async function watchUntilTimedOut(
  kind: ScheduleKind,
  settings: WatchSettings,
  lagSeconds: number,
  clock: 'on-schedule' | 'frozen',
) {
  const sentAt = new Date(eventTimeOf(kind) + lagSeconds * 1000);
  const schedule = buildSchedule(kind, settings.schedule);
  const checkTime = (receiveCount: number) =>
    clock === 'frozen' ? sentAt : new Date(sentAt.getTime() + secondsUntilCheck(schedule, receiveCount) * 1000);
  const run = await runRedeliveries({
    body: fixtureBody(FIXTURES[kind]),
    cloudfront: scriptedCloudFront([{ status: 'InProgress' }]),
    sentAt,
    checkTime,
    topicArn: 'arn:aws:sns:us-east-1:123456789012:notifications',
    maxDeliveries: SQS_MAX_RECEIVE_COUNT + 1,
    settings,
  });
  return { run, sentAt, lastCheckAt: checkTime(run.results.length) };
}

describe('maxReceiveCount in mode sqs-retry', () => {
  it('is the number of checks the longest watch makes, plus the notification retries', async () => {
    // Arrange: an hour's watch whose event reached the queue at once, with a clock that never cuts it short
    const settings = settingsFor(60, 3_600);
    // Act
    const receives = await Promise.all(
      (['distribution', 'invalidation'] as const).map(
        async (kind) => (await watchUntilTimedOut(kind, settings, 0, 'frozen')).run.results.length,
      ),
    );
    // Assert: the distribution schedule makes the most checks, 98; then 5 receives for notification retries
    expect(receives).toEqual([98, 80]);
    expect(maxChecksPerWatch(settings)).toBe(98);
    expect(sqsRetryMaxReceiveCount(settings)).toBe(103);
  });

  it('never lets a watch that passes validation reach the dead-letter queue, nor outlive its message', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 5, max: 3_600 }).chain((pollIntervalSeconds) => {
          const longest = Math.min(longestRetentionThatFits({ pollIntervalSeconds }), 1_209_600);
          const shortest = notifyRoomSeconds(VISIBILITY_TIMEOUT_SECONDS) + 1;
          return fc.record({
            pollIntervalSeconds: fc.constant(pollIntervalSeconds),
            retentionSeconds: fc.integer({ min: shortest, max: longest }),
            lagSeconds: fc.integer({ min: 0, max: 900 }),
            kind: fc.constantFrom<ScheduleKind>('distribution', 'invalidation'),
          });
        }),
        async ({ pollIntervalSeconds, retentionSeconds, lagSeconds, kind }) => {
          // Arrange: the generator stays within validation's limits, so no case is skipped: a refusal fails the property
          const context: Record<string, unknown> = {
            mode: 'sqs-retry',
            pollIntervalSeconds,
            retentionSeconds,
            visibilityTimeoutSeconds: VISIBILITY_TIMEOUT_SECONDS,
          };
          const settings = settingsFor(pollIntervalSeconds, retentionSeconds);
          // Act
          const config = readConfig((key) => context[key]);
          const { run, sentAt, lastCheckAt } = await watchUntilTimedOut(kind, settings, lagSeconds, 'on-schedule');
          // Assert
          expect(config).toMatchObject({ mode: 'sqs-retry', watch: { retentionSeconds } });
          expect(run.results.at(-1)).toMatchObject({ result: 'notified', outcome: 'timed-out' });
          expect(run.results.length + NOTIFY_RETRY_RECEIVES).toBeLessThanOrEqual(sqsRetryMaxReceiveCount(settings));
          const expiry = sentAt.getTime() + retentionSeconds * 1000;
          expect(lastCheckAt.getTime() + notifyRoomSeconds(VISIBILITY_TIMEOUT_SECONDS) * 1000).toBeLessThanOrEqual(
            expiry,
          );
          expect(lastCheckAt.getTime()).toBeLessThanOrEqual(eventTimeOf(kind) + retentionSeconds * 1000);
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe('readConfig in mode sqs-retry', () => {
  const read = (context: Record<string, unknown>) => () => readConfig((key) => context[key]);

  it('accepts the longest retention whose watches fit into 1,000 receives, and explains the limit one second later', () => {
    // Arrange
    const pollIntervalSeconds = 600;
    const longest = 847_200;
    // Act
    const fits = read({ mode: 'sqs-retry', pollIntervalSeconds, retentionSeconds: longest });
    const tooLong = read({ mode: 'sqs-retry', pollIntervalSeconds, retentionSeconds: longest + 1 });
    // Assert
    expect(longestRetentionThatFits({ pollIntervalSeconds })).toBe(longest);
    expect(fits().watch.retentionSeconds).toBe(longest);
    expect(sqsRetryMaxReceiveCount(settingsFor(pollIntervalSeconds, longest))).toBe(1_000);
    expect(tooLong).toThrow(ConfigError);
    expect(tooLong).toThrow(
      /"retentionSeconds": 847201\. Allowed: at most 847200 \(9 days 19 h\) .*maxReceiveCount.*raise pollIntervalSeconds/,
    );
  });

  it('keeps room for the notification retries before a message expires', () => {
    // Arrange: 5 notification retries, one 180 s visibility timeout each
    const context = { mode: 'sqs-retry', visibilityTimeoutSeconds: VISIBILITY_TIMEOUT_SECONDS };
    // Act
    const tooShort = read({ ...context, retentionSeconds: 900 });
    const justLongEnough = read({ ...context, retentionSeconds: 901 });
    // Assert
    expect(notifyRoomSeconds(VISIBILITY_TIMEOUT_SECONDS)).toBe(900);
    expect(tooShort).toThrow('"retentionSeconds": 900. Allowed: more than 900 with mode "sqs-retry"');
    expect(justLongEnough().watch.retentionSeconds).toBe(901);
  });

  it('refuses a wait that would end past 12 hours from the receive, leaving room for the check that sets it', () => {
    // Arrange: 43,200 s from the receive, less the 30 s timeout and 60 s of init and hand-over
    const context = { mode: 'sqs-retry', retentionSeconds: 1_209_600, maxPollIntervalSeconds: 43_111 };
    // Act
    const tooLong = read(context);
    const twelveHours = read({ ...context, maxPollIntervalSeconds: 43_200 });
    const longest = read({ ...context, maxPollIntervalSeconds: 43_110 });
    // Assert
    expect(MAX_WAIT_AFTER_CHECK_SECONDS).toBe(43_110);
    expect(tooLong).toThrow('"maxPollIntervalSeconds": 43111. Allowed: at most 43110 with mode "sqs-retry"');
    expect(tooLong).toThrow(
      'SQS caps at 43200 s counted from the receive, and a check runs up to 90 s after its receive',
    );
    expect(twelveHours).toThrow('Allowed: at most 43110');
    expect(longestWaitSeconds(longest().watch.schedule)).toBe(43_110);
  });

  it('leaves mode stepfunctions free of these limits', () => {
    // Arrange
    const context = {
      mode: 'stepfunctions',
      pollIntervalSeconds: 5,
      retentionSeconds: 1_209_600,
      maxPollIntervalSeconds: 86_400,
    };
    // Act
    const config = read(context)();
    // Assert
    expect(config.watch.retentionSeconds).toBe(1_209_600);
    expect(longestWaitSeconds(config.watch.schedule)).toBeGreaterThan(SQS_MAX_VISIBILITY_TIMEOUT_SECONDS);
  });
});

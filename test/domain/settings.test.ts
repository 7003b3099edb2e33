import { describe, expect, it } from 'vitest';
import type { ScheduleSettings } from '../../domain/schedule';
import { parseWatchSettings, scheduleFor } from '../../domain/settings';

/** Round numbers, every key set. */
const HAND_MADE: ScheduleSettings = {
  pollIntervalSeconds: 60,
  distributionFastPollSeconds: 15,
  invalidationFastPollSeconds: 5,
  distributionFastPhaseSeconds: 300,
  invalidationFastPhaseSeconds: 120,
  growthAfterSeconds: 1_800,
  maxPollIntervalSeconds: 600,
};

describe('parseWatchSettings and the schedule', () => {
  const base = { watchedEvents: ['UpdateDistribution'], distributionIds: [], retentionSeconds: 3_600 };

  it('reads back every schedule setting the stack hands over', () => {
    // Arrange
    const raw = JSON.stringify({ ...base, schedule: HAND_MADE });
    // Act
    const settings = parseWatchSettings(raw);
    // Assert
    expect(settings.schedule).toEqual(HAND_MADE);
  });

  it.each([
    { setting: 'distributionFastPollSeconds', value: 0 },
    { setting: 'maxPollIntervalSeconds', value: '900' },
    { setting: 'growthAfterSeconds', value: -1 },
    { setting: 'fastPollSeconds', value: 5 },
  ])(
    'refuses $setting = $value, which would make a schedule that never ends or means nothing',
    ({ setting, value }) => {
      // Arrange
      const raw = JSON.stringify({ ...base, schedule: { pollIntervalSeconds: 60, [setting]: value } });
      // Act / Assert
      expect(() => parseWatchSettings(raw)).toThrow(setting);
    },
  );
});

describe('parseWatchSettings at cold start', () => {
  it('reads the settings the stack hands over as they are', () => {
    // Arrange
    const raw =
      '{"watchedEvents":["CreateInvalidation"],"distributionIds":["E2QWRUHAPOMQZL"],"retentionSeconds":7200,' +
      '"schedule":{"pollIntervalSeconds":30}}';
    // Act
    const settings = parseWatchSettings(raw);
    // Assert
    expect(settings).toEqual({
      watchedEvents: ['CreateInvalidation'],
      distributionIds: ['E2QWRUHAPOMQZL'],
      retentionSeconds: 7_200,
      schedule: { pollIntervalSeconds: 30 },
    });
  });

  it.each([
    {
      label: 'missing',
      raw: undefined,
      message: 'WATCH_SETTINGS is not set: deploy this function with the notifier stack',
    },
    { label: 'blank', raw: '  ', message: 'WATCH_SETTINGS is not set: deploy this function with the notifier stack' },
    { label: 'not JSON', raw: 'retention=4d', message: 'WATCH_SETTINGS is not JSON: retention=4d' },
    {
      label: 'without a schedule',
      raw: '{"watchedEvents":[],"distributionIds":[],"retentionSeconds":60}',
      message: 'WATCH_SETTINGS lacks watchedEvents, distributionIds, retentionSeconds or schedule',
    },
    {
      label: 'with event names that are not strings',
      raw: '{"watchedEvents":[1],"distributionIds":[],"retentionSeconds":60,"schedule":{"pollIntervalSeconds":60}}',
      message: 'WATCH_SETTINGS lacks watchedEvents, distributionIds, retentionSeconds or schedule',
    },
  ])('refuses settings that are $label, so a function deployed without them fails loudly', ({ raw, message }) => {
    // Act / Assert
    expect(() => parseWatchSettings(raw)).toThrow(message);
  });
});

describe('scheduleFor', () => {
  it("gives each kind of schedule its own fast phase from the settings' schedule", () => {
    // Arrange
    const settings = { watchedEvents: [], distributionIds: [], retentionSeconds: 3_600, schedule: HAND_MADE };
    // Act
    const schedule = scheduleFor(settings);
    // Assert
    expect(schedule('distribution')[0]).toEqual({ waitSeconds: 15, waits: 20 });
    expect(schedule('invalidation')[0]).toEqual({ waitSeconds: 5, waits: 24 });
  });
});

import { describe, expect, it } from 'vitest';
import { buildSchedule } from '../../domain/schedule';

describe('a fast phase that its interval does not divide', () => {
  it('lasts at least as long as asked: 100 s of checks every 30 s is four fast waits, not three', () => {
    // Arrange
    const settings = {
      pollIntervalSeconds: 60,
      distributionFastPollSeconds: 30,
      distributionFastPhaseSeconds: 100,
      growthAfterSeconds: 600,
      maxPollIntervalSeconds: 60,
    };
    // Act
    const schedule = buildSchedule('distribution', settings);
    // Assert
    expect(schedule).toEqual([{ waitSeconds: 30, waits: 4 }, { waitSeconds: 60 }]);
  });

  it('rounds an invalidation fast phase up the same way: 20 s every 8 s is three fast waits', () => {
    // Arrange
    const settings = {
      pollIntervalSeconds: 60,
      invalidationFastPollSeconds: 8,
      invalidationFastPhaseSeconds: 20,
      growthAfterSeconds: 600,
      maxPollIntervalSeconds: 60,
    };
    // Act
    const schedule = buildSchedule('invalidation', settings);
    // Assert
    expect(schedule).toEqual([{ waitSeconds: 8, waits: 3 }, { waitSeconds: 60 }]);
  });
});

import { describe, expect, it } from 'vitest';
import { SCHEDULE_DEFAULTS } from '../../domain/schedule';
import { configErrorFrom, configFrom } from '../support/config';

describe('schedule keys in CDK context', () => {
  it('defaults to the tuned schedule around pollIntervalSeconds', () => {
    // Act
    const config = configFrom({});
    // Assert
    expect(config.watch.schedule).toEqual({ pollIntervalSeconds: 60, ...SCHEDULE_DEFAULTS, checkJitterPercent: 10 });
  });

  it('reads every key from `-c` strings, and pollIntervalSeconds is the normal interval', () => {
    // Arrange
    const context = {
      pollIntervalSeconds: '30',
      distributionFastPollSeconds: '10',
      invalidationFastPollSeconds: '3',
      distributionFastPhaseSeconds: '900',
      invalidationFastPhaseSeconds: '0',
      growthAfterSeconds: '7200',
      maxPollIntervalSeconds: '1800',
      checkJitterPercent: '25',
    };
    // Act
    const config = configFrom(context);
    // Assert
    expect(config.watch.schedule).toEqual({
      pollIntervalSeconds: 30,
      distributionFastPollSeconds: 10,
      invalidationFastPollSeconds: 3,
      distributionFastPhaseSeconds: 900,
      invalidationFastPhaseSeconds: 0,
      growthAfterSeconds: 7_200,
      maxPollIntervalSeconds: 1_800,
      checkJitterPercent: 25,
    });
  });

  it.each([
    {
      context: { pollIntervalSeconds: '5' },
      expected: { distributionFastPollSeconds: 5, invalidationFastPollSeconds: 5 },
    },
    { context: { pollIntervalSeconds: '3600' }, expected: { maxPollIntervalSeconds: 3_600 } },
    {
      context: { growthAfterSeconds: '60' },
      expected: { distributionFastPhaseSeconds: 60, invalidationFastPhaseSeconds: 60 },
    },
  ])('fits the defaults to $context instead of refusing it', ({ context, expected }) => {
    // Act
    const config = configFrom(context);
    // Assert
    expect(config.watch.schedule).toMatchObject(expected);
  });

  it.each([
    {
      context: { distributionFastPollSeconds: '1' },
      key: 'distributionFastPollSeconds',
      shown: '"1"',
      allowed: ['2', '60', 'pollIntervalSeconds'],
    },
    {
      context: { invalidationFastPollSeconds: 61 },
      key: 'invalidationFastPollSeconds',
      shown: '61',
      allowed: ['2', '60', 'pollIntervalSeconds'],
    },
    {
      context: { pollIntervalSeconds: '20', distributionFastPollSeconds: '30' },
      key: 'distributionFastPollSeconds',
      shown: '"30"',
      allowed: ['2', '20', 'pollIntervalSeconds'],
    },
    {
      context: { growthAfterSeconds: '300', distributionFastPhaseSeconds: '600' },
      key: 'distributionFastPhaseSeconds',
      shown: '"600"',
      allowed: ['0', '300', 'growthAfterSeconds'],
    },
    {
      context: { invalidationFastPhaseSeconds: 'soon' },
      key: 'invalidationFastPhaseSeconds',
      shown: '"soon"',
      allowed: ['0', '3600'],
    },
    {
      context: { growthAfterSeconds: 1_209_601 },
      key: 'growthAfterSeconds',
      shown: '1209601',
      allowed: ['0', '1209600'],
    },
    {
      context: { maxPollIntervalSeconds: '59' },
      key: 'maxPollIntervalSeconds',
      shown: '"59"',
      allowed: ['60', '86400', 'pollIntervalSeconds'],
    },
    {
      context: { maxPollIntervalSeconds: 86_401 },
      key: 'maxPollIntervalSeconds',
      shown: '86401',
      allowed: ['60', '86400'],
    },
    {
      context: { maxPollIntervalSeconds: 900.5 },
      key: 'maxPollIntervalSeconds',
      shown: '900.5',
      allowed: ['60', '86400'],
    },
  ])('rejects $key = $shown with $context, naming key, value and range', ({ context, key, shown, allowed }) => {
    // Act
    const error = configErrorFrom(context);
    // Assert
    expect(error.message).toContain(`"${key}": ${shown}.`);
    for (const part of allowed) expect(error.message).toContain(part);
  });
});

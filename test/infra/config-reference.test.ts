import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { configurationReference } from '../../tools/lib/config-reference';

const REFERENCE = fileURLToPath(new URL('../../docs/configuration.md', import.meta.url));

describe('the configuration reference', () => {
  it('docs/configuration.md is what npm run docs:config makes of CONFIG_SPEC (run it after changing a key)', () => {
    // Arrange
    const expected = configurationReference();
    // Act
    const committed = readFileSync(REFERENCE, 'utf8');
    // Assert
    expect(committed, 'docs/configuration.md is stale: run npm run docs:config').toBe(expected);
  });

  it('has a section for every context key the notifier reads', () => {
    // Act
    const page = configurationReference();
    // Assert
    const headings = [...page.matchAll(/^### (\w+)$/gm)].map(([, key]) => key);
    expect(headings.sort()).toEqual(
      [
        'notificationEmails',
        'slackChannels',
        'teamsChannels',
        'mode',
        'tenantStatusCheck',
        'retentionSeconds',
        'watchedEvents',
        'distributionIds',
        'pollIntervalSeconds',
        'distributionFastPollSeconds',
        'invalidationFastPollSeconds',
        'distributionFastPhaseSeconds',
        'invalidationFastPhaseSeconds',
        'growthAfterSeconds',
        'maxPollIntervalSeconds',
        'checkJitterPercent',
        'readBudgetPerSecond',
        'receiveWaitSeconds',
        'visibilityTimeoutSeconds',
        'alarms',
        'alarmEmails',
        'dashboard',
        'createTrail',
        'trailRetentionDays',
        'sweepIntervalMinutes',
        'logRetentionDays',
        'logRemovalPolicy',
        'events',
        'eventBusName',
      ].sort(),
    );
  });

  it.each([
    { key: 'pollIntervalSeconds', row: '| whole number | 60 | 5 to 3600 |' },
    {
      key: 'retentionSeconds',
      row: '| whole number | 345600 (4 days) | 60 to 1209600; in mode `sqs-retry`, what fits',
    },
    {
      key: 'distributionFastPollSeconds',
      row: '| whole number | min(17, `pollIntervalSeconds`) | 2 to `pollIntervalSeconds` |',
    },
    {
      key: 'maxPollIntervalSeconds',
      row: '| whole number | max(900, `pollIntervalSeconds`) | `pollIntervalSeconds` to 86400; in mode `sqs-retry`, at most 43110 |',
    },
    {
      key: 'visibilityTimeoutSeconds',
      row: "| whole number | 180 (6 times the consuming Lambda's timeout) | 180 to 43200 |",
    },
    { key: 'mode', row: '| one of a list | `stepfunctions` | `stepfunctions`, `sqs-retry` |' },
    { key: 'alarms', row: '| true or false | `true` | `true`, `false` |' },
    {
      key: 'alarmEmails',
      row: '| list | none: alarms go to the notification topic | email addresses, comma-separated or as a JSON array |',
    },
    {
      key: 'logRetentionDays',
      row: '| one of a list | 90 | 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096',
    },
  ])('gives $key its type, default and what is allowed', ({ key, row }) => {
    // Act
    const page = configurationReference();
    // Assert
    const section = page.slice(page.indexOf(`### ${key}\n`)).split('\n### ')[0]!;
    expect(section).toContain(row);
  });
});

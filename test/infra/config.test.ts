import { describe, expect, it } from 'vitest';
import { DEFAULT_WATCHED_EVENTS, SUPPORTED_EVENT_NAMES } from '../../domain/cloudtrail';
import { ConfigError, DISPATCHER_TIMEOUT_SECONDS, MODES, type NotifierConfig } from '../../infra/config';
import { configErrorFrom, configFrom } from '../support/config';

/** The message names the key, then the value as given, then everything the allowed range consists of. */
function expectNamed(error: ConfigError, key: string, value: string, allowed: readonly string[]): void {
  const { message } = error;
  expect(error.name).toBe('ConfigError');
  expect(message).toContain(`"${key}"`);
  expect(message.indexOf(value, message.indexOf(`"${key}"`) + key.length + 2)).toBeGreaterThan(-1);
  for (const part of allowed) expect(message).toContain(part);
}

const MINIMUM_VISIBILITY = 6 * DISPATCHER_TIMEOUT_SECONDS;

describe('readConfig defaults', () => {
  it('applies the documented defaults when no key is set', () => {
    // Arrange
    const context = {};
    // Act
    const config = configFrom(context);
    // Assert
    expect(config).toMatchObject({
      notifications: { emails: [] },
      watch: {
        retentionSeconds: 345_600,
        watchedEvents: [
          'CreateDistribution',
          'CreateDistributionWithTags',
          'UpdateDistribution',
          'CopyDistribution',
          'UpdateDistributionWithStagingConfig',
          'AssociateAlias',
          'CreateInvalidation',
        ],
        distributionIds: [],
      },
      capture: { receiveWaitSeconds: 20, visibilityTimeoutSeconds: MINIMUM_VISIBILITY },
      mode: 'stepfunctions',
      tenantStatusCheck: 'lambda',
      sweep: { intervalMinutes: 5 },
    });
  });

  it.each([
    { given: '0', intervalMinutes: 0 },
    { given: '1', intervalMinutes: 1 },
    { given: 60, intervalMinutes: 60 },
    { given: '1440', intervalMinutes: 1_440 },
  ])('reads sweepIntervalMinutes $given, 0 turning the sweep off', ({ given, intervalMinutes }) => {
    expect(configFrom({ sweepIntervalMinutes: given }).sweep).toEqual({ intervalMinutes });
  });

  it.each(['1441', '-5', '2.5', 'hourly'])('refuses sweepIntervalMinutes %s, naming the range', (given) => {
    expect(configErrorFrom({ sweepIntervalMinutes: given }).message).toBe(
      `Invalid context value for "sweepIntervalMinutes": ${JSON.stringify(given)}. Allowed: a whole number from 0 to 1440.`,
    );
  });

  it('watches the tenant calls only when asked, and reads tenant statuses as tenantStatusCheck says', () => {
    // Arrange
    const tenants = 'CreateDistributionTenant,UpdateDistributionTenant,CreateInvalidationForDistributionTenant';
    // Act
    const optIn = configFrom({ watchedEvents: tenants, tenantStatusCheck: 'sdk' });
    const wrong = configErrorFrom({ watchedEvents: tenants, tenantStatusCheck: 'native' });
    // Assert
    expect(optIn).toMatchObject({
      watch: {
        watchedEvents: [
          'CreateDistributionTenant',
          'UpdateDistributionTenant',
          'CreateInvalidationForDistributionTenant',
        ],
      },
      tenantStatusCheck: 'sdk',
    });
    expect(wrong.message).toBe('Invalid context value for "tenantStatusCheck": "native". Allowed: one of lambda, sdk.');
  });

  it('treats an empty `-c key=` value as not set', () => {
    // Arrange
    const context = { pollIntervalSeconds: '', watchedEvents: '', notificationEmails: '', mode: '' };
    // Act
    const config = configFrom(context);
    // Assert
    expect(config).toMatchObject({
      watch: { watchedEvents: [...DEFAULT_WATCHED_EVENTS] },
      notifications: { emails: [] },
      mode: 'stepfunctions',
    });
    expect(config.watch.schedule.pollIntervalSeconds).toBe(60);
  });
});

describe('readConfig distributionIds and the capture rule', () => {
  it('accepts more ids than the capture rule can name: the rule then leaves the filter to the Lambdas', () => {
    // Arrange: 40 real-length ids, far more than fit in a 2,048-character event pattern with every call watched
    const given = Array.from({ length: 40 }, (_, index) => `EDFDVBD6${String(index).padStart(6, '0')}`);
    // Act
    const config = configFrom({ distributionIds: given.join(',') });
    // Assert
    expect(config.watch.distributionIds).toEqual(given);
    expect(config.watch.watchedEvents).toEqual([...DEFAULT_WATCHED_EVENTS]);
  });
});

describe('readConfig numbers', () => {
  /** Where each key's value lands in the grouped config. */
  const VALUES = {
    pollIntervalSeconds: (config: NotifierConfig) => config.watch.schedule.pollIntervalSeconds,
    retentionSeconds: (config: NotifierConfig) => config.watch.retentionSeconds,
    receiveWaitSeconds: (config: NotifierConfig) => config.capture.receiveWaitSeconds,
    visibilityTimeoutSeconds: (config: NotifierConfig) => config.capture.visibilityTimeoutSeconds,
  };
  const ranges = [
    { key: 'pollIntervalSeconds', min: 5, max: 3_600 },
    { key: 'retentionSeconds', min: 60, max: 1_209_600 },
    { key: 'receiveWaitSeconds', min: 0, max: 20 },
    { key: 'visibilityTimeoutSeconds', min: MINIMUM_VISIBILITY, max: 43_200 },
  ] as const;

  it.each(
    ranges.flatMap(({ key, min, max }) => [
      { key, given: String(min), expected: min },
      { key, given: ` ${max} `, expected: max },
      { key, given: max, expected: max },
    ]),
  )('accepts $key = $given (a `-c` string or a cdk.json number)', ({ key, given, expected }) => {
    // Arrange
    const context = { [key]: given };
    // Act
    const config = configFrom(context);
    // Assert
    expect(VALUES[key](config)).toBe(expected);
  });

  it.each([
    { key: 'pollIntervalSeconds', given: 4, shown: '4' },
    { key: 'pollIntervalSeconds', given: 3_601, shown: '3601' },
    { key: 'pollIntervalSeconds', given: 'abc', shown: '"abc"' },
    { key: 'pollIntervalSeconds', given: 1.5, shown: '1.5' },
    { key: 'pollIntervalSeconds', given: '1.5', shown: '"1.5"' },
    { key: 'pollIntervalSeconds', given: '-5', shown: '"-5"' },
    { key: 'retentionSeconds', given: 59, shown: '59' },
    { key: 'retentionSeconds', given: '1209601', shown: '"1209601"' },
    { key: 'receiveWaitSeconds', given: 21, shown: '21' },
    { key: 'visibilityTimeoutSeconds', given: MINIMUM_VISIBILITY - 1, shown: String(MINIMUM_VISIBILITY - 1) },
    { key: 'visibilityTimeoutSeconds', given: 43_201, shown: '43201' },
  ] as const)('rejects $key = $given, naming key, value and range', ({ key, given, shown }) => {
    // Arrange
    const { min, max } = ranges.find((range) => range.key === key)!;
    // Act
    const error = configErrorFrom({ [key]: given });
    // Assert
    expectNamed(error, key, shown, [String(min), String(max)]);
  });
});

describe('readConfig lists', () => {
  it.each([
    { form: 'a comma-separated `-c` string', given: ' UpdateDistribution, CreateInvalidation ' },
    { form: 'a JSON array in a `-c` string', given: '["UpdateDistribution","CreateInvalidation"]' },
    { form: 'a cdk.json array', given: ['UpdateDistribution', 'CreateInvalidation'] },
    { form: 'a list with a duplicate', given: 'UpdateDistribution,CreateInvalidation,UpdateDistribution' },
  ])('reads watchedEvents from $form', ({ given }) => {
    // Arrange
    const context = { watchedEvents: given };
    // Act
    const config = configFrom(context);
    // Assert
    expect(config.watch.watchedEvents).toEqual(['UpdateDistribution', 'CreateInvalidation']);
  });

  it.each([
    { form: 'a comma-separated `-c` string', given: 'ops@example.com, dev@example.org' },
    { form: 'a JSON array in a `-c` string', given: '["ops@example.com", "dev@example.org"]' },
    { form: 'a cdk.json array', given: ['ops@example.com', 'dev@example.org'] },
  ])('reads notificationEmails from $form', ({ given }) => {
    // Arrange
    const context = { notificationEmails: given };
    // Act
    const config = configFrom(context);
    // Assert
    expect(config.notifications.emails).toEqual(['ops@example.com', 'dev@example.org']);
  });

  it.each([
    { form: 'a comma-separated `-c` string', given: 'E2QWRUHAPOMQZL,EDFDVBD6EXAMPLE' },
    { form: 'a JSON array in a `-c` string', given: '["E2QWRUHAPOMQZL","EDFDVBD6EXAMPLE"]' },
    { form: 'a cdk.json array', given: ['E2QWRUHAPOMQZL', 'EDFDVBD6EXAMPLE'] },
  ])('reads distributionIds from $form', ({ given }) => {
    // Arrange
    const context = { distributionIds: given };
    // Act
    const config = configFrom(context);
    // Assert
    expect(config.watch.distributionIds).toEqual(['E2QWRUHAPOMQZL', 'EDFDVBD6EXAMPLE']);
  });

  it.each([
    { given: 'UpdateDistribution,DeleteDistribution', shown: '"DeleteDistribution"' },
    { given: ['UpdateDistribution2020_05_31'], shown: '"UpdateDistribution2020_05_31"' },
    { given: ',', shown: '","' },
    { given: '[]', shown: '"[]"' },
    { given: [], shown: '[]' },
  ])('rejects watchedEvents $given, listing the supported names', ({ given, shown }) => {
    // Arrange
    const context = { watchedEvents: given };
    // Act
    const error = configErrorFrom(context);
    // Assert
    expectNamed(error, 'watchedEvents', shown, SUPPORTED_EVENT_NAMES);
  });

  it.each([
    { given: 'E2QWRUHAPOMQZL,E2Q/WRONG', shown: '"E2Q/WRONG"' },
    {
      given: ['arn:aws:cloudfront::123456789012:distribution/E2QWRUHAPOMQZL'],
      shown: '"arn:aws:cloudfront::123456789012:distribution/E2QWRUHAPOMQZL"',
    },
    { given: '["E2QWRUHAPOMQZL"', shown: '"[\\"E2QWRUHAPOMQZL\\""' },
    { given: [123], shown: '[123]' },
  ])('rejects distributionIds $given', ({ given, shown }) => {
    // Arrange
    const context = { distributionIds: given };
    // Act
    const error = configErrorFrom(context);
    // Assert
    expectNamed(error, 'distributionIds', shown, ['distribution ids']);
  });

  it.each([
    { given: 'ops@example.com,not-an-address', shown: '"not-an-address"' },
    { given: 'ops@example.com;dev@example.org', shown: '"ops@example.com;dev@example.org"' },
    { given: ['Ops <ops@example.com>'], shown: '"Ops <ops@example.com>"' },
  ])('rejects notificationEmails $given', ({ given, shown }) => {
    // Arrange
    const context = { notificationEmails: given };
    // Act
    const error = configErrorFrom(context);
    // Assert
    expectNamed(error, 'notificationEmails', shown, ['email addresses']);
  });
});

describe('readConfig mode', () => {
  it.each(MODES)('accepts mode %s', (mode) => {
    // Arrange: every other key at its default, which every mode can serve
    const context = { mode };
    // Act
    const config = configFrom(context);
    // Assert
    expect(config.mode).toBe(mode);
  });

  it('puts the Change Finished event on the default bus unless told otherwise', () => {
    // Act
    const defaults = configFrom({});
    const custom = configFrom({ eventBusName: 'deployments', events: 'true' });
    const off = configFrom({ events: false });
    // Assert
    expect(defaults.events).toEqual({ enabled: true, busName: 'default' });
    expect(custom.events).toEqual({ enabled: true, busName: 'deployments' });
    expect(off.events).toEqual({ enabled: false, busName: 'default' });
  });

  it.each(['my bus', 'arn:aws:events:us-east-1:123456789012:event-bus/x', 'x'.repeat(257)])(
    'rejects the event bus name %s and says what a name may hold',
    (eventBusName) => {
      // Act
      const error = configErrorFrom({ eventBusName });
      // Assert
      expect(error.message).toBe(
        `Invalid context value for "eventBusName": ${JSON.stringify(eventBusName)}. ` +
          "Allowed: the name of an event bus in the stack's account and Region: 1 to 256 of A-Z a-z 0-9 . - _.",
      );
    },
  );

  it('rejects an events value that is not true or false', () => {
    // Act
    const error = configErrorFrom({ events: 'off' });
    // Assert
    expect(error.message).toBe('Invalid context value for "events": "off". Allowed: true or false.');
  });

  it('rejects an unknown mode and lists every mode there is', () => {
    // Arrange
    const context = { mode: 'foo' };
    // Act
    const error = configErrorFrom(context);
    // Assert
    expectNamed(error, 'mode', '"foo"', MODES);
  });
});

describe('readConfig chat channels', () => {
  const TEAMS_CHANNEL =
    '74361522-da01-538d-aa2e-ac7918c6bb92/9f1c2d3e-4b5a-6789-abcd-ef0123456789/19%3ab6ef35dc342d56ba5654e6fc6d25a071%40thread.tacv2';

  it('connects no chat channel by default', () => {
    // Arrange
    const context = {};
    // Act
    const config = configFrom(context);
    // Assert
    expect(config.notifications).toEqual({ emails: [], slackChannels: [], teamsChannels: [] });
  });

  it('reads slackChannels as WORKSPACE_ID/CHANNEL_ID pairs, comma-separated', () => {
    // Arrange
    const context = { slackChannels: 'T07EA123LEP/C07EZ1ABC23, T07EA123LEP/C0800000002' };
    // Act
    const config = configFrom(context);
    // Assert
    expect(config.notifications.slackChannels).toEqual([
      { workspaceId: 'T07EA123LEP', channelId: 'C07EZ1ABC23' },
      { workspaceId: 'T07EA123LEP', channelId: 'C0800000002' },
    ]);
  });

  it('reads teamsChannels as TENANT_ID/TEAM_ID/CHANNEL_ID triples from a JSON array', () => {
    // Arrange
    const context = { teamsChannels: [TEAMS_CHANNEL] };
    // Act
    const config = configFrom(context);
    // Assert
    expect(config.notifications.teamsChannels).toEqual([
      {
        tenantId: '74361522-da01-538d-aa2e-ac7918c6bb92',
        teamId: '9f1c2d3e-4b5a-6789-abcd-ef0123456789',
        channelId: '19%3ab6ef35dc342d56ba5654e6fc6d25a071%40thread.tacv2',
      },
    ]);
  });

  it.each([
    { given: 'T07EA123LEP', why: 'no channel' },
    { given: 't07ea123lep/C07EZ1ABC23', why: 'a workspace id in small letters' },
    { given: 'T07EA123LEP/C07EZ-1ABC', why: 'a dash in the channel id' },
    { given: 'T07EA123LEP/C07EZ1ABC23/extra', why: 'a third part' },
  ])('rejects slackChannels $given ($why), naming key, value and the pair format', ({ given }) => {
    // Arrange
    const context = { slackChannels: `T0GOOD/C0GOOD,${given}` };
    // Act
    const error = configErrorFrom(context);
    // Assert
    expectNamed(error, 'slackChannels', given, ['WORKSPACE_ID/CHANNEL_ID', 'capital letters and digits']);
  });

  it.each([
    {
      given: '74361522-da01-538d-aa2e-ac7918c6bb92/19%3ab6ef35dc342d56ba5654e6fc6d25a071%40thread.tacv2',
      why: 'no team',
    },
    { given: 'contoso/9f1c2d3e-4b5a-6789-abcd-ef0123456789/19%3aab%40thread.tacv2', why: 'a tenant that is no UUID' },
    {
      given: '74361522-da01-538d-aa2e-ac7918c6bb92/9f1c2d3e-4b5a-6789-abcd-ef0123456789/19:ab@thread.tacv2',
      why: 'a channel id that is not URL-encoded',
    },
  ])('rejects teamsChannels $given ($why), naming key, value and the triple format', ({ given }) => {
    // Arrange
    const context = { teamsChannels: given };
    // Act
    const error = configErrorFrom(context);
    // Assert
    expectNamed(error, 'teamsChannels', given, ['TENANT_ID/TEAM_ID/CHANNEL_ID', 'UUIDs']);
  });
});

describe('readConfig readBudgetPerSecond', () => {
  it('is off (0) by default', () => {
    // Act
    const config = configFrom({});
    // Assert
    expect(config.readBudget).toEqual({ perSecond: 0 });
  });

  it.each([
    { given: '5', perSecond: 5 },
    { given: 100, perSecond: 100 },
    { given: '0', perSecond: 0 },
  ])('reads $given in mode stepfunctions', ({ given, perSecond }) => {
    expect(configFrom({ readBudgetPerSecond: given }).readBudget).toEqual({ perSecond });
  });

  it.each(['101', '-1', '2.5', 'fast'])('refuses %s, naming the range', (given) => {
    expect(configErrorFrom({ readBudgetPerSecond: given }).message).toBe(
      `Invalid context value for "readBudgetPerSecond": ${JSON.stringify(given)}. Allowed: a whole number from 0 to 100.`,
    );
  });

  it('refuses a budget in mode sqs-retry, which has no workflow to wait in', () => {
    // Act
    const error = configErrorFrom({ mode: 'sqs-retry', readBudgetPerSecond: '5' });
    // Assert
    expect(error.message).toBe(
      'Invalid context value for "readBudgetPerSecond": 5. Allowed: 0 with mode "sqs-retry": a read budget needs mode "stepfunctions".',
    );
  });

  it('accepts 0 in mode sqs-retry', () => {
    expect(configFrom({ mode: 'sqs-retry', readBudgetPerSecond: '0' }).readBudget).toEqual({ perSecond: 0 });
  });
});

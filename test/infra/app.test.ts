import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkContextKeys, CONFIG_KEYS, ConfigError } from '../../infra/config';
import { synthNotifier } from '../../tools/lib/synth';

const cdkJson = JSON.parse(readFileSync(fileURLToPath(new URL('../../cdk.json', import.meta.url)), 'utf8')) as {
  context: Record<string, unknown>;
};

function refusal(context: Record<string, unknown>): Error {
  try {
    synthNotifier(context);
  } catch (error) {
    return error as Error;
  }
  throw new Error(`the synth accepted ${JSON.stringify(context)}`);
}

describe('context keys', () => {
  it.each([
    { mistake: 'a mistyped key', key: 'pollIntervalSecond', value: '30' },
    { mistake: 'a wrong case', key: 'PollIntervalSeconds', value: '30' },
    { mistake: 'the Region, which is always us-east-1', key: 'region', value: 'eu-west-1' },
  ])('refuses $mistake before the stack exists, naming the key and every key the notifier reads', ({ key, value }) => {
    // Arrange
    const context = { [key]: value };
    // Act
    const error = refusal(context);
    // Assert
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain(`"${key}": "${value}"`);
    for (const known of CONFIG_KEYS) expect(error.message).toContain(known);
  });

  it('accepts the keys of cdk.json', () => {
    // Arrange
    const { context } = cdkJson;
    // Act
    const check = () => checkContextKeys(context);
    // Assert
    expect(Object.keys(context).length).toBeGreaterThan(0);
    expect(check).not.toThrow();
  });

  it.each([
    '@aws-cdk/core:newStyleStackSynthesis',
    'aws:cdk:bundling-stacks',
    'aws-cdk:enableDiffNoFail',
    'availability-zones:account=123456789012:region=us-east-1',
    'acknowledged-issue-numbers',
    'cli-telemetry',
  ])("accepts the CDK's own key %s", (key) => {
    // Arrange
    const context = { [key]: true };
    // Act
    const check = () => checkContextKeys(context);
    // Assert
    expect(check).not.toThrow();
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runLocally } from '../../tools/lib/local-engine';
import { scriptedCloudFront } from '../../tools/lib/simulated-cloudfront';
import {
  buildMockConfig,
  MOCK_CONFIG_FILE,
  toMockedResponse,
  watchStateMachineName,
  type MockConfig,
  type MockedResponse,
} from '../../tools/sfn-local/generate-mock-config';
import { deployedDefinition, synthesized } from '../support/definition';
import { WATCH_SCENARIOS, type WatchScenario } from '../scenarios/watch-scenarios';

function committedMockConfig(): MockConfig {
  return JSON.parse(readFileSync(MOCK_CONFIG_FILE, 'utf8')) as MockConfig;
}

/** The invocation numbers a mocked response answers, from its "0" and "1-3" keys. */
function invocationNumbers(response: MockedResponse): number[] {
  return Object.keys(response)
    .flatMap((key) => {
      const [first, last = first] = key.split('-').map(Number) as [number, number?];
      return Array.from({ length: last - first + 1 }, (_, offset) => first + offset);
    })
    .sort((a, b) => a - b);
}

/** How often the in-process engine invokes each Task state in this scenario: entries plus retries. */
async function taskInvocations(scenario: WatchScenario): Promise<Record<string, number>> {
  const definition = deployedDefinition();
  const counts: Record<string, number> = {};
  await runLocally(definition, scenario.input, {
    cloudfront: scriptedCloudFront(scenario.answers),
    waitMilliseconds: 0,
    onEvent: ({ type, stateName }) => {
      if ((type === 'StateEntered' || type === 'StateRetried') && stateName && definition.States[stateName]?.Type === 'Task') {
        counts[stateName] = (counts[stateName] ?? 0) + 1;
      }
    },
  });
  return counts;
}

describe('test/sfn-local/MockConfigFile.json', () => {
  it('is what `npm run sfn-local:mocks` generates from the scenarios today', async () => {
    // Arrange
    const expected = await buildMockConfig(synthesized().template);
    // Act
    const committed = committedMockConfig();
    // Assert
    expect(committed, 'stale: run `npm run sfn-local:mocks` and commit the file').toEqual(expected);
  });

  it('has one test case per scenario, under the deployed state machine name', () => {
    // Arrange
    const machineName = watchStateMachineName(synthesized().template);
    // Act
    const testCases = committedMockConfig().StateMachines[machineName]?.TestCases ?? {};
    // Assert
    expect(Object.keys(testCases)).toEqual(WATCH_SCENARIOS.map((scenario) => scenario.name));
  });

  it.each(WATCH_SCENARIOS)('mocks every Task invocation of $name, retries included, and nothing else', async (scenario) => {
    // Arrange
    const config = committedMockConfig();
    const testCase = config.StateMachines[watchStateMachineName(synthesized().template)]!.TestCases[scenario.name]!;
    // Act
    const invocations = await taskInvocations(scenario);
    // Assert
    const mocked = Object.fromEntries(
      Object.entries(testCase).map(([stateName, mockName]) => [stateName, invocationNumbers(config.MockedResponses[mockName] ?? {})]),
    );
    const needed = Object.fromEntries(
      Object.entries(invocations).map(([stateName, count]) => [stateName, Array.from({ length: count }, (_, index) => index)]),
    );
    expect(mocked).toEqual(needed);
  });
});

describe('toMockedResponse', () => {
  it('numbers invocations from 0 and folds runs of the same answer into one range', () => {
    // Arrange
    const busy = { Throw: { Error: 'CloudFront.CloudFrontException', Cause: 'Rate exceeded' } };
    const inProgress = { Return: { Status: 'InProgress' } };
    const deployed = { Return: { Status: 'Deployed' } };
    // Act
    const response = toMockedResponse([busy, busy, inProgress, deployed, deployed, deployed]);
    // Assert
    expect(response).toEqual({ '0-1': busy, '2': inProgress, '3-5': deployed });
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AslDefinition } from '../../../statemachine/definition';
import { runLocally, tasksOf } from '../../../tools/lib/local-engine';
import { cloudfrontError, scriptedCloudFront } from '../../../tools/lib/simulated-cloudfront';
import {
  buildMockConfig,
  MOCK_CONFIG_FILE,
  toMockedResponse,
  variantMachineName,
  variantsFor,
  type MockConfig,
  type MockedAnswer,
  type MockedResponse,
  type StackVariant,
} from '../../../tools/sfn-local/generate-mock-config';
import {
  changeEventOutcome,
  metricOutcome,
  unansweredIn,
  type ScenarioObservation,
} from '../../../tools/scenarios/observation';
import { expectScenario } from '../../support/expect-scenario';
import { deployedDefinition, synthesized } from '../../support/definition';
import { WATCH_SCENARIOS, type WatchScenario } from '../../../tools/scenarios/watch-scenarios';
import { STATE_NAMES } from '../../../statemachine/state-names';

const DEFAULT_MACHINE = 'CloudFrontChangeNotifier-ChangeWatch';
const TENANT_LAMBDA_MACHINE = 'CloudFrontChangeNotifier-ChangeWatch-TenantLambda';
const TENANT_SDK_MACHINE = 'CloudFrontChangeNotifier-ChangeWatch-TenantSdk';
const CHAT_MACHINE = 'CloudFrontChangeNotifier-ChangeWatch-Chat';
/** Spelled out here rather than derived the way the generator derives it (isRecentStatusCall). */
const TENANT_KINDS: readonly string[] = ['tenant', 'tenant-invalidation'];

function committedMockConfig(): MockConfig {
  return JSON.parse(readFileSync(MOCK_CONFIG_FILE, 'utf8')) as MockConfig;
}

/** Every scenario on every stack that can run it, as the Step Functions Local suite runs them. */
const SCENARIO_RUNS = WATCH_SCENARIOS.flatMap((scenario) =>
  variantsFor(scenario).map((variant) => ({ name: scenario.name, machine: variant.label, scenario, variant })),
);

function machineNameOf(variant: StackVariant): string {
  return variantMachineName(synthesized(variant.context).template, variant);
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

/** The answer a mocked response gives to invocation `invocation`, as Step Functions Local picks it. */
function mockedAnswer(response: MockedResponse, invocation: number): MockedAnswer | undefined {
  const key = Object.keys(response).find((candidate) => {
    const [first, last = first] = candidate.split('-').map(Number) as [number, number?];
    return first <= invocation && invocation <= last;
  });
  return key === undefined ? undefined : response[key];
}

interface ReferenceRun {
  /** How often the in-process engine invoked each Task state: entries plus retries. */
  readonly invocations: Record<string, number>;
  readonly statesEntered: readonly string[];
}

const referenceRuns = new Map<string, Promise<ReferenceRun>>();

/** The scenario run in process against its scripted CloudFront, once per scenario and stack for both tests that read it. */
function referenceRun(scenario: WatchScenario, variant: StackVariant): Promise<ReferenceRun> {
  const key = `${variant.label}/${scenario.name}`;
  if (!referenceRuns.has(key)) {
    const definition = deployedDefinition(variant.context);
    const invocations: Record<string, number> = {};
    referenceRuns.set(
      key,
      runLocally(definition, scenario.input, {
        cloudfront: scriptedCloudFront(scenario.answers),
        waitMilliseconds: 0,
        onEvent: ({ type, stateName }) => {
          if (
            (type === 'StateEntered' || type === 'StateRetried') &&
            stateName &&
            definition.States[stateName]?.Type === 'Task'
          ) {
            invocations[stateName] = (invocations[stateName] ?? 0) + 1;
          }
        },
      }).then((run) => ({ invocations, statesEntered: run.statesEntered })),
    );
  }
  return referenceRuns.get(key)!;
}

/**
 * Runs the definition in process with every Task answered only from the test case's mocks, invocation by invocation,
 * the way Step Functions Local answers them: a Throw becomes an error of that name, a Return is the raw result that
 * the state's ResultSelector then reads. A Task without a mocked answer is recorded (and fails the Task).
 */
async function replayMocks(
  config: MockConfig,
  machineName: string,
  scenario: WatchScenario,
  definition: AslDefinition,
): Promise<{ observed: ScenarioObservation; unanswered: string[] }> {
  const testCase = config.StateMachines[machineName]?.TestCases[scenario.name] ?? {};
  const tasks = tasksOf(definition);
  const invocations: Record<string, number> = {};
  const publishedOutcomes: (string | undefined)[] = [];
  const unanswered: string[] = [];
  const changeEventOutcomes: (string | undefined)[] = [];
  const metricOutcomes: (string | undefined)[] = [];
  const answer = (stateName: string) => async (input: unknown) => {
    const invocation = invocations[stateName] ?? 0;
    invocations[stateName] = invocation + 1;
    if (tasks[stateName] === 'putEvents') changeEventOutcomes.push(changeEventOutcome(input));
    if (tasks[stateName] === 'putMetricData') metricOutcomes.push(metricOutcome(input));
    if (tasks[stateName] === 'publish') {
      publishedOutcomes.push(
        (input as { MessageAttributes?: { outcome?: { StringValue?: string } } }).MessageAttributes?.outcome
          ?.StringValue,
      );
    }
    const mockName = testCase[stateName];
    const mocked =
      mockName === undefined ? undefined : mockedAnswer(config.MockedResponses[mockName] ?? {}, invocation);
    if (mocked === undefined) {
      unanswered.push(`${stateName} #${invocation}`);
      throw new Error(`no mocked answer for invocation ${invocation} of ${stateName}`);
    }
    if ('Throw' in mocked) throw cloudfrontError(mocked.Throw.Error, mocked.Throw.Cause);
    return mocked.Return;
  };
  const run = await runLocally(definition, scenario.input, {
    cloudfront: scriptedCloudFront([{ error: 'Unused', cause: 'every Task is answered from the mock file' }]),
    waitMilliseconds: 0,
    skipValidation: true,
    extraHandlers: Object.fromEntries(Object.keys(tasks).map((stateName) => [stateName, answer(stateName)])),
  });
  const getStatus = STATE_NAMES[scenario.input.watch.kind].getStatus;
  return {
    observed: {
      status: run.status,
      ...(run.error === undefined ? {} : { error: run.error }),
      cloudfrontCalls: invocations[getStatus] ?? 0,
      publishedOutcomes,
      changeEventOutcomes,
      metricOutcomes,
      continuations: invocations[STATE_NAMES.continueWatch] ?? 0,
      unanswered: unansweredIn(run.lastOutput),
      statesEntered: run.statesEntered,
    },
    unanswered,
  };
}

describe('tools/sfn-local/MockConfigFile.json', () => {
  it('is what `npm run sfn-local:mocks` generates from the scenarios today', async () => {
    // Arrange
    const expected = await buildMockConfig((context) => synthesized(context).template);
    // Act
    const committed = committedMockConfig();
    // Assert
    expect(committed, 'stale: run `npm run sfn-local:mocks` and commit the file').toEqual(expected);
  });

  it('has a state machine per stack variant: the default and the chat one run the non-tenant scenarios, each tenant one the tenant scenarios', () => {
    // Arrange
    const tenantScenarios = WATCH_SCENARIOS.filter((scenario) => TENANT_KINDS.includes(scenario.input.watch.kind)).map(
      ({ name }) => name,
    );
    const otherScenarios = WATCH_SCENARIOS.filter((scenario) => !TENANT_KINDS.includes(scenario.input.watch.kind)).map(
      ({ name }) => name,
    );
    // Act
    const testCases = Object.fromEntries(
      Object.entries(committedMockConfig().StateMachines).map(([machineName, { TestCases }]) => [
        machineName,
        Object.keys(TestCases),
      ]),
    );
    // Assert
    expect(tenantScenarios).toHaveLength(12);
    expect(otherScenarios).toHaveLength(16);
    expect(testCases).toEqual({
      [DEFAULT_MACHINE]: otherScenarios,
      [TENANT_LAMBDA_MACHINE]: tenantScenarios,
      [TENANT_SDK_MACHINE]: tenantScenarios,
      [CHAT_MACHINE]: otherScenarios,
    });
  });

  it('mocks the publish Task of the chat machine, which follows the state that writes the chat message', () => {
    // Arrange
    const config = committedMockConfig();
    // Act
    const testCase = config.StateMachines[CHAT_MACHINE]!.TestCases.DeployedAfterFourChecks!;
    // Assert
    expect(testCase).toEqual({
      'Get distribution status': 'Chat/DeployedAfterFourChecks/Get distribution status',
      'Publish deployed': 'Chat/DeployedAfterFourChecks/Publish deployed',
      'Put distribution Change Finished event': 'Chat/DeployedAfterFourChecks/Put distribution Change Finished event',
      'Record distribution watch metrics': 'Chat/DeployedAfterFourChecks/Record distribution watch metrics',
    });
  });

  it.each([
    { label: 'Default', context: {}, expected: DEFAULT_MACHINE },
    { label: 'TenantLambda', context: { tenantStatusCheck: 'lambda' }, expected: TENANT_LAMBDA_MACHINE },
    { label: 'TenantSdk', context: { tenantStatusCheck: 'sdk' }, expected: TENANT_SDK_MACHINE },
    { label: 'Chat', context: { slackChannels: 'T07EA123LEP/C07EZ1ABC23' }, expected: CHAT_MACHINE },
  ])('names the $label machine $expected', ({ label, context, expected }) => {
    // Arrange
    const variant = SCENARIO_RUNS.map((run) => run.variant).find((candidate) => candidate.label === label)!;
    // Act
    const name = machineNameOf(variant);
    // Assert
    expect(variant.context).toMatchObject(context);
    expect(name).toBe(expected);
  });

  it('answers the status reads of the lambda machine as lambda:invoke returns them, and those of the sdk machine raw', () => {
    // Arrange
    const inProgress = {
      Invalidation: {
        Id: 'I2TENANTINVAL1',
        Status: 'InProgress',
        CreateTime: '2026-11-28T13:45:10.000Z',
        InvalidationBatch: { CallerReference: 'simulated', Paths: { Quantity: 1, Items: ['/*'] } },
      },
    };
    const completed = { Invalidation: { ...inProgress.Invalidation, Status: 'Completed' } };
    const config = committedMockConfig();
    const mockOf = (machineName: string) =>
      config.MockedResponses[
        config.StateMachines[machineName]!.TestCases.TenantInvalidationCompleted![
          STATE_NAMES['tenant-invalidation'].getStatus
        ]!
      ];
    // Act
    const viaLambda = mockOf(TENANT_LAMBDA_MACHINE);
    const viaSdk = mockOf(TENANT_SDK_MACHINE);
    // Assert
    expect(viaLambda).toEqual({
      '0': { Return: { StatusCode: 200, Payload: inProgress } },
      '1': { Return: { StatusCode: 200, Payload: completed } },
    });
    expect(viaSdk).toEqual({ '0': { Return: inProgress }, '1': { Return: completed } });
  });

  it.each(['TenantLambda', 'TenantSdk'])(
    'throws the same error names for the %s machine as the aws-sdk integration',
    (label) => {
      // Arrange
      const config = committedMockConfig();
      const testCase = config.StateMachines[`${DEFAULT_MACHINE}-${label}`]!.TestCases.TenantNotFound!;
      // Act
      const mocked = config.MockedResponses[testCase[STATE_NAMES.tenant.getStatus]!];
      // Assert
      expect(mocked).toEqual({
        '0': {
          Throw: {
            Error: 'CloudFront.EntityNotFoundException',
            Cause: 'The specified distribution tenant does not exist.',
          },
        },
      });
    },
  );

  it.each(SCENARIO_RUNS)(
    'mocks every Task invocation of $name on the $machine machine, retries included, and nothing else',
    async ({ scenario, variant }) => {
      // Arrange
      const config = committedMockConfig();
      const testCase = config.StateMachines[machineNameOf(variant)]!.TestCases[scenario.name]!;
      // Act
      const { invocations } = await referenceRun(scenario, variant);
      // Assert
      const mocked = Object.fromEntries(
        Object.entries(testCase).map(([stateName, mockName]) => [
          stateName,
          invocationNumbers(config.MockedResponses[mockName] ?? {}),
        ]),
      );
      const needed = Object.fromEntries(
        Object.entries(invocations).map(([stateName, count]) => [
          stateName,
          Array.from({ length: count }, (_, index) => index),
        ]),
      );
      expect(Object.keys(needed).length, 'the in-process run invoked no Task').toBeGreaterThan(0);
      expect(mocked).toEqual(needed);
    },
  );

  it.each(SCENARIO_RUNS)(
    'answered only from the mock file, $name on the $machine machine ends as the scenario expects',
    async ({ scenario, variant }) => {
      // Arrange
      const config = committedMockConfig();
      const reference = await referenceRun(scenario, variant);
      // Act
      const { observed, unanswered } = await replayMocks(
        config,
        machineNameOf(variant),
        scenario,
        deployedDefinition(variant.context),
      );
      // Assert
      expect(unanswered).toEqual([]);
      expectScenario(scenario, observed, `${scenario.name} replayed from the ${variant.label} mocks`);
      expect(observed.statesEntered).toEqual(reference.statesEntered);
    },
  );
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

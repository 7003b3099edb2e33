/**
 * Writes test/sfn-local/MockConfigFile.json from the workflow scenarios: one Step Functions Local test case per
 * scenario, with a mocked answer for every Task invocation (retries included) as the raw service response.
 * Run with `npm run sfn-local:mocks`; a test fails while the committed file differs from what this builds.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Outcome } from '../../functions/shared/notification';
import { STATE_NAMES, type KindStateNames } from '../../statemachine/constants';
import { WATCH_SCENARIOS, type WatchScenario } from '../../test/scenarios/watch-scenarios';
import { answerStatusCheck, executionArn } from '../lib/local-engine';
import { scriptedCloudFront } from '../lib/simulated-cloudfront';
import { stateMachineLogicalId, synthNotifier, watchDefinition, type CfnTemplate } from '../lib/synth';

export const MOCK_CONFIG_FILE = fileURLToPath(new URL('../../test/sfn-local/MockConfigFile.json', import.meta.url));

export type MockedAnswer = { readonly Return: unknown } | { readonly Throw: { readonly Error: string; readonly Cause: string } };
/** Invocation number ("0") or inclusive range ("1-3") → answer, as Step Functions Local reads it. */
export type MockedResponse = Record<string, MockedAnswer>;
export interface MockConfig {
  readonly StateMachines: Record<string, { readonly TestCases: Record<string, Record<string, string>> }>;
  readonly MockedResponses: Record<string, MockedResponse>;
}

/** A fixed StartDate keeps the generated file stable. */
const MOCK_START_DATE = '2026-11-28T09:20:00.000Z';

const NOTIFY_STATE: Record<Outcome, keyof KindStateNames> = {
  deployed: 'notifyDone',
  completed: 'notifyDone',
  superseded: 'notifySuperseded',
  'not-found': 'notifyNotFound',
  'timed-out': 'notifyTimedOut',
  'check-failed': 'notifyCheckFailed',
};

/** The name the deployed state machine has, which Step Functions Local matches test cases by. */
export function watchStateMachineName(template: CfnTemplate): string {
  const name = template.Resources[stateMachineLogicalId(template)]!.Properties!.StateMachineName;
  if (typeof name !== 'string') throw new Error('the state machine has no literal StateMachineName');
  return name;
}

/** Asks the same simulator the in-process tests use, so both engines get identical answers, errors included. */
async function cloudfrontAnswers(scenario: WatchScenario): Promise<MockedAnswer[]> {
  const cloudfront = scriptedCloudFront(scenario.answers);
  const { watch } = scenario.input;
  const answers: MockedAnswer[] = [];
  for (let call = 0; call < scenario.expected.cloudfrontCalls; call += 1) {
    answers.push(
      await answerStatusCheck(cloudfront, watch).then(
        (value): MockedAnswer => ({ Return: value }),
        (error: Error): MockedAnswer => ({ Throw: { Error: error.name, Cause: error.message } }),
      ),
    );
  }
  return answers;
}

/** Runs of identical answers become one range key, as in the AWS examples: {"0-2": InProgress, "3": Deployed}. */
export function toMockedResponse(answers: readonly MockedAnswer[]): MockedResponse {
  const response: MockedResponse = {};
  let start = 0;
  answers.forEach((answer, index) => {
    const next = answers[index + 1];
    if (next !== undefined && JSON.stringify(next) === JSON.stringify(answer)) return;
    response[start === index ? `${start}` : `${start}-${index}`] = answer;
    start = index + 1;
  });
  return response;
}

/** Every Task invocation a scenario makes, by state name, in the order of invocation. */
async function taskAnswers(scenario: WatchScenario, stateMachineArn: string): Promise<Record<string, MockedAnswer[]>> {
  const { watch, progress } = scenario.input;
  const names: KindStateNames = STATE_NAMES[watch.kind];
  const answers: Record<string, MockedAnswer[]> = { [names.getStatus]: await cloudfrontAnswers(scenario) };
  if (scenario.expected.publishes > 0) {
    if (!scenario.expected.outcome) throw new Error(`scenario ${scenario.name} publishes but names no outcome`);
    const notifyState = names[NOTIFY_STATE[scenario.expected.outcome]];
    if (!notifyState) throw new Error(`scenario ${scenario.name}: a ${watch.kind} watch never ends ${scenario.expected.outcome}`);
    answers[notifyState] = Array.from({ length: scenario.expected.publishes }, (_, index) => ({
      Return: { MessageId: `mock-${scenario.name}-message-${index + 1}` },
    }));
  }
  if (scenario.expected.continuations > 0) {
    answers[STATE_NAMES.continueWatch] = Array.from({ length: scenario.expected.continuations }, (_, index) => ({
      Return: { ExecutionArn: executionArn(stateMachineArn, `${watch.executionName}-part${progress.part + index + 1}`), StartDate: MOCK_START_DATE },
    }));
  }
  return answers;
}

export async function buildMockConfig(template: CfnTemplate, scenarios: readonly WatchScenario[] = WATCH_SCENARIOS): Promise<MockConfig> {
  const definition = watchDefinition(template);
  const machineName = watchStateMachineName(template);
  const continueWatch = definition.States[STATE_NAMES.continueWatch] as { Parameters: { StateMachineArn: string } };
  const testCases: Record<string, Record<string, string>> = {};
  const mockedResponses: Record<string, MockedResponse> = {};
  for (const scenario of scenarios) {
    testCases[scenario.name] = {};
    for (const [stateName, answers] of Object.entries(await taskAnswers(scenario, continueWatch.Parameters.StateMachineArn))) {
      if (definition.States[stateName]?.Type !== 'Task') {
        throw new Error(`scenario ${scenario.name} mocks "${stateName}", which is no Task state of the synthesized definition`);
      }
      const mockName = `${scenario.name}/${stateName}`;
      testCases[scenario.name]![stateName] = mockName;
      mockedResponses[mockName] = toMockedResponse(answers);
    }
  }
  return { StateMachines: { [machineName]: { TestCases: testCases } }, MockedResponses: mockedResponses };
}

function renderMockConfig(config: MockConfig): string {
  return `${JSON.stringify(config, null, 2)}\n`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { template } = synthNotifier();
  writeFileSync(MOCK_CONFIG_FILE, renderMockConfig(await buildMockConfig(template)));
  console.log(`wrote ${MOCK_CONFIG_FILE}`);
}

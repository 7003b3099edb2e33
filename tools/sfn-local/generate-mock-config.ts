/**
 * Writes tools/sfn-local/MockConfigFile.json from the workflow scenarios: one Step Functions Local state machine per
 * stack variant (the default stack, one per way a stack with tenant calls reads a tenant's status, and the default
 * stack with chat channels), one test case
 * per scenario that variant can run, with a mocked answer for every Task invocation (retries included) as the raw
 * service response. Run with `npm run sfn-local:mocks`; a test fails while the committed file differs from this.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TenantStatusCheck } from '../../infra/config';
import { publishTaskName, type AslDefinition } from '../../statemachine/definition';
import { CHAT_CONTEXT, TENANT_CONTEXTS } from '../scenarios/contexts';
import { WATCH_SCENARIOS, type WatchScenario } from '../scenarios/watch-scenarios';
import { answerStatusCheck, executionArn, tasksOf } from '../lib/local-engine';
import { scriptedCloudFront } from '../lib/simulated-cloudfront';
import { stateMachineLogicalId, synthNotifier, watchDefinition, type CfnTemplate } from '../lib/synth';
import { type Outcome, isRecentStatusCall, type KindStateNames } from '../../domain/kinds';
import { endStateNames, STATE_NAMES } from '../../statemachine/state-names';

export const MOCK_CONFIG_FILE = fileURLToPath(new URL('./MockConfigFile.json', import.meta.url));

export type MockedAnswer =
  { readonly Return: unknown } | { readonly Throw: { readonly Error: string; readonly Cause: string } };
/** Invocation number ("0") or inclusive range ("1-3") → answer, as Step Functions Local reads it. */
export type MockedResponse = Record<string, MockedAnswer>;
export interface MockConfig {
  readonly StateMachines: Record<string, { readonly TestCases: Record<string, Record<string, string>> }>;
  readonly MockedResponses: Record<string, MockedResponse>;
}

/**
 * A stack the scenarios run on. Step Functions Local matches test cases by state machine name, so each variant is
 * its own state machine there, named after the deployed one plus `-<label>` (the default keeps the deployed name).
 */
export interface StackVariant {
  /** "Default", "TenantLambda", "TenantSdk", "Chat": the machine name's suffix and the first part of its mock names. */
  readonly label: string;
  /** The CDK context that synthesizes this variant. */
  readonly context: Readonly<Record<string, string>>;
}

/** The default stack: no tenant calls, so it runs the distribution and invalidation scenarios. */
export const DEFAULT_VARIANT: StackVariant = { label: 'Default', context: {} };

function tenantLabel(check: TenantStatusCheck): string {
  return `Tenant${check.charAt(0).toUpperCase()}${check.slice(1)}`;
}

/** A stack that watches the tenant calls too, once per tenantStatusCheck: TenantLambda, TenantSdk. */
export const TENANT_VARIANTS: readonly StackVariant[] = TENANT_CONTEXTS.map(({ tenantStatusCheck, context }) => ({
  label: tenantLabel(tenantStatusCheck),
  context,
}));

/** The default stack with a Slack and a Teams channel: its notify states write the chat message, a Task publishes. */
export const CHAT_VARIANT: StackVariant = { label: 'Chat', context: CHAT_CONTEXT };

export const STACK_VARIANTS: readonly StackVariant[] = [DEFAULT_VARIANT, ...TENANT_VARIANTS, CHAT_VARIANT];

/**
 * The stacks that can run a scenario: the default one and the one with chat channels, or for a watch whose status
 * call is recent (the tenant kinds, which the default stack leaves out) every way of reading that status, as
 * `contextFor` in test/support/definition.ts.
 */
export function variantsFor(scenario: WatchScenario): readonly StackVariant[] {
  return isRecentStatusCall(scenario.input.watch.kind) ? TENANT_VARIANTS : [DEFAULT_VARIANT, CHAT_VARIANT];
}

/** A fixed StartDate keeps the generated file stable. */
const MOCK_START_DATE = '2026-11-28T09:20:00.000Z';
/** What the lambda:invoke integration reports for a synchronous invocation that returned. */
const LAMBDA_STATUS_CODE = 200;

const NOTIFY_STATE: Record<Outcome, keyof KindStateNames> = {
  deployed: 'notifyDone',
  completed: 'notifyDone',
  superseded: 'notifySuperseded',
  'not-found': 'notifyNotFound',
  'timed-out': 'notifyTimedOut',
  'check-failed': 'notifyCheckFailed',
};

/** The name the deployed state machine has. */
export function watchStateMachineName(template: CfnTemplate): string {
  const name = template.Resources[stateMachineLogicalId(template)]!.Properties!.StateMachineName;
  if (typeof name !== 'string') throw new Error('the state machine has no literal StateMachineName');
  return name;
}

/** The name a variant's state machine has in Step Functions Local and in the mock file. */
export function variantMachineName(template: CfnTemplate, variant: StackVariant): string {
  const deployed = watchStateMachineName(template);
  return variant === DEFAULT_VARIANT ? deployed : `${deployed}-${variant.label}`;
}

/**
 * Asks the same simulator the in-process tests use, so both engines get identical answers, errors included. A
 * status Task that invokes the status-reader Lambda gets the answer as lambda:invoke returns it, under Payload (its
 * ResultSelector reads $.Payload.…); the Lambda throws the error names the aws-sdk integration would, so errors are
 * the same Throw either way.
 */
async function cloudfrontAnswers(scenario: WatchScenario, viaLambda: boolean): Promise<MockedAnswer[]> {
  const cloudfront = scriptedCloudFront(scenario.answers);
  const { watch } = scenario.input;
  const answers: MockedAnswer[] = [];
  for (let call = 0; call < scenario.expected.cloudfrontCalls; call += 1) {
    answers.push(
      await answerStatusCheck(cloudfront, watch).then(
        (value): MockedAnswer => ({ Return: viaLambda ? { StatusCode: LAMBDA_STATUS_CODE, Payload: value } : value }),
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

/** Every Task invocation a scenario makes on this definition, by state name, in the order of invocation. */
async function taskAnswers(
  scenario: WatchScenario,
  definition: AslDefinition,
): Promise<Record<string, MockedAnswer[]>> {
  const { watch, progress } = scenario.input;
  const names: KindStateNames = STATE_NAMES[watch.kind];
  const viaLambda = tasksOf(definition)[names.getStatus] === 'readStatus';
  const answers: Record<string, MockedAnswer[]> = { [names.getStatus]: await cloudfrontAnswers(scenario, viaLambda) };
  if (scenario.expected.publishes > 0) {
    if (!scenario.expected.outcome) throw new Error(`scenario ${scenario.name} publishes but names no outcome`);
    const notifyState = names[NOTIFY_STATE[scenario.expected.outcome]];
    if (!notifyState)
      throw new Error(`scenario ${scenario.name}: a ${watch.kind} watch never ends ${scenario.expected.outcome}`);
    // With chat channels the notify state writes the chat message and the Task after it publishes.
    const publishTask = definition.States[notifyState]?.Type === 'Pass' ? publishTaskName(notifyState) : notifyState;
    answers[publishTask] = Array.from({ length: scenario.expected.publishes }, (_, index) => ({
      Return: { MessageId: `mock-${scenario.name}-message-${index + 1}` },
    })); // Every watch that ends puts its Change Finished event (where the stack has one) and records its metrics.
    const ends = endStateNames(watch.kind);
    if (ends.putChangeEvent in definition.States) {
      answers[ends.putChangeEvent] = [
        { Return: { FailedEntryCount: 0, Entries: [{ EventId: `mock-${scenario.name}-event` }] } },
      ];
    }
    answers[ends.recordMetrics] = [{ Return: {} }];
  }
  if (scenario.expected.continuations > 0) {
    const continueWatch = definition.States[STATE_NAMES.continueWatch] as { Parameters: { StateMachineArn: string } };
    answers[STATE_NAMES.continueWatch] = Array.from({ length: scenario.expected.continuations }, (_, index) => ({
      Return: {
        ExecutionArn: executionArn(
          continueWatch.Parameters.StateMachineArn,
          `${watch.executionName}-part${progress.part + index + 1}`,
        ),
        StartDate: MOCK_START_DATE,
      },
    }));
  }
  return answers;
}

/**
 * The mock file for these scenarios: a state machine per variant that runs any of them (in STACK_VARIANTS order),
 * and under it a test case per scenario, its Task states mapped to responses named `<label>/<Scenario>/<Task state>`.
 * `templateOf` synthesizes a variant's context (the tests hand in their cached synth).
 */
export async function buildMockConfig(
  templateOf: (context: Readonly<Record<string, string>>) => CfnTemplate,
  scenarios: readonly WatchScenario[] = WATCH_SCENARIOS,
): Promise<MockConfig> {
  const stateMachines: Record<string, { TestCases: Record<string, Record<string, string>> }> = {};
  const mockedResponses: Record<string, MockedResponse> = {};
  for (const variant of STACK_VARIANTS) {
    const runnable = scenarios.filter((scenario) => variantsFor(scenario).includes(variant));
    if (runnable.length === 0) continue;
    const template = templateOf(variant.context);
    const definition = watchDefinition(template);
    const testCases: Record<string, Record<string, string>> = {};
    for (const scenario of runnable) {
      testCases[scenario.name] = {};
      for (const [stateName, answers] of Object.entries(await taskAnswers(scenario, definition))) {
        if (definition.States[stateName]?.Type !== 'Task') {
          throw new Error(
            `scenario ${scenario.name} mocks "${stateName}", which is no Task state of the ${variant.label} definition`,
          );
        }
        const mockName = `${variant.label}/${scenario.name}/${stateName}`;
        testCases[scenario.name]![stateName] = mockName;
        mockedResponses[mockName] = toMockedResponse(answers);
      }
    }
    stateMachines[variantMachineName(template, variant)] = { TestCases: testCases };
  }
  return { StateMachines: stateMachines, MockedResponses: mockedResponses };
}

function renderMockConfig(config: MockConfig): string {
  return `${JSON.stringify(config, null, 2)}\n`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const config = await buildMockConfig((context) => synthNotifier(context).template);
  writeFileSync(MOCK_CONFIG_FILE, renderMockConfig(config));
  console.log(`wrote ${MOCK_CONFIG_FILE}: ${Object.keys(config.StateMachines).join(', ')}`);
}

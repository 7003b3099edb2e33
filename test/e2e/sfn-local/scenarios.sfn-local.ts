/**
 * Every workflow scenario, run in Step Functions Local as test case `<arn>#<Scenario>` of MockConfigFile.json on
 * every stack variant that can run it (the default stack; each tenant scenario once per tenantStatusCheck), with the
 * checks the in-process tests make plus the order of states entered. Run with `npm run test:sfn-local`.
 */
import type { SFNClient } from '@aws-sdk/client-sfn';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { runLocally, tasksOf } from '../../../tools/lib/local-engine';
import { scriptedCloudFront } from '../../../tools/lib/simulated-cloudfront';
import { STACK_VARIANTS, variantMachineName, variantsFor } from '../../../tools/sfn-local/generate-mock-config';
import {
  createWatchStateMachine,
  localSfnClient,
  observeExecution,
  refusedActionReason,
  runTestCase,
} from '../../../tools/sfn-local/runner';
import { expectScenario } from '../../support/expect-scenario';
import { WATCH_SCENARIOS } from '../../../tools/scenarios/watch-scenarios';
import { deployedDefinition, synthesized } from '../../support/definition';
import { KINDS } from '../../../domain/kinds';

const target = inject('sfnLocal');
/** Execution names must be new on a reused endpoint. */
const RUN_ID = Date.now().toString(36);
/** Up to three minutes per execution: retry delays may not be scaled by WAIT_TIME_SCALE. */
const POLLING = { pollIntervalMs: 250, maxPolls: 720 };
/** The aws-sdk actions Step Functions may not know yet: a variant whose definition Local refuses for one is skipped. */
const RECENT_ACTIONS = Object.values(KINDS)
  .filter(({ statusCall }) => statusCall.recent)
  .map(({ statusCall }) => statusCall.call);

const RUNS = WATCH_SCENARIOS.flatMap((scenario) =>
  variantsFor(scenario).map((variant) => ({
    name: scenario.name,
    machine: variant.label,
    description: scenario.description,
    scenario,
    variant,
  })),
);

describe('Step Functions Local runs every scenario the way aws-local-stepfunctions does', () => {
  const client: { current?: SFNClient } = {};
  /** Per variant label: the state machine's ARN, or why Step Functions Local cannot run that variant. */
  const machines = new Map<string, { arn: string } | { skipReason: string }>();

  beforeAll(async () => {
    if ('skipReason' in target) return;
    client.current = localSfnClient(target.endpoint);
    for (const variant of STACK_VARIANTS) {
      const name = variantMachineName(synthesized(variant.context).template, variant);
      try {
        machines.set(variant.label, {
          arn: await createWatchStateMachine(client.current, name, deployedDefinition(variant.context)),
        });
      } catch (error) {
        const skipReason = refusedActionReason(error, RECENT_ACTIONS);
        if (skipReason === undefined) throw error;
        console.warn(`${name}: every scenario skipped. ${skipReason}`);
        machines.set(variant.label, { skipReason: `${name}: ${skipReason}` });
      }
    }
  });

  it.for(RUNS)('$name on the $machine machine: $description', async ({ scenario, variant }, { skip }) => {
    if ('skipReason' in target) skip(target.skipReason);
    const machine = machines.get(variant.label)!;
    if ('skipReason' in machine) {
      skip(machine.skipReason);
      return;
    }
    // Arrange
    const definition = deployedDefinition(variant.context);
    const reference = await runLocally(definition, scenario.input, {
      cloudfront: scriptedCloudFront(scenario.answers),
      waitMilliseconds: 0,
    });
    // Act
    const record = await runTestCase(client.current!, machine.arn, scenario.name, scenario.input, {
      executionName: `${scenario.name}-${variant.label}-${RUN_ID}`,
      ...POLLING,
    });
    const observed = observeExecution(record, tasksOf(definition));
    // Assert
    expectScenario(scenario, observed, `execution ${record.executionArn}`);
    expect(observed.statesEntered, `states entered by ${record.executionArn}, against aws-local-stepfunctions`).toEqual(
      reference.statesEntered,
    );
  });
});

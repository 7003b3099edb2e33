/**
 * Every workflow scenario, run in Step Functions Local as test case `<arn>#<Scenario>` of MockConfigFile.json, with
 * the checks the in-process tests make plus the order of states entered. Run with `npm run test:sfn-local`.
 */
import type { SFNClient } from '@aws-sdk/client-sfn';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { runLocally, tasksOf } from '../../tools/lib/local-engine';
import { scriptedCloudFront } from '../../tools/lib/simulated-cloudfront';
import { watchStateMachineName } from '../../tools/sfn-local/generate-mock-config';
import { createWatchStateMachine, localSfnClient, observeExecution, runTestCase } from '../../tools/sfn-local/runner';
import { expectScenario } from '../scenarios/expectations';
import { WATCH_SCENARIOS } from '../scenarios/watch-scenarios';
import { deployedDefinition, synthesized } from '../support/definition';

const target = inject('sfnLocal');
/** Execution names must be new on a reused endpoint. */
const RUN_ID = Date.now().toString(36);
/** Up to three minutes per execution: retry delays may not be scaled by WAIT_TIME_SCALE. */
const POLLING = { pollIntervalMs: 250, maxPolls: 720 };

describe('Step Functions Local runs every scenario the way aws-local-stepfunctions does', () => {
  const connection: { client?: SFNClient; stateMachineArn?: string } = {};

  beforeAll(async () => {
    if ('skipReason' in target) return;
    connection.client = localSfnClient(target.endpoint);
    connection.stateMachineArn = await createWatchStateMachine(
      connection.client,
      watchStateMachineName(synthesized().template),
      deployedDefinition(),
    );
  });

  it.for(WATCH_SCENARIOS)('$name: $description', async (scenario, { skip }) => {
    if ('skipReason' in target) skip(target.skipReason);
    // Arrange
    const definition = deployedDefinition();
    const reference = await runLocally(definition, scenario.input, { cloudfront: scriptedCloudFront(scenario.answers), waitMilliseconds: 0 });
    // Act
    const record = await runTestCase(connection.client!, connection.stateMachineArn!, scenario.name, scenario.input, {
      executionName: `${scenario.name}-${RUN_ID}`,
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

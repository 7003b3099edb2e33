import { describe, expect, it } from 'vitest';
import { buildSchedule, secondsUntilCheck } from '../../domain/schedule';
import type { AslDefinition } from '../../statemachine/definition';
import { runLocally, type LocalRunResult } from '../../tools/lib/local-engine';
import { scriptedCloudFront } from '../../tools/lib/simulated-cloudfront';
import { WATCH_SCENARIOS, type WatchScenario } from '../../tools/scenarios/watch-scenarios';
import { contextFor, deployedDefinition } from '../support/definition';
import { fixtureBody } from '../../tools/scenarios/fixtures';
import { runRedeliveries, type RedeliveryRun } from '../support/redelivery';
import { DISPATCH_SETTINGS } from '../../tools/scenarios/dispatch-settings';
import { KINDS } from '../../domain/kinds';
import { STATE_NAMES } from '../../statemachine/state-names';

/** One clock for both engines: the state machine's $$.State.EnteredTime and the Lambda's time of check. */
const CHECK_TIME = new Date('2026-11-28T18:00:00.000Z');

/**
 * Where mode sqs-retry behaves differently on purpose (docs/modes.md). Every other scenario must publish
 * exactly the same in both modes.
 */
const INTENDED_DIFFERENCES: Record<string, string> = {
  StatusCheckKeepsFailing:
    'a check that still fails after the in-place retries waits for the next scheduled check instead of ending the watch',
};

function scenarioNamed(name: string): WatchScenario {
  const scenario = WATCH_SCENARIOS.find((candidate) => candidate.name === name);
  if (scenario === undefined) throw new Error(`no scenario ${name}`);
  return scenario;
}

/** Outcomes the shared scenarios do not reach, built from them. */
const completed = scenarioNamed('InvalidationCompleted');
const EXTRA_SCENARIOS: readonly WatchScenario[] = [
  {
    name: 'InvalidationNeverCompletes',
    description: 'An invalidation stays InProgress until the check budget (2 checks) runs out: timeout notification',
    fixture: completed.fixture,
    input: { ...completed.input, progress: { ...completed.input.progress, maxChecks: 2 } },
    answers: [{ status: 'InProgress' }],
    expected: { ...completed.expected, status: 'FAILED', cloudfrontCalls: 2, outcome: 'timed-out' },
  },
];

/** When the event must have entered the queue for the Lambda's check budget to equal the scenario's maxChecks. */
function sentAtFor(scenario: WatchScenario, maxChecks = scenario.input.progress.maxChecks): Date {
  const schedule = buildSchedule(KINDS[scenario.input.watch.kind].schedule, DISPATCH_SETTINGS.schedule);
  const secondsLeft = secondsUntilCheck(schedule, maxChecks);
  return new Date(
    Date.parse(scenario.input.watch.startedAt) + (DISPATCH_SETTINGS.retentionSeconds - secondsLeft) * 1000,
  );
}

function topicArnOf(definition: AslDefinition): string {
  const publish = Object.values(definition.States).find((state) => state.Resource === 'arn:aws:states:::sns:publish');
  return (publish!.Parameters as { TopicArn: string }).TopicArn;
}

/** Status checks the execution made: entries into its Get ... status state (retries stay inside one entry). */
function checksMade(run: LocalRunResult, scenario: WatchScenario): number {
  const getStatus = STATE_NAMES[scenario.input.watch.kind].getStatus;
  return run.statesEntered.filter((name) => name === getStatus).length;
}

async function runBoth(
  scenario: WatchScenario,
  input = scenario.input,
): Promise<{ machine: LocalRunResult; lambda: RedeliveryRun; checks: number }> {
  const definition = deployedDefinition(contextFor(scenario.input.watch.kind));
  const machine = await runLocally(definition, input, {
    cloudfront: scriptedCloudFront(scenario.answers),
    waitMilliseconds: 0,
    enteredTime: CHECK_TIME.toISOString(),
  });
  const checks = checksMade(machine, scenario);
  const lambda = await runRedeliveries({
    body: fixtureBody(scenario.fixture),
    cloudfront: scriptedCloudFront(scenario.answers),
    sentAt: sentAtFor(scenario, input.progress.maxChecks),
    checkTime: CHECK_TIME,
    topicArn: topicArnOf(definition),
    maxDeliveries: input.progress.check - 1 + checks,
  });
  return { machine, lambda, checks };
}

describe('one notification, two engines: the state machine and the status-check Lambda publish the same', () => {
  const sameScenarios = [...WATCH_SCENARIOS, ...EXTRA_SCENARIOS].filter(
    (scenario) => !(scenario.name in INTENDED_DIFFERENCES),
  );

  it.each(sameScenarios)('$name: $description', async (scenario) => {
    // Arrange: the scenario's answers, clock and check budget for both engines
    // Act
    const { machine, lambda } = await runBoth(scenario);
    // Assert
    expect(lambda.published).toEqual(machine.published);
    expect(lambda.published).toHaveLength(scenario.expected.publishes);
    expect(lambda.cloudfrontCalls).toBe(machine.cloudfrontCalls);
    // A watch the state machine hands over to a new execution is still watched: the Lambda keeps its message.
    expect(lambda.kept).toBe(scenario.expected.publishes === 0);
  });

  it('reach every outcome of every kind, with the last-check case below', () => {
    // Arrange
    const lastCheckCase = `${scenarioNamed('StatusCheckKeepsFailing').input.watch.kind}:check-failed`;
    // Act
    const reached = new Set([
      ...sameScenarios
        .filter((scenario) => scenario.expected.outcome)
        .map((scenario) => `${scenario.input.watch.kind}:${scenario.expected.outcome}`),
      lastCheckCase,
    ]);
    // Assert
    expect([...reached].sort()).toEqual([
      'distribution:check-failed',
      'distribution:deployed',
      'distribution:not-found',
      'distribution:superseded',
      'distribution:timed-out',
      'invalidation:check-failed',
      'invalidation:completed',
      'invalidation:not-found',
      'invalidation:timed-out',
      'tenant-invalidation:check-failed',
      'tenant-invalidation:completed',
      'tenant-invalidation:not-found',
      'tenant-invalidation:timed-out',
      'tenant:check-failed',
      'tenant:deployed',
      'tenant:not-found',
      'tenant:superseded',
      'tenant:timed-out',
    ]);
  });
});

describe('where mode sqs-retry differs on purpose', () => {
  const scenario = scenarioNamed('StatusCheckKeepsFailing');

  it('a status check that keeps failing is checked again at the next scheduled check, with nothing published', async () => {
    // Act
    const { machine, lambda } = await runBoth(scenario);
    // Assert
    expect(machine.published.map((request) => request.MessageAttributes.outcome!.StringValue)).toEqual([
      'check-failed',
    ]);
    expect(lambda.published).toEqual([]);
    expect(lambda.kept).toBe(true);
    // The invalidation schedule's first wait
    expect(lambda.visibilityChanges).toEqual([8]);
  });

  it('when the last check of the watch fails, both send the same check-failed notification', async () => {
    // Arrange: the state machine starts at its last check; the Lambda's budget ends at the same check
    const lastCheck = 3;
    const input = {
      ...scenario.input,
      progress: { ...scenario.input.progress, check: lastCheck, maxChecks: lastCheck },
    };
    // Act
    const { machine, lambda } = await runBoth(scenario, input);
    // Assert
    expect(machine.published).toHaveLength(1);
    expect(lambda.published).toEqual(machine.published);
    expect(lambda.results.map((result) => result.result)).toEqual(['check-again', 'check-again', 'notified']);
  });
});

import { describe, expect, it } from 'vitest';
import { buildSchedule, secondsUntilCheck } from '../../domain/schedule';
import type { AslDefinition } from '../../statemachine/definition';
import { runLocally, type LocalRunResult, type PublishRequest } from '../../tools/lib/local-engine';
import { scriptedCloudFront } from '../../tools/lib/simulated-cloudfront';
import { WATCH_SCENARIOS, type WatchScenario } from '../../tools/scenarios/watch-scenarios';
import { contextFor, deployedDefinition } from '../support/definition';
import { CHAT_CONTEXT } from '../../tools/scenarios/contexts';
import { fixtureBody } from '../../tools/scenarios/fixtures';
import { runRedeliveries, type RedeliveryRun } from '../support/redelivery';
import { DISPATCH_SETTINGS } from '../../tools/scenarios/dispatch-settings';
import { KINDS } from '../../domain/kinds';
import { STATE_NAMES } from '../../statemachine/state-names';

/** One clock for both engines: the state machine's $$.State.EnteredTime and the Lambda's time of check. */
const CHECK_TIME = new Date('2026-11-28T18:00:00.000Z');

/** The SDK in the Lambda tries a call 3 times (SDK_MAX_ATTEMPTS), the state machine's Retry 2 times. */
const OTHER_ATTEMPTS =
  'the Lambda tries each check 3 times, the state machine 2: the same run of errors leaves fewer checks unanswered in the Lambda';
/**
 * Where mode sqs-retry behaves differently on purpose (docs/modes.md), each tested below. Every other scenario must
 * publish the same in both modes, but for the count of unanswered checks (sqsRetryCount).
 */
const INTENDED_DIFFERENCES: Record<string, string> = {
  ThrottledPastRetriesThenDeployed: OTHER_ATTEMPTS,
  TenantThrottledPastRetriesThenDeployed: OTHER_ATTEMPTS,
  NoAnswerThenHandOver: OTHER_ATTEMPTS,
  BackingOffThenCompleted: OTHER_ATTEMPTS,
  UnansweredUntilBudgetEnds: `SQS cannot carry a count from one delivery to the next: only the last check is counted; and ${OTHER_ATTEMPTS}`,
  TenantInvalidationUnansweredUntilBudgetEnds: `SQS cannot carry a count from one delivery to the next: only the last check is counted; and ${OTHER_ATTEMPTS}`,
};

/**
 * A notification as mode sqs-retry words it: it knows only whether its last check went unanswered, so its timed-out
 * notification gives the count as a lower bound, "0 or more", where the state machine counts exactly.
 */
function sqsRetryCount(published: readonly PublishRequest[]): PublishRequest[] {
  return published.map((request) => ({
    ...request,
    Message: request.Message.replace(/^(Unanswered: +\d+) of /m, '$1 or more of '),
  }));
}

/** The same for a notification with chat channels: in the email text and in the chat message's description. */
function sqsRetryCountWithChat(published: readonly PublishRequest[]): PublishRequest[] {
  return published.map((request) => {
    const { default: email, https } = JSON.parse(request.Message) as { default: string; https: string };
    const chat = JSON.parse(https) as { content: { description: string } };
    const description = chat.content.description.replace(
      /: (\d+) of (\d+) status checks unanswered/,
      ': $1 or more of $2 status checks unanswered',
    );
    return {
      ...request,
      Message: JSON.stringify({
        default: email.replace(/^(Unanswered: +\d+) of /m, '$1 or more of '),
        https: JSON.stringify({ ...chat, content: { ...chat.content, description } }),
      }),
    };
  });
}

/**
 * The Change Finished event both modes put, without durationSeconds: the Lambda reads its clock, the state machine counts
 * the delay the dispatcher saw and its waits (docs/change-event.md), so only that field may differ (tested below).
 */
function eventsWithoutDuration(
  entries: ReadonlyArray<{ EventBusName?: string; Source?: string; DetailType?: string; Detail?: unknown }>,
) {
  return entries.map(({ Detail, ...entry }) => {
    const { durationSeconds: _counted, ...detail } = (
      typeof Detail === 'string' ? JSON.parse(Detail) : Detail
    ) as Record<string, unknown>;
    return { ...entry, Detail: detail };
  });
}

/** The watch metrics either mode recorded, by name and dimensions, without WatchDuration (see eventsWithoutDuration). */
function machineMetrics(run: LocalRunResult): Array<Record<string, unknown>> {
  return run.metrics.map((request) =>
    Object.fromEntries(
      request.MetricData.filter((datum) => datum.MetricName !== 'WatchDuration').flatMap((datum) => [
        ...datum.Dimensions.map((dimension) => [dimension.Name, dimension.Value]),
        [datum.MetricName, datum.Value],
      ]),
    ),
  );
}

function lambdaMetrics(run: RedeliveryRun): Array<Record<string, unknown>> {
  return run.metricLines.map((line) => {
    const { _aws: _directives, WatchDuration: _counted, ...values } = JSON.parse(line) as Record<string, unknown>;
    return values;
  });
}

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
  chat = false,
): Promise<{ machine: LocalRunResult; lambda: RedeliveryRun; checks: number }> {
  const definition = deployedDefinition({ ...contextFor(scenario.input.watch.kind), ...(chat ? CHAT_CONTEXT : {}) });
  const machine = await runLocally(definition, input, {
    cloudfront: scriptedCloudFront(scenario.answers),
    waitMilliseconds: 0,
    enteredTime: CHECK_TIME.toISOString(),
    // test/statemachine/definition.test.ts validates the chat definition once.
    skipValidation: chat,
  });
  const checks = checksMade(machine, scenario);
  const lambda = await runRedeliveries({
    body: fixtureBody(scenario.fixture),
    cloudfront: scriptedCloudFront(scenario.answers),
    sentAt: sentAtFor(scenario, input.progress.maxChecks),
    checkTime: CHECK_TIME,
    topicArn: topicArnOf(definition),
    maxDeliveries: input.progress.check - 1 + checks,
    chat,
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
    expect(lambda.published).toEqual(sqsRetryCount(machine.published));
    expect(lambda.published).toHaveLength(scenario.expected.publishes);
    expect(eventsWithoutDuration(lambda.events)).toEqual(
      eventsWithoutDuration(machine.changeEvents.flatMap((request) => request.Entries)),
    );
    expect(lambda.events).toHaveLength(scenario.expected.publishes);
    expect(lambdaMetrics(lambda)).toEqual(machineMetrics(machine));
    expect(lambda.cloudfrontCalls).toBe(machine.cloudfrontCalls);
    // A watch the state machine hands over to a new execution is still watched: the Lambda keeps its message.
    expect(lambda.kept).toBe(scenario.expected.publishes === 0);
  });

  it('reach every outcome of every kind', () => {
    // Act
    const reached = new Set(
      sameScenarios
        .filter((scenario) => scenario.expected.outcome)
        .map((scenario) => `${scenario.input.watch.kind}:${scenario.expected.outcome}`),
    );
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

  it('word the unanswered count of a watch that never finished as "0 of" and "0 or more of"', async () => {
    // Act
    const { machine, lambda } = await runBoth(scenarioNamed('NeverCompletes'));
    // Assert
    const unansweredLine = (message: string) => message.split('\n').find((line) => line.startsWith('Unanswered:'));
    expect(unansweredLine(machine.published[0]!.Message)).toBe(
      'Unanswered:    0 of 3 status checks (throttled or failing, after retries)',
    );
    expect(unansweredLine(lambda.published[0]!.Message!)).toBe(
      'Unanswered:    0 or more of 3 status checks (throttled or failing, after retries)',
    );
  });
});

describe('with chat channels, both engines publish the same email text and the same chat message', () => {
  const published = [...WATCH_SCENARIOS, ...EXTRA_SCENARIOS].filter(
    (scenario) => !(scenario.name in INTENDED_DIFFERENCES) && scenario.expected.publishes > 0,
  );

  it.each(published)('$name', async (scenario) => {
    // Arrange: the scenario's answers, clock and check budget for both engines, chat channels subscribed
    // Act
    const { machine, lambda } = await runBoth(scenario, scenario.input, true);
    // Assert
    expect(lambda.published.map(({ MessageStructure }) => MessageStructure)).toEqual(
      Array.from({ length: scenario.expected.publishes }, () => 'json'),
    );
    expect(lambda.published).toEqual(sqsRetryCountWithChat(machine.published));
  });

  it('word the unanswered count in the chat message as "0 of" and "0 or more of"', async () => {
    // Act
    const { machine, lambda } = await runBoth(scenarioNamed('NeverCompletes'), undefined, true);
    // Assert
    const chatLine = (message: string) =>
      (
        JSON.parse((JSON.parse(message) as { https: string }).https) as { content: { description: string } }
      ).content.description.split('\n')[2];
    expect(chatLine(machine.published[0]!.Message)).toBe(
      'Last checked 2026-11-28T18:00:00.000Z: 0 of 3 status checks unanswered.',
    );
    expect(chatLine(lambda.published[0]!.Message!)).toBe(
      'Last checked 2026-11-28T18:00:00.000Z: 0 or more of 3 status checks unanswered.',
    );
  });
});

describe('where mode sqs-retry differs on purpose', () => {
  it("counts durationSeconds by its clock, where the state machine adds the dispatcher's delay and its waits", async () => {
    // Arrange: no jitter, so the state machine's three waits are the schedule's 17 s
    const scenario = scenarioNamed('DeployedAfterFourChecks');
    const definition = deployedDefinition({ checkJitterPercent: '0' });
    // Act
    const machine = await runLocally(definition, scenario.input, {
      cloudfront: scriptedCloudFront(scenario.answers),
      waitMilliseconds: 0,
      enteredTime: CHECK_TIME.toISOString(),
    });
    const lambda = await runRedeliveries({
      body: fixtureBody(scenario.fixture),
      cloudfront: scriptedCloudFront(scenario.answers),
      sentAt: sentAtFor(scenario),
      checkTime: CHECK_TIME,
      topicArn: topicArnOf(definition),
      maxDeliveries: 4,
    });
    // Assert: 1 min after the change plus 3 waits of 17 s; the Lambda's check at 18:00 of a change made at 09:15:02
    expect(machine.changeEvents[0]!.Entries[0]!.Detail.durationSeconds).toBe(111);
    expect(JSON.parse(lambda.events[0]!.Detail!).durationSeconds).toBe(31_498);
  });

  const unansweredLine = (message: string | undefined) =>
    (message ?? '').split('\n').find((line) => line.startsWith('Unanswered:'));
  const withoutUnansweredLine = (message: string | undefined) =>
    (message ?? '').split('\n').filter((line) => !line.startsWith('Unanswered:'));

  it('lists only scenarios that exist', () => {
    // Act
    const unknown = Object.keys(INTENDED_DIFFERENCES).filter(
      (name) => !WATCH_SCENARIOS.some((scenario) => scenario.name === name),
    );
    // Assert
    expect(unknown).toEqual([]);
  });

  it.each([
    {
      name: 'UnansweredUntilBudgetEnds',
      machineLine: 'Unanswered:    3 of 3 status checks (throttled or failing, after retries)',
      lambdaLine: 'Unanswered:    1 or more of 3 status checks (throttled or failing, after retries)',
      calls: { machine: 6, lambda: 9 },
    },
    {
      name: 'TenantInvalidationUnansweredUntilBudgetEnds',
      machineLine: 'Unanswered:    2 of 2 status checks (throttled or failing, after retries)',
      lambdaLine: 'Unanswered:    1 or more of 2 status checks (throttled or failing, after retries)',
      calls: { machine: 4, lambda: 6 },
    },
  ])(
    '$name: both time out at the same check, the Lambda counting only the last unanswered check',
    async ({ name, machineLine, lambdaLine, calls }) => {
      // Act
      const { machine, lambda } = await runBoth(scenarioNamed(name));
      // Assert
      expect(unansweredLine(machine.published[0]!.Message)).toBe(machineLine);
      expect(unansweredLine(lambda.published[0]!.Message)).toBe(lambdaLine);
      expect(withoutUnansweredLine(lambda.published[0]!.Message)).toEqual(
        withoutUnansweredLine(machine.published[0]!.Message),
      );
      expect({ machine: machine.cloudfrontCalls, lambda: lambda.cloudfrontCalls }).toEqual(calls);
      // The event carries no unanswered count, so it is the same but for durationSeconds
      expect(eventsWithoutDuration(lambda.events)).toEqual(
        eventsWithoutDuration(machine.changeEvents.flatMap((request) => request.Entries)),
      );
      // Every check but the last backs off to the normal 1 min, not the invalidation schedule's first 8 s
      expect(lambda.visibilityChanges).toEqual(name === 'UnansweredUntilBudgetEnds' ? [60, 60] : [60]);
    },
  );

  it.each(['ThrottledPastRetriesThenDeployed', 'TenantThrottledPastRetriesThenDeployed'])(
    '%s: two throttles are one unanswered check for the state machine, which confirms at check 2, and none for the Lambda, whose third attempt confirms at check 1',
    async (name) => {
      // Arrange
      const scenario = scenarioNamed(name);
      const definition = deployedDefinition(contextFor(scenario.input.watch.kind));
      // Act
      const machine = await runLocally(definition, scenario.input, {
        cloudfront: scriptedCloudFront(scenario.answers),
        waitMilliseconds: 0,
        enteredTime: CHECK_TIME.toISOString(),
      });
      const lambda = await runRedeliveries({
        body: fixtureBody(scenario.fixture),
        cloudfront: scriptedCloudFront(scenario.answers),
        sentAt: sentAtFor(scenario),
        checkTime: CHECK_TIME,
        topicArn: topicArnOf(definition),
        maxDeliveries: 4,
      });
      // Assert
      expect(machine.published[0]!.Message).toContain('(status check 2)');
      expect(lambda.results.map((result) => result.result)).toEqual(['notified']);
      expect(lambda.published[0]!.Message).toContain('(status check 1)');
      expect(lambda.published[0]!.MessageAttributes).toEqual(machine.published[0]!.MessageAttributes);
      expect({ machine: machine.cloudfrontCalls, lambda: lambda.cloudfrontCalls }).toEqual({ machine: 3, lambda: 3 });
    },
  );

  it('NoAnswerThenHandOver: a check without an answer keeps the message, having cost 3 calls where the state machine spent 2', async () => {
    // Act
    const { machine, lambda } = await runBoth(scenarioNamed('NoAnswerThenHandOver'));
    // Assert
    expect(machine.continuations).toHaveLength(1);
    expect(lambda.published).toEqual([]);
    expect(lambda.kept).toBe(true);
    expect({ machine: machine.cloudfrontCalls, lambda: lambda.cloudfrontCalls }).toEqual({ machine: 2, lambda: 3 });
  });
});

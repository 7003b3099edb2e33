import { describe, expect, it } from 'vitest';
import { runLocally } from '../../tools/lib/local-engine';
import { scriptedCloudFront } from '../../tools/lib/simulated-cloudfront';
import { fixtureWatch, watchInput } from '../../tools/scenarios/fixtures';
import { contextFor, deployedDefinition, TENANT_CONTEXTS } from '../support/definition';
import { CHAT_CONTEXT } from '../../tools/scenarios/contexts';
import { observeLocalRun } from '../../tools/scenarios/observation';
import { expectScenario } from '../support/expect-scenario';
import { WATCH_SCENARIOS, type WatchScenario } from '../../tools/scenarios/watch-scenarios';
import { isRecentStatusCall, type WatchKind } from '../../domain/kinds';

const ENTERED_TIME = '2026-11-28T09:20:00Z';

describe('the synthesized watch state machine, run in aws-local-stepfunctions', () => {
  // A tenant scenario runs on both ways of reading a tenant's status: the status-reader Lambda and the aws-sdk integration.
  const runs = WATCH_SCENARIOS.flatMap((scenario) =>
    isRecentStatusCall(scenario.input.watch.kind)
      ? TENANT_CONTEXTS.map(({ tenantStatusCheck, context }) => ({
          scenario,
          variant: `tenantStatusCheck=${tenantStatusCheck}`,
          context,
        }))
      : [{ scenario, variant: 'default stack', context: {} }],
  );

  it.each(runs)('$scenario.name ($variant): $scenario.description', async ({ scenario, context }) => {
    // Arrange
    const definition = deployedDefinition(context);
    // Act
    const run = await runLocally(definition, scenario.input, {
      cloudfront: scriptedCloudFront(scenario.answers),
      waitMilliseconds: 0,
      enteredTime: ENTERED_TIME,
    });
    // Assert
    expectScenario(scenario, observeLocalRun(run));
  });

  it('publishes a deployed notification word for word, with its attributes', async () => {
    // Arrange
    const scenario = WATCH_SCENARIOS.find((candidate) => candidate.name === 'DeployedAfterFourChecks')!;
    // Act
    const run = await runLocally(deployedDefinition(), scenario.input, {
      cloudfront: scriptedCloudFront(scenario.answers),
      waitMilliseconds: 0,
      enteredTime: ENTERED_TIME,
    });
    // Assert
    const [published] = run.published;
    expect(published!.Subject).toBe('CloudFront E2QWRUHAPOMQZL deployed');
    expect(published!.Message).toBe(
      [
        'Distribution E2QWRUHAPOMQZL is Deployed: the change is live at every edge location.',
        '',
        'What changed:  CreateDistribution on distribution E2QWRUHAPOMQZL',
        'Changed by:    arn:aws:iam::123456789012:user/alice',
        'Started:       2026-11-28T09:15:02Z (when the change was made)',
        'Confirmed:     2026-11-28T09:20:00Z (status check 4)',
        'Domain:        d111111abcdef8.cloudfront.net',
        '',
        'Console: https://us-east-1.console.aws.amazon.com/cloudfront/v4/home?region=us-east-1#/distributions/E2QWRUHAPOMQZL',
        'CloudTrail event ID: 3f1c6a52-8e0b-4d1e-9a53-2f7c1b9e4d01',
        '',
        'Sent by cloudfront-change-notifier.',
      ].join('\n'),
    );
    expect(published!.MessageAttributes).toEqual({
      outcome: { DataType: 'String', StringValue: 'deployed' },
      kind: { DataType: 'String', StringValue: 'distribution' },
      distributionId: { DataType: 'String', StringValue: 'E2QWRUHAPOMQZL' },
    });
  });

  it('publishes a timed-out invalidation notification word for word', async () => {
    // Arrange: an invalidation still InProgress at the last of its 2 checks
    const input = watchInput(fixtureWatch('create-invalidation.json'));
    // Act
    const run = await runLocally(
      deployedDefinition(),
      { ...input, progress: { ...input.progress, maxChecks: 2 } },
      {
        cloudfront: scriptedCloudFront([{ status: 'InProgress' }]),
        waitMilliseconds: 0,
        enteredTime: ENTERED_TIME,
      },
    );
    // Assert
    const [published, ...others] = run.published;
    expect(others).toEqual([]);
    expect(published!.Subject).toBe('CloudFront E2QWRUHAPOMQZL invalidation still running after 4 days');
    expect(published!.Message).toBe(
      [
        'Invalidation I2J0I21PCUYOIK on distribution E2QWRUHAPOMQZL was still InProgress when the watch limit of ' +
          '4 days ran out. CloudFront has no failed state: check the invalidation in the console.',
        '',
        'What changed:  CreateInvalidation on distribution E2QWRUHAPOMQZL',
        'Invalidation:  I2J0I21PCUYOIK',
        'Paths:         3 paths: /index.html, /assets/*, /en/about.html',
        'Changed by:    arn:aws:iam::123456789012:user/alice',
        'Started:       2026-11-28T13:45:10Z (when the change was made)',
        'Last checked:  2026-11-28T09:20:00Z (status check 2)',
        'Unanswered:    0 of 2 status checks (throttled or failing, after retries)',
        '',
        'Console: https://us-east-1.console.aws.amazon.com/cloudfront/v4/home?region=us-east-1#/distributions/E2QWRUHAPOMQZL/invalidations/details/I2J0I21PCUYOIK',
        'CloudTrail event ID: 5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9',
        '',
        'Sent by cloudfront-change-notifier.',
      ].join('\n'),
    );
  });

  it('says how many checks went unanswered when throttling and 5xx outlast the check budget, word for word', async () => {
    // Arrange
    const scenario = WATCH_SCENARIOS.find((candidate) => candidate.name === 'UnansweredUntilBudgetEnds')!;
    // Act
    const run = await runLocally(deployedDefinition(), scenario.input, {
      cloudfront: scriptedCloudFront(scenario.answers),
      waitMilliseconds: 0,
      enteredTime: ENTERED_TIME,
    });
    // Assert
    expect(run.published.map((request) => request.Message)).toEqual([
      [
        'Invalidation I2J0I21PCUYOIK on distribution E2QWRUHAPOMQZL was still InProgress when the watch limit of ' +
          '4 days ran out. CloudFront has no failed state: check the invalidation in the console.',
        '',
        'What changed:  CreateInvalidation on distribution E2QWRUHAPOMQZL',
        'Invalidation:  I2J0I21PCUYOIK',
        'Paths:         3 paths: /index.html, /assets/*, /en/about.html',
        'Changed by:    arn:aws:iam::123456789012:user/alice',
        'Started:       2026-11-28T13:45:10Z (when the change was made)',
        'Last checked:  2026-11-28T09:20:00Z (status check 3)',
        'Unanswered:    3 of 3 status checks (throttled or failing, after retries)',
        '',
        'Console: https://us-east-1.console.aws.amazon.com/cloudfront/v4/home?region=us-east-1#/distributions/E2QWRUHAPOMQZL/invalidations/details/I2J0I21PCUYOIK',
        'CloudTrail event ID: 5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9',
        '',
        'Sent by cloudfront-change-notifier.',
      ].join('\n'),
    ]);
  });
});

describe('the synthesized watch state machine with chat channels, run in aws-local-stepfunctions', () => {
  const chatContext = (kind: WatchKind) => ({ ...contextFor(kind), ...CHAT_CONTEXT });
  // test/statemachine/definition.test.ts runs asl-validator on the chat definition once, not on every run.
  const run = (context: Record<string, string>, scenario: WatchScenario) =>
    runLocally(deployedDefinition(context), scenario.input, {
      cloudfront: scriptedCloudFront(scenario.answers),
      waitMilliseconds: 0,
      enteredTime: ENTERED_TIME,
      skipValidation: true,
    });

  // Word for word against the email text without chat: test/e2e/parity.test.ts, both engines, every outcome.
  it.each(WATCH_SCENARIOS)(
    '$name: ends as without chat, each publish one message with the email text by default and a chat message over HTTPS',
    async (scenario) => {
      // Arrange
      const context = chatContext(scenario.input.watch.kind);
      // Act
      const withChat = await run(context, scenario);
      // Assert
      expectScenario(scenario, observeLocalRun(withChat));
      for (const { MessageStructure, Message } of withChat.published) {
        expect(MessageStructure).toBe('json');
        const message = JSON.parse(Message) as Record<string, string>;
        expect(Object.keys(message)).toEqual(['default', 'https']);
        expect(message.default).toMatch(/\n\nSent by cloudfront-change-notifier\.$/);
        expect(JSON.parse(message.https!)).toMatchObject({ version: '1.0', source: 'custom' });
      }
    },
  );

  it('publishes the deployed chat message word for word', async () => {
    // Arrange
    const scenario = WATCH_SCENARIOS.find((candidate) => candidate.name === 'DeployedAfterFourChecks')!;
    // Act
    const { published } = await run(CHAT_CONTEXT, scenario);
    // Assert
    expect(JSON.parse((JSON.parse(published[0]!.Message) as { https: string }).https)).toEqual({
      version: '1.0',
      source: 'custom',
      content: {
        textType: 'client-markdown',
        title: 'CloudFront E2QWRUHAPOMQZL deployed',
        description: [
          'Distribution E2QWRUHAPOMQZL is Deployed: the change is live at every edge location.',
          'CreateDistribution by arn:aws:iam::123456789012:user/alice, started 2026-11-28T09:15:02Z.',
          'Confirmed 2026-11-28T09:20:00Z (status check 4).',
          'Console: https://us-east-1.console.aws.amazon.com/cloudfront/v4/home?region=us-east-1#/distributions/E2QWRUHAPOMQZL',
        ].join('\n'),
        nextSteps: [],
        keywords: ['CloudFront', 'distribution', 'deployed'],
      },
    });
  });

  it('keeps the chat message valid JSON when the change carries quotes, braces and line breaks', async () => {
    // Arrange: a caller name as an odd identity provider could pass it (backslashes: see the note below)
    const watch = { ...fixtureWatch('update-distribution.json'), changedBy: 'ops "on call" {team}\n\'night\' }{' };
    // Act
    const { published } = await runLocally(deployedDefinition(CHAT_CONTEXT), watchInput(watch), {
      cloudfront: scriptedCloudFront([{ status: 'Deployed' }]),
      waitMilliseconds: 0,
      enteredTime: ENTERED_TIME,
      skipValidation: true,
    });
    // Assert
    const message = JSON.parse(published[0]!.Message) as { default: string; https: string };
    expect(message.default.split('\n')[3]).toBe('Changed by:    ops "on call" {team}');
    expect((JSON.parse(message.https) as { content: { description: string } }).content.description.split('\n')[1]).toBe(
      'UpdateDistribution by ops "on call" {team}',
    );
  });
});

describe('the end of a watch in aws-local-stepfunctions: its Change Finished event and its metrics', () => {
  /** No jitter, so every wait is the schedule's and durationSeconds can be spelled out. */
  const EXACT_WAITS = { checkJitterPercent: '0' };
  const scenarioNamed = (name: string) => WATCH_SCENARIOS.find((candidate) => candidate.name === name)!;

  it('puts a deployed distribution event: the watch, the outcome, 4 checks and 1 min + 3 waits of 17 s', async () => {
    // Arrange
    const scenario = scenarioNamed('DeployedAfterFourChecks');
    // Act
    const run = await runLocally(deployedDefinition(EXACT_WAITS), scenario.input, {
      cloudfront: scriptedCloudFront(scenario.answers),
      waitMilliseconds: 0,
      enteredTime: ENTERED_TIME,
    });
    // Assert
    expect(run.changeEvents).toEqual([
      {
        Entries: [
          {
            Source: 'cloudfront-change-notifier',
            DetailType: 'CloudFront Change Finished',
            EventBusName: 'default',
            Detail: {
              kind: 'distribution',
              change: 'CreateDistribution',
              distributionId: 'E2QWRUHAPOMQZL',
              eTag: 'E2QWRUHEXAMPLE',
              eventId: '3f1c6a52-8e0b-4d1e-9a53-2f7c1b9e4d01',
              startedAt: '2026-11-28T09:15:02Z',
              changedBy: 'arn:aws:iam::123456789012:user/alice',
              consoleUrl:
                'https://us-east-1.console.aws.amazon.com/cloudfront/v4/home?region=us-east-1#/distributions/E2QWRUHAPOMQZL',
              watchLimit: '4 days',
              executionName: 'E2QWRUHAPOMQZL-deploy-E2QWRUHEXAMPLE',
              outcome: 'deployed',
              checks: 4,
              durationSeconds: 111,
              finishedAt: '2026-11-28T09:20:00Z',
            },
          },
        ],
      },
    ]);
    expect(run.metrics).toEqual([
      {
        Namespace: 'CloudFrontChangeNotifier',
        MetricData: [
          {
            MetricName: 'WatchesFinished',
            Dimensions: [
              { Name: 'Notifier', Value: 'CloudFrontChangeNotifier' },
              { Name: 'Outcome', Value: 'deployed' },
            ],
            Value: 1,
            Unit: 'Count',
          },
          {
            MetricName: 'WatchDuration',
            Dimensions: [
              { Name: 'Notifier', Value: 'CloudFrontChangeNotifier' },
              { Name: 'Kind', Value: 'distribution' },
              { Name: 'Outcome', Value: 'deployed' },
            ],
            Value: 111,
            Unit: 'Seconds',
          },
          {
            MetricName: 'ChecksPerWatch',
            Dimensions: [
              { Name: 'Notifier', Value: 'CloudFrontChangeNotifier' },
              { Name: 'Kind', Value: 'distribution' },
              { Name: 'Outcome', Value: 'deployed' },
            ],
            Value: 4,
            Unit: 'Count',
          },
        ],
      },
    ]);
  });

  it('puts a not-found event at check 1, 1 min after the change, on the bus eventBusName names', async () => {
    // Arrange
    const scenario = scenarioNamed('InvalidationNotFound');
    // Act
    const run = await runLocally(deployedDefinition({ ...EXACT_WAITS, eventBusName: 'deployments' }), scenario.input, {
      cloudfront: scriptedCloudFront(scenario.answers),
      waitMilliseconds: 0,
      enteredTime: ENTERED_TIME,
    });
    // Assert
    expect(run.changeEvents).toEqual([
      {
        Entries: [
          {
            Source: 'cloudfront-change-notifier',
            DetailType: 'CloudFront Change Finished',
            EventBusName: 'deployments',
            Detail: {
              kind: 'invalidation',
              change: 'CreateInvalidation',
              distributionId: 'E2QWRUHAPOMQZL',
              invalidationId: 'I2J0I21PCUYOIK',
              paths: '3 paths: /index.html, /assets/*, /en/about.html',
              eventId: '5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9',
              startedAt: '2026-11-28T13:45:10Z',
              changedBy: 'arn:aws:iam::123456789012:user/alice',
              consoleUrl:
                'https://us-east-1.console.aws.amazon.com/cloudfront/v4/home?region=us-east-1#/distributions/E2QWRUHAPOMQZL/invalidations/details/I2J0I21PCUYOIK',
              watchLimit: '4 days',
              executionName: 'E2QWRUHAPOMQZL-invalidate-I2J0I21PCUYOIK',
              outcome: 'not-found',
              checks: 1,
              durationSeconds: 60,
              finishedAt: '2026-11-28T09:20:00Z',
            },
          },
        ],
      },
    ]);
  });

  it('counts the waits after unanswered checks: 1 min, then 8 s + 1 min of back-off, then 8 s + 2 min, for a timed-out invalidation', async () => {
    // Arrange
    const scenario = scenarioNamed('UnansweredUntilBudgetEnds');
    // Act
    const run = await runLocally(deployedDefinition(EXACT_WAITS), scenario.input, {
      cloudfront: scriptedCloudFront(scenario.answers),
      waitMilliseconds: 0,
      enteredTime: ENTERED_TIME,
    });
    // Assert
    expect(run.changeEvents.map((request) => request.Entries[0]!.Detail)).toMatchObject([
      { kind: 'invalidation', outcome: 'timed-out', checks: 3, durationSeconds: 256 },
    ]);
    expect(run.metrics.map((request) => request.MetricData.map((datum) => datum.Value))).toEqual([[1, 256, 3]]);
  });

  it('with events=false puts no event, and still records the metrics', async () => {
    // Arrange
    const scenario = scenarioNamed('AlreadyDeployed');
    // Act
    const run = await runLocally(deployedDefinition({ events: 'false' }), scenario.input, {
      cloudfront: scriptedCloudFront(scenario.answers),
      waitMilliseconds: 0,
      enteredTime: ENTERED_TIME,
    });
    // Assert
    expect(run.changeEvents).toEqual([]);
    expect(run.metrics).toHaveLength(1);
    expect(run.published).toHaveLength(1);
    expect(run.status).toBe('SUCCEEDED');
  });
});

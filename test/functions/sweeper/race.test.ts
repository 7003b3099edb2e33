/**
 * The event path and the sweep meet on the same watch. Mode stepfunctions: the dispatcher and the sweeper, both real,
 * against one simulated state machine that refuses a name twice, in both orders, at the same moment, and with a stale
 * list. Mode sqs-retry: the sweep puts a message for the checker on the buffer queue unless the checker's log shows a
 * watch of the change, and a late event's first check drops its message when that log shows a watch the sweep started;
 * the checker and the sweeper both run for real, CloudWatch Logs is simulated for the filter patterns they write.
 */
import { CloudFrontClient, GetDistributionCommand } from '@aws-sdk/client-cloudfront';
import { FilterLogEventsCommand, type CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { SQSClient, type SendMessageCommand } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { dispatchEvent, type DispatchOutcome } from '../../../functions/dispatcher/dispatch';
import { checkQueuedChange, type StatusCheckDeps } from '../../../functions/sqs-retry/check';
import { sweep, type SweepDeps, type SweepReport } from '../../../functions/sweeper/sweep';
import type { WatchExecutionInput } from '../../../domain/watch-execution';
import { distributionResponse } from '../../../tools/lib/simulated-cloudfront';
import { DISPATCH_SETTINGS } from '../../../tools/scenarios/dispatch-settings';
import { fixtureBody } from '../../../tools/scenarios/fixtures';
import { collectingLogger, type Logged } from '../../support/logger';
import { SimulatedCloudFront, SimulatedStepFunctions, STATE_MACHINE_ARN } from '../../support/simulated-account';

/** Ten minutes after the change of update-distribution.json (11:30:00): its event and the sweep may both be late. */
const NOW = new Date('2026-11-28T11:40:00Z');
const UPDATE_NAME = 'E2QWRUHAPOMQZL-deploy-E2QWRUHEXAMPLE';

describe('mode stepfunctions: the event and the sweep, for one distribution change', () => {
  let sfn: SimulatedStepFunctions;
  let sweepLogger: ReturnType<typeof collectingLogger>;
  const cloudfront = () =>
    new SimulatedCloudFront([
      { id: 'E2QWRUHAPOMQZL', status: 'InProgress', eTag: 'E2QWRUHEXAMPLE', lastModified: '2026-11-28T11:30:00Z' },
    ]);
  const settings = { ...DISPATCH_SETTINGS, watchedEvents: ['UpdateDistribution', 'AssociateAlias'] };

  const dispatch = (file = 'update-distribution.json'): Promise<DispatchOutcome> =>
    dispatchEvent(fixtureBody(file), {
      sfn: sfn.client,
      logger: collectingLogger(),
      stateMachineArn: STATE_MACHINE_ARN,
      settings,
      now: () => NOW,
    });
  const sweepWith = (account: SimulatedCloudFront, now = NOW): Promise<SweepReport> =>
    sweep({
      cloudfront: account.client,
      target: { mode: 'stepfunctions', sfn: sfn.client, stateMachineArn: STATE_MACHINE_ARN },
      logger: sweepLogger,
      settings,
      intervalMinutes: 5,
      now: () => now,
      pause: async () => {},
    });
  const missedLines = () => sweepLogger.lines.filter(({ fields }) => fields.missedByCapture === 1);
  const changeOf = (name: string) => (JSON.parse(sfn.executions.get(name)!.input) as WatchExecutionInput).watch.change;

  beforeEach(() => {
    sfn = new SimulatedStepFunctions();
    sweepLogger = collectingLogger();
  });

  it('event first: the sweep finds the watch already there, starts nothing and counts nothing missed', async () => {
    // Act
    const dispatched = await dispatch();
    const report = await sweepWith(cloudfront());
    // Assert
    expect(dispatched).toMatchObject({ result: 'started', executionName: UPDATE_NAME });
    expect(report.changes.map(({ result }) => result)).toEqual(['already-watched']);
    expect([...sfn.executions.keys()]).toEqual([UPDATE_NAME]);
    expect(changeOf(UPDATE_NAME)).toBe('UpdateDistribution');
    expect(missedLines()).toEqual([]);
  });

  it('sweep first: the late event finds the watch the sweep started, and is a duplicate', async () => {
    // Act
    const report = await sweepWith(cloudfront());
    const dispatched = await dispatch();
    // Assert
    expect(report.changes.map(({ result }) => result)).toEqual(['started']);
    expect(dispatched).toEqual({ result: 'duplicate', executionName: UPDATE_NAME });
    expect([...sfn.executions.keys()]).toEqual([UPDATE_NAME]);
    expect(changeOf(UPDATE_NAME)).toBe('a change found InProgress by the reconciliation sweep');
    expect(missedLines()).toHaveLength(1);
  });

  it('at the same moment: exactly one of the two starts the watch', async () => {
    // Act
    const [dispatched, report] = await Promise.all([dispatch(), sweepWith(cloudfront())]);
    // Assert
    expect([...sfn.executions.keys()]).toEqual([UPDATE_NAME]);
    const starts = [dispatched.result === 'started', report.changes[0]!.result === 'started'];
    expect(starts.filter(Boolean)).toHaveLength(1);
  });

  it('with a stale execution list: the event-started watch is not listed yet, and its name still refuses the sweep', async () => {
    // Arrange
    sfn.staleList = true;
    // Act
    await dispatch();
    const report = await sweepWith(cloudfront());
    // Assert
    expect(report.changes.map(({ result }) => result)).toEqual(['already-watched']);
    expect([...sfn.executions.keys()]).toEqual([UPDATE_NAME]);
    expect(missedLines()).toEqual([]);
  });

  it.each([
    { state: 'still running', running: true },
    { state: 'ended', running: false },
  ])(
    'twice in a row: the second sweep finds its own watch $state, and counts nothing missed again',
    async ({ running }) => {
      // Arrange
      await sweepWith(cloudfront());
      sfn.add(UPDATE_NAME, sfn.executions.get(UPDATE_NAME)!.input, running);
      sweepLogger = collectingLogger();
      // Act
      const second = await sweepWith(cloudfront(), new Date('2026-11-28T11:45:00Z'));
      // Assert
      expect(second.changes.map(({ result }) => result)).toEqual(['already-watched']);
      expect(sfn.executions.size).toBe(1);
      expect(missedLines()).toEqual([]);
    },
  );

  describe('a keyless change (AssociateAlias: no ETag in its record, its watch named after the event)', () => {
    const ALIAS_EVENT_NAME = 'E1TARGETEXAMPL-alias-e1f2a3b4-c5d6-4e7f-8a9b-c0d1e2f3a4b2';
    const aliasAccount = () =>
      new SimulatedCloudFront([
        { id: 'E1TARGETEXAMPL', status: 'InProgress', eTag: 'E9ALIASETAG001', lastModified: '2026-11-28T12:40:00Z' },
      ]);
    const afterAlias = new Date('2026-11-28T12:50:00Z');

    it('is found running by its distribution: the sweep starts no second watch', async () => {
      // Act
      await dispatch('associate-alias.json');
      const report = await sweepWith(aliasAccount(), afterAlias);
      // Assert
      expect(report.changes.map(({ result }) => result)).toEqual(['already-watched']);
      expect([...sfn.executions.keys()]).toEqual([ALIAS_EVENT_NAME]);
    });

    it('gets a second watch when the execution list is stale (the documented limit of keyless changes)', async () => {
      // Arrange
      sfn.staleList = true;
      // Act
      await dispatch('associate-alias.json');
      const report = await sweepWith(aliasAccount(), afterAlias);
      // Assert
      expect(report.changes.map(({ result }) => result)).toEqual(['started']);
      expect([...sfn.executions.keys()]).toEqual([ALIAS_EVENT_NAME, 'E1TARGETEXAMPL-deploy-E9ALIASETAG001']);
    });
  });
});

const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/buffer';
const CHECKER_LOG_GROUP = '/aws/lambda/notifier-status-check';

const cloudfrontMock = mockClient(CloudFrontClient);
// The checker hides a message until its next check: accepted, never sent anywhere.
const sqsMock = mockClient(SQSClient);

/**
 * CloudWatch Logs over the checker's lines, for the filter patterns the sweeper and the checker compose: groups joined
 * by `&&`, each of `$.field = "value"` terms joined by `||`; a line matches when each group has a term its fields hold.
 */
class SimulatedLogs {
  readonly requests: Record<string, unknown>[] = [];
  constructor(private readonly lines: Logged[]) {}

  readonly client = {
    send: async (command: FilterLogEventsCommand) => {
      this.requests.push({ ...command.input });
      const groups = String(command.input.filterPattern)
        .split(' && ')
        .map((group) =>
          [...group.matchAll(/\$\.(\w+) = "([^"]*)"/g)].map(([, field, value]) => ({ field: field!, value: value! })),
        );
      const found = this.lines.filter(({ fields }) =>
        groups.every((terms) => terms.some(({ field, value }) => fields[field] === value)),
      );
      return { events: found.map(({ message }) => ({ message })) };
    },
  } as unknown as Pick<CloudWatchLogsClient, 'send'>;
}

describe('mode sqs-retry: the event and the sweep, for one distribution change', () => {
  let sent: string[];
  let checkerLogger: ReturnType<typeof collectingLogger>;
  const sqs = {
    send: async (command: SendMessageCommand) => {
      sent.push(String(command.input.MessageBody));
      return { MessageId: `message-${sent.length}` };
    },
  } as unknown as Pick<SQSClient, 'send'>;
  const account = () =>
    new SimulatedCloudFront([
      { id: 'E2QWRUHAPOMQZL', status: 'InProgress', eTag: 'E2QWRUHEXAMPLE', lastModified: '2026-11-28T11:30:00Z' },
    ]);

  function sweepDeps(logs: SimulatedLogs, now = NOW): SweepDeps {
    return {
      cloudfront: account().client,
      target: {
        mode: 'sqs-retry',
        sqs,
        queueUrl: QUEUE_URL,
        logs: logs.client,
        checkerLogGroupName: CHECKER_LOG_GROUP,
      },
      logger: collectingLogger(),
      settings: { ...DISPATCH_SETTINGS, watchedEvents: ['UpdateDistribution'] },
      intervalMinutes: 5,
      now: () => now,
      pause: async () => {},
    };
  }

  /**
   * One status check of a buffered message by the real sqs-retry checker, CloudFront answering InProgress; with `logs`,
   * the checker searches them for a watch the sweep started, as it does with the sweep on.
   */
  async function check(body: string, sentAt: Date, logs?: SimulatedLogs) {
    const deps: StatusCheckDeps = {
      cloudfront: new CloudFrontClient({}),
      sns: { send: async () => ({}) } as unknown as StatusCheckDeps['sns'],
      sqs: new SQSClient({}),
      logger: checkerLogger,
      topicArn: 'arn:aws:sns:us-east-1:123456789012:notifications',
      queue: { url: QUEUE_URL, visibilityTimeoutSeconds: 180 },
      settings: { ...DISPATCH_SETTINGS, watchedEvents: ['UpdateDistribution'] },
      // The middle of the jitter range: the wait this race sets is the schedule's own.
      random: () => 0.5,
      now: () => sentAt,
      ...(logs ? { sweptWatches: { logs: logs.client, logGroupName: CHECKER_LOG_GROUP } } : {}),
      notifier: 'CloudFrontChangeNotifier',
      writeMetrics: () => {},
    };
    return checkQueuedChange({ body, receiptHandle: 'handle', receiveCount: 1, sentAt }, deps);
  }

  beforeEach(() => {
    sent = [];
    checkerLogger = collectingLogger();
    cloudfrontMock.reset();
    cloudfrontMock
      .on(GetDistributionCommand)
      .resolves(distributionResponse('E2QWRUHAPOMQZL', 'InProgress', 'E2QWRUHEXAMPLE') as never);
    sqsMock.reset();
  });

  it('searches the checker log for the change since a minute before it was made', async () => {
    // Arrange
    const logs = new SimulatedLogs([]);
    // Act
    await sweep(sweepDeps(logs));
    // Assert
    expect(logs.requests).toEqual([
      {
        logGroupName: '/aws/lambda/notifier-status-check',
        startTime: Date.parse('2026-11-28T11:29:00Z'),
        filterPattern:
          '{ ($.distributionId = "E2QWRUHAPOMQZL") && (($.eTag = "E2QWRUHEXAMPLE") || ($.change = "AssociateAlias")) }',
        limit: 1,
        nextToken: undefined,
      },
    ]);
  });

  it('event first: the checker has logged the watch, so the sweep sends nothing', async () => {
    // Arrange
    await check(fixtureBody('update-distribution.json'), new Date('2026-11-28T11:30:30Z'));
    // Act
    const report = await sweep(sweepDeps(new SimulatedLogs(checkerLogger.lines)));
    // Assert
    expect(report.changes.map(({ result }) => result)).toEqual(['already-watched']);
    expect(sent).toEqual([]);
  });

  it('sweep first: the message it sends is a watch the checker checks and logs, so the next sweep sends no second one', async () => {
    // Arrange
    const first = await sweep(sweepDeps(new SimulatedLogs(checkerLogger.lines)));
    // Act
    const checked = await check(sent[0]!, NOW);
    const second = await sweep(sweepDeps(new SimulatedLogs(checkerLogger.lines), new Date('2026-11-28T11:45:00Z')));
    // Assert
    expect(first.changes.map(({ result }) => result)).toEqual(['started']);
    expect(checked).toMatchObject({ result: 'check-again', check: 1 });
    expect(checkerLogger.lines.at(-1)!.fields).toMatchObject({
      change: 'a change found InProgress by the reconciliation sweep',
      distributionId: 'E2QWRUHAPOMQZL',
      eTag: 'E2QWRUHEXAMPLE',
    });
    expect(second.changes.map(({ result }) => result)).toEqual(['already-watched']);
    expect(sent).toHaveLength(1);
  });

  it("sweep first, then the late event: its first check finds the sweep's watch in the log and ends, unnotified", async () => {
    // Arrange: the sweep takes the change over and the checker checks its message once
    await sweep(sweepDeps(new SimulatedLogs(checkerLogger.lines)));
    await check(sent[0]!, NOW);
    const logs = new SimulatedLogs(checkerLogger.lines);
    // Act: the event, ten minutes late, reaches the checker five minutes after the sweep
    const checked = await check(fixtureBody('update-distribution.json'), new Date('2026-11-28T11:45:00Z'), logs);
    // Assert
    expect(checked).toEqual({
      result: 'skipped',
      reason: 'the reconciliation sweep found this change first and watches it',
    });
    expect(logs.requests).toEqual([
      {
        logGroupName: '/aws/lambda/notifier-status-check',
        startTime: Date.parse('2026-11-28T11:29:00Z'),
        filterPattern:
          '{ ($.distributionId = "E2QWRUHAPOMQZL") && ($.change = "a change found InProgress by the reconciliation sweep") && ($.eTag = "E2QWRUHEXAMPLE") }',
        limit: 1,
        nextToken: undefined,
      },
    ]);
    expect(checkerLogger.lines.at(-1)).toMatchObject({
      message: 'Event skipped',
      fields: { change: 'UpdateDistribution', eTag: 'E2QWRUHEXAMPLE', check: 1 },
    });
    expect(sent).toHaveLength(1);
  });

  it('late event first: its check finds no watch of the sweep and watches; the sweep then finds it and sends nothing', async () => {
    // Arrange
    const logs = new SimulatedLogs(checkerLogger.lines);
    // Act
    const checked = await check(fixtureBody('update-distribution.json'), new Date('2026-11-28T11:35:00Z'), logs);
    const report = await sweep(sweepDeps(new SimulatedLogs(checkerLogger.lines)));
    // Assert
    expect(checked).toMatchObject({ result: 'check-again', check: 1 });
    expect(logs.requests).toHaveLength(1);
    expect(report.changes.map(({ result }) => result)).toEqual(['already-watched']);
    expect(sent).toEqual([]);
  });

  it('a late event whose search fails is watched: a second notification is better than none', async () => {
    // Arrange
    const failing = {
      client: {
        send: async () => {
          throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
        },
      },
    } as unknown as SimulatedLogs;
    // Act
    const checked = await check(fixtureBody('update-distribution.json'), NOW, failing);
    // Assert
    expect(checked).toMatchObject({ result: 'check-again', check: 1 });
    expect(checkerLogger.lines.map(({ level, message }) => [level, message])).toEqual([
      ['warn', 'Could not search the log for a watch the sweep started; the event is watched'],
      ['info', 'Change not done yet'],
    ]);
  });

  it('an event checked within a minute of its change searches nothing: no sweep can have taken it over yet', async () => {
    // Arrange
    const logs = new SimulatedLogs([]);
    // Act
    const checked = await check(fixtureBody('update-distribution.json'), new Date('2026-11-28T11:30:59Z'), logs);
    // Assert
    expect(checked).toMatchObject({ result: 'check-again', check: 1 });
    expect(logs.requests).toEqual([]);
  });

  it("the sweep's own message is never dropped for the watch it is", async () => {
    // Arrange
    await sweep(sweepDeps(new SimulatedLogs([])));
    const logs = new SimulatedLogs(checkerLogger.lines);
    // Act
    const checked = await check(sent[0]!, NOW, logs);
    // Assert
    expect(checked).toMatchObject({ result: 'check-again', check: 1 });
    expect(logs.requests).toEqual([]);
  });

  it('sends the change as a message the checker reads back', async () => {
    // Act
    await sweep(sweepDeps(new SimulatedLogs([])));
    // Assert
    expect(JSON.parse(sent[0]!)).toEqual({
      source: 'cloudfront-change-notifier',
      'detail-type': 'CloudFront change found by the reconciliation sweep',
      detail: {
        kind: 'distribution',
        distributionId: 'E2QWRUHAPOMQZL',
        eTag: 'E2QWRUHEXAMPLE',
        startedAt: '2026-11-28T11:30:00Z',
        foundAt: '2026-11-28T11:40:00Z',
      },
    });
  });
});

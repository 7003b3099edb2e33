/**
 * The event path and the sweep meet on the same watch: the dispatcher and the sweeper, both real, against one
 * simulated state machine that refuses a name twice, in both orders, at the same moment, and with a stale list.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { dispatchEvent, type DispatchOutcome } from '../../../functions/dispatcher/dispatch';
import { sweep, type SweepReport } from '../../../functions/sweeper/sweep';
import type { WatchExecutionInput } from '../../../domain/watch-execution';
import { DISPATCH_SETTINGS } from '../../../tools/scenarios/dispatch-settings';
import { fixtureBody } from '../../../tools/scenarios/fixtures';
import { collectingLogger } from '../../support/logger';
import { SimulatedCloudFront, SimulatedStepFunctions, STATE_MACHINE_ARN } from '../../support/simulated-account';

/** Ten minutes after the change of update-distribution.json (11:30:00): its event and the sweep may both be late. */
const NOW = new Date('2026-11-28T11:40:00Z');
const UPDATE_NAME = 'E2QWRUHAPOMQZL-deploy-E2QWRUHEXAMPLE';

describe('the event and the sweep, for one distribution change', () => {
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

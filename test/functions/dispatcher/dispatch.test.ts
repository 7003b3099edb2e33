import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { dispatchEvent, UnusableEventError, type DispatchDeps } from '../../../functions/dispatcher/dispatch';
import { collectingLogger } from '../../support/logger';
import type { WatchSettings } from '../../../domain/settings';
import { fixtureBody } from '../../../tools/scenarios/fixtures';
import { watchSettingsOf } from '../../../tools/lib/synth';
import { synthesized } from '../../support/definition';
import { DISPATCH_SETTINGS, DISPATCH_STATE_MACHINE_ARN } from '../../../tools/scenarios/dispatch-settings';
import { alreadyExists, EVENT_IDS, executionInput, NOW, startedInputs, throttled } from '../../support/dispatcher';

const sfnMock = mockClient(SFNClient);

describe('DISPATCH_SETTINGS, which these tests drive the dispatcher with', () => {
  it('are the settings the default stack hands over, once the schedule is completed as the functions complete it', () => {
    // Act
    const deployed = watchSettingsOf(synthesized().template);
    // Assert
    expect(deployed).toEqual({
      ...DISPATCH_SETTINGS,
      schedule: {
        pollIntervalSeconds: 60,
        distributionFastPollSeconds: 17,
        invalidationFastPollSeconds: 8,
        distributionFastPhaseSeconds: 900,
        invalidationFastPhaseSeconds: 180,
        growthAfterSeconds: 3_600,
        maxPollIntervalSeconds: 900,
        checkJitterPercent: 10,
      },
    });
  });
});

describe('dispatchEvent', () => {
  let logger: ReturnType<typeof collectingLogger>;
  let deps: DispatchDeps;

  beforeEach(() => {
    sfnMock.reset();
    logger = collectingLogger();
    deps = {
      sfn: new SFNClient({}),
      logger,
      stateMachineArn: DISPATCH_STATE_MACHINE_ARN,
      settings: DISPATCH_SETTINGS,
      now: () => NOW,
    };
  });

  it('starts one execution named after the change, with an input that carries the event id', async () => {
    // Arrange
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: `${DISPATCH_STATE_MACHINE_ARN}:run-1`, startDate: NOW });
    // Act
    const outcome = await dispatchEvent(fixtureBody('update-distribution.json'), deps);
    // Assert
    const name = 'E2QWRUHAPOMQZL-deploy-E2QWRUHEXAMPLE';
    expect(outcome).toEqual({
      result: 'started',
      executionName: name,
      executionArn: `${DISPATCH_STATE_MACHINE_ARN}:run-1`,
    });
    const [call, ...others] = startedInputs(sfnMock);
    expect(others).toEqual([]);
    expect(call).toMatchObject({ stateMachineArn: DISPATCH_STATE_MACHINE_ARN, name });
    const input = executionInput(call!);
    expect(input.watch).toMatchObject({
      eventId: EVENT_IDS['update-distribution.json'],
      distributionId: 'E2QWRUHAPOMQZL',
      executionName: name,
    });
    expect(input.progress).toMatchObject({ check: 1, part: 1 });
    expect(logger.lines).toEqual([
      {
        level: 'info',
        message: 'Watch started',
        fields: expect.objectContaining({
          executionName: name,
          eventId: EVENT_IDS['update-distribution.json'],
          executionArn: `${DISPATCH_STATE_MACHINE_ARN}:run-1`,
        }),
      },
    ]);
  });

  it('gives an event delivered later a smaller check budget', async () => {
    // Arrange
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: `${DISPATCH_STATE_MACHINE_ARN}:run`, startDate: NOW });
    const body = fixtureBody('create-invalidation.json');
    // Act
    await dispatchEvent(body, { ...deps, now: () => new Date('2026-11-28T13:46:10Z') });
    await dispatchEvent(body, { ...deps, now: () => new Date('2026-11-30T13:45:10Z') });
    // Assert: 4 days less a minute, then 2 days, of the invalidation schedule
    expect(startedInputs(sfnMock).map((call) => executionInput(call).progress.maxChecks)).toEqual([522, 330]);
  });

  it.each([
    { label: 'the modeled ExecutionAlreadyExists', error: alreadyExists },
    {
      label: 'an error named ExecutionAlreadyExists',
      error: () => Object.assign(new Error('exists'), { name: 'ExecutionAlreadyExists' }),
    },
  ])('counts $label as a duplicate (a redelivery, or the sweep first), not a failure', async ({ error }) => {
    // Arrange
    sfnMock.on(StartExecutionCommand).rejects(error());
    // Act
    const outcome = await dispatchEvent(fixtureBody('create-invalidation.json'), deps);
    // Assert
    expect(outcome).toEqual({
      result: 'duplicate',
      executionName: 'E2QWRUHAPOMQZL-invalidate-I2J0I21PCUYOIK',
    });
    expect(logger.lines.map((line) => [line.level, line.message])).toEqual([
      ['info', 'Watch already exists for this change (a duplicate delivery, or the sweep found it first)'],
    ]);
  });

  it('rethrows throttling so the record is retried, and warns with the error name', async () => {
    // Arrange
    sfnMock.on(StartExecutionCommand).rejects(throttled());
    // Act
    const dispatch = dispatchEvent(fixtureBody('create-distribution.json'), deps);
    // Assert
    await expect(dispatch).rejects.toMatchObject({ name: 'ThrottlingException' });
    expect(logger.lines).toEqual([
      {
        level: 'warn',
        message: 'Could not start the watch; the record will be retried',
        fields: expect.objectContaining({
          error: 'ThrottlingException',
          errorMessage: 'Rate exceeded',
          eventId: EVENT_IDS['create-distribution.json'],
        }),
      },
    ]);
  });

  it('throws UnusableEventError with the reason, and logs it as an error, for a body that is not JSON', async () => {
    // Act
    const dispatch = dispatchEvent('{"version": "0", "detail": ', deps);
    // Assert
    await expect(dispatch).rejects.toBeInstanceOf(UnusableEventError);
    await expect(dispatch).rejects.toThrow(/message body is not JSON/);
    expect(logger.lines).toEqual([
      {
        level: 'error',
        message: expect.stringContaining('dead-letter queue'),
        fields: { reason: expect.stringMatching(/^message body is not JSON/) },
      },
    ]);
    expect(startedInputs(sfnMock)).toEqual([]);
  });

  it.each([
    { file: 'update-distribution-access-denied.json', reason: /AccessDenied/ },
    { file: 'delete-distribution.json', reason: /DeleteDistribution is not a watched event/ },
  ])('skips $file with an info line and starts nothing', async ({ file, reason }) => {
    // Act
    const outcome = await dispatchEvent(fixtureBody(file), deps);
    // Assert
    expect(outcome).toEqual({ result: 'skipped', reason: expect.stringMatching(reason) });
    expect(logger.lines).toEqual([
      {
        level: 'info',
        message: 'Event skipped',
        fields: expect.objectContaining({ reason: expect.stringMatching(reason) }),
      },
    ]);
    expect(startedInputs(sfnMock)).toEqual([]);
  });

  it('applies the distributionIds setting', async () => {
    // Arrange
    const settings: WatchSettings = { ...DISPATCH_SETTINGS, distributionIds: ['ESOMEOTHERDIST'] };
    // Act
    const outcome = await dispatchEvent(fixtureBody('update-distribution.json'), { ...deps, settings });
    // Assert
    expect(outcome).toEqual({ result: 'skipped', reason: 'distribution E2QWRUHAPOMQZL is not in distributionIds' });
    expect(startedInputs(sfnMock)).toEqual([]);
  });
});

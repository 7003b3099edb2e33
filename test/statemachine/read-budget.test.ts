import aslValidator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import { runLocally, type LocalEngineEvent } from '../../tools/lib/local-engine';
import { scriptedCloudFront } from '../../tools/lib/simulated-cloudfront';
import { readSlotStateNames, STATE_NAMES } from '../../statemachine/state-names';
import { fixtureWatch, watchInput } from '../../tools/scenarios/fixtures';
import { watchSettingsOf } from '../../tools/lib/synth';
import { deployedDefinition, synthesized } from '../support/definition';

const BUDGET = { readBudgetPerSecond: '5' };
const SLOT = readSlotStateNames('distribution');
const ENTERED_TIME = '2026-11-28T13:50:00Z';

function input() {
  return watchInput(fixtureWatch('create-distribution.json'), watchSettingsOf(synthesized(BUDGET).template));
}

/** Runs a distribution watch that finds the change deployed at its first check, with the reservation answered by `reserve`. */
async function runWithReservation(reserve: () => Promise<unknown>) {
  const entered: { name: string; input: unknown }[] = [];
  const run = await runLocally(deployedDefinition(BUDGET), input(), {
    cloudfront: scriptedCloudFront([{ status: 'Deployed' }]),
    enteredTime: ENTERED_TIME,
    waitMilliseconds: 0,
    extraHandlers: { [SLOT.reserve]: reserve },
    onEvent: (event: LocalEngineEvent) => {
      if (event.type === 'StateEntered') entered.push({ name: event.stateName!, input: event.input });
    },
  });
  const names = entered.map(({ name }) => name);
  /** The states from the first reservation on. */
  const fromReservation = names.slice(names.indexOf(SLOT.reserve));
  return { run, entered, fromReservation };
}

describe('the read budget in the definition', () => {
  it('is off by default: a new watch goes straight to its status check', () => {
    // Act
    const definition = deployedDefinition();
    // Assert
    expect(Object.keys(definition.States).filter((name) => /read slot/i.test(name))).toEqual([]);
  });

  it('passes asl-validator with path and ARN checks', () => {
    // Act
    const result = aslValidator(deployedDefinition(BUDGET), { checkPaths: true, checkArn: true });
    // Assert
    expect(result.errorsText()).toBe('');
  });

  it('reserves a slot before every status check: the first, and the one after each wait', () => {
    // Act
    const definition = deployedDefinition(BUDGET);
    const choose = definition.States[STATE_NAMES.chooseKind]!.Choices as { Next: string }[];
    // Assert
    expect(choose.map((choice) => choice.Next)).toContain(SLOT.reserve);
    expect(choose.map((choice) => choice.Next)).not.toContain(STATE_NAMES.distribution.getStatus);
    expect(definition.States[STATE_NAMES.distribution.wait]!.Next).toBe(SLOT.reserve);
    expect(definition.States[STATE_NAMES.invalidation.wait]!.Next).toBe(readSlotStateNames('invalidation').reserve);
    expect(definition.States[SLOT.reserve]).toMatchObject({
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      ResultSelector: { 'waitSeconds.$': '$.Payload.waitSeconds' },
      ResultPath: '$.slot',
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.slot', Next: 'Get distribution status' }],
      Next: 'Read slot now for distribution check?',
    });
    expect(definition.States[SLOT.waitForSlot]).toMatchObject({
      Type: 'Wait',
      SecondsPath: '$.slot.waitSeconds',
      Next: 'Get distribution status',
    });
  });

  it('a slot now: the watch checks at once, without waiting', async () => {
    // Act
    const { run, fromReservation } = await runWithReservation(async () => ({ Payload: { waitSeconds: 0 } }));
    // Assert
    expect(run.status).toBe('SUCCEEDED');
    expect(fromReservation.slice(0, 3)).toEqual([
      'Reserve a read slot for distribution check',
      'Read slot now for distribution check?',
      'Get distribution status',
    ]);
  });

  it('a slot later: the watch waits the seconds the reservation answered, then checks', async () => {
    // Act
    const { run, entered, fromReservation } = await runWithReservation(async () => ({
      Payload: { waitSeconds: 3 },
    }));
    // Assert
    expect(run.status).toBe('SUCCEEDED');
    expect(fromReservation.slice(0, 4)).toEqual([
      'Reserve a read slot for distribution check',
      'Read slot now for distribution check?',
      'Wait for the read slot for distribution check',
      'Get distribution status',
    ]);
    const wait = entered.find(({ name }) => name === SLOT.waitForSlot)!;
    expect((wait.input as { slot: unknown }).slot).toEqual({ waitSeconds: 3 });
  });

  it('the reservation failing: the watch checks anyway, at once, and keeps the error under slot', async () => {
    // Act
    const { run, entered, fromReservation } = await runWithReservation(async () => {
      const error = new Error('Rate exceeded');
      error.name = 'Lambda.TooManyRequestsException';
      throw error;
    });
    // Assert
    expect(run.status).toBe('SUCCEEDED');
    expect(run.cloudfrontCalls).toBe(1);
    expect(fromReservation.slice(0, 2)).toEqual([
      'Reserve a read slot for distribution check',
      'Get distribution status',
    ]);
    const check = entered.find(({ name }) => name === STATE_NAMES.distribution.getStatus)!;
    expect((check.input as { slot: { Error: string } }).slot.Error).toBe('Lambda.TooManyRequestsException');
    expect(run.published.map((request) => request.MessageAttributes.outcome!.StringValue)).toEqual(['deployed']);
  });

  it('the local engine answers the reservation itself, as on an account where no other watch checks: the slot is now', async () => {
    // Act
    const run = await runLocally(deployedDefinition(BUDGET), input(), {
      cloudfront: scriptedCloudFront([{ status: 'Deployed' }]),
      enteredTime: ENTERED_TIME,
      waitMilliseconds: 0,
    });
    // Assert
    expect(
      run.statesEntered.slice(run.statesEntered.indexOf(SLOT.reserve), run.statesEntered.indexOf(SLOT.reserve) + 3),
    ).toEqual([
      'Reserve a read slot for distribution check',
      'Read slot now for distribution check?',
      'Get distribution status',
    ]);
    expect(run.cloudfrontCalls).toBe(1);
  });
});

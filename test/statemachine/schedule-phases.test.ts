import { describe, expect, it } from 'vitest';
import type { WatchExecutionInput } from '../../domain/watch-execution';
import { runLocally, type LocalRunResult } from '../../tools/lib/local-engine';
import { scriptedCloudFront } from '../../tools/lib/simulated-cloudfront';
import { watchSettingsOf } from '../../tools/lib/synth';
import { deployedDefinition, synthesized } from '../support/definition';
import { fixtureWatch, watchInput } from '../../tools/scenarios/fixtures';
import { STATE_NAMES } from '../../statemachine/state-names';
import { WATCH_ERRORS } from '../../domain/errors';

/**
 * A short watch that passes through every phase: 2 s for the first 10 s, 10 s until 30 s, then 20 s (two waits,
 * until the age doubles to 70 s), then the cap of 40 s until the 400 s limit.
 */
const PHASED = {
  pollIntervalSeconds: '10',
  distributionFastPollSeconds: '2',
  distributionFastPhaseSeconds: '10',
  growthAfterSeconds: '30',
  maxPollIntervalSeconds: '40',
  retentionSeconds: '400',
  checkJitterPercent: '0',
};
/** Checks at 0, 2, 4, 6, 8, 10, 20, 30, 50, 70, 110, ... 390 s: 18 checks fit into 400 s. */
const EXPECTED_WAITS = [2, 2, 2, 2, 2, 10, 10, 20, 20, 40, 40, 40, 40, 40, 40, 40, 40];
const IN_PROGRESS = { status: 'InProgress' } as const;

/** The dispatcher's input for a distribution change it sees the moment it happens, with the settings deployed for this context. */
function freshWatch(context: Record<string, string>): WatchExecutionInput {
  return watchInput(fixtureWatch('create-distribution.json'), watchSettingsOf(synthesized(context).template), 0);
}

/** Runs one execution of a change that never finishes and records the seconds each Wait state was handed. */
async function runNeverFinishing(
  input: WatchExecutionInput,
  context: Record<string, string> = PHASED,
): Promise<{ run: LocalRunResult; waits: number[] }> {
  const waits: number[] = [];
  const run = await runLocally(deployedDefinition(context), input, {
    cloudfront: scriptedCloudFront([IN_PROGRESS]),
    waitMilliseconds: 0,
    onEvent: (event) => {
      if (event.type === 'StateEntered' && event.stateName === STATE_NAMES.distribution.wait) {
        waits.push((event.input as { progress: { waitSeconds: number } }).progress.waitSeconds);
      }
    },
  });
  return { run, waits };
}

describe('a long watch in the interpreter', () => {
  it('passes through the fast, normal, growing and capped phases, then times out with one notification', async () => {
    // Arrange
    const input = freshWatch(PHASED);
    // Act
    const { run, waits } = await runNeverFinishing(input);
    // Assert
    expect(input.progress.maxChecks).toBe(18);
    expect(waits).toEqual(EXPECTED_WAITS);
    expect({ status: run.status, error: run.error }).toEqual({ status: 'FAILED', error: WATCH_ERRORS.timedOut });
    expect(run.cloudfrontCalls).toBe(18);
    expect(run.published.map((request) => request.MessageAttributes.outcome!.StringValue)).toEqual(['timed-out']);
  });

  it('names each phase in the console graph by its wait', async () => {
    // Arrange
    const input = freshWatch(PHASED);
    // Act
    const { run } = await runNeverFinishing(input);
    // Assert
    const phasesEntered = [
      ...new Set(run.statesEntered.filter((name) => name.startsWith(STATE_NAMES.distribution.nextCheck))),
    ];
    expect(phasesEntered).toEqual(
      ['2 s', '10 s', '20 s', '40 s'].map((wait) => `${STATE_NAMES.distribution.nextCheck} ${wait}`),
    );
  });

  it('keeps its phase and its waits when it continues in a new execution: the check count and status travel with it', async () => {
    // Arrange: hand over after check 7, in the middle of the normal phase
    const fresh = freshWatch(PHASED);
    const first = await runNeverFinishing({ ...fresh, progress: { ...fresh.progress, continueAt: 7 } });
    const secondInput = first.run.continuations[0]!.Input as WatchExecutionInput;
    // Act
    const second = await runNeverFinishing(secondInput);
    // Assert: part 2 decides on the carried status first, so it waits before its first check like one execution would
    expect(first.run.published).toEqual([]);
    expect(first.waits).toHaveLength(6);
    expect([...first.waits, ...second.waits]).toEqual(EXPECTED_WAITS);
    expect(first.run.cloudfrontCalls + second.run.cloudfrontCalls).toBe(18);
    expect(second.run.published).toHaveLength(1);
  });

  it('draws each wait within checkJitterPercent of the schedule, and keeps the number of checks', async () => {
    // Arrange: half of each wait, rounded down: 2 s → 1 to 3 s, 10 s → 5 to 15 s, 20 s → 10 to 30 s, 40 s → 20 to 60 s
    const jittered = { ...PHASED, checkJitterPercent: '50' };
    const input = freshWatch(jittered);
    const bounds: Record<number, [number, number]> = { 2: [1, 3], 10: [5, 15], 20: [10, 30], 40: [20, 60] };
    // Act
    const { run, waits } = await runNeverFinishing(input, jittered);
    // Assert
    expect(waits).toHaveLength(EXPECTED_WAITS.length);
    waits.forEach((wait, index) => {
      const [low, high] = bounds[EXPECTED_WAITS[index]!]!;
      expect(Number.isInteger(wait)).toBe(true);
      expect(wait).toBeGreaterThanOrEqual(low);
      expect(wait).toBeLessThanOrEqual(high);
    });
    expect(run.cloudfrontCalls).toBe(18);
  });
});

import { describe, expect, it } from 'vitest';
import { runLocally } from '../../tools/lib/local-engine';
import { scriptedCloudFront, THROTTLED, type CloudFrontAnswer } from '../../tools/lib/simulated-cloudfront';
import { watchSettingsOf } from '../../tools/lib/synth';
import { fixtureWatch, watchInput } from '../../tools/scenarios/fixtures';
import { STATE_NAMES } from '../../statemachine/state-names';
import { deployedDefinition, synthesized } from '../support/definition';

/** Without jitter every wait is exact: the schedule's, plus the back-off. */
const NO_JITTER = { checkJitterPercent: '0' };
const IN_PROGRESS: CloudFrontAnswer = { status: 'InProgress' };
const COMPLETED: CloudFrontAnswer = { status: 'Completed' };
/** A check and its one retry, both throttled: a check without an answer. */
const THROTTLED_CHECK: readonly CloudFrontAnswer[] = [THROTTLED, THROTTLED];

interface WaitSeen {
  readonly waitSeconds: number;
  readonly backOffSeconds: number;
}

/** Runs an invalidation watch (8 s fast phase) without jitter, and records each Wait's seconds and the back-off. */
async function watchInvalidation(
  answers: readonly CloudFrontAnswer[],
  carried?: { readonly backOffSeconds: number; readonly backedOffSeconds: number },
) {
  const input = watchInput(fixtureWatch('create-invalidation.json'), watchSettingsOf(synthesized(NO_JITTER).template));
  // A back-off carried over, as a part hands it to the next: the dispatcher never sets one.
  const started = carried === undefined ? input : { ...input, progress: { ...input.progress, ...carried } };
  const waits: WaitSeen[] = [];
  const run = await runLocally(deployedDefinition(NO_JITTER), started, {
    cloudfront: scriptedCloudFront(answers),
    waitMilliseconds: 0,
    onEvent: (event) => {
      if (event.type === 'StateEntered' && event.stateName === STATE_NAMES.invalidation.wait) {
        const { progress } = event.input as { progress: WaitSeen };
        waits.push({ waitSeconds: progress.waitSeconds, backOffSeconds: progress.backOffSeconds });
      }
    },
  });
  return { run, waits };
}

describe('backing off while CloudFront does not answer', () => {
  it('starts at the normal interval and doubles after each check without an answer, up to the cap of 15 min', async () => {
    // Arrange: six checks without an answer, then Completed
    const answers = [...Array.from({ length: 6 }, () => THROTTLED_CHECK).flat(), COMPLETED];
    // Act
    const { run, waits } = await watchInvalidation(answers);
    // Assert: 8 s (the fast phase) plus the back-off
    expect(waits).toEqual([
      { waitSeconds: 68, backOffSeconds: 60 },
      { waitSeconds: 128, backOffSeconds: 120 },
      { waitSeconds: 248, backOffSeconds: 240 },
      { waitSeconds: 488, backOffSeconds: 480 },
      { waitSeconds: 908, backOffSeconds: 900 },
      { waitSeconds: 908, backOffSeconds: 900 },
    ]);
    expect(
      run.statesEntered.filter((name) => name === 'Back off from invalidation checks at most 15 min'),
    ).toHaveLength(2);
    expect(run.published.map((request) => request.MessageAttributes.outcome.StringValue)).toEqual(['completed']);
  });

  it('shrinks by the normal interval after each answer, and grows again from what is left at the next check without an answer', async () => {
    // Arrange: three checks without an answer (back-off 240 s), one InProgress, one without an answer, Completed
    const throttled = [...THROTTLED_CHECK, ...THROTTLED_CHECK, ...THROTTLED_CHECK];
    const answers = [...throttled, IN_PROGRESS, ...THROTTLED_CHECK, COMPLETED];
    // Act
    const { run, waits } = await watchInvalidation(answers);
    // Assert
    expect(waits.map((wait) => wait.backOffSeconds)).toEqual([60, 120, 240, 180, 360]);
    expect(waits.map((wait) => wait.waitSeconds)).toEqual([68, 128, 248, 188, 368]);
    expect(run.published.map((request) => request.MessageAttributes.outcome.StringValue)).toEqual(['completed']);
  });

  it('ends the back-off once it is the normal interval or less, and the schedule alone sets the waits again', async () => {
    // Arrange: a watch carrying a back-off of 150 s, answered InProgress four times, then Completed
    const answers = [IN_PROGRESS, IN_PROGRESS, IN_PROGRESS, IN_PROGRESS, COMPLETED];
    // Act
    const { run, waits } = await watchInvalidation(answers, { backOffSeconds: 150, backedOffSeconds: 0 });
    // Assert
    expect(waits).toEqual([
      { waitSeconds: 98, backOffSeconds: 90 },
      { waitSeconds: 38, backOffSeconds: 30 },
      { waitSeconds: 8, backOffSeconds: 0 },
      { waitSeconds: 8, backOffSeconds: 0 },
    ]);
    expect(run.statesEntered.filter((name) => name === 'Stop backing off from invalidation checks')).toHaveLength(1);
    expect(run.published.map((request) => request.MessageAttributes.outcome.StringValue)).toEqual(['completed']);
  });

  it('stops backing off once the watch has backed off 10 % of its watch limit in all (9 h 36 min of 4 days)', async () => {
    // Arrange: a watch that has backed off 34,500 s of its 34,560, carrying a back-off of 120 s; two checks without an answer
    const answers = [...THROTTLED_CHECK, ...THROTTLED_CHECK, COMPLETED];
    // Act
    const { run, waits } = await watchInvalidation(answers, { backOffSeconds: 120, backedOffSeconds: 34_500 });
    // Assert: the first doubles the back-off, which crosses the budget; after the second the schedule alone sets the wait
    expect(waits).toEqual([
      { waitSeconds: 248, backOffSeconds: 240 },
      { waitSeconds: 8, backOffSeconds: 0 },
    ]);
    expect(run.lastOutput).toMatchObject({ progress: { unanswered: 2, backOffSeconds: 0, backedOffSeconds: 34_740 } });
    expect(run.published.map((request) => request.MessageAttributes.outcome.StringValue)).toEqual(['completed']);
  });

  it('still ends a watch that CloudFront never answers at its check budget, timed out, with every check counted', async () => {
    // Arrange: a budget of 4 checks, all throttled
    const input = watchInput(
      fixtureWatch('create-invalidation.json'),
      watchSettingsOf(synthesized(NO_JITTER).template),
    );
    // Act
    const run = await runLocally(
      deployedDefinition(NO_JITTER),
      { ...input, progress: { ...input.progress, maxChecks: 4 } },
      { cloudfront: scriptedCloudFront(THROTTLED_CHECK), waitMilliseconds: 0 },
    );
    // Assert
    expect({ status: run.status, calls: run.cloudfrontCalls }).toEqual({ status: 'FAILED', calls: 8 });
    expect(run.published.map((request) => request.MessageAttributes.outcome.StringValue)).toEqual(['timed-out']);
    expect(run.lastOutput).toMatchObject({ progress: { check: 4, unanswered: 4, backOffSeconds: 480 } });
  });
});

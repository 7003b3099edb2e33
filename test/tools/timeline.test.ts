import { afterEach, describe, expect, it } from 'vitest';
import { STATUS_CHECK_RETRY } from '../../statemachine/definition';
import { clockText, nominalRetryDelaySeconds, Timeline } from '../../tools/cli/timeline';

function output(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, stream: { isTTY, write: (text: string) => chunks.push(text) } };
}

let timeline: Timeline | undefined;
afterEach(() => timeline?.stop());

describe('the npm start timeline', () => {
  it.each([
    [0, 'T+00:00'],
    [90, 'T+01:30'],
    [59.9, 'T+00:59'],
    [3723, 'T+1:02:03'],
  ])('shows %s simulated seconds as %s', (seconds, text) => {
    // Act / Assert
    expect(clockText(seconds)).toBe(text);
  });

  it('on a terminal, keeps a status line under the timeline and clears it before each line and at the end', () => {
    // Arrange
    const { chunks, stream } = output(true);
    timeline = new Timeline(stream, () => 60);
    // Act
    timeline.showStatus(() => 'waiting');
    timeline.at('check', '2: InProgress');
    timeline.stop();
    // Assert
    const text = chunks.join('');
    // eslint-disable-next-line no-control-regex -- the terminal's escape codes are what this test reads
    expect(text).toMatch(/^\r\x1b\[K. waiting\r\x1b\[K {2}T\+01:00 +check +2: InProgress\n. waiting\r\x1b\[K$/u);
  });

  it('elsewhere (pipes, CI logs) writes plain lines only', () => {
    // Arrange
    const { chunks, stream } = output(false);
    timeline = new Timeline(stream, () => 0);
    // Act
    timeline.showStatus(() => 'waiting');
    timeline.at('check', '1: InProgress');
    timeline.stop();
    // Assert
    expect(chunks.join('')).toBe('  T+00:00   check     1: InProgress\n');
  });

  it('advances the simulated clock by the nominal backoff of the retrier that applies, capped at MaxDelaySeconds', () => {
    // Arrange
    const state = {
      Type: 'Task',
      Retry: [
        { ErrorEquals: ['CloudFront.NoSuchDistributionException'], MaxAttempts: 0 },
        { ErrorEquals: ['States.ALL'], IntervalSeconds: 3, BackoffRate: 2, MaxAttempts: 5, MaxDelaySeconds: 20 },
      ],
    };
    // Act
    const delays = [1, 2, 3, 4, 5].map((attempt) =>
      nominalRetryDelaySeconds(state, 'CloudFront.CloudFrontException', attempt),
    );
    // Assert
    expect(delays).toEqual([3, 6, 12, 20, 20]);
  });

  it("backs off with the deployed status check's retrier: 2, 4, 8, 16, then 30 s at most", () => {
    // Arrange
    const state = { Type: 'Task', Retry: [STATUS_CHECK_RETRY] };
    // Act
    const delays = [1, 2, 3, 4, 5].map((attempt) => nominalRetryDelaySeconds(state, 'States.Timeout', attempt));
    // Assert
    expect(delays).toEqual([2, 4, 8, 16, 30]);
  });
});

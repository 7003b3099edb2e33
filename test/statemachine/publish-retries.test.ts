import { describe, expect, it } from 'vitest';
import { runLocally } from '../../tools/lib/local-engine';
import { scriptedCloudFront } from '../../tools/lib/simulated-cloudfront';
import { fixtureWatch, watchInput } from '../../tools/scenarios/fixtures';
import { deployedDefinition } from '../support/definition';

/** SNS answering with throttling, as the optimized integration names it, this many times before it accepts. */
function snsThrottling(failures: number): () => Promise<{ MessageId: string }> {
  let calls = 0;
  return () => {
    calls += 1;
    if (calls > failures) return Promise.resolve({ MessageId: `message-${calls}` });
    const error = new Error('Rate exceeded');
    error.name = 'SNS.ThrottledException';
    return Promise.reject(error);
  };
}

describe('the notification of a finished watch, when SNS is briefly unavailable', () => {
  it('is sent on the seventh attempt: six failed publishes are retried', async () => {
    // Arrange
    const input = watchInput(fixtureWatch('update-distribution.json'));
    // Act
    const run = await runLocally(deployedDefinition(), input, {
      cloudfront: scriptedCloudFront([{ status: 'Deployed' }]),
      publish: snsThrottling(6),
      waitMilliseconds: 0,
    });
    // Assert
    expect(run.status).toBe('SUCCEEDED');
    expect(run.published).toHaveLength(7);
  });

  it('fails the execution with the SNS error once seven publishes in a row failed', async () => {
    // Arrange
    const input = watchInput(fixtureWatch('update-distribution.json'));
    // Act
    const run = await runLocally(deployedDefinition(), input, {
      cloudfront: scriptedCloudFront([{ status: 'Deployed' }]),
      publish: snsThrottling(7),
      waitMilliseconds: 0,
    });
    // Assert
    expect({ status: run.status, error: run.error }).toEqual({ status: 'FAILED', error: 'SNS.ThrottledException' });
    expect(run.published).toHaveLength(7);
  });
});

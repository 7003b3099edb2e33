import { describe, expect, it } from 'vitest';
import { runLocally } from '../../tools/lib/local-engine';
import { scriptedCloudFront } from '../../tools/lib/simulated-cloudfront';
import { fixtureWatch, watchInput } from '../../tools/scenarios/fixtures';
import { deployedDefinition } from '../support/definition';

/** A call that always fails with this error, as the optimized integration or the aws-sdk one names it. */
function alwaysFails(name: string): () => Promise<never> {
  return () => Promise.reject(Object.assign(new Error(`${name} (simulated)`), { name }));
}

const input = () => watchInput(fixtureWatch('update-distribution.json'));

describe('the end of a watch: notification, Change Finished event and metrics, none of which can lose another', () => {
  it('puts the event and records the metrics after a notification SNS refused through every retry, then fails with the SNS error', async () => {
    // Act
    const run = await runLocally(deployedDefinition(), input(), {
      cloudfront: scriptedCloudFront([{ status: 'Deployed' }]),
      publish: alwaysFails('SNS.AuthorizationErrorException'),
      waitMilliseconds: 0,
    });
    // Assert
    expect({ status: run.status, error: run.error }).toEqual({
      status: 'FAILED',
      error: 'SNS.AuthorizationErrorException',
    });
    expect(run.published).toHaveLength(7);
    expect(run.changeEvents.map((request) => request.Entries[0]!.Detail.outcome)).toEqual(['deployed']);
    expect(run.metrics).toHaveLength(1);
    expect(run.statesEntered.at(-1)).toBe('Notification not sent');
  });

  it('still sends the notification and ends deployed when EventBridge refuses the event through its 2 retries', async () => {
    // Act
    const run = await runLocally(deployedDefinition(), input(), {
      cloudfront: scriptedCloudFront([{ status: 'Deployed' }]),
      putEvents: alwaysFails('EventBridge.FailedEntry'),
      waitMilliseconds: 0,
    });
    // Assert
    expect(run.status).toBe('SUCCEEDED');
    expect(run.published.map((request) => request.MessageAttributes.outcome!.StringValue)).toEqual(['deployed']);
    expect(run.changeEvents).toHaveLength(3);
    expect(run.metrics).toHaveLength(1);
    expect(run.statesEntered.at(-1)).toBe('Change is deployed');
    expect((run.output as { changeEvent: unknown }).changeEvent).toEqual({
      Error: 'EventBridge.FailedEntry',
      Cause: 'EventBridge.FailedEntry (simulated)',
    });
  });

  it('still sends the notification and the event, and ends deployed, when CloudWatch refuses the metrics', async () => {
    // Act
    const run = await runLocally(deployedDefinition(), input(), {
      cloudfront: scriptedCloudFront([{ status: 'Deployed' }]),
      putMetricData: alwaysFails('CloudWatch.CloudWatchException'),
      waitMilliseconds: 0,
    });
    // Assert
    expect(run.status).toBe('SUCCEEDED');
    expect(run.published).toHaveLength(1);
    expect(run.changeEvents).toHaveLength(1);
    expect(run.metrics).toHaveLength(3);
    expect(run.statesEntered.at(-1)).toBe('Change is deployed');
  });

  it('keeps a not-found watch failing with its own error after the event and the metrics, so its alarm stays quiet', async () => {
    // Act
    const run = await runLocally(deployedDefinition(), input(), {
      cloudfront: scriptedCloudFront([
        { error: 'CloudFront.NoSuchDistributionException', cause: 'The specified distribution does not exist.' },
      ]),
      waitMilliseconds: 0,
    });
    // Assert
    expect({ status: run.status, error: run.error }).toEqual({ status: 'FAILED', error: 'DistributionNotFound' });
    expect(run.changeEvents.map((request) => request.Entries[0]!.Detail.outcome)).toEqual(['not-found']);
    expect(run.metrics).toHaveLength(1);
  });
});

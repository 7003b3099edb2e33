import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SFNClient, StartExecutionCommand, ExecutionAlreadyExists } from '@aws-sdk/client-sfn';
import { afterAll, describe, expect, it } from 'vitest';
import { replayDispatcher } from '../../tools/cli/dispatcher-replay';
import { startFakeStepFunctions } from '../../tools/cli/fake-step-functions';
import { disposeApps, sharedPrepare } from './support';

const body = readFileSync(
  fileURLToPath(new URL('../../tools/fixtures/events/create-distribution.json', import.meta.url)),
  'utf8',
);

afterAll(disposeApps);

describe('the bundled dispatcher, replayed locally', () => {
  it('is the esbuild bundle of the synthesized stack, with the environment from the template', () => {
    // Act
    const prepared = sharedPrepare({ retentionSeconds: '7200' });
    // Assert
    expect(prepared.dispatcher.bundlePath).toMatch(
      /node_modules\/\.cache\/cloudfront-change-notifier\/start-[^/]+\/asset\.[0-9a-f]+\/index\.mjs$/,
    );
    expect(prepared.settings.retentionSeconds).toBe(7200);
    expect(prepared.dispatcher.environment.STATE_MACHINE_ARN).toMatch(
      /^arn:aws:states:us-east-1:123456789012:stateMachine:/,
    );
  });

  it('starts one execution, named for the change, through the loopback Step Functions endpoint', async () => {
    // Arrange
    const prepared = sharedPrepare({ retentionSeconds: '7200' });
    // Act
    const replay = await replayDispatcher(prepared, body);
    // Assert
    expect(replay.response).toEqual({ batchItemFailures: [] });
    expect(replay.starts).toHaveLength(1);
    expect(replay.starts[0]!.name).toBe('E2QWRUHAPOMQZL-deploy-E2QWRUHEXAMPLE');
    expect(replay.starts[0]!.stateMachineArn).toBe(prepared.dispatcher.environment.STATE_MACHINE_ARN);
    expect(JSON.parse(replay.starts[0]!.input)).toMatchObject({
      watch: { distributionId: 'E2QWRUHAPOMQZL', watchLimit: '2 h' },
    });
  });

  it('leaves the process environment as it found it', async () => {
    // Arrange
    const prepared = sharedPrepare({ retentionSeconds: '7200' });
    const before = { ...process.env };
    // Act
    await replayDispatcher(prepared, body);
    // Assert
    expect(process.env).toEqual(before);
  });
});

describe('the loopback Step Functions endpoint', () => {
  it('answers StartExecution like the service: same name and input succeed again, another input is ExecutionAlreadyExists', async () => {
    // Arrange
    const fake = await startFakeStepFunctions();
    const client = new SFNClient({ region: 'us-east-1', endpoint: fake.endpoint, maxAttempts: 1 });
    const start = (input: string) =>
      client.send(
        new StartExecutionCommand({
          stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:watch',
          name: 'run-1',
          input,
        }),
      );
    try {
      // Act
      const first = await start('{"a":1}');
      const again = await start('{"a":1}');
      const conflict = await start('{"a":2}').catch((error: unknown) => error);
      // Assert
      expect(first.executionArn).toBe('arn:aws:states:us-east-1:123456789012:execution:watch:run-1');
      expect(again.executionArn).toBe(first.executionArn);
      expect(conflict).toBeInstanceOf(ExecutionAlreadyExists);
      expect(fake.starts).toEqual([
        {
          stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:watch',
          name: 'run-1',
          input: '{"a":1}',
        },
      ]);
    } finally {
      await fake.close();
    }
  });
});

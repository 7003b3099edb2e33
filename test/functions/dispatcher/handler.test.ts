import { SFNClient, StartExecutionCommand, type StartExecutionCommandInput } from '@aws-sdk/client-sfn';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WATCH_SETTINGS_ENV } from '../../../domain/settings';
import { fixtureBody } from '../../../tools/scenarios/fixtures';
import { DISPATCH_SETTINGS, DISPATCH_STATE_MACHINE_ARN } from '../../../tools/scenarios/dispatch-settings';
import { capturePowertoolsLines, lambdaContext, sqsEvent } from '../../support/lambda';
import { alreadyExists, EVENT_IDS, executionInput, NOW, startedInputs, throttled } from '../../support/dispatcher';

const sfnMock = mockClient(SFNClient);

describe('the dispatcher Lambda handler', () => {
  const context = lambdaContext('notifier-dispatcher');
  let logLines: () => Array<Record<string, unknown>>;

  function batch(...records: Array<[messageId: string, body: string]>): SQSEvent {
    return sqsEvent(...records.map(([messageId, body]) => ({ messageId, body })));
  }

  /** The handler reads its environment at import: each test imports a fresh copy. */
  async function importHandler(env: Record<string, string | undefined> = {}) {
    vi.resetModules();
    vi.stubEnv(WATCH_SETTINGS_ENV, JSON.stringify(DISPATCH_SETTINGS));
    vi.stubEnv('STATE_MACHINE_ARN', DISPATCH_STATE_MACHINE_ARN);
    for (const [key, value] of Object.entries(env)) vi.stubEnv(key, value);
    return (await import('../../../functions/dispatcher/handler')).handler;
  }

  beforeEach(() => {
    sfnMock.reset();
    vi.useFakeTimers({ toFake: ['Date'], now: NOW });
    logLines = capturePowertoolsLines();
  });

  afterEach(() => {
    vi.restoreAllMocks();
    vi.useRealTimers();
    vi.unstubAllEnvs();
  });

  it('starts an execution for a watched change and reports no failure', async () => {
    // Arrange
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: `${DISPATCH_STATE_MACHINE_ARN}:run-1`, startDate: NOW });
    const handler = await importHandler();
    // Act
    const response = await handler(batch(['msg-1', fixtureBody('create-invalidation.json')]), context);
    // Assert
    expect(response).toEqual<SQSBatchResponse>({ batchItemFailures: [] });
    const [call, ...others] = startedInputs(sfnMock);
    expect(others).toEqual([]);
    expect(call!.stateMachineArn).toBe(DISPATCH_STATE_MACHINE_ARN);
    expect(call!.name).toBe('E2QWRUHAPOMQZL-invalidate-I2J0I21PCUYOIK');
    expect(executionInput(call!).watch).toMatchObject({
      eventId: EVENT_IDS['create-invalidation.json'],
      kind: 'invalidation',
      invalidationId: 'I2J0I21PCUYOIK',
    });
    expect(logLines()).toContainEqual(
      expect.objectContaining({
        level: 'INFO',
        message: 'Watch started',
        messageId: 'msg-1',
        executionArn: `${DISPATCH_STATE_MACHINE_ARN}:run-1`,
      }),
    );
  });

  it('treats ExecutionAlreadyExists as a duplicate delivery that succeeded', async () => {
    // Arrange
    sfnMock.on(StartExecutionCommand).rejects(alreadyExists());
    const handler = await importHandler();
    // Act
    const response = await handler(batch(['msg-dup', fixtureBody('update-distribution.json')]), context);
    // Assert
    expect(response).toEqual({ batchItemFailures: [] });
    expect(startedInputs(sfnMock)).toHaveLength(1);
    expect(logLines()).toContainEqual(
      expect.objectContaining({
        level: 'INFO',
        message: expect.stringContaining('duplicate delivery'),
        messageId: 'msg-dup',
      }),
    );
  });

  it('fails only the throttled record of a batch, and logs it under that record’s message id', async () => {
    // Arrange
    const throttledEvent = EVENT_IDS['update-distribution.json'];
    sfnMock.on(StartExecutionCommand).callsFake(async (input: StartExecutionCommandInput) => {
      if (executionInput(input).watch.eventId === throttledEvent) throw throttled();
      return { executionArn: `${DISPATCH_STATE_MACHINE_ARN}:${input.name}`, startDate: NOW };
    });
    const handler = await importHandler();
    // Act
    const response = await handler(
      batch(
        ['msg-1', fixtureBody('create-distribution.json')],
        ['msg-2', fixtureBody('update-distribution.json')],
        ['msg-3', fixtureBody('create-invalidation.json')],
      ),
      context,
    );
    // Assert
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'msg-2' }] });
    expect(startedInputs(sfnMock)).toHaveLength(3);
    const lines = logLines();
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'WARN',
        messageId: 'msg-2',
        error: 'ThrottlingException',
        eventId: throttledEvent,
      }),
    );
    for (const [messageId, file] of [
      ['msg-1', 'create-distribution.json'],
      ['msg-3', 'create-invalidation.json'],
    ] as const) {
      expect(lines).toContainEqual(
        expect.objectContaining({ level: 'INFO', message: 'Watch started', messageId, eventId: EVENT_IDS[file] }),
      );
    }
  });

  it('reports a body that is not JSON as a batch item failure with a structured error line that says why', async () => {
    // Arrange
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: `${DISPATCH_STATE_MACHINE_ARN}:run-1`, startDate: NOW });
    const handler = await importHandler();
    // Act
    const response = await handler(
      batch(['msg-good', fixtureBody('create-distribution.json')], ['msg-bad', 'Hello from a test sender']),
      context,
    );
    // Assert
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'msg-bad' }] });
    expect(startedInputs(sfnMock)).toHaveLength(1);
    expect(logLines()).toContainEqual(
      expect.objectContaining({
        level: 'ERROR',
        messageId: 'msg-bad',
        reason: expect.stringMatching(/^message body is not JSON/),
        function_request_id: context.awsRequestId,
      }),
    );
  });

  it('reports a batch whose only record is unusable as a failure of that record', async () => {
    // Arrange
    const handler = await importHandler();
    const notCloudTrail = JSON.stringify({ source: 'aws.s3', 'detail-type': 'Object Created', detail: {} });
    // Act
    const response = await handler(batch(['msg-s3', notCloudTrail]), context);
    // Assert
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'msg-s3' }] });
    expect(logLines()).toContainEqual(
      expect.objectContaining({
        level: 'ERROR',
        messageId: 'msg-s3',
        reason: expect.stringContaining('source="aws.s3"'),
      }),
    );
  });

  it('skips a failed call and an unwatched event: success, no execution, an info line each', async () => {
    // Arrange
    const handler = await importHandler();
    // Act
    const response = await handler(
      batch(
        ['msg-denied', fixtureBody('update-distribution-access-denied.json')],
        ['msg-delete', fixtureBody('delete-distribution.json')],
      ),
      context,
    );
    // Assert
    expect(response).toEqual({ batchItemFailures: [] });
    expect(startedInputs(sfnMock)).toEqual([]);
    const skipped = logLines().filter((line) => line.message === 'Event skipped');
    expect(skipped).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          level: 'INFO',
          messageId: 'msg-denied',
          reason: expect.stringContaining('AccessDenied'),
        }),
        expect.objectContaining({
          level: 'INFO',
          messageId: 'msg-delete',
          reason: 'DeleteDistribution is not a watched event',
        }),
      ]),
    );
    expect(skipped).toHaveLength(2);
  });

  it.each([
    {
      label: `${WATCH_SETTINGS_ENV} missing`,
      env: { [WATCH_SETTINGS_ENV]: undefined },
      message: `${WATCH_SETTINGS_ENV} is not set`,
    },
    {
      label: `${WATCH_SETTINGS_ENV} not JSON`,
      env: { [WATCH_SETTINGS_ENV]: 'retention=4d' },
      message: `${WATCH_SETTINGS_ENV} is not JSON`,
    },
    {
      label: `${WATCH_SETTINGS_ENV} incomplete`,
      env: { [WATCH_SETTINGS_ENV]: '{"watchedEvents":[]}' },
      message: `${WATCH_SETTINGS_ENV} lacks`,
    },
    {
      label: 'STATE_MACHINE_ARN missing',
      env: { STATE_MACHINE_ARN: undefined },
      message: 'STATE_MACHINE_ARN is not set',
    },
    { label: 'STATE_MACHINE_ARN empty', env: { STATE_MACHINE_ARN: '' }, message: 'STATE_MACHINE_ARN is not set' },
  ])('refuses to load with $label', async ({ env, message }) => {
    // Act
    const loading = importHandler(env);
    // Assert
    await expect(loading).rejects.toThrow(message);
  });
});

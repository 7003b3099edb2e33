import {
  ExecutionAlreadyExists,
  SFNClient,
  StartExecutionCommand,
  type StartExecutionCommandInput,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WATCH_SETTINGS_ENV } from '../../../domain/settings';
import { seededRandom } from '../../../tools/bench/stats';
import { fixtureBody } from '../../../tools/scenarios/fixtures';
import { DISPATCH_SETTINGS, DISPATCH_STATE_MACHINE_ARN } from '../../../tools/scenarios/dispatch-settings';
import { capturePowertoolsLines, lambdaContext, sqsEvent } from '../../support/lambda';

const NOW = new Date('2026-11-28T14:00:00Z');
/** The buffer queue's redrive policy (infra/constructs/change-event-capture.ts default). */
const MAX_RECEIVE_COUNT = 5;
const BATCH_SIZE = 10;
const MAX_INVOCATIONS = 400;
const CONTEXT = lambdaContext('notifier-dispatcher');

const sfnMock = mockClient(SFNClient);

/**
 * Step Functions' StartExecution as its API reference describes it (same name and input while running: success; else
 * ExecutionAlreadyExists; https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html),
 * failing at random the way a throttled API does.
 */
class FakeStepFunctions {
  readonly executions = new Map<string, { input: string; running: boolean }>();
  calls = 0;

  constructor(
    private readonly random: () => number,
    private readonly throttleRate: number,
  ) {}

  readonly start = async (request: StartExecutionCommandInput) => {
    this.calls += 1;
    if (this.random() < this.throttleRate) {
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $fault: 'client', $metadata: {} });
    }
    const name = request.name!;
    const arn = `${DISPATCH_STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${name}`;
    const existing = this.executions.get(name);
    if (existing) {
      if (existing.running && existing.input === request.input) return { executionArn: arn, startDate: NOW };
      throw new ExecutionAlreadyExists({ message: `Execution Already Exists: '${arn}'`, $metadata: {} });
    }
    // Some watches finish before a redelivery arrives; the name stays taken either way.
    this.executions.set(name, { input: request.input!, running: this.random() < 0.5 });
    // The call succeeded, but its answer can be lost on the way back: the caller sees an error.
    if (this.random() < this.throttleRate / 3)
      throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError', $metadata: {} });
    return { executionArn: arn, startDate: NOW };
  };
}

function uuid(random: () => number): string {
  const hex = () => Math.floor(random() * 16).toString(16);
  const part = (length: number) => Array.from({ length }, hex).join('');
  return `${part(8)}-${part(4)}-4${part(3)}-a${part(3)}-${part(12)}`;
}

interface RecordedCall {
  detail: { eventID: string; responseElements?: { eTag?: string; invalidation?: { id: string } } };
}

/**
 * A watched change: a fixture with its own event id and its own key, the ETag it produced or its invalidation id (and
 * so its own execution name, which ends with the key).
 */
function watchedBody(file: string, eventId: string, key: string): string {
  const event = JSON.parse(fixtureBody(file)) as RecordedCall;
  event.detail.eventID = eventId;
  const response = event.detail.responseElements;
  if (response?.eTag !== undefined) response.eTag = `E${key}`;
  if (response?.invalidation !== undefined) response.invalidation.id = `I${key}`;
  return JSON.stringify(event);
}

/** The key watchedBody gave a change. */
function keyOf(body: string): string {
  const response = (JSON.parse(body) as RecordedCall).detail.responseElements;
  return (response?.eTag ?? response?.invalidation?.id ?? '').slice(1);
}

const WATCHED_FILES = [
  'create-distribution.json',
  'update-distribution.json',
  'create-invalidation.json',
  'copy-distribution.json',
];
const SKIPPED_FILES = ['delete-distribution.json', 'update-distribution-access-denied.json'];
const JUNK_BODIES = [
  'Hello from a test sender',
  '{"source":"aws.s3","detail-type":"Object Created","detail":{}}',
  JSON.stringify({
    source: 'aws.cloudfront',
    'detail-type': 'AWS API Call via CloudTrail',
    detail: {
      eventSource: 'cloudfront.amazonaws.com',
      eventName: 'CreateInvalidation',
      eventID: 'x\ny',
      eventTime: 'now',
    },
  }),
  watchedBody('update-distribution.json', 'e1', 'KJUNK').replace('E2QWRUHAPOMQZL', 'E2QW/../ZL'),
];

interface Message {
  readonly messageId: string;
  readonly body: string;
  receiveCount: number;
}

describe('the dispatcher under load, with StartExecution throttled at random', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'], now: NOW });
    capturePowertoolsLines();
    vi.stubEnv(WATCH_SETTINGS_ENV, JSON.stringify(DISPATCH_SETTINGS));
    vi.stubEnv('STATE_MACHINE_ARN', DISPATCH_STATE_MACHINE_ARN);
  });

  afterEach(() => {
    vi.restoreAllMocks();
    vi.useRealTimers();
    vi.unstubAllEnvs();
  });

  it('loses no record, starts each change exactly once and never starts junk', async () => {
    vi.resetModules();
    const { handler } = await import('../../../functions/dispatcher/handler');

    await fc.assert(
      fc.asyncProperty(fc.integer(), fc.double({ min: 0.05, max: 0.6, noNaN: true }), async (seed, throttleRate) => {
        // Arrange: distinct changes, EventBridge's duplicate deliveries of some, skipped events and junk, shuffled.
        const random = seededRandom(seed);
        const sfn = new FakeStepFunctions(random, throttleRate);
        sfnMock.reset();
        sfnMock.on(StartExecutionCommand).callsFake(sfn.start);
        const changes = Array.from({ length: 30 }, (_, index) =>
          watchedBody(
            WATCHED_FILES[index % WATCHED_FILES.length]!,
            uuid(random),
            `K${uuid(random).slice(0, 8).toUpperCase()}`,
          ),
        );
        const bodies = [
          ...changes,
          ...changes.filter(() => random() < 0.3),
          ...SKIPPED_FILES.map(fixtureBody),
          ...JUNK_BODIES,
        ];
        let queue: Message[] = bodies
          .map((body, index) => ({ messageId: `msg-${index}`, body, receiveCount: 0, order: random() }))
          .sort((a, b) => a.order - b.order)
          .map(({ messageId, body, receiveCount }) => ({ messageId, body, receiveCount }));
        const deleted: Message[] = [];
        const deadLetters: Message[] = [];
        let invocations = 0;

        // Act: SQS hands out batches; failed records come back until they succeed or reach the dead-letter queue.
        while (queue.length > 0 && invocations < MAX_INVOCATIONS) {
          invocations += 1;
          const batch = queue.slice(0, BATCH_SIZE);
          queue = queue.slice(BATCH_SIZE);
          for (const message of batch) message.receiveCount += 1;
          const response = await handler(sqsEvent(...batch), CONTEXT);
          const failed = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
          for (const message of batch) {
            if (!failed.has(message.messageId)) deleted.push(message);
            else if (message.receiveCount >= MAX_RECEIVE_COUNT) deadLetters.push(message);
            else queue.push(message);
          }
          // At-least-once: now and then SQS delivers a deleted message again.
          if (deleted.length > 0 && random() < 0.1)
            queue.push({ ...deleted[Math.floor(random() * deleted.length)]!, receiveCount: 0 });
        }

        // Assert: every message was handled, and ended deleted (success) or dead-lettered (reported failure).
        expect(queue).toEqual([]);
        const outcomes = (body: string) => ({
          succeeded: deleted.some((message) => message.body === body),
          deadLettered: deadLetters.some((message) => message.body === body),
        });
        const startedNames = [...sfn.executions.keys()];
        for (const body of changes) {
          const executions = startedNames.filter((name) => name.endsWith(keyOf(body))).length;
          const { succeeded, deadLettered } = outcomes(body);
          // Never two watches of one change; a success always means a watch; no watch only for a dead-lettered record.
          expect(executions).toBeLessThanOrEqual(1);
          if (succeeded) expect(executions).toBe(1);
          expect(executions === 1 || deadLettered).toBe(true);
        }
        expect(startedNames.every((name) => changes.some((body) => name.endsWith(keyOf(body))))).toBe(true);
        for (const body of JUNK_BODIES) expect(outcomes(body)).toEqual({ succeeded: false, deadLettered: true });
        for (const file of SKIPPED_FILES)
          expect(outcomes(fixtureBody(file))).toEqual({ succeeded: true, deadLettered: false });
        const handled = new Set([...deleted, ...deadLetters].map((message) => message.messageId));
        expect(handled.size).toBe(bodies.length);
        expect(sfn.calls).toBeGreaterThan(changes.length);
      }),
      { numRuns: 20 },
    );
  });
});

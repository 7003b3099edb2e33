import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_TEXT_SHOWN, type Watch } from '../../../domain/cloudtrail';
import {
  MAX_SUBJECT_LENGTH,
  outcomesFor,
  publishedMessage,
  renderChatNotification,
  renderNotification,
  type NotificationValues,
} from '../../../domain/notification';
import { notificationValues } from '../../../functions/sqs-retry/notification-values';
import type { WatchExecutionInput } from '../../../domain/watch-execution';
import { runLocally } from '../../../tools/lib/local-engine';
import { scriptedCloudFront, SIMULATED_DOMAIN } from '../../../tools/lib/simulated-cloudfront';
import { contextFor, deployedDefinition } from '../../support/definition';
import { CHAT_CONTEXT } from '../../../tools/scenarios/contexts';
import { fixtureBody, fixtureWatch, watchInput, watchOf } from '../../../tools/scenarios/fixtures';

const ENTERED_TIME = '2026-11-28T09:20:00.000Z';
const SNS_MESSAGE_LIMIT_BYTES = 256 * 1024;
const SFN_INPUT_LIMIT_BYTES = 256 * 1024;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** A fixture of every watched call, so every kind and action: the invalidations carry paths to inject into. */
const WATCHED_FIXTURES = [
  'create-distribution.json',
  'update-distribution.json',
  'copy-distribution.json',
  'update-distribution-with-staging-config.json',
  'associate-alias.json',
  'create-invalidation.json',
  'create-distribution-tenant.json',
  'update-distribution-tenant.json',
  'create-invalidation-for-distribution-tenant.json',
];
const INVALIDATION_FIXTURES = ['create-invalidation.json', 'create-invalidation-for-distribution-tenant.json'];

/**
 * Text an attacker or an odd caller could put into an event: quotes, braces, bare {} placeholders, line breaks,
 * JSONPath and intrinsic syntax, unicode. No backslash: aws-local-stepfunctions 3.0.0 strips backslashes from
 * intrinsic results, which real Step Functions does not, so the local engine would differ for that reason alone.
 */
const hostileText = (maxLength: number, minLength = 0) =>
  fc.string({
    unit: fc.oneof(
      {
        weight: 3,
        arbitrary: fc.constantFrom(
          '{}',
          '{',
          '}',
          "'",
          '"',
          '\n',
          '\r\n',
          '\u2028',
          '\t',
          '$.',
          'States.Format(',
          ',',
          '{distributionId}',
          '%s',
          '<b>',
          '\u0000',
        ),
      },
      { weight: 2, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) },
      {
        weight: 1,
        arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }).filter((char) => char !== '\\'),
      },
    ),
    minLength,
    maxLength,
  });

/** The fixture's watch with `changedBy` as the caller and, for an invalidation, `paths` as its paths. */
function eventWith(file: string, changedBy: string, paths: readonly string[]): Watch {
  const event = JSON.parse(fixtureBody(file)) as {
    detail: { userIdentity: Record<string, unknown>; requestParameters: Record<string, any> };
  };
  event.detail.userIdentity = { type: 'IAMUser', arn: changedBy };
  if (INVALIDATION_FIXTURES.includes(file)) event.detail.requestParameters.invalidationBatch.paths.items = paths;
  return watchOf(JSON.stringify(event));
}

/** The id a notification of each kind names in its subject and carries as a message attribute. */
const NOTIFIED_ID = {
  distribution: 'distributionId',
  invalidation: 'distributionId',
  tenant: 'tenantId',
  'tenant-invalidation': 'tenantId',
} as const;

function notifiedId(watch: Watch): { name: 'distributionId' | 'tenantId'; value: string } {
  const name = NOTIFIED_ID[watch.kind];
  return { name, value: watch[name]! };
}

/** The values the status-check Lambda would fill in: one mapping for the pure and the engine checks. */
function valuesFor(input: WatchExecutionInput, domainName?: string): NotificationValues {
  return notificationValues({
    watch: input.watch,
    check: 1,
    checkedAt: new Date(ENTERED_TIME),
    domainName,
    error: { name: 'CloudFront.NoSuchDistributionException', cause: 'The specified distribution does not exist.' },
  });
}

function expectSafeSubject(subject: string): void {
  expect(subject.length).toBeLessThanOrEqual(MAX_SUBJECT_LENGTH);
  expect(subject).not.toMatch(/[\r\n\u2028\u2029]/);
}

describe('notification content built from hostile event text', () => {
  it('keeps subjects within SNS limits, attributes to validated values, and sizes far below the service limits', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...WATCHED_FIXTURES),
        fc.oneof(hostileText(60, 1), fc.constant('\u{1F600}'.repeat(60_000)), fc.constant('{}'.repeat(120_000))),
        fc.array(fc.oneof(hostileText(40), fc.constant('/'.concat('{}'.repeat(10_000)))), { maxLength: 15 }),
        (file, changedBy, paths) => {
          // Arrange
          const watch = eventWith(file, changedBy, paths);
          const input = watchInput(watch);
          const id = notifiedId(watch);
          // Act
          const notifications = outcomesFor(watch.kind).map((outcome) => ({
            outcome,
            ...renderNotification(watch.kind, outcome, valuesFor(input)),
          }));
          // Assert
          expect(Buffer.byteLength(JSON.stringify(input))).toBeLessThan(SFN_INPUT_LIMIT_BYTES / 8);
          expect(watch.changedBy).toEqual(
            changedBy.length <= MAX_TEXT_SHOWN ? changedBy : expect.stringMatching(/\.\.\.$/),
          );
          expect(input.watch.changedBy).not.toMatch(LONE_SURROGATE);
          expect(input.watch.paths ?? '').not.toMatch(LONE_SURROGATE);
          expect(id.value).toMatch(/^\S+$/);
          for (const { outcome, ...notification } of notifications) {
            expectSafeSubject(notification.subject);
            expect(notification.subject).toContain(id.value);
            expect(notification.attributes).toEqual({ outcome, kind: watch.kind, [id.name]: id.value });
            expect(Buffer.byteLength(notification.message)).toBeLessThan(SNS_MESSAGE_LIMIT_BYTES / 8);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it.each([
    { file: 'create-invalidation.json', status: 'Completed', outcome: 'completed' },
    { file: 'update-distribution.json', status: 'Deployed', outcome: 'deployed' },
    { file: 'update-distribution-with-staging-config.json', status: 'Deployed', outcome: 'deployed' },
    { file: 'associate-alias.json', status: 'Deployed', outcome: 'deployed' },
    { file: 'update-distribution-tenant.json', status: 'Deployed', outcome: 'deployed' },
    { file: 'create-invalidation-for-distribution-tenant.json', status: 'Completed', outcome: 'completed' },
  ] as const)(
    'publishes from the synthesized state machine exactly what renderNotification renders, whatever the text ($file)',
    async ({ file, status, outcome }) => {
      const definition = deployedDefinition(contextFor(fixtureWatch(file).kind));
      await fc.assert(
        fc.asyncProperty(
          hostileText(60),
          fc.array(hostileText(30), { minLength: 1, maxLength: 4 }),
          async (changedBy, paths) => {
            // Arrange
            const watch = eventWith(file, changedBy, paths);
            const input = watchInput(watch);
            const id = notifiedId(watch);
            const expected = renderNotification(watch.kind, outcome, valuesFor(input, SIMULATED_DOMAIN));
            // Act
            const run = await runLocally(definition, input, {
              cloudfront: scriptedCloudFront([{ status }]),
              waitMilliseconds: 0,
              enteredTime: ENTERED_TIME,
              skipValidation: true,
            });
            // Assert
            expect(run.status).toBe('SUCCEEDED');
            const [published, ...others] = run.published;
            expect(others).toEqual([]);
            expect(published!.Subject).toBe(expected.subject);
            expect(published!.Message).toBe(expected.message);
            expectSafeSubject(published!.Subject);
            expect(published!.MessageAttributes).toEqual({
              outcome: { DataType: 'String', StringValue: outcome },
              kind: { DataType: 'String', StringValue: watch.kind },
              [id.name]: { DataType: 'String', StringValue: id.value },
            });
          },
        ),
        { numRuns: 4 },
      );
    },
  );

  it.each([
    { file: 'create-invalidation.json', status: 'Completed', outcome: 'completed' },
    { file: 'update-distribution.json', status: 'Deployed', outcome: 'deployed' },
  ] as const)(
    'with chat channels publishes exactly what the code renders, both texts valid whatever the text ($file)',
    async ({ file, status, outcome }) => {
      const definition = deployedDefinition({ ...contextFor(fixtureWatch(file).kind), ...CHAT_CONTEXT });
      await fc.assert(
        fc.asyncProperty(
          hostileText(60),
          fc.array(hostileText(30), { minLength: 1, maxLength: 4 }),
          async (changedBy, paths) => {
            // Arrange
            const watch = eventWith(file, changedBy, paths);
            const input = watchInput(watch);
            const values = valuesFor(input, SIMULATED_DOMAIN);
            const notification = renderNotification(watch.kind, outcome, values);
            const expected = publishedMessage(notification, renderChatNotification(watch.kind, outcome, values));
            // Act
            const run = await runLocally(definition, input, {
              cloudfront: scriptedCloudFront([{ status }]),
              waitMilliseconds: 0,
              enteredTime: ENTERED_TIME,
              skipValidation: true,
            });
            // Assert
            expect(run.status).toBe('SUCCEEDED');
            const [published, ...others] = run.published;
            expect(others).toEqual([]);
            expect(published!.Subject).toBe(notification.subject);
            expect(published!.MessageStructure).toBe('json');
            expect(JSON.parse(published!.Message)).toEqual(JSON.parse(expected.message));
            expect(Buffer.byteLength(published!.Message)).toBeLessThan(SNS_MESSAGE_LIMIT_BYTES / 4);
          },
        ),
        { numRuns: 4 },
      );
    },
  );
});

import {
  CloudFrontClient,
  GetDistributionCommand,
  InvalidArgument,
  GetDistributionTenantCommand,
  GetInvalidationCommand,
  GetInvalidationForDistributionTenantCommand,
} from '@aws-sdk/client-cloudfront';
import { AuthorizationErrorException, PublishCommand, SNSClient, type PublishCommandInput } from '@aws-sdk/client-sns';
import { ChangeMessageVisibilityCommand, SQSClient } from '@aws-sdk/client-sqs';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  checkQueuedChange,
  keepsMessage,
  UNUSABLE_EVENT_VISIBILITY_SECONDS,
  watchDeadline,
  type QueuedChange,
  type StatusCheckDeps,
} from '../../../functions/sqs-retry/check';
import {
  distributionResponse,
  invalidationResponse,
  NEWER_ETAG,
  SIMULATED_DOMAIN,
  SIMULATED_ETAG,
  tenantResponse,
  THROTTLED,
} from '../../../tools/lib/simulated-cloudfront';
import { fixtureBody } from '../../../tools/scenarios/fixtures';
import { collectingLogger } from '../../support/logger';
import { MIDDLE_DRAW, QUEUE_URL, sdkError, VISIBILITY_TIMEOUT_SECONDS } from '../../support/redelivery';
import { DISPATCH_SETTINGS, EVERY_CALL_SETTINGS } from '../../../tools/scenarios/dispatch-settings';
import { UNMODELED_CLOUDFRONT_ERROR, AWS_ERRORS } from '../../../domain/errors';

const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:notifications';
const DISTRIBUTION_ID = 'E2QWRUHAPOMQZL';
const INVALIDATION_ID = 'I2J0I21PCUYOIK';
/** The tenant of the tenant fixtures, and the invalidation of create-invalidation-for-distribution-tenant.json. */
const TENANT_ID = 'dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB';
const TENANT_INVALIDATION_ID = 'I2TENANTINVAL1';
/** update-distribution.json's eventTime, and when EventBridge put it into the queue. */
const UPDATE_TIME = Date.parse('2026-11-28T11:30:00Z');
const UPDATE_SENT = new Date(UPDATE_TIME + 30_000);
const INVALIDATION_SENT = new Date(Date.parse('2026-11-28T13:45:10Z') + 30_000);
const CHECK_TIME = new Date(UPDATE_TIME + 10 * 60_000);
/**
 * The default schedule's last checks, for an event that entered the queue 30 s after its change: the 4-day limit
 * leaves a distribution 540 checks (17 s apart at first) and an invalidation 522 (8 s apart at first).
 */
const LAST_DISTRIBUTION_CHECK = 540;
const LAST_INVALIDATION_CHECK = 522;

const cloudfrontMock = mockClient(CloudFrontClient);
const snsMock = mockClient(SNSClient);
const sqsMock = mockClient(SQSClient);
const eventBridgeMock = mockClient(EventBridgeClient);

function delivery(
  file: string,
  receiveCount: number,
  sentAt = file === 'create-invalidation.json' ? INVALIDATION_SENT : UPDATE_SENT,
): QueuedChange {
  return { body: fixtureBody(file), receiptHandle: `handle-${file}-${receiveCount}`, receiveCount, sentAt };
}

// The simulator answers as the Step Functions integration does, dates as strings where the SDK has Date; check.ts reads no date.
function distribution(status: string, eTag?: string) {
  return distributionResponse(DISTRIBUTION_ID, status, eTag) as never;
}

function tenant(status: string, eTag?: string) {
  return tenantResponse(TENANT_ID, status, eTag) as never;
}

/** A delivery of `file` that entered the queue 30 s after its change, as EventBridge does. */
function deliveryAfterEvent(file: string, receiveCount: number): QueuedChange {
  const eventTime = Date.parse((JSON.parse(fixtureBody(file)) as { detail: { eventTime: string } }).detail.eventTime);
  return delivery(file, receiveCount, new Date(eventTime + 30_000));
}

function invalidation(status: string, id = INVALIDATION_ID) {
  return invalidationResponse(id, status) as never;
}

function throttled(): Error {
  return sdkError(THROTTLED.error, THROTTLED.cause);
}

function published(): PublishCommandInput[] {
  return snsMock.commandCalls(PublishCommand).map((call) => call.args[0].input);
}

function visibilityChanges(): Array<{ ReceiptHandle?: string; VisibilityTimeout?: number; QueueUrl?: string }> {
  return sqsMock.commandCalls(ChangeMessageVisibilityCommand).map((call) => call.args[0].input);
}

describe('checkQueuedChange', () => {
  let logger: ReturnType<typeof collectingLogger>;
  let deps: StatusCheckDeps;
  let metricLines: string[];

  beforeEach(() => {
    metricLines = [];
    cloudfrontMock.reset();
    snsMock.reset();
    sqsMock.reset();
    snsMock.on(PublishCommand).resolves({ MessageId: 'message-1' });
    sqsMock.on(ChangeMessageVisibilityCommand).resolves({});
    logger = collectingLogger();
    deps = {
      cloudfront: new CloudFrontClient({}),
      sns: new SNSClient({}),
      sqs: new SQSClient({}),
      logger,
      topicArn: TOPIC_ARN,
      queue: { url: QUEUE_URL, visibilityTimeoutSeconds: VISIBILITY_TIMEOUT_SECONDS },
      // Every call watched, so the tenant fixtures are watched too; 'skips a tenant call the default stack does not watch' covers the default.
      settings: EVERY_CALL_SETTINGS,
      now: () => CHECK_TIME,
      random: MIDDLE_DRAW,
      notifier: 'CloudFrontChangeNotifier',
      writeMetrics: (line) => metricLines.push(line),
    };
  });

  describe('done', () => {
    it('publishes "deployed" for a Deployed distribution, numbered by the receive count, and releases the message', async () => {
      // Arrange
      cloudfrontMock.on(GetDistributionCommand, { Id: DISTRIBUTION_ID }).resolves(distribution('Deployed'));
      // Act
      const result = await checkQueuedChange(delivery('update-distribution.json', 5), deps);
      // Assert
      expect(result).toEqual({ result: 'notified', outcome: 'deployed', check: 5 });
      expect(keepsMessage(result)).toBe(false);
      const [notification, ...others] = published();
      expect(others).toEqual([]);
      expect(notification).toMatchObject({
        TopicArn: TOPIC_ARN,
        Subject: `CloudFront ${DISTRIBUTION_ID} deployed`,
        MessageAttributes: {
          outcome: { DataType: 'String', StringValue: 'deployed' },
          kind: { DataType: 'String', StringValue: 'distribution' },
          distributionId: { DataType: 'String', StringValue: DISTRIBUTION_ID },
        },
      });
      expect(notification!.Message).toContain(`Confirmed:     ${CHECK_TIME.toISOString()} (status check 5)`);
      expect(notification!.Message).toContain(`Domain:        ${SIMULATED_DOMAIN}`);
      expect(visibilityChanges()).toEqual([]);
    });

    it('publishes "completed" for a Completed invalidation, asking with both ids', async () => {
      // Arrange
      cloudfrontMock
        .on(GetInvalidationCommand, { DistributionId: DISTRIBUTION_ID, Id: INVALIDATION_ID })
        .resolves(invalidation('Completed'));
      // Act
      const result = await checkQueuedChange(delivery('create-invalidation.json', 2), deps);
      // Assert
      expect(result).toEqual({ result: 'notified', outcome: 'completed', check: 2 });
      expect(published().map((input) => input.Subject)).toEqual([
        `CloudFront ${DISTRIBUTION_ID} invalidation completed`,
      ]);
      expect(published()[0]!.Message).toContain(`Invalidation:  ${INVALIDATION_ID}`);
    });

    it('with chat channels publishes the email text by default and the chat message over HTTPS, in one message', async () => {
      // Arrange
      cloudfrontMock.on(GetDistributionCommand, { Id: DISTRIBUTION_ID }).resolves(distribution('Deployed'));
      // Act
      await checkQueuedChange(delivery('update-distribution.json', 5), { ...deps, chat: true });
      // Assert
      const [notification] = published();
      expect(notification!.MessageStructure).toBe('json');
      const message = JSON.parse(notification!.Message!) as { default: string; https: string };
      expect(message.default).toContain(`Confirmed:     ${CHECK_TIME.toISOString()} (status check 5)`);
      expect(JSON.parse(message.https)).toEqual({
        version: '1.0',
        source: 'custom',
        content: {
          textType: 'client-markdown',
          title: `CloudFront ${DISTRIBUTION_ID} deployed`,
          description: [
            `Distribution ${DISTRIBUTION_ID} is Deployed: the change is live at every edge location.`,
            'UpdateDistribution by arn:aws:sts::123456789012:assumed-role/cfn-exec-role/AWSCloudFormation via cloudformation.amazonaws.com, started 2026-11-28T11:30:00Z.',
            `Confirmed ${CHECK_TIME.toISOString()} (status check 5).`,
            `Console: https://us-east-1.console.aws.amazon.com/cloudfront/v4/home?region=us-east-1#/distributions/${DISTRIBUTION_ID}`,
          ].join('\n'),
          nextSteps: [],
          keywords: ['CloudFront', 'distribution', 'deployed'],
        },
      });
    });

    it('without chat channels publishes the email text alone, with no MessageStructure', async () => {
      // Arrange
      cloudfrontMock.on(GetDistributionCommand, { Id: DISTRIBUTION_ID }).resolves(distribution('Deployed'));
      // Act
      await checkQueuedChange(delivery('update-distribution.json', 5), deps);
      // Assert
      const [notification] = published();
      expect(notification!.MessageStructure).toBeUndefined();
      expect(notification!.Message!.split('\n')[0]).toBe(
        `Distribution ${DISTRIBUTION_ID} is Deployed: the change is live at every edge location.`,
      );
    });

    it('still reports a change that is done when the message comes back past its check budget', async () => {
      // Arrange
      cloudfrontMock.on(GetDistributionCommand).resolves(distribution('Deployed'));
      // Act
      const result = await checkQueuedChange(delivery('update-distribution.json', LAST_DISTRIBUTION_CHECK + 2), deps);
      // Assert
      expect(result).toEqual({ result: 'notified', outcome: 'deployed', check: 542 });
    });
  });

  describe('not done', () => {
    it.each([
      [1, 17],
      [53, 17],
      [54, 60],
      [99, 120],
    ])(
      "after check %i hides the message for the schedule's %i s until the next check and keeps it",
      async (check, waitSeconds) => {
        // Arrange
        cloudfrontMock.on(GetDistributionCommand).resolves(distribution('InProgress'));
        const message = delivery('update-distribution.json', check);
        // Act
        const result = await checkQueuedChange(message, deps);
        // Assert
        expect(result).toEqual({ result: 'check-again', check, waitSeconds, reason: 'status is InProgress' });
        expect(keepsMessage(result)).toBe(true);
        expect(visibilityChanges()).toEqual([
          { QueueUrl: QUEUE_URL, ReceiptHandle: message.receiptHandle, VisibilityTimeout: waitSeconds },
        ]);
        expect(published()).toEqual([]);
      },
    );

    it('never asks SQS to hide a message past 12 hours from its receive, even with settings synth would refuse', async () => {
      // Arrange: a 50,000 s interval (a hand-edited WATCH_SETTINGS); SQS counts 43,200 s from the receive, the check runs up to 90 s after it
      cloudfrontMock.on(GetDistributionCommand).resolves(distribution('InProgress'));
      const schedule = {
        pollIntervalSeconds: 50_000,
        distributionFastPhaseSeconds: 0,
        growthAfterSeconds: 1_209_600,
        maxPollIntervalSeconds: 50_000,
      };
      const message = delivery('update-distribution.json', 1);
      // Act
      const result = await checkQueuedChange(message, {
        ...deps,
        settings: { ...deps.settings, retentionSeconds: 1_209_600, schedule },
      });
      // Assert
      expect(result).toMatchObject({ result: 'check-again', check: 1, waitSeconds: 43_110 });
      expect(visibilityChanges()).toEqual([
        { QueueUrl: QUEUE_URL, ReceiptHandle: message.receiptHandle, VisibilityTimeout: 43_110 },
      ]);
    });

    it.each([
      { draw: 0, waitSeconds: 16 },
      { draw: 0.5, waitSeconds: 17 },
      { draw: 0.999_999, waitSeconds: 18 },
    ])('draws the wait within checkJitterPercent of the schedule: $waitSeconds s for a draw of $draw', async (row) => {
      // Arrange: the first 17 s wait, 10 % of it rounded down: 16 to 18 s
      cloudfrontMock.on(GetDistributionCommand).resolves(distribution('InProgress'));
      // Act
      const result = await checkQueuedChange(delivery('update-distribution.json', 1), {
        ...deps,
        random: () => row.draw,
      });
      // Assert
      expect(result).toMatchObject({ result: 'check-again', check: 1, waitSeconds: row.waitSeconds });
      expect(visibilityChanges().map((input) => input.VisibilityTimeout)).toEqual([row.waitSeconds]);
    });

    it('waits exactly the schedule with checkJitterPercent 0, whatever the draw', async () => {
      // Arrange
      cloudfrontMock.on(GetDistributionCommand).resolves(distribution('InProgress'));
      const settings = { ...deps.settings, schedule: { ...deps.settings.schedule, checkJitterPercent: 0 } };
      // Act
      const result = await checkQueuedChange(delivery('update-distribution.json', 1), {
        ...deps,
        settings,
        random: () => 0,
      });
      // Assert
      expect(result).toMatchObject({ result: 'check-again', waitSeconds: 17 });
    });

    it('cuts a jittered wait at the 12 hours SQS allows: near the cap, jitter can only shorten it', async () => {
      // Arrange: every wait 43,110 s, the longest synth allows in mode sqs-retry; 10 % is 4,311 s either way
      cloudfrontMock.on(GetDistributionCommand).resolves(distribution('InProgress'));
      const schedule = {
        pollIntervalSeconds: 43_110,
        distributionFastPhaseSeconds: 0,
        growthAfterSeconds: 1_209_600,
        maxPollIntervalSeconds: 43_110,
      };
      const longest = { ...deps, settings: { ...deps.settings, retentionSeconds: 1_209_600, schedule } };
      // Act
      const low = await checkQueuedChange(delivery('update-distribution.json', 1), { ...longest, random: () => 0 });
      const high = await checkQueuedChange(delivery('update-distribution.json', 1), {
        ...longest,
        random: () => 0.999_999,
      });
      // Assert
      expect([low, high]).toMatchObject([{ waitSeconds: 38_799 }, { waitSeconds: 43_110 }]);
    });

    it('keeps the message even when its visibility cannot be changed: the queue visibility timeout applies', async () => {
      // Arrange
      cloudfrontMock.on(GetInvalidationCommand).resolves(invalidation('InProgress'));
      sqsMock
        .on(ChangeMessageVisibilityCommand)
        .rejects(Object.assign(new Error('SQS unavailable'), { name: 'InternalError', $fault: 'server' }));
      // Act
      const result = await checkQueuedChange(delivery('create-invalidation.json', 1), deps);
      // Assert
      expect(result.result).toBe('check-again');
      expect(logger.lines).toContainEqual(
        expect.objectContaining({
          level: 'warn',
          message: expect.stringContaining('queue visibility timeout applies'),
        }),
      );
    });
  });

  describe('the watch limit', () => {
    it('publishes "timed-out" at the last check of the check budget, counted from when the event entered the queue', async () => {
      // Arrange
      cloudfrontMock.on(GetDistributionCommand).resolves(distribution('InProgress'));
      // Act
      const beforeLast = await checkQueuedChange(delivery('update-distribution.json', 539), deps);
      const last = await checkQueuedChange(delivery('update-distribution.json', LAST_DISTRIBUTION_CHECK), deps);
      // Assert
      expect(beforeLast.result).toBe('check-again');
      expect(last).toEqual({ result: 'notified', outcome: 'timed-out', check: 540 });
      expect(published()[0]!.Subject).toBe('CloudFront E2QWRUHAPOMQZL still deploying after 4 days');
      expect(published()[0]!.Message).toContain('Last checked:  2026-11-28T11:40:00.000Z (status check 540)');
    });

    it('publishes "timed-out" for an invalidation at its last check, word for word', async () => {
      // Arrange
      cloudfrontMock.on(GetInvalidationCommand).resolves(invalidation('InProgress'));
      // Act
      const beforeLast = await checkQueuedChange(delivery('create-invalidation.json', 521), deps);
      const last = await checkQueuedChange(delivery('create-invalidation.json', LAST_INVALIDATION_CHECK), deps);
      // Assert
      expect(beforeLast.result).toBe('check-again');
      expect(last).toEqual({ result: 'notified', outcome: 'timed-out', check: 522 });
      const [notification, ...others] = published();
      expect(others).toEqual([]);
      expect(notification!.Subject).toBe('CloudFront E2QWRUHAPOMQZL invalidation still running after 4 days');
      expect(notification!.Message).toBe(
        [
          'Invalidation I2J0I21PCUYOIK on distribution E2QWRUHAPOMQZL was still InProgress when the watch limit of ' +
            '4 days ran out. CloudFront has no failed state: check the invalidation in the console.',
          '',
          'What changed:  CreateInvalidation on distribution E2QWRUHAPOMQZL',
          'Invalidation:  I2J0I21PCUYOIK',
          'Paths:         3 paths: /index.html, /assets/*, /en/about.html',
          'Changed by:    arn:aws:iam::123456789012:user/alice',
          'Started:       2026-11-28T13:45:10Z (when the change was made)',
          'Last checked:  2026-11-28T11:40:00.000Z (status check 522)',
          'Unanswered:    0 or more of 522 status checks (throttled or failing, after retries)',
          '',
          'Console: https://us-east-1.console.aws.amazon.com/cloudfront/v4/home?region=us-east-1#/distributions/E2QWRUHAPOMQZL/invalidations/details/I2J0I21PCUYOIK',
          'CloudTrail event ID: 5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9',
          '',
          'Sent by cloudfront-change-notifier.',
        ].join('\n'),
      );
      expect(notification!.MessageAttributes).toEqual({
        outcome: { DataType: 'String', StringValue: 'timed-out' },
        kind: { DataType: 'String', StringValue: 'invalidation' },
        distributionId: { DataType: 'String', StringValue: 'E2QWRUHAPOMQZL' },
      });
    });

    it('publishes "timed-out" early when the clock says the next check would fall after the watch limit', async () => {
      // Arrange: the event reached the queue an hour late and only two checks were made (a long outage); the watch
      // limit is 4 days after the change, and the next check would come 17 s after the second
      const sentAt = new Date('2026-11-28T12:30:00Z');
      cloudfrontMock.on(GetDistributionCommand).resolves(distribution('InProgress'));
      // Act
      const inTime = await checkQueuedChange(delivery('update-distribution.json', 2, sentAt), {
        ...deps,
        now: () => new Date('2026-12-02T11:29:43.000Z'),
      });
      const tooLate = await checkQueuedChange(delivery('update-distribution.json', 2, sentAt), {
        ...deps,
        now: () => new Date('2026-12-02T11:29:43.001Z'),
      });
      // Assert
      expect(inTime.result).toBe('check-again');
      expect(tooLate).toEqual({ result: 'notified', outcome: 'timed-out', check: 2 });
    });

    it('keeps room before the message expires for every notification retry', () => {
      // Arrange: an event that reached the queue one minute after the change
      const sentAt = new Date(UPDATE_TIME + 60_000);
      // Act
      const deadline = watchDeadline({
        eventTime: '2026-11-28T11:30:00Z',
        sentAt,
        retentionSeconds: 3_600,
        visibilityTimeoutSeconds: VISIBILITY_TIMEOUT_SECONDS,
      });
      // Assert: the message expires an hour after it was sent, at 12:31; 5 retries of 180 s each come before that
      expect(deadline.toISOString()).toBe('2026-11-28T12:16:00.000Z');
    });

    it('uses the watch limit itself when the event reached the queue long after the change', () => {
      // Arrange
      const sentAt = new Date(UPDATE_TIME + 3 * 3_600_000);
      // Act
      const deadline = watchDeadline({
        eventTime: '2026-11-28T11:30:00Z',
        sentAt,
        retentionSeconds: 86_400,
        visibilityTimeoutSeconds: VISIBILITY_TIMEOUT_SECONDS,
      });
      // Assert
      expect(deadline.toISOString()).toBe('2026-11-29T11:30:00.000Z');
    });
  });

  describe('not found', () => {
    it('publishes "not-found" for a deleted distribution, with the integration\'s error name, and releases the message', async () => {
      // Arrange
      cloudfrontMock
        .on(GetDistributionCommand)
        .rejects(sdkError(AWS_ERRORS.noSuchDistribution, 'The specified distribution does not exist.'));
      // Act
      const result = await checkQueuedChange(delivery('update-distribution.json', 1), deps);
      // Assert
      expect(result).toEqual({ result: 'notified', outcome: 'not-found', check: 1 });
      expect(published()[0]!.Message).toContain('Error:         CloudFront.NoSuchDistributionException');
      expect(visibilityChanges()).toEqual([]);
    });

    it.each([
      ['an unknown invalidation', () => sdkError(AWS_ERRORS.noSuchInvalidation)],
      ['a deleted distribution', () => sdkError(AWS_ERRORS.noSuchDistribution)],
    ])('publishes "not-found" for %s while watching an invalidation', async (_case, error) => {
      // Arrange
      cloudfrontMock.on(GetInvalidationCommand).rejects(error());
      // Act
      const result = await checkQueuedChange(delivery('create-invalidation.json', 1), deps);
      // Assert
      expect(result).toEqual({ result: 'notified', outcome: 'not-found', check: 1 });
      expect(published()[0]!.Subject).toBe(`CloudFront ${DISTRIBUTION_ID} invalidation not found: watch ended`);
    });
  });

  describe('CloudFront errors', () => {
    it.each([
      ['throttling', throttled],
      ['a 503', () => sdkError(UNMODELED_CLOUDFRONT_ERROR, 'Service Unavailable (Status Code: 503)')],
      ['a network error', () => Object.assign(new Error('socket hang up'), { name: 'TimeoutError' })],
      [
        'a refusal that is neither not-found nor access denied',
        () => new InvalidArgument({ message: 'The argument is invalid.', $metadata: { httpStatusCode: 400 } }),
      ],
    ])(
      'keeps the message for the normal interval, not the fast one, after %s: a check without an answer',
      async (_case, error) => {
        // Arrange
        cloudfrontMock.on(GetDistributionCommand).rejects(error());
        // Act
        const result = await checkQueuedChange(delivery('update-distribution.json', 3), deps);
        // Assert
        expect(result).toMatchObject({ result: 'check-again', check: 3, waitSeconds: 60 });
        expect(visibilityChanges().map((input) => input.VisibilityTimeout)).toEqual([60]);
        expect(published()).toEqual([]);
        expect(logger.lines).toContainEqual(
          expect.objectContaining({ level: 'warn', fields: expect.objectContaining({ check: 3 }) }),
        );
      },
    );

    it("keeps the schedule's wait after a check without an answer once it is longer than the normal interval", async () => {
      // Arrange
      cloudfrontMock.on(GetDistributionCommand).rejects(throttled());
      // Act
      const result = await checkQueuedChange(delivery('update-distribution.json', 100), deps);
      // Assert
      expect(result).toMatchObject({ result: 'check-again', check: 100, waitSeconds: 120 });
      expect(visibilityChanges().map((input) => input.VisibilityTimeout)).toEqual([120]);
    });

    it('publishes "timed-out" when the last check of the watch gets no answer either, counting the one it knows of', async () => {
      // Arrange
      cloudfrontMock.on(GetDistributionCommand).rejects(throttled());
      // Act
      const result = await checkQueuedChange(delivery('update-distribution.json', LAST_DISTRIBUTION_CHECK), deps);
      // Assert
      expect(result).toEqual({ result: 'notified', outcome: 'timed-out', check: 540 });
      const lines = published()[0]!.Message!.split('\n');
      expect(lines.slice(5, 8)).toEqual([
        'Last checked:  2026-11-28T11:40:00.000Z (status check 540)',
        'Unanswered:    1 or more of 540 status checks (throttled or failing, after retries)',
        'Domain:        ',
      ]);
    });

    it('publishes "check-failed" at once for access denied, which waiting cannot fix', async () => {
      // Arrange
      cloudfrontMock
        .on(GetDistributionCommand)
        .rejects(sdkError(AWS_ERRORS.accessDenied, 'User is not authorized to perform cloudfront:GetDistribution'));
      // Act
      const result = await checkQueuedChange(delivery('update-distribution.json', 1), deps);
      // Assert
      expect(result).toEqual({ result: 'notified', outcome: 'check-failed', check: 1 });
      expect(published()[0]!.Message).toContain('Error:         CloudFront.AccessDeniedException');
      expect(published()[0]!.Message).toContain(
        'Cause:         User is not authorized to perform cloudfront:GetDistribution',
      );
    });
  });

  describe('SNS errors', () => {
    it.each([
      [
        'throttled',
        () =>
          Object.assign(new Error('Rate exceeded'), {
            name: 'Throttling',
            $fault: 'client',
            $metadata: { httpStatusCode: 400 },
          }),
      ],
      [
        'refused',
        () => new AuthorizationErrorException({ message: 'not authorized', $metadata: { httpStatusCode: 403 } }),
      ],
    ])('keeps the message when the publish is %s, without shortening its visibility', async (_case, error) => {
      // Arrange
      cloudfrontMock.on(GetDistributionCommand).resolves(distribution('Deployed'));
      snsMock.on(PublishCommand).rejects(error());
      // Act
      const result = await checkQueuedChange(delivery('update-distribution.json', 4), deps);
      // Assert
      expect(result).toMatchObject({ result: 'notify-again', outcome: 'deployed' });
      expect(keepsMessage(result)).toBe(true);
      expect(visibilityChanges()).toEqual([]);
      expect(logger.lines).toContainEqual(
        expect.objectContaining({
          level: 'warn',
          fields: expect.objectContaining({ outcome: 'deployed', receiveCount: 4 }),
        }),
      );
    });
  });

  describe('distribution tenants', () => {
    it('skips a tenant call the default stack does not watch: tenant calls are opt-in', async () => {
      // Arrange
      const defaults = { ...deps, settings: DISPATCH_SETTINGS };
      // Act
      const result = await checkQueuedChange(deliveryAfterEvent('update-distribution-tenant.json', 1), defaults);
      // Assert
      expect(result).toEqual({ result: 'skipped', reason: 'UpdateDistributionTenant is not a watched event' });
      expect(cloudfrontMock.calls()).toEqual([]);
      expect(published()).toEqual([]);
    });

    it('asks GetDistributionTenant with the tenant id and publishes "deployed" for a Deployed tenant', async () => {
      // Arrange
      cloudfrontMock.on(GetDistributionTenantCommand, { Identifier: TENANT_ID }).resolves(tenant('Deployed'));
      // Act
      const result = await checkQueuedChange(deliveryAfterEvent('update-distribution-tenant.json', 3), deps);
      // Assert
      expect(result).toEqual({ result: 'notified', outcome: 'deployed', check: 3 });
      expect(cloudfrontMock.commandCalls(GetDistributionTenantCommand).map((call) => call.args[0].input)).toEqual([
        { Identifier: TENANT_ID },
      ]);
      expect(cloudfrontMock.commandCalls(GetDistributionCommand)).toEqual([]);
      const [notification] = published();
      expect(notification).toMatchObject({
        Subject: `CloudFront tenant ${TENANT_ID} deployed`,
        MessageAttributes: {
          outcome: { DataType: 'String', StringValue: 'deployed' },
          kind: { DataType: 'String', StringValue: 'tenant' },
          tenantId: { DataType: 'String', StringValue: TENANT_ID },
        },
      });
      expect(notification!.MessageAttributes).not.toHaveProperty('distributionId');
    });

    it('checks an InProgress tenant again at the schedule of distributions', async () => {
      // Arrange
      cloudfrontMock.on(GetDistributionTenantCommand).resolves(tenant('InProgress'));
      // Act
      const result = await checkQueuedChange(deliveryAfterEvent('create-distribution-tenant.json', 2), deps);
      // Assert
      expect(result).toEqual({
        result: 'check-again',
        check: 2,
        waitSeconds: 17,
        reason: 'status is InProgress',
      });
    });

    it('publishes "not-found" when the tenant calls answer EntityNotFound', async () => {
      // Arrange
      cloudfrontMock
        .on(GetDistributionTenantCommand)
        .rejects(sdkError(AWS_ERRORS.entityNotFound, 'The distribution tenant does not exist.'));
      // Act
      const result = await checkQueuedChange(deliveryAfterEvent('update-distribution-tenant.json', 1), deps);
      // Assert
      expect(result).toEqual({ result: 'notified', outcome: 'not-found', check: 1 });
      expect(published()[0]!.Subject).toBe(`CloudFront tenant ${TENANT_ID} not found: watch ended`);
      expect(published()[0]!.Message).toContain('Error:         CloudFront.EntityNotFoundException');
      expect(visibilityChanges()).toEqual([]);
    });

    it('asks GetInvalidationForDistributionTenant with the tenant and invalidation ids for a tenant invalidation', async () => {
      // Arrange
      cloudfrontMock
        .on(GetInvalidationForDistributionTenantCommand, {
          DistributionTenantId: TENANT_ID,
          Id: TENANT_INVALIDATION_ID,
        })
        .resolves(invalidation('Completed', TENANT_INVALIDATION_ID));
      // Act
      const result = await checkQueuedChange(
        deliveryAfterEvent('create-invalidation-for-distribution-tenant.json', 4),
        deps,
      );
      // Assert
      expect(result).toEqual({ result: 'notified', outcome: 'completed', check: 4 });
      expect(
        cloudfrontMock.commandCalls(GetInvalidationForDistributionTenantCommand).map((call) => call.args[0].input),
      ).toEqual([{ DistributionTenantId: TENANT_ID, Id: TENANT_INVALIDATION_ID }]);
      expect(published()[0]!.Subject).toBe(`CloudFront tenant ${TENANT_ID} invalidation completed`);
      expect(published()[0]!.Message).toContain(`Invalidation:  ${TENANT_INVALIDATION_ID}`);
    });

    it('publishes "not-found" for a tenant invalidation whose tenant is gone', async () => {
      // Arrange
      cloudfrontMock
        .on(GetInvalidationForDistributionTenantCommand)
        .rejects(sdkError(AWS_ERRORS.entityNotFound, 'The distribution tenant does not exist.'));
      // Act
      const result = await checkQueuedChange(
        deliveryAfterEvent('create-invalidation-for-distribution-tenant.json', 1),
        deps,
      );
      // Assert
      expect(result).toEqual({ result: 'notified', outcome: 'not-found', check: 1 });
    });
  });

  describe('superseded', () => {
    it('publishes "superseded" when CloudFront reports Deployed with another ETag than the change made, showing both', async () => {
      // Arrange
      cloudfrontMock.on(GetDistributionCommand).resolves(distribution('Deployed', NEWER_ETAG));
      // Act
      const result = await checkQueuedChange(delivery('update-distribution.json', 6), deps);
      // Assert
      expect(result).toEqual({ result: 'notified', outcome: 'superseded', check: 6 });
      expect(keepsMessage(result)).toBe(false);
      const [notification] = published();
      expect(notification!.Subject).toBe(`CloudFront ${DISTRIBUTION_ID} deployed with a newer change`);
      expect(notification!.Message).toContain(`ETag now:      ${NEWER_ETAG} (this change made ${SIMULATED_ETAG})`);
      expect(notification!.MessageAttributes!.outcome).toEqual({ DataType: 'String', StringValue: 'superseded' });
    });

    it('publishes "superseded" for a tenant Deployed with another ETag', async () => {
      // Arrange
      cloudfrontMock.on(GetDistributionTenantCommand).resolves(tenant('Deployed', NEWER_ETAG));
      // Act
      const result = await checkQueuedChange(deliveryAfterEvent('create-distribution-tenant.json', 2), deps);
      // Assert
      expect(result).toEqual({ result: 'notified', outcome: 'superseded', check: 2 });
      expect(published()[0]!.Message).toContain(`ETag now:      ${NEWER_ETAG} (this change made E3TENANTETAG01)`);
    });

    it('publishes "deployed" whatever the ETag when the event had none (AssociateAlias)', async () => {
      // Arrange
      cloudfrontMock
        .on(GetDistributionCommand, { Id: 'E1TARGETEXAMPL' })
        .resolves(distribution('Deployed', NEWER_ETAG));
      // Act
      const result = await checkQueuedChange(deliveryAfterEvent('associate-alias.json', 1), deps);
      // Assert
      expect(result).toEqual({ result: 'notified', outcome: 'deployed', check: 1 });
      expect(published()[0]!.Subject).toBe('CloudFront E1TARGETEXAMPL deployed');
    });

    it('checks again, and does not call it superseded, when the distribution is InProgress with another ETag', async () => {
      // Arrange
      cloudfrontMock.on(GetDistributionCommand).resolves(distribution('InProgress', NEWER_ETAG));
      // Act
      const result = await checkQueuedChange(delivery('update-distribution.json', 2), deps);
      // Assert
      expect(result).toEqual({
        result: 'check-again',
        check: 2,
        waitSeconds: 17,
        reason: 'status is InProgress',
      });
      expect(published()).toEqual([]);
    });
  });

  describe('events that are not watched', () => {
    it.each(['update-distribution-access-denied.json', 'delete-distribution.json'])(
      'logs %s at info level and releases it without calling anything',
      async (file) => {
        // Arrange
        const message = delivery(file, 1);
        // Act
        const result = await checkQueuedChange(message, deps);
        // Assert
        expect(result.result).toBe('skipped');
        expect(keepsMessage(result)).toBe(false);
        expect(logger.lines.map((line) => line.level)).toEqual(['info']);
        expect(cloudfrontMock.calls()).toEqual([]);
        expect(published()).toEqual([]);
      },
    );

    it.each([
      ['not JSON', '{"detail-type":'],
      ['a truncated CreateDistribution', fixtureBody('create-distribution-without-response.json')],
    ])(
      'logs a message that is %s as an error and sends it straight back, towards the dead-letter queue',
      async (_case, body) => {
        // Arrange
        const message: QueuedChange = { body, receiptHandle: 'handle-bad', receiveCount: 7, sentAt: UPDATE_SENT };
        // Act
        const result = await checkQueuedChange(message, deps);
        // Assert
        expect(result.result).toBe('unusable');
        expect(keepsMessage(result)).toBe(true);
        expect(logger.lines).toEqual([
          expect.objectContaining({ level: 'error', fields: expect.objectContaining({ receiveCount: 7 }) }),
        ]);
        expect(visibilityChanges()).toEqual([
          { QueueUrl: QUEUE_URL, ReceiptHandle: 'handle-bad', VisibilityTimeout: UNUSABLE_EVENT_VISIBILITY_SECONDS },
        ]);
        expect(cloudfrontMock.calls()).toEqual([]);
      },
    );
  });
  describe('the end of a watch: the Change Finished event and the metrics', () => {
    /** The deps with the event going to the default bus. */
    const withEvents = (): StatusCheckDeps => ({
      ...deps,
      changeEvents: { eventBridge: new EventBridgeClient({}), busName: 'default' },
    });
    const entries = () => eventBridgeMock.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries);

    beforeEach(() => {
      eventBridgeMock.reset();
      eventBridgeMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'event-1' }] });
    });

    it('puts one event with the watch and how it ended, 10 min after the change, after the notification', async () => {
      // Arrange
      cloudfrontMock.on(GetDistributionCommand, { Id: DISTRIBUTION_ID }).resolves(distribution('Deployed'));
      // Act
      const result = await checkQueuedChange(delivery('update-distribution.json', 5), withEvents());
      // Assert
      expect(result).toEqual({ result: 'notified', outcome: 'deployed', check: 5 });
      expect(entries()).toEqual([
        [
          {
            Source: 'cloudfront-change-notifier',
            DetailType: 'CloudFront Change Finished',
            EventBusName: 'default',
            Detail: expect.any(String),
          },
        ],
      ]);
      expect(JSON.parse(entries()[0]![0]!.Detail!)).toEqual({
        kind: 'distribution',
        change: 'UpdateDistribution',
        distributionId: DISTRIBUTION_ID,
        eTag: 'E2QWRUHEXAMPLE',
        eventId: 'c4d2e1f0-5a6b-4c7d-8e9f-a0b1c2d3e4f5',
        startedAt: '2026-11-28T11:30:00Z',
        changedBy:
          'arn:aws:sts::123456789012:assumed-role/cfn-exec-role/AWSCloudFormation via cloudformation.amazonaws.com',
        consoleUrl:
          'https://us-east-1.console.aws.amazon.com/cloudfront/v4/home?region=us-east-1#/distributions/E2QWRUHAPOMQZL',
        watchLimit: '4 days',
        executionName: 'E2QWRUHAPOMQZL-deploy-E2QWRUHEXAMPLE',
        outcome: 'deployed',
        checks: 5,
        durationSeconds: 600,
        finishedAt: '2026-11-28T11:40:00.000Z',
      });
      expect(metricLines.map((line) => JSON.parse(line) as Record<string, unknown>)).toMatchObject([
        {
          Notifier: 'CloudFrontChangeNotifier',
          Kind: 'distribution',
          Outcome: 'deployed',
          WatchesFinished: 1,
          WatchDuration: 600,
          ChecksPerWatch: 5,
        },
      ]);
    });

    it.each([
      ['refused', () => eventBridgeMock.on(PutEventsCommand).rejects(new Error('AccessDeniedException'))],
      [
        'answered with a failed entry',
        () =>
          eventBridgeMock
            .on(PutEventsCommand)
            .resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }] }),
      ],
    ])('still notifies, ends the watch and records its metrics when the event is %s', async (_case, failEvent) => {
      // Arrange
      cloudfrontMock.on(GetDistributionCommand, { Id: DISTRIBUTION_ID }).resolves(distribution('Deployed'));
      failEvent();
      // Act
      const result = await checkQueuedChange(delivery('update-distribution.json', 5), withEvents());
      // Assert
      expect(result).toEqual({ result: 'notified', outcome: 'deployed', check: 5 });
      expect(published()).toHaveLength(1);
      expect(metricLines).toHaveLength(1);
      expect(logger.lines).toContainEqual(
        expect.objectContaining({
          level: 'warn',
          message: 'Could not put the Change Finished event; the watch goes on without it',
        }),
      );
    });

    it('puts the event even when the notification fails, and records no metrics until the watch really ends', async () => {
      // Arrange
      cloudfrontMock.on(GetDistributionCommand, { Id: DISTRIBUTION_ID }).resolves(distribution('Deployed'));
      snsMock
        .on(PublishCommand)
        .rejects(new AuthorizationErrorException({ message: 'not authorized', $metadata: { httpStatusCode: 403 } }));
      // Act
      const result = await checkQueuedChange(delivery('update-distribution.json', 4), withEvents());
      // Assert
      expect(result).toMatchObject({ result: 'notify-again', outcome: 'deployed' });
      expect(entries()).toHaveLength(1);
      expect(metricLines).toEqual([]);
    });

    it('puts no event when events are off (no changeEvents), and records the metrics', async () => {
      // Arrange
      cloudfrontMock.on(GetDistributionCommand, { Id: DISTRIBUTION_ID }).resolves(distribution('Deployed'));
      // Act
      const result = await checkQueuedChange(delivery('update-distribution.json', 5), deps);
      // Assert
      expect(result).toEqual({ result: 'notified', outcome: 'deployed', check: 5 });
      expect(entries()).toEqual([]);
      expect(metricLines).toHaveLength(1);
    });
  });
});

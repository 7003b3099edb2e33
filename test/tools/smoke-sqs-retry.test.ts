/**
 * `npm run smoke` against a stack deployed in mode sqs-retry, offline: the event goes to a mocked SQS, the status
 * check's log lines come from a mocked CloudWatch Logs. One synth, as the "deployed" template.
 */
import { CloudFrontClient, GetDistributionCommand } from '@aws-sdk/client-cloudfront';
import {
  CloudWatchLogsServiceException,
  FilterLogEventsCommand,
  type FilteredLogEvent,
} from '@aws-sdk/client-cloudwatch-logs';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SendMessageCommand, SQSClient, SQSServiceException } from '@aws-sdk/client-sqs';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { checkQueuedChange } from '../../functions/sqs-retry/check';
import { synthNotifier, watchSettingsOf, type CfnTemplate } from '../../tools/lib/synth';
import { cloudFront, logs, sfn, sns, sqs } from './aws-mocks';
import { DISTRIBUTION, EVENT_ID, NOW, resetWithCaller, smoke, stackDeployed, TOPIC } from './smoke-support';
import { MIDDLE_DRAW } from '../support/redelivery';

const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/CloudFrontChangeNotifier-CaptureBufferQueue';
const LOG_GROUP = 'CloudFrontChangeNotifier-StatusCheckLogs1A2B3C4D-xYz';

let deployedTemplate: CfnTemplate;
beforeAll(() => {
  deployedTemplate = synthNotifier({ mode: 'sqs-retry' }).template;
});

/** A status-check log line as Powertools Logger prints it: level and message, then every field of the call. */
function logLine(
  seconds: number,
  message: string,
  fields: Record<string, unknown>,
  id = `${seconds}-${message}`,
): FilteredLogEvent {
  return {
    eventId: id,
    timestamp: Date.parse(NOW) + seconds * 1000,
    logStreamName: '2027/03/01/[$LATEST]abc',
    message: JSON.stringify({
      level: 'INFO',
      message,
      timestamp: new Date(Date.parse(NOW) + seconds * 1000).toISOString(),
      service: 'cloudfront-change-notifier',
      ...fields,
    }),
  };
}
const WATCH_FIELDS = {
  messageId: 'sqs-message-1',
  kind: 'distribution',
  change: 'UpdateDistribution',
  eventId: EVENT_ID,
  distributionId: DISTRIBUTION,
  maxChecks: 540,
};
const NOT_DONE = logLine(21, 'Change not done yet', {
  ...WATCH_FIELDS,
  check: 1,
  lastCheck: false,
  status: 'InProgress',
  waitSeconds: 17,
});
const ENDED = logLine(40, 'Watch ended; notification sent', {
  ...WATCH_FIELDS,
  check: 2,
  lastCheck: false,
  outcome: 'deployed',
});

/** The first search only checks that the log group is readable; the later ones find the watch's lines. */
function logsAnswer(...polls: FilteredLogEvent[][]) {
  const mock = logs.on(FilterLogEventsCommand).resolvesOnce({ events: [] });
  for (const events of polls) mock.resolvesOnce({ events });
  mock.resolves({ events: polls.at(-1) ?? [] });
}

function sentEvent(): Record<string, unknown> {
  return JSON.parse(sqs.commandCalls(SendMessageCommand)[0]!.args[0].input.MessageBody!) as Record<string, unknown>;
}

beforeEach(() => {
  resetWithCaller();
  stackDeployed(
    deployedTemplate,
    [
      { OutputKey: 'TopicArn', OutputValue: TOPIC },
      { OutputKey: 'BufferQueueUrl', OutputValue: QUEUE_URL },
      { OutputKey: 'DeadLetterQueueUrl', OutputValue: `${QUEUE_URL}-dlq` },
      { OutputKey: 'StatusCheckFunctionName', OutputValue: 'CloudFrontChangeNotifier-StatusCheckFunction' },
      { OutputKey: 'StatusCheckLogGroupName', OutputValue: LOG_GROUP },
    ],
    'CREATE_COMPLETE',
  );
  sqs.on(SendMessageCommand).resolves({ MessageId: 'sqs-message-1' });
});

describe('npm run smoke in mode sqs-retry', () => {
  it('sends the CloudTrail event the capture rule would forward to the buffer queue', async () => {
    // Arrange
    logsAnswer([ENDED]);
    // Act
    await smoke(['--distribution', DISTRIBUTION]);
    // Assert
    expect(sqs.commandCalls(SendMessageCommand).map((call) => call.args[0].input.QueueUrl)).toEqual([QUEUE_URL]);
    expect(sentEvent()).toMatchObject({
      'detail-type': 'AWS API Call via CloudTrail',
      source: 'aws.cloudfront',
      account: '123456789012',
      region: 'us-east-1',
      time: '2027-03-01T08:00:00Z',
      detail: {
        eventSource: 'cloudfront.amazonaws.com',
        eventName: 'UpdateDistribution',
        eventID: 'smoke-20270301T080000Z-a1b2c3',
        eventTime: '2027-03-01T08:00:00Z',
        userIdentity: { arn: 'arn:aws:iam::123456789012:user/alice', accountId: '123456789012' },
        requestParameters: { id: 'E2QWRUHAPOMQZL' },
        responseElements: { distribution: { id: 'E2QWRUHAPOMQZL' } },
      },
    });
    expect(sfn.calls()).toHaveLength(0);
  });

  it('sends CreateInvalidation with both ids for --invalidation', async () => {
    // Arrange
    logsAnswer([
      logLine(9, 'Watch ended; notification sent', {
        ...WATCH_FIELDS,
        kind: 'invalidation',
        check: 1,
        outcome: 'completed',
      }),
    ]);
    // Act
    const { code } = await smoke(['--distribution', DISTRIBUTION, '--invalidation', 'I2J0I21PCUYOIK']);
    // Assert
    expect(code).toBe(0);
    expect(sentEvent()).toMatchObject({
      detail: {
        eventName: 'CreateInvalidation',
        requestParameters: { distributionId: 'E2QWRUHAPOMQZL' },
        responseElements: { invalidation: { id: 'I2J0I21PCUYOIK' } },
      },
    });
  });

  it('shows a check CloudFront gave no answer to, and the watch going on to its next check', async () => {
    // Arrange
    const noAnswer = logLine(21, 'CloudFront gave no answer; the change is checked again at the next scheduled check', {
      ...WATCH_FIELDS,
      check: 1,
      lastCheck: false,
      error: 'CloudFront.CloudFrontException',
      errorMessage: 'Rate exceeded',
    });
    logsAnswer([noAnswer], [noAnswer, ENDED]);
    // Act
    const { code, stdout } = await smoke(['--distribution', DISTRIBUTION]);
    // Assert
    expect(code).toBe(0);
    expect(stdout).toContain('  T+00:21   check     1: CloudFront.CloudFrontException, checked again later\n');
  });

  it('passes once the status check logs "Watch ended; notification sent" with outcome deployed', async () => {
    // Arrange
    logsAnswer([NOT_DONE], [NOT_DONE, ENDED]);
    // Act
    const { code, stdout, stderr, sleeps } = await smoke(['--distribution', DISTRIBUTION]);
    // Assert
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toContain(
      '  stack        CloudFrontChangeNotifier (CREATE_COMPLETE) in account 123456789012, us-east-1, mode sqs-retry\n',
    );
    expect(stdout).toContain(
      '  T+00:00   send      distribution E2QWRUHAPOMQZL: CloudTrail event sent to the buffer queue as arn:aws:iam::123456789012:user/alice\n',
    );
    expect(stdout).toContain(
      '                      event ID smoke-20270301T080000Z-a1b2c3, SQS message sqs-message-1\n',
    );
    expect(stdout).toContain('  T+00:21   check     1: InProgress\n                      checked again in 17 s\n');
    expect(stdout).toContain('  T+00:40   notify    2: the "deployed" notification was sent\n');
    expect(stdout).toContain(`Notification sent to ${TOPIC} by the status check.\n`);
    expect(stdout).toContain(
      '\nPASS: the watch of distribution E2QWRUHAPOMQZL ended "deployed" and its notification was sent: ' +
        'the buffer queue, the sqs-retry checker, its role, the CloudFront status check, KMS and SNS work\n',
    );
    expect(sleeps).toEqual([5000]);
    expect(logs.commandCalls(FilterLogEventsCommand)[1]!.args[0].input).toEqual({
      logGroupName: LOG_GROUP,
      filterPattern: '"smoke-20270301T080000Z-a1b2c3"',
      startTime: Date.parse('2027-03-01T07:59:00Z'),
    });
  });

  it('reads a Powertools line that Lambda wrapped in a JSON record of its own', async () => {
    // Arrange
    const wrapped = {
      ...ENDED,
      message: JSON.stringify({ timestamp: NOW, level: 'INFO', requestId: 'r-1', message: ENDED.message }),
    };
    logsAnswer([wrapped]);
    // Act
    const { code, stdout } = await smoke(['--distribution', DISTRIBUTION]);
    // Assert
    expect(code).toBe(0);
    expect(stdout).toContain('  T+00:40   notify    2: the "deployed" notification was sent\n');
  });

  it('fails with the reason when the watch ends not-found', async () => {
    // Arrange
    logsAnswer([
      logLine(3, 'Watch ended; notification sent', {
        ...WATCH_FIELDS,
        check: 1,
        outcome: 'not-found',
        error: 'CloudFront.NoSuchDistributionException',
      }),
    ]);
    // Act
    const { code, stdout } = await smoke(['--distribution', DISTRIBUTION]);
    // Assert
    expect(code).toBe(1);
    expect(stdout).toContain(
      'FAIL: not found: CloudFront says distribution E2QWRUHAPOMQZL does not exist (CloudFront.NoSuchDistributionException); check the id; ' +
        'the "not-found" notification was sent\n',
    );
  });

  it('fails when the deployed status check skips the event', async () => {
    // Arrange
    logsAnswer([
      logLine(2, 'Event skipped', {
        reason: 'distribution E2QWRUHAPOMQZL is not in distributionIds',
        eventName: 'UpdateDistribution',
        eventId: EVENT_ID,
      }),
    ]);
    // Act
    const { code, stdout } = await smoke(['--distribution', DISTRIBUTION]);
    // Assert
    expect(code).toBe(1);
    expect(stdout).toContain(
      'FAIL: the deployed status check skipped the event: distribution E2QWRUHAPOMQZL is not in distributionIds\n',
    );
  });

  it('gives up after --timeout without a "Watch ended" line and says the change stays watched', async () => {
    // Arrange
    logsAnswer([NOT_DONE]);
    // Act
    const { code, stdout, sleeps } = await smoke(['--distribution', DISTRIBUTION, '--timeout', '10s']);
    // Assert
    expect(code).toBe(1);
    expect(sleeps).toEqual([5000, 5000]);
    expect(stdout).toContain(
      'FAIL: no "Watch ended; notification sent" line for smoke-20270301T080000Z-a1b2c3 within 10 s (--timeout). ' +
        'The message stays in the buffer queue and is checked until its watch ends.\n',
    );
    expect(stdout).toContain(
      `aws logs filter-log-events --region us-east-1 --log-group-name ${LOG_GROUP} --filter-pattern '"smoke-20270301T080000Z-a1b2c3"'\n`,
    );
  });

  it('cannot start when the caller may not send to the buffer queue, and says how to allow it', async () => {
    // Arrange
    logsAnswer([]);
    sqs.on(SendMessageCommand).rejects(
      new SQSServiceException({
        name: 'AccessDenied',
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
        message: 'Access to the resource is denied.',
      }),
    );
    // Act
    const { code, stderr } = await smoke(['--distribution', DISTRIBUTION]);
    // Assert
    expect(code).toBe(2);
    expect(stderr).toBe(
      `\nNOT STARTED: you may not send to the buffer queue ${QUEUE_URL} (sqs:SendMessage: AccessDenied: Access to the resource is denied.). ` +
        "Its queue policy admits only the capture rule; allow sqs:SendMessage on the queue's ARN in your own IAM policy " +
        '(same account: no queue policy change needed), or run the smoke test with a role that has it.\n',
    );
  });

  it('cannot start, and sends nothing, when the status check log group is unreadable', async () => {
    // Arrange
    logs.on(FilterLogEventsCommand).rejects(
      new CloudWatchLogsServiceException({
        name: 'AccessDeniedException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
        message: 'not authorized',
      }),
    );
    // Act
    const { code, stderr } = await smoke(['--distribution', DISTRIBUTION]);
    // Assert
    expect(code).toBe(2);
    expect(stderr).toBe(
      `\nNOT STARTED: you may not read the status check's log group ${LOG_GROUP} (logs:FilterLogEvents: AccessDeniedException: not authorized); nothing was sent.\n`,
    );
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  it('understands the line the deployed status check writes for the very message the smoke test sent', async () => {
    // Arrange: the real sqs-retry checker (functions/sqs-retry/check.ts) reads the sent body and logs as Powertools would.
    cloudFront.on(GetDistributionCommand).resolves({
      ETag: 'E2QWRUHEXAMPLE',
      Distribution: { Id: DISTRIBUTION, Status: 'Deployed', DomainName: 'd111111abcdef8.cloudfront.net' },
    } as never);
    sns.on(PublishCommand).resolves({ MessageId: 'sns-message-1' });
    const lines: FilteredLogEvent[] = [];
    const sink =
      (level: string) =>
      (message: string, ...extra: Record<string, unknown>[]) =>
        lines.push({
          eventId: `line-${lines.length}`,
          timestamp: Date.parse(NOW) + 5000,
          message: JSON.stringify({ level, message, ...Object.assign({}, ...extra) }),
        });
    let checked = false;
    logs.on(FilterLogEventsCommand).callsFake(async () => {
      if (sqs.commandCalls(SendMessageCommand).length > 0 && !checked) {
        checked = true;
        await checkQueuedChange(
          {
            body: sqs.commandCalls(SendMessageCommand)[0]!.args[0].input.MessageBody!,
            receiptHandle: 'receipt-1',
            receiveCount: 1,
            sentAt: new Date(NOW),
          },
          {
            cloudfront: new CloudFrontClient({ region: 'us-east-1' }),
            sns: new SNSClient({ region: 'us-east-1' }),
            sqs: new SQSClient({ region: 'us-east-1' }),
            logger: { info: sink('INFO'), warn: sink('WARN'), error: sink('ERROR') },
            topicArn: TOPIC,
            queue: { url: QUEUE_URL, visibilityTimeoutSeconds: 180 },
            settings: watchSettingsOf(deployedTemplate),
            now: () => new Date(Date.parse(NOW) + 5000),
            random: MIDDLE_DRAW,
            notifier: 'CloudFrontChangeNotifier',
            writeMetrics: () => {},
          },
        );
      }
      return { events: lines };
    });
    // Act
    const { code, stdout } = await smoke(['--distribution', DISTRIBUTION]);
    // Assert
    expect(code).toBe(0);
    expect(stdout).toContain('  T+00:05   notify    1: the "deployed" notification was sent\n');
    expect(sns.commandCalls(PublishCommand)[0]!.args[0].input.Message).toContain(
      'CloudTrail event ID: smoke-20270301T080000Z-a1b2c3',
    );
  });
});

/**
 * `npm run smoke` in mode stepfunctions, offline: every AWS client is mocked (aws-sdk-client-mock), the clock and the
 * sleep are fake, so a run that polls for minutes takes milliseconds. One synth, as the "deployed" template.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CloudFormationServiceException,
  DescribeStacksCommand,
  GetTemplateCommand,
  type StackStatus,
} from '@aws-sdk/client-cloudformation';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  SFNServiceException,
  StartExecutionCommand,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { STSClient } from '@aws-sdk/client-sts';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { synthNotifier, type CfnTemplate } from '../../tools/lib/synth';
import { cloudFormation, sfn, sts } from './aws-mocks';
import { CALLER, DISTRIBUTION, EVENT_ID, NOW, resetWithCaller, smoke, stackDeployed, TOPIC } from './smoke-support';
import { STATE_NAMES } from '../../statemachine/state-names';

const INVALIDATION = 'I2J0I21PCUYOIK';
const STATE_MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:CloudFrontChangeNotifier-ChangeWatch';
const EXECUTION_NAME = `${DISTRIBUTION}-update-${EVENT_ID}`;
const EXECUTION_ARN = `arn:aws:states:us-east-1:123456789012:execution:CloudFrontChangeNotifier-ChangeWatch:${EXECUTION_NAME}`;
const CONSOLE_LINK = `https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1#/v2/executions/details/${EXECUTION_ARN}`;
const SUBJECT = `CloudFront ${DISTRIBUTION} deployed`;
const MESSAGE = [
  `Distribution ${DISTRIBUTION} is Deployed: the change is live at every edge location.`,
  '',
  `What changed:  nothing (smoke test from npm run smoke) on distribution ${DISTRIBUTION}`,
  `Changed by:    ${CALLER}`,
].join('\n');

/** The "deployed" stack: retention 2 h instead of the default 4 days, so the budget shows it came from the stack. */
let deployedTemplate: CfnTemplate;
beforeAll(() => {
  deployedTemplate = synthNotifier({ retentionSeconds: '7200' }).template;
});

const STACK_OUTPUTS = [
  { OutputKey: 'TopicArn', OutputValue: TOPIC },
  {
    OutputKey: 'BufferQueueUrl',
    OutputValue: 'https://sqs.us-east-1.amazonaws.com/123456789012/CloudFrontChangeNotifier-Buffer',
  },
  {
    OutputKey: 'DeadLetterQueueUrl',
    OutputValue: 'https://sqs.us-east-1.amazonaws.com/123456789012/CloudFrontChangeNotifier-Dlq',
  },
  { OutputKey: 'StateMachineName', OutputValue: 'CloudFrontChangeNotifier-ChangeWatch' },
  { OutputKey: 'StateMachineArn', OutputValue: STATE_MACHINE },
];

function deployedStack(outputs = STACK_OUTPUTS, status: StackStatus = 'UPDATE_COMPLETE') {
  stackDeployed(deployedTemplate, outputs, status);
}

/** History events as GetExecutionHistory returns them, numbered from 1, one second apart from NOW. */
function history(...events: Array<Omit<HistoryEvent, 'id' | 'timestamp'>>): HistoryEvent[] {
  return events.map(
    (event, index) =>
      ({ id: index + 1, timestamp: new Date(Date.parse(NOW) + index * 1000), ...event }) as HistoryEvent,
  );
}
const entered = (type: string, name: string, input: unknown = {}) =>
  ({ type, stateEnteredEventDetails: { name, input: JSON.stringify(input) } }) as HistoryEvent;
const exited = (type: string, name: string, output: unknown = {}) =>
  ({ type, stateExitedEventDetails: { name, output: JSON.stringify(output) } }) as HistoryEvent;
const getDistribution = {
  type: 'TaskScheduled',
  taskScheduledEventDetails: {
    resourceType: 'aws-sdk:cloudfront',
    resource: 'getDistribution',
    region: 'us-east-1',
    parameters: `{"Id":"${DISTRIBUTION}"}`,
  },
} as HistoryEvent;
const taskFailed = (error: string, cause: string) =>
  ({
    type: 'TaskFailed',
    taskFailedEventDetails: { resourceType: 'aws-sdk:cloudfront', resource: 'getDistribution', error, cause },
  }) as HistoryEvent;
const publish = (outcome: string, subject: string, message: string) =>
  ({
    type: 'TaskScheduled',
    taskScheduledEventDetails: {
      resourceType: 'sns',
      resource: 'publish',
      region: 'us-east-1',
      parameters: JSON.stringify({
        TopicArn: TOPIC,
        Subject: subject,
        Message: message,
        MessageAttributes: {
          outcome: { DataType: 'String', StringValue: outcome },
          kind: { DataType: 'String', StringValue: 'distribution' },
        },
      }),
    },
  }) as HistoryEvent;
const published = (messageId: string) =>
  ({
    type: 'TaskSucceeded',
    taskSucceededEventDetails: {
      resourceType: 'sns',
      resource: 'publish',
      output: JSON.stringify({ MessageId: messageId }),
    },
  }) as HistoryEvent;
const checkInput = (check: number) => ({
  watch: { kind: 'distribution' },
  progress: { check, maxChecks: 128, continueAt: 801, part: 1, unanswered: 0 },
});
const checkOutput = (check: number, value: string) => ({
  ...checkInput(check),
  status: { value, domainName: 'd111111abcdef8.cloudfront.net', eTag: 'E2QWRUHEXAMPLE' },
});

const DEPLOYED_HISTORY = history(
  { type: 'ExecutionStarted' },
  entered('ChoiceStateEntered', STATE_NAMES.chooseKind),
  exited('ChoiceStateExited', STATE_NAMES.chooseKind),
  entered('TaskStateEntered', STATE_NAMES.distribution.getStatus, checkInput(1)),
  getDistribution,
  { type: 'TaskStarted' },
  {
    type: 'TaskSucceeded',
    taskSucceededEventDetails: { resourceType: 'aws-sdk:cloudfront', resource: 'getDistribution', output: '{}' },
  },
  exited('TaskStateExited', STATE_NAMES.distribution.getStatus, checkOutput(1, 'Deployed')),
  entered('ChoiceStateEntered', STATE_NAMES.distribution.isDone),
  exited('ChoiceStateExited', STATE_NAMES.distribution.isDone),
  entered('TaskStateEntered', STATE_NAMES.distribution.notifyDone),
  publish('deployed', SUBJECT, MESSAGE),
  { type: 'TaskStarted' },
  published('message-1'),
  exited('TaskStateExited', STATE_NAMES.distribution.notifyDone),
  entered('SucceedStateEntered', STATE_NAMES.distribution.done),
  { type: 'ExecutionSucceeded' },
);

function started() {
  sfn.on(StartExecutionCommand).resolves({ executionArn: EXECUTION_ARN, startDate: new Date(NOW) });
}

function succeeded(events: HistoryEvent[] = DEPLOYED_HISTORY) {
  started();
  sfn
    .on(DescribeExecutionCommand)
    .resolvesOnce({ executionArn: EXECUTION_ARN, status: 'RUNNING' })
    .resolves({
      executionArn: EXECUTION_ARN,
      status: 'SUCCEEDED',
      stopDate: new Date(Date.parse(NOW) + 16_000),
      output: JSON.stringify({ notification: { outcome: 'deployed', messageId: 'message-1' } }),
    });
  sfn.on(GetExecutionHistoryCommand).resolves({ events });
}

function failed(error: string, cause: string, events: HistoryEvent[]) {
  started();
  sfn.on(DescribeExecutionCommand).resolves({
    executionArn: EXECUTION_ARN,
    status: 'FAILED',
    error,
    cause,
    stopDate: new Date(Date.parse(NOW) + 12_000),
  });
  sfn.on(GetExecutionHistoryCommand).resolves({ events });
}

beforeEach(resetWithCaller);

describe('npm run smoke in mode stepfunctions', () => {
  it('starts one execution named after the distribution with the input the dispatcher builds from the deployed settings', async () => {
    // Arrange
    deployedStack();
    succeeded();
    // Act
    await smoke(['--distribution', DISTRIBUTION]);
    // Assert
    const starts = sfn.commandCalls(StartExecutionCommand).map((call) => call.args[0].input);
    expect(starts).toHaveLength(1);
    expect(starts[0]!.stateMachineArn).toBe(STATE_MACHINE);
    expect(starts[0]!.name).toBe('E2QWRUHAPOMQZL-update-smoke-20270301T080000Z-a1b2c3');
    // 2 h (the deployed retentionSeconds=7200): 53 waits of 17 s, 45 of 60 s and 29 of 120 s fit, so 128 checks.
    expect(JSON.parse(starts[0]!.input!)).toEqual({
      watch: {
        kind: 'distribution',
        change: 'nothing (smoke test from npm run smoke)',
        distributionId: 'E2QWRUHAPOMQZL',
        eventId: 'smoke-20270301T080000Z-a1b2c3',
        startedAt: '2027-03-01T08:00:00Z',
        changedBy: 'arn:aws:iam::123456789012:user/alice',
        consoleUrl:
          'https://us-east-1.console.aws.amazon.com/cloudfront/v4/home?region=us-east-1#/distributions/E2QWRUHAPOMQZL',
        watchLimit: '2 h',
        executionName: 'E2QWRUHAPOMQZL-update-smoke-20270301T080000Z-a1b2c3',
      },
      progress: {
        check: 1,
        maxChecks: 128,
        continueAt: 801,
        part: 1,
        unanswered: 0,
        waitSeconds: 0,
        elapsedSeconds: 0,
      },
    });
  });

  it('names an invalidation watch by the distribution, with the invalidation in its input', async () => {
    // Arrange
    deployedStack();
    succeeded();
    // Act
    await smoke(['--distribution', DISTRIBUTION, '--invalidation', INVALIDATION]);
    // Assert
    const { name, input } = sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input;
    expect(name).toBe('E2QWRUHAPOMQZL-invalidate-smoke-20270301T080000Z-a1b2c3');
    expect(JSON.parse(input!).watch).toMatchObject({
      kind: 'invalidation',
      distributionId: 'E2QWRUHAPOMQZL',
      invalidationId: 'I2J0I21PCUYOIK',
      watchLimit: '2 h',
    });
    // 23 waits of 8 s (184 s), 57 of 60 s (3604 s in all) and 29 of 120 s: 110 checks in 2 h.
    expect(JSON.parse(input!).progress).toEqual({
      check: 1,
      maxChecks: 110,
      continueAt: 801,
      part: 1,
      unanswered: 0,
      waitSeconds: 0,
      elapsedSeconds: 0,
    });
  });

  it('passes for a deployed distribution: timeline, outcome, the notification sent and the console link', async () => {
    // Arrange
    deployedStack();
    succeeded();
    // Act
    const { code, stdout, stderr, sleeps } = await smoke(['--distribution', DISTRIBUTION]);
    // Assert
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toContain(
      '  stack        CloudFrontChangeNotifier (UPDATE_COMPLETE) in account 123456789012, us-east-1, mode stepfunctions\n',
    );
    expect(stdout).toContain('  settings     retention 2 h, from the deployed template (cloudformation:GetTemplate)\n');
    expect(stdout).toContain('  budget       up to 128 checks within 2 h, as the dispatcher would start it\n');
    expect(stdout).toContain(
      '  T+00:00   start     distribution E2QWRUHAPOMQZL: execution started as arn:aws:iam::123456789012:user/alice\n',
    );
    expect(stdout).toContain('  T+00:07   check     1: Deployed\n');
    expect(stdout).toContain('  T+00:10   notify    publish the "deployed" notification to SNS\n');
    expect(stdout).toContain('  T+00:16   outcome   SUCCEEDED in "Change is deployed"\n');
    expect(stdout).toContain('Notification sent to SNS (message message-1):\n');
    expect(stdout).toContain(`Subject:           CloudFront E2QWRUHAPOMQZL deployed\n`);
    expect(stdout).toContain(`Message:\n${MESSAGE}\n`);
    expect(stdout).toContain(`\nConsole: ${CONSOLE_LINK}\n`);
    expect(stdout).toContain(
      '\nPASS: the watch of distribution E2QWRUHAPOMQZL ended "deployed" and its notification was sent (SNS message message-1): ' +
        'the deployed state machine, its role, the CloudFront status check, KMS and SNS work\n',
    );
    expect(sfn.commandCalls(DescribeExecutionCommand)).toHaveLength(2);
    expect(sleeps).toEqual([3000]);
  });

  it.each([
    {
      outcome: 'not-found',
      error: 'DistributionNotFound',
      checkError: 'CloudFront.NoSuchDistributionException',
      cause: 'The specified distribution does not exist. (Service: CloudFront, Status Code: 404)',
      reason:
        'FAIL: not found: CloudFront says distribution E2QWRUHAPOMQZL does not exist (CloudFront.NoSuchDistributionException: ' +
        'The specified distribution does not exist. (Service: CloudFront, Status Code: 404)); check the id; the "not-found" notification was sent\n',
      notify: STATE_NAMES.distribution.notifyNotFound,
      end: STATE_NAMES.distribution.notFound,
      checkLine: '  T+00:03   check     1: CloudFront.NoSuchDistributionException (final, not retried)\n',
      outcomeLine: '  T+00:12   outcome   FAILED with DistributionNotFound in "Distribution not found"\n',
    },
    {
      outcome: 'check-failed',
      error: 'StatusCheckFailed',
      checkError: 'CloudFront.AccessDeniedException',
      cause: 'User is not authorized to perform cloudfront:GetDistribution (Service: CloudFront, Status Code: 403)',
      reason:
        'FAIL: check failed: the deployed state machine could not read distribution E2QWRUHAPOMQZL (CloudFront.AccessDeniedException: ' +
        'User is not authorized to perform cloudfront:GetDistribution (Service: CloudFront, Status Code: 403)); the "check-failed" notification was sent\n',
      notify: STATE_NAMES.distribution.notifyCheckFailed,
      end: STATE_NAMES.checkFailed,
      checkLine: '  T+00:03   check     1: CloudFront.AccessDeniedException (final, not retried)\n',
      outcomeLine: '  T+00:12   outcome   FAILED with StatusCheckFailed in "Status check failed"\n',
    },
  ])(
    'fails with the reason when the watch ends $outcome',
    async ({ outcome, error, checkError, cause, reason, notify, end, checkLine, outcomeLine }) => {
      // Arrange
      deployedStack();
      failed(
        error,
        'the notification was sent',
        history(
          { type: 'ExecutionStarted' },
          entered('TaskStateEntered', STATE_NAMES.distribution.getStatus, checkInput(1)),
          getDistribution,
          taskFailed(checkError, cause),
          exited('TaskStateExited', STATE_NAMES.distribution.getStatus),
          entered('TaskStateEntered', notify),
          publish(outcome, `CloudFront ${DISTRIBUTION} ${outcome}`, 'body'),
          published('message-2'),
          exited('TaskStateExited', notify),
          entered('FailStateEntered', end),
          { type: 'ExecutionFailed', executionFailedEventDetails: { error, cause: 'the notification was sent' } },
        ),
      );
      // Act
      const { code, stdout } = await smoke(['--distribution', DISTRIBUTION]);
      // Assert
      expect(code).toBe(1);
      expect(stdout).toContain(checkLine);
      expect(stdout).toContain(outcomeLine);
      expect(stdout).toContain('Notification sent to SNS (message message-2):\n');
      expect(stdout).toContain(reason);
    },
  );

  it('fails with the reason when the watch itself times out (WatchTimedOut)', async () => {
    // Arrange
    deployedStack();
    failed(
      'WatchTimedOut',
      'still InProgress',
      history(
        entered('TaskStateEntered', STATE_NAMES.distribution.notifyTimedOut),
        publish('timed-out', 's', 'm'),
        published('message-3'),
      ),
    );
    // Act
    const { code, stdout } = await smoke(['--distribution', DISTRIBUTION]);
    // Assert
    expect(code).toBe(1);
    expect(stdout).toContain(
      'FAIL: timed out: distribution E2QWRUHAPOMQZL was still InProgress at the last allowed status check; the "timed-out" notification was sent\n',
    );
  });

  it('gives up after --timeout, says the execution runs on and how to stop it', async () => {
    // Arrange
    deployedStack();
    started();
    sfn.on(DescribeExecutionCommand).resolves({ executionArn: EXECUTION_ARN, status: 'RUNNING' });
    sfn.on(GetExecutionHistoryCommand).resolves({ events: history({ type: 'ExecutionStarted' }) });
    // Act
    const { code, stdout, sleeps } = await smoke(['--distribution', DISTRIBUTION, '--timeout', '9s']);
    // Assert
    expect(code).toBe(1);
    expect(sleeps).toEqual([3000, 3000, 3000]);
    expect(stdout).toContain('outcome   still RUNNING after 9 s\n');
    expect(stdout).toContain(
      `FAIL: the watch of distribution E2QWRUHAPOMQZL had not ended after 9 s (--timeout). The execution runs on and notifies when it ends; ` +
        `stop it with: aws stepfunctions stop-execution --execution-arn ${EXECUTION_ARN}\n`,
    );
  });

  it('reads every page of the history (nextToken) and shows a retried check', async () => {
    // Arrange
    deployedStack();
    started();
    sfn.on(DescribeExecutionCommand).resolves({
      executionArn: EXECUTION_ARN,
      status: 'SUCCEEDED',
      output: JSON.stringify({ notification: { outcome: 'deployed', messageId: 'message-4' } }),
    });
    const events = history(
      { type: 'ExecutionStarted' },
      entered('TaskStateEntered', STATE_NAMES.distribution.getStatus, checkInput(1)),
      getDistribution,
      taskFailed('CloudFront.CloudFrontException', 'Rate exceeded (Service: CloudFront, Status Code: 400)'),
      getDistribution,
      exited('TaskStateExited', STATE_NAMES.distribution.getStatus, checkOutput(1, 'Deployed')),
      entered('TaskStateEntered', STATE_NAMES.distribution.notifyDone),
      publish('deployed', SUBJECT, MESSAGE),
      published('message-4'),
      { type: 'ExecutionSucceeded' },
    );
    const pages: Record<string, { events: HistoryEvent[]; nextToken?: string }> = {
      first: { events: events.slice(0, 3), nextToken: 'page-2' },
      'page-2': { events: events.slice(3, 6), nextToken: 'page-3' },
      'page-3': { events: events.slice(6) },
    };
    sfn.on(GetExecutionHistoryCommand).callsFake((input: { nextToken?: string }) => pages[input.nextToken ?? 'first']);
    // Act
    const { code, stdout } = await smoke(['--distribution', DISTRIBUTION]);
    // Assert
    expect(code).toBe(0);
    expect(sfn.commandCalls(GetExecutionHistoryCommand).map((call) => call.args[0].input.nextToken)).toEqual([
      undefined,
      'page-2',
      'page-3',
    ]);
    expect(stdout).toContain('  T+00:03   check     1: CloudFront.CloudFrontException (retry 1 after a backoff)\n');
    expect(stdout).toContain('  T+00:05   check     1: Deployed\n');
    expect(stdout).toContain('Notification sent to SNS (message message-4):\n');
  });

  it('reads the history once more when it does not show the end of an execution described as ended', async () => {
    // Arrange
    deployedStack();
    started();
    sfn.on(DescribeExecutionCommand).resolves({
      executionArn: EXECUTION_ARN,
      status: 'SUCCEEDED',
      output: JSON.stringify({ notification: { outcome: 'deployed', messageId: 'message-1' } }),
    });
    sfn
      .on(GetExecutionHistoryCommand)
      .resolvesOnce({ events: DEPLOYED_HISTORY.slice(0, 8) })
      .resolves({ events: DEPLOYED_HISTORY });
    // Act
    const { code, stdout, sleeps } = await smoke(['--distribution', DISTRIBUTION]);
    // Assert
    expect(code).toBe(0);
    expect(sleeps).toEqual([3000]);
    expect(stdout).toContain('  T+00:10   notify    publish the "deployed" notification to SNS\n');
    expect(stdout).toContain('Notification sent to SNS (message message-1):\n');
  });

  it('prints only a JSON summary on stdout with --json', async () => {
    // Arrange
    deployedStack();
    succeeded();
    // Act
    const { code, stdout, stderr } = await smoke(['--distribution', DISTRIBUTION, '--json']);
    // Assert
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({
      result: 'passed',
      exitCode: 0,
      mode: 'stepfunctions',
      outcome: 'deployed',
      eventId: 'smoke-20270301T080000Z-a1b2c3',
      executionArn: EXECUTION_ARN,
      consoleUrl: CONSOLE_LINK,
      notification: {
        topicArn: TOPIC,
        subject: 'CloudFront E2QWRUHAPOMQZL deployed',
        message: MESSAGE,
        outcome: 'deployed',
        messageId: 'message-1',
      },
    });
    expect(stderr).toContain('check     1: Deployed');
  });

  it('derives the state machine ARN from StateMachineName for a stack deployed before StateMachineArn was an output', async () => {
    // Arrange
    deployedStack(STACK_OUTPUTS.filter((output) => output.OutputKey !== 'StateMachineArn'));
    succeeded();
    // Act
    const { code } = await smoke(['--distribution', DISTRIBUTION]);
    // Assert
    expect(code).toBe(0);
    expect(sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input.stateMachineArn).toBe(STATE_MACHINE);
  });

  it('synthesizes with cdk.context.json, cdk.json and -c (in that order of strength) and the deployed mode when the deployed template is unreadable', async () => {
    // Arrange
    deployedStack();
    cloudFormation.on(GetTemplateCommand).rejects(
      new CloudFormationServiceException({
        name: 'AccessDenied',
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
        message: 'not authorized',
      }),
    );
    succeeded();
    const projectDir = mkdtempSync(join(tmpdir(), 'smoke-context-'));
    const homeDir = mkdtempSync(join(tmpdir(), 'smoke-home-'));
    writeFileSync(
      join(projectDir, 'cdk.json'),
      JSON.stringify({ app: 'x', context: { retentionSeconds: 7200, '@aws-cdk/core:target-partitions': ['aws'] } }),
    );
    writeFileSync(
      join(projectDir, 'cdk.context.json'),
      JSON.stringify({ retentionSeconds: 60, pollIntervalSeconds: 30, mode: 'sqs-retry' }),
    );
    const contexts: Array<Record<string, unknown>> = [];
    const synthesize = (context: Record<string, unknown>) => {
      contexts.push(context);
      return deployedTemplate;
    };
    // Act
    const { code, stdout } = await smoke(['--distribution', DISTRIBUTION, '-c', 'pollIntervalSeconds=60'], {
      synthesize,
      contextSources: { projectDir, homeDir },
    });
    // Assert
    expect(code).toBe(0);
    expect(contexts).toEqual([
      {
        retentionSeconds: 7200,
        pollIntervalSeconds: '60',
        '@aws-cdk/core:target-partitions': ['aws'],
        mode: 'stepfunctions',
      },
    ]);
    expect(stdout).toContain(
      '  settings     retention 2 h, from the app synthesized here with cdk.json, cdk.context.json and -c, as deployed (the deployed template is unreadable: AccessDenied: not authorized)\n',
    );
  });

  it('takes ~/.cdk.json into the synthesized context too, below the project files, as cdk deploy does', async () => {
    // Arrange
    deployedStack();
    cloudFormation.on(GetTemplateCommand).rejects(
      new CloudFormationServiceException({
        name: 'AccessDenied',
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
        message: 'not authorized',
      }),
    );
    succeeded();
    const projectDir = mkdtempSync(join(tmpdir(), 'smoke-context-'));
    const homeDir = mkdtempSync(join(tmpdir(), 'smoke-home-'));
    writeFileSync(join(projectDir, 'cdk.json'), JSON.stringify({ app: 'x', context: { retentionSeconds: 7200 } }));
    writeFileSync(join(homeDir, '.cdk.json'), JSON.stringify({ context: { retentionSeconds: 60, alarms: false } }));
    const contexts: Array<Record<string, unknown>> = [];
    const synthesize = (context: Record<string, unknown>) => {
      contexts.push(context);
      return deployedTemplate;
    };
    // Act
    const { code } = await smoke(['--distribution', DISTRIBUTION], {
      synthesize,
      contextSources: { projectDir, homeDir },
    });
    // Assert
    expect(code).toBe(0);
    expect(contexts).toEqual([{ retentionSeconds: 7200, alarms: false }]);
  });
});

describe('npm run smoke when it cannot start (exit 2)', () => {
  it('names the context file that is not JSON when it has to synthesize', async () => {
    // Arrange
    deployedStack();
    cloudFormation.on(GetTemplateCommand).rejects(
      new CloudFormationServiceException({
        name: 'AccessDenied',
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
        message: 'not authorized',
      }),
    );
    const projectDir = mkdtempSync(join(tmpdir(), 'smoke-context-'));
    const homeDir = mkdtempSync(join(tmpdir(), 'smoke-home-'));
    writeFileSync(join(projectDir, 'cdk.json'), '{ "context": ');
    // Act
    const { code, stderr } = await smoke(['--distribution', DISTRIBUTION], {
      synthesize: () => deployedTemplate,
      contextSources: { projectDir, homeDir },
    });
    // Assert
    expect(code).toBe(2);
    expect(stderr).toContain(`\nNOT STARTED: the CDK project file ${join(projectDir, 'cdk.json')} is not valid JSON: `);
    expect(sfn.calls()).toHaveLength(0);
  });

  it('says the stack is not deployed', async () => {
    // Arrange
    cloudFormation.on(DescribeStacksCommand).rejects(
      new CloudFormationServiceException({
        name: 'ValidationError',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
        message: 'Stack with id CloudFrontChangeNotifier does not exist',
      }),
    );
    // Act
    const { code, stdout, stderr } = await smoke(['--distribution', DISTRIBUTION]);
    // Assert
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      '\nNOT STARTED: stack CloudFrontChangeNotifier is not deployed in account 123456789012, us-east-1: deploy it first (npx cdk deploy).\n',
    );
    expect(sfn.calls()).toHaveLength(0);
  });

  it('says a rolled-back first deployment has nothing to test', async () => {
    // Arrange
    deployedStack(STACK_OUTPUTS, 'ROLLBACK_COMPLETE');
    // Act
    const { code, stderr } = await smoke(['--distribution', DISTRIBUTION]);
    // Assert
    expect(code).toBe(2);
    expect(stderr).toContain(
      'NOT STARTED: stack CloudFrontChangeNotifier is ROLLBACK_COMPLETE in account 123456789012, us-east-1',
    );
  });

  it('says there are no credentials, before any call', async () => {
    // Arrange
    const noCredentials = new STSClient({
      region: 'us-east-1',
      credentials: async () => {
        throw Object.assign(new Error('Could not load credentials from any providers'), {
          name: 'CredentialsProviderError',
        });
      },
    });
    // Act
    const { code, stderr } = await smoke(['--distribution', DISTRIBUTION], { clients: { sts: noCredentials } });
    // Assert
    expect(code).toBe(2);
    expect(stderr).toBe(
      '\nNOT STARTED: no AWS credentials found (CredentialsProviderError: Could not load credentials from any providers). ' +
        'Log in first (aws configure, aws sso login or AWS_PROFILE=...).\n',
    );
    expect(cloudFormation.calls()).toHaveLength(0);
  });

  it('refuses a distribution the deployed stack does not watch (distributionIds)', async () => {
    // Arrange
    deployedStack();
    const listed = structuredClone(deployedTemplate);
    for (const resource of Object.values(listed.Resources)) {
      const variables = (resource.Properties?.Environment as { Variables?: Record<string, string> } | undefined)
        ?.Variables;
      if (variables?.WATCH_SETTINGS)
        variables.WATCH_SETTINGS = JSON.stringify({
          ...JSON.parse(variables.WATCH_SETTINGS),
          distributionIds: ['EOTHERDISTRIB'],
        });
    }
    cloudFormation.on(GetTemplateCommand).resolves({ TemplateBody: JSON.stringify(listed) });
    // Act
    const { code, stderr } = await smoke(['--distribution', DISTRIBUTION]);
    // Assert
    expect(code).toBe(2);
    expect(stderr).toContain(
      'NOT STARTED: the deployed stack does not watch this change (distribution E2QWRUHAPOMQZL is not in distributionIds)',
    );
    expect(sfn.calls()).toHaveLength(0);
  });

  it('says the caller may not start executions', async () => {
    // Arrange
    deployedStack();
    sfn.on(StartExecutionCommand).rejects(
      new SFNServiceException({
        name: 'AccessDeniedException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
        message: 'not authorized to perform: states:StartExecution',
      }),
    );
    // Act
    const { code, stderr } = await smoke(['--distribution', DISTRIBUTION]);
    // Assert
    expect(code).toBe(2);
    expect(stderr).toContain(
      `NOT STARTED: you may not start executions of ${STATE_MACHINE} (states:StartExecution: AccessDeniedException: not authorized to perform: states:StartExecution)`,
    );
  });

  it.each([
    {
      argv: [],
      message: 'npm run smoke: --distribution ID is required: the distribution the deployed stack should watch\n',
    },
    {
      argv: ['--distribution', 'not a distribution'],
      message: 'npm run smoke: --distribution "not a distribution" is not a CloudFront id\n',
    },
    {
      argv: ['--distribution', DISTRIBUTION, '--invalidation', 'I/2'],
      message: 'npm run smoke: --invalidation "I/2" is not a CloudFront id\n',
    },
    {
      argv: ['--distribution', DISTRIBUTION, '--timeout', 'soon'],
      message: 'npm run smoke: --timeout "soon" is not a duration such as 90s, 5m or 600\n',
    },
    {
      argv: ['--distribution', DISTRIBUTION, '-c', 'retentionSeconds'],
      message: 'npm run smoke: --context expects KEY=VALUE, got "retentionSeconds"\n',
    },
    { argv: ['--distribution', DISTRIBUTION, '--tenant', 'dt_1'], message: "npm run smoke: Unknown option '--tenant'" },
  ])('refuses bad arguments $argv', async ({ argv, message }) => {
    // Act
    const { code, stdout, stderr } = await smoke(argv);
    // Assert
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.slice(0, message.length)).toBe(message);
    expect(sts.calls()).toHaveLength(0);
  });

  it('prints the usage with --help and exits 0', async () => {
    // Act
    const { code, stdout } = await smoke(['--help']);
    // Assert
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage:\n {2}npm run smoke -- --distribution ID \[--invalidation ID\]/);
  });
});

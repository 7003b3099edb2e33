/**
 * `npm run preflight` end to end in process, offline: the real app synthesized (twice in this file), every AWS client
 * mocked. Covers the exit codes, the definition really sent to ValidateStateMachineDefinition, and --json.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeTrailsCommand, GetEventSelectorsCommand, GetTrailStatusCommand } from '@aws-sdk/client-cloudtrail';
import { SFNServiceException, ValidateStateMachineDefinitionCommand } from '@aws-sdk/client-sfn';
import { ListSubscriptionsByTopicCommand } from '@aws-sdk/client-sns';
import { GetParameterCommand, ParameterNotFound } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../../tools/preflight/preflight';
import { synthesized } from '../support/definition';
import { captured } from './support';
import { cloudFormation, cloudTrail, resetAwsMocks, sfn, sns, ssm, sts } from './aws-mocks';
import {
  ACCOUNT,
  awsError,
  noCredentialsError,
  preflightMocks as mocks,
  PRINCIPAL,
  TOPIC_ARN,
  TRAIL_ARN,
} from './preflight-support';

/** Every call any mocked client received. */
const callsTo = (clients: typeof mocks) => clients.flatMap((mock): unknown[] => mock.calls());

/** An empty home directory: the developer's own ~/.cdk.json stays out of the tests. */
const home = mkdtempSync(join(tmpdir(), 'preflight-home-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

/** The context every stepfunctions test uses, so that the file synthesizes it once. */
const EMAILS = ['-c', 'notificationEmails=ops@example.com'];

async function preflight(argv: string[]) {
  const io = { stdout: captured(), stderr: captured(), synth: synthesized, contextSources: { homeDir: home } };
  const code = await run(argv, io);
  return { code, stdout: io.stdout.text, stderr: io.stderr.text };
}

/** An account where everything is in place. */
function readyAccount(): void {
  sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: PRINCIPAL, UserId: 'AROAEXAMPLE:alice' });
  ssm.on(GetParameterCommand).resolves({ Parameter: { Name: '/cdk-bootstrap/hnb659fds/version', Value: '27' } });
  cloudTrail.on(DescribeTrailsCommand).resolves({
    trailList: [{ Name: 'management-events', TrailARN: TRAIL_ARN, HomeRegion: 'us-east-1', IsMultiRegionTrail: true }],
  });
  cloudTrail.on(GetTrailStatusCommand).resolves({ IsLogging: true });
  cloudTrail
    .on(GetEventSelectorsCommand)
    .resolves({ EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }] });
  sfn.on(ValidateStateMachineDefinitionCommand).resolves({ result: 'OK', diagnostics: [] });
  cloudFormation.on(DescribeStacksCommand).resolves({
    Stacks: [
      {
        StackName: 'CloudFrontChangeNotifier',
        StackStatus: 'UPDATE_COMPLETE',
        CreationTime: new Date('2027-03-01T08:00:00Z'),
        Outputs: [{ OutputKey: 'TopicArn', OutputValue: TOPIC_ARN }],
      },
    ],
  });
  sns.on(ListSubscriptionsByTopicCommand).resolves({
    Subscriptions: [
      { Protocol: 'email', Endpoint: 'ops@example.com', SubscriptionArn: `${TOPIC_ARN}:0b6b3c1e`, TopicArn: TOPIC_ARN },
    ],
  });
}

type Json = Record<string, unknown>;
type StateJson = { Type: string; Resource?: string; Parameters?: Json };

beforeEach(resetAwsMocks);

describe('npm run preflight', () => {
  it('passes every check in a ready account and exits 0, one line per check', async () => {
    // Arrange
    readyAccount();
    // Act
    const { code, stdout, stderr } = await preflight(EMAILS);
    // Assert
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout.split('\n')).toEqual([
      'Preflight of CloudFrontChangeNotifier (mode stepfunctions) for account 111122223333 in us-east-1: read-only calls with your credentials',
      '',
      'PASS  credentials  account 111122223333 as arn:aws:sts::111122223333:assumed-role/Deployer/alice',
      'PASS  bootstrap    CDK bootstrap version 27 in /cdk-bootstrap/hnb659fds/version (this app needs 6 or later)',
      'PASS  cloudtrail   trail "management-events" (multi-Region) is logging and records write management events (event selector with management events, ReadWriteType All)',
      expect.stringMatching(
        /^PASS {2}definition {3}Step Functions validates the synthesized definition \(\d+ states\): OK, no diagnostics$/,
      ),
      `PASS  deployment   stack CloudFrontChangeNotifier is UPDATE_COMPLETE; 1 of 1 email address(es) confirmed on ${TOPIC_ARN}`,
      '                   pass  ops@example.com confirmed',
      '',
      '0 failures, 0 warnings, 5 passed: exit 0 (it should work)',
      '',
    ]);
  });

  it('sends ValidateStateMachineDefinition the synthesized definition, with ARNs in the caller account', async () => {
    // Arrange
    readyAccount();
    // Act
    await preflight(EMAILS);
    // Assert
    const [validation] = sfn.commandCalls(ValidateStateMachineDefinitionCommand);
    const { definition, type, severity } = validation!.args[0].input;
    expect({ type, severity }).toEqual({ type: 'STANDARD', severity: 'WARNING' });
    expect(definition).not.toContain('${Token');
    expect(definition).not.toContain('123456789012');
    const states = (JSON.parse(definition!) as { States: Record<string, StateJson> }).States;
    expect(states['Get distribution status']).toMatchObject({
      Type: 'Task',
      Resource: 'arn:aws:states:::aws-sdk:cloudfront:getDistribution',
    });
    const topics = new Set(
      Object.values(states)
        .filter((state) => state.Resource === 'arn:aws:states:::sns:publish')
        .map((state) => state.Parameters?.TopicArn),
    );
    expect([...topics]).toEqual(['arn:aws:sns:us-east-1:111122223333:NotificationsTopicAE679CBD']);
  });

  it('makes every call in us-east-1, read-only, with the names the synthesized app gives', async () => {
    // Arrange
    readyAccount();
    // Act
    await preflight(EMAILS);
    // Assert
    const regions = await Promise.all(
      mocks.map((mock) => (mock.call(0).thisValue as { config: { region: () => Promise<string> } }).config.region()),
    );
    expect(regions).toEqual(['us-east-1', 'us-east-1', 'us-east-1', 'us-east-1', 'us-east-1', 'us-east-1']);
    expect(ssm.commandCalls(GetParameterCommand)[0]!.args[0].input).toEqual({
      Name: '/cdk-bootstrap/hnb659fds/version',
    });
    expect(cloudFormation.commandCalls(DescribeStacksCommand)[0]!.args[0].input).toEqual({
      StackName: 'CloudFrontChangeNotifier',
    });
    const commands = mocks.flatMap((mock) => mock.calls().map((call) => (call.args[0] as object).constructor.name));
    expect(commands.sort()).toEqual([
      'DescribeStacksCommand',
      'DescribeTrailsCommand',
      'GetCallerIdentityCommand',
      'GetEventSelectorsCommand',
      'GetParameterCommand',
      'GetTrailStatusCommand',
      'ListSubscriptionsByTopicCommand',
      'ValidateStateMachineDefinitionCommand',
    ]);
  });

  it('exits 1 when a check fails, with what it found and the fix on the line', async () => {
    // Arrange
    readyAccount();
    ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: '', $metadata: { httpStatusCode: 400 } }));
    cloudTrail.on(DescribeTrailsCommand).resolves({ trailList: [] });
    // Act
    const { code, stdout } = await preflight(EMAILS);
    // Assert
    expect(code).toBe(1);
    const lines = stdout.split('\n');
    expect(lines).toContain(
      'FAIL  bootstrap    account 111122223333 is not CDK-bootstrapped in us-east-1: no SSM parameter /cdk-bootstrap/hnb659fds/version, so cdk deploy would stop. ' +
        'Fix: run npx cdk bootstrap aws://111122223333/us-east-1',
    );
    expect(lines).toContain(
      'FAIL  cloudtrail   no trail covers us-east-1 (0 listed, none multi-Region or homed there); without one the notifier never sees a change: ' +
        'EventBridge receives "AWS API Call via CloudTrail" events only while a trail logs management events. ' +
        'Fix: deploy with -c createTrail=true, which adds a multi-Region trail of management events to the stack',
    );
    expect(lines.at(-2)).toBe('2 failures, 0 warnings, 3 passed: exit 1 (fix the failures before cdk deploy)');
  });

  it('exits 0 with warnings only', async () => {
    // Arrange
    readyAccount();
    sns.on(ListSubscriptionsByTopicCommand).resolves({
      Subscriptions: [
        { Protocol: 'email', Endpoint: 'ops@example.com', SubscriptionArn: 'PendingConfirmation', TopicArn: TOPIC_ARN },
      ],
    });
    // Act
    const { code, stdout } = await preflight(EMAILS);
    // Assert
    expect(code).toBe(0);
    expect(stdout).toContain(
      '                   warn  ops@example.com has not confirmed its subscription yet. ' +
        'Fix: open the "AWS Notification - Subscription Confirmation" email sent to ops@example.com and choose Confirm subscription\n',
    );
    expect(stdout).toContain('\n0 failures, 1 warning, 4 passed: exit 0 (it should work; read the warnings)\n');
  });

  it('turns a check that breaks unexpectedly into a warning', async () => {
    // Arrange
    readyAccount();
    sfn
      .on(ValidateStateMachineDefinitionCommand)
      .rejects(awsError(SFNServiceException, 'ThrottlingException', 'Rate exceeded'));
    // Act
    const { code, stdout } = await preflight(EMAILS);
    // Assert
    expect(code).toBe(0);
    expect(stdout).toContain(
      'WARN  definition   could not be checked (ThrottlingException: Rate exceeded). ' +
        'Fix: run npm run preflight again; docs/preflight.md says what this check reads, to check it by hand\n',
    );
  });

  it('exits 2 with one line on how to provide credentials when there are none, and asks nothing else', async () => {
    // Arrange
    sts.on(GetCallerIdentityCommand).rejects(noCredentialsError());
    // Act
    const { code, stdout, stderr } = await preflight(EMAILS);
    // Assert
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr).toBe(
      'npm run preflight could not run: found no AWS credentials (CredentialsProviderError: Could not load credentials from any providers).\n' +
        'Provide credentials as for the AWS CLI: AWS_PROFILE=NAME (after aws sso login --profile NAME for SSO), ' +
        'or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN).\n',
    );
    expect(callsTo(mocks.slice(1))).toHaveLength(0);
  });

  it('exits 2 on a bad -c value, naming the key, before any AWS call', async () => {
    // Act
    const { code, stdout, stderr } = await preflight(['-c', 'pollIntervalSeconds=1']);
    // Assert
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr).toBe(
      'npm run preflight could not run: Invalid context value for "pollIntervalSeconds": "1". Allowed: a whole number from 5 to 3600.\n' +
        'Correct the value in cdk.json, cdk.context.json or the -c argument.\n',
    );
    expect(callsTo(mocks)).toHaveLength(0);
  });

  it('exits 2 on a mistyped -c key, naming it', async () => {
    // Act
    const { code, stderr } = await preflight(['-c', 'createTrial=true']);
    // Assert
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /^npm run preflight could not run: Invalid context value for "createTrial": "true"\. Allowed: no such key;/,
    );
  });

  it('exits 2 when the app does not synthesize, before any AWS call', async () => {
    // Arrange
    const io = {
      stdout: captured(),
      stderr: captured(),
      synth: () => {
        throw new TypeError("Cannot read properties of undefined (reading 'includes')");
      },
      contextSources: { homeDir: home },
    };
    // Act
    const code = await run([], io);
    // Assert
    expect(code).toBe(2);
    expect(io.stderr.text).toBe(
      "npm run preflight could not run: the app does not synthesize: TypeError: Cannot read properties of undefined (reading 'includes')\n",
    );
    expect(callsTo(mocks)).toHaveLength(0);
  });

  it('skips the definition in mode sqs-retry and asks CloudTrail nothing with createTrail=true', async () => {
    // Arrange
    readyAccount();
    // Act
    const { code, stdout } = await preflight(['-c', 'mode=sqs-retry', '-c', 'createTrail=true']);
    // Assert
    expect(code).toBe(0);
    expect(stdout).toContain('\nPASS  definition   skipped: mode sqs-retry deploys no state machine\n');
    expect(stdout).toContain(
      '\nPASS  cloudtrail   createTrail=true: the stack brings its own multi-Region trail of management events, so no existing trail is needed\n',
    );
    expect(sfn.calls()).toHaveLength(0);
    expect(cloudTrail.calls()).toHaveLength(0);
  });

  it('prints the same results as one JSON document with --json', async () => {
    // Arrange
    readyAccount();
    ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: '', $metadata: { httpStatusCode: 400 } }));
    // Act
    const { code, stdout } = await preflight([...EMAILS, '--json']);
    // Assert
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toEqual({
      exitCode: 1,
      region: 'us-east-1',
      stackName: 'CloudFrontChangeNotifier',
      mode: 'stepfunctions',
      account: '111122223333',
      principalArn: 'arn:aws:sts::111122223333:assumed-role/Deployer/alice',
      summary: { pass: 4, warn: 0, fail: 1 },
      checks: [
        {
          id: 'credentials',
          status: 'pass',
          found: 'account 111122223333 as arn:aws:sts::111122223333:assumed-role/Deployer/alice',
          details: [],
        },
        {
          id: 'bootstrap',
          status: 'fail',
          found:
            'account 111122223333 is not CDK-bootstrapped in us-east-1: no SSM parameter /cdk-bootstrap/hnb659fds/version, so cdk deploy would stop',
          fix: 'run npx cdk bootstrap aws://111122223333/us-east-1',
          details: [],
        },
        {
          id: 'cloudtrail',
          status: 'pass',
          found:
            'trail "management-events" (multi-Region) is logging and records write management events (event selector with management events, ReadWriteType All)',
          details: [],
        },
        {
          id: 'definition',
          status: 'pass',
          found: expect.stringMatching(
            /^Step Functions validates the synthesized definition \(\d+ states\): OK, no diagnostics$/,
          ),
          details: [],
        },
        {
          id: 'deployment',
          status: 'pass',
          found: `stack CloudFrontChangeNotifier is UPDATE_COMPLETE; 1 of 1 email address(es) confirmed on ${TOPIC_ARN}`,
          details: [{ status: 'pass', found: 'ops@example.com confirmed' }],
        },
      ],
    });
  });

  it('prints a JSON document for a run that could not happen too, with --json', async () => {
    // Arrange
    sts.on(GetCallerIdentityCommand).rejects(noCredentialsError());
    // Act
    const { code, stdout } = await preflight([...EMAILS, '--json']);
    // Assert
    expect(code).toBe(2);
    expect(JSON.parse(stdout)).toEqual({
      exitCode: 2,
      region: 'us-east-1',
      error: 'found no AWS credentials (CredentialsProviderError: Could not load credentials from any providers).',
      fix:
        'Provide credentials as for the AWS CLI: AWS_PROFILE=NAME (after aws sso login --profile NAME for SSO), ' +
        'or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN).',
      checks: [],
    });
  });

  it('prints its usage with --help and exits 2 on an unknown option', async () => {
    // Act
    const help = await preflight(['--help']);
    const wrong = await preflight(['--region', 'eu-west-1']);
    // Assert
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage:\n {2}npm run preflight \[-- \[-c KEY=VALUE\]\.\.\. \[--json\]\]\n/);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/^npm run preflight: Unknown option '--region'/);
    expect(callsTo(mocks)).toHaveLength(0);
  });
});

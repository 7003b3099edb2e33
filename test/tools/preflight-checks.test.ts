/** Each preflight check on its own, against mocked SDK clients: its pass, fail and warning paths. No synthesis here. */
import {
  CloudFormationClient,
  CloudFormationServiceException,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import {
  AccessDeniedException as CloudTrailAccessDenied,
  CloudTrailClient,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
  TrailNotFoundException,
} from '@aws-sdk/client-cloudtrail';
import { SFNClient, SFNServiceException, ValidateStateMachineDefinitionCommand } from '@aws-sdk/client-sfn';
import { AuthorizationErrorException, ListSubscriptionsByTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetParameterCommand, ParameterNotFound, SSMClient, SSMServiceException } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AslDefinition } from '../../statemachine/definition';
import {
  callerIdentity,
  checkBootstrap,
  checkCloudTrail,
  checkDefinition,
  checkDeployment,
  selectsWriteManagementEvents,
} from '../../tools/preflight/checks';
import { cloudFormation, cloudTrail, resetAwsMocks, sfn, sns, ssm, sts } from './aws-mocks';
import { ACCOUNT, awsError, noCredentialsError, PRINCIPAL, TOPIC_ARN, TRAIL_ARN } from './preflight-support';

const region = 'us-east-1';
const clients = {
  sts: new STSClient({ region }),
  ssm: new SSMClient({ region }),
  cloudTrail: new CloudTrailClient({ region }),
  sfn: new SFNClient({ region }),
  cloudFormation: new CloudFormationClient({ region }),
  sns: new SNSClient({ region }),
};

beforeEach(resetAwsMocks);
afterEach(resetAwsMocks);

describe('credentials (sts:GetCallerIdentity)', () => {
  it('returns the account and the principal ARN', async () => {
    // Arrange
    sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: PRINCIPAL, UserId: 'AROAEXAMPLE:alice' });
    // Act
    const identity = await callerIdentity(clients.sts);
    // Assert
    expect(identity).toEqual({
      account: '111122223333',
      principalArn: 'arn:aws:sts::111122223333:assumed-role/Deployer/alice',
    });
  });

  it.each([
    [
      noCredentialsError(),
      'found no AWS credentials (CredentialsProviderError: Could not load credentials from any providers).',
    ],
    [
      awsError(
        STSServiceException,
        'InvalidClientTokenId',
        'The security token included in the request is invalid.',
        403,
      ),
      'AWS rejected the credentials (InvalidClientTokenId: The security token included in the request is invalid.).',
    ],
    [
      Object.assign(new Error('getaddrinfo ENOTFOUND sts.us-east-1.amazonaws.com'), { name: 'Error' }),
      'could not ask STS who you are (Error: getaddrinfo ENOTFOUND sts.us-east-1.amazonaws.com); check the network, AWS_ENDPOINT_URL and the credentials.',
    ],
  ])('says why it could not get an identity: %s', async (error, message) => {
    // Arrange
    sts.on(GetCallerIdentityCommand).rejects(error);
    // Act
    const attempt = callerIdentity(clients.sts);
    // Assert
    await expect(attempt).rejects.toMatchObject({ name: 'CredentialsUnavailable', message });
  });
});

describe('CDK bootstrap (ssm:GetParameter)', () => {
  const expected = { account: ACCOUNT, parameterName: '/cdk-bootstrap/hnb659fds/version', requiredVersion: 6 };

  it('passes with a bootstrap version the app accepts', async () => {
    // Arrange
    ssm.on(GetParameterCommand).resolves({ Parameter: { Name: '/cdk-bootstrap/hnb659fds/version', Value: '27' } });
    // Act
    const result = await checkBootstrap(clients.ssm, expected);
    // Assert
    expect(result).toEqual({
      id: 'bootstrap',
      status: 'pass',
      found: 'CDK bootstrap version 27 in /cdk-bootstrap/hnb659fds/version (this app needs 6 or later)',
      details: [],
    });
    expect(ssm.commandCalls(GetParameterCommand).map((call) => call.args[0].input)).toEqual([
      { Name: '/cdk-bootstrap/hnb659fds/version' },
    ]);
  });

  it('fails with the bootstrap command when the parameter does not exist', async () => {
    // Arrange
    ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: '', $metadata: { httpStatusCode: 400 } }));
    // Act
    const result = await checkBootstrap(clients.ssm, expected);
    // Assert
    expect(result).toMatchObject({
      status: 'fail',
      found:
        'account 111122223333 is not CDK-bootstrapped in us-east-1: no SSM parameter /cdk-bootstrap/hnb659fds/version, so cdk deploy would stop',
      fix: 'run npx cdk bootstrap aws://111122223333/us-east-1',
    });
  });

  it('names a custom qualifier in the bootstrap command', async () => {
    // Arrange
    ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: '', $metadata: { httpStatusCode: 400 } }));
    // Act
    const result = await checkBootstrap(clients.ssm, { ...expected, parameterName: '/cdk-bootstrap/team42/version' });
    // Assert
    expect(result.fix).toBe('run npx cdk bootstrap aws://111122223333/us-east-1 --qualifier team42');
  });

  it('fails when the bootstrap version is older than the app needs', async () => {
    // Arrange
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: '5' } });
    // Act
    const result = await checkBootstrap(clients.ssm, expected);
    // Assert
    expect(result).toMatchObject({
      status: 'fail',
      found: 'CDK bootstrap version 5 in /cdk-bootstrap/hnb659fds/version is older than version 6 this app needs',
      fix: 'run npx cdk bootstrap aws://111122223333/us-east-1 to upgrade it',
    });
  });

  it('warns, saying what it could not read, when access is denied', async () => {
    // Arrange
    ssm
      .on(GetParameterCommand)
      .rejects(awsError(SSMServiceException, 'AccessDeniedException', 'not authorized to perform: ssm:GetParameter'));
    // Act
    const result = await checkBootstrap(clients.ssm, expected);
    // Assert
    expect(result).toMatchObject({
      status: 'warn',
      found:
        'could not read the SSM parameter /cdk-bootstrap/hnb659fds/version (AccessDeniedException: not authorized to perform: ssm:GetParameter), so the CDK bootstrap is unchecked',
    });
    expect(result.fix).toContain('npx cdk bootstrap aws://111122223333/us-east-1');
  });
});

describe('CloudTrail (DescribeTrails, GetTrailStatus, GetEventSelectors)', () => {
  const trail = {
    Name: 'management-events',
    TrailARN: TRAIL_ARN,
    HomeRegion: 'us-east-1',
    IsMultiRegionTrail: true,
    IsOrganizationTrail: false,
  };

  it('passes without any call when the stack brings its own trail (createTrail=true)', async () => {
    // Act
    const result = await checkCloudTrail(clients.cloudTrail, { createTrail: true });
    // Assert
    expect(result.status).toBe('pass');
    expect(result.found).toBe(
      'createTrail=true: the stack brings its own multi-Region trail of management events, so no existing trail is needed',
    );
    expect(cloudTrail.calls()).toHaveLength(0);
  });

  it('passes and names a logging multi-Region trail with write management events, asking by ARN', async () => {
    // Arrange
    cloudTrail.on(DescribeTrailsCommand).resolves({ trailList: [trail] });
    cloudTrail.on(GetTrailStatusCommand).resolves({ IsLogging: true });
    cloudTrail
      .on(GetEventSelectorsCommand)
      .resolves({ EventSelectors: [{ ReadWriteType: 'WriteOnly', IncludeManagementEvents: true }] });
    // Act
    const result = await checkCloudTrail(clients.cloudTrail, { createTrail: false });
    // Assert
    expect(result).toEqual({
      id: 'cloudtrail',
      status: 'pass',
      found:
        'trail "management-events" (multi-Region) is logging and records write management events (event selector with management events, ReadWriteType WriteOnly)',
      details: [],
    });
    expect(cloudTrail.commandCalls(DescribeTrailsCommand)[0]!.args[0].input).toEqual({ includeShadowTrails: true });
    expect(cloudTrail.commandCalls(GetTrailStatusCommand)[0]!.args[0].input).toEqual({ Name: TRAIL_ARN });
    expect(cloudTrail.commandCalls(GetEventSelectorsCommand)[0]!.args[0].input).toEqual({ TrailName: TRAIL_ARN });
  });

  it('fails when no trail exists, saying that no change would ever be seen and that createTrail=true adds one', async () => {
    // Arrange
    cloudTrail.on(DescribeTrailsCommand).resolves({ trailList: [] });
    // Act
    const result = await checkCloudTrail(clients.cloudTrail, { createTrail: false });
    // Assert
    expect(result).toEqual({
      id: 'cloudtrail',
      status: 'fail',
      found:
        'no trail covers us-east-1 (0 listed, none multi-Region or homed there); without one the notifier never sees a change: ' +
        'EventBridge receives "AWS API Call via CloudTrail" events only while a trail logs management events',
      fix: 'deploy with -c createTrail=true, which adds a multi-Region trail of management events to the stack',
      details: [],
    });
  });

  it('fails when the only trail is single-Region in another Region, without asking about it', async () => {
    // Arrange
    cloudTrail
      .on(DescribeTrailsCommand)
      .resolves({ trailList: [{ ...trail, HomeRegion: 'eu-west-1', IsMultiRegionTrail: false }] });
    // Act
    const result = await checkCloudTrail(clients.cloudTrail, { createTrail: false });
    // Assert
    expect(result.status).toBe('fail');
    expect(result.found).toMatch(/^no trail covers us-east-1 \(1 listed, none multi-Region or homed there\)/);
    expect(cloudTrail.commandCalls(GetTrailStatusCommand)).toHaveLength(0);
  });

  it('fails when the trail is not logging, with the command that starts it', async () => {
    // Arrange
    cloudTrail.on(DescribeTrailsCommand).resolves({ trailList: [trail] });
    cloudTrail.on(GetTrailStatusCommand).resolves({ IsLogging: false });
    // Act
    const result = await checkCloudTrail(clients.cloudTrail, { createTrail: false });
    // Assert
    expect(result.status).toBe('fail');
    expect(result.fix).toBe(
      'fix one of the trails below, or deploy with -c createTrail=true, which adds a multi-Region trail of management events to the stack',
    );
    expect(result.details).toEqual([
      {
        status: 'fail',
        found: 'trail "management-events" (multi-Region) is not logging',
        fix: `aws cloudtrail start-logging --name ${TRAIL_ARN} --region us-east-1`,
      },
    ]);
  });

  it('fails when the trail records read-only management events', async () => {
    // Arrange
    cloudTrail.on(DescribeTrailsCommand).resolves({ trailList: [trail] });
    cloudTrail.on(GetTrailStatusCommand).resolves({ IsLogging: true });
    cloudTrail
      .on(GetEventSelectorsCommand)
      .resolves({ EventSelectors: [{ ReadWriteType: 'ReadOnly', IncludeManagementEvents: true }] });
    // Act
    const result = await checkCloudTrail(clients.cloudTrail, { createTrail: false });
    // Assert
    expect(result.status).toBe('fail');
    expect(result.details).toEqual([
      {
        status: 'fail',
        found:
          'trail "management-events" (multi-Region) is logging, but its management events are read-only (ReadWriteType ReadOnly)',
        fix: 'edit management-events to record write (or all) management events',
      },
    ]);
  });

  it('warns, and says what to check by hand, for an organization trail a member account cannot read', async () => {
    // Arrange
    const organizationTrail = {
      Name: 'org-trail',
      TrailARN: 'arn:aws:cloudtrail:us-east-1:999988887777:trail/org-trail',
      HomeRegion: 'us-east-1',
      IsMultiRegionTrail: true,
      IsOrganizationTrail: true,
    };
    cloudTrail.on(DescribeTrailsCommand).resolves({ trailList: [organizationTrail] });
    cloudTrail
      .on(GetTrailStatusCommand)
      .rejects(new TrailNotFoundException({ message: 'Unknown trail', $metadata: { httpStatusCode: 400 } }));
    // Act
    const result = await checkCloudTrail(clients.cloudTrail, { createTrail: false });
    // Assert
    expect(result.status).toBe('warn');
    expect(result.details).toEqual([
      {
        status: 'warn',
        found:
          'trail "org-trail" (multi-Region, organization trail): its status could not be read (TrailNotFoundException: Unknown trail)',
        fix: "ask whoever runs the organization's management account to confirm that org-trail is logging and records write management events in us-east-1",
      },
    ]);
  });

  it('passes on a second trail when the first one cannot be read', async () => {
    // Arrange
    const regional = {
      Name: 'regional',
      TrailARN: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/regional`,
      HomeRegion: 'us-east-1',
      IsMultiRegionTrail: false,
    };
    cloudTrail.on(DescribeTrailsCommand).resolves({ trailList: [{ ...trail, IsOrganizationTrail: true }, regional] });
    cloudTrail
      .on(GetTrailStatusCommand, { Name: TRAIL_ARN })
      .rejects(new CloudTrailAccessDenied({ message: 'denied', $metadata: { httpStatusCode: 400 } }));
    cloudTrail.on(GetTrailStatusCommand, { Name: regional.TrailARN }).resolves({ IsLogging: true });
    cloudTrail.on(GetEventSelectorsCommand).resolves({
      AdvancedEventSelectors: [
        { Name: 'Management events', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] },
      ],
    });
    // Act
    const result = await checkCloudTrail(clients.cloudTrail, { createTrail: false });
    // Assert
    expect(result).toMatchObject({
      status: 'pass',
      found:
        'trail "regional" (in us-east-1) is logging and records write management events (advanced selector "Management events" records write management events)',
    });
  });

  it('warns when the trails cannot be listed', async () => {
    // Arrange
    cloudTrail
      .on(DescribeTrailsCommand)
      .rejects(new CloudTrailAccessDenied({ message: 'not authorized', $metadata: { httpStatusCode: 400 } }));
    // Act
    const result = await checkCloudTrail(clients.cloudTrail, { createTrail: false });
    // Assert
    expect(result.status).toBe('warn');
    expect(result.found).toMatch(/^could not list the trails \(AccessDeniedException: not authorized\)/);
  });

  it.each([
    ['basic, All', { EventSelectors: [{ ReadWriteType: 'All' as const, IncludeManagementEvents: true }] }, true],
    ['basic, defaults', { EventSelectors: [{}] }, true],
    [
      'basic, data events only',
      { EventSelectors: [{ ReadWriteType: 'All' as const, IncludeManagementEvents: false }] },
      false,
    ],
    [
      'basic, CloudFront excluded',
      {
        EventSelectors: [
          { IncludeManagementEvents: true, ExcludeManagementEventSources: ['cloudfront.amazonaws.com'] },
        ],
      },
      false,
    ],
    ['no selectors', {}, false],
    [
      'advanced, management',
      { AdvancedEventSelectors: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] }] },
      true,
    ],
    [
      'advanced, management writes',
      {
        AdvancedEventSelectors: [
          {
            FieldSelectors: [
              { Field: 'eventCategory', Equals: ['Management'] },
              { Field: 'readOnly', Equals: ['false'] },
            ],
          },
        ],
      },
      true,
    ],
    [
      'advanced, management reads only',
      {
        AdvancedEventSelectors: [
          {
            FieldSelectors: [
              { Field: 'eventCategory', Equals: ['Management'] },
              { Field: 'readOnly', Equals: ['true'] },
            ],
          },
        ],
      },
      false,
    ],
    [
      'advanced, data events',
      {
        AdvancedEventSelectors: [
          {
            FieldSelectors: [
              { Field: 'eventCategory', Equals: ['Data'] },
              { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
            ],
          },
        ],
      },
      false,
    ],
  ])('reads the selectors (%s) as selecting write management events: %s', (_name, selectors, selects) => {
    // Act
    const verdict = selectsWriteManagementEvents(selectors);
    // Assert
    expect(verdict.selects).toBe(selects);
  });

  it.each([
    ['no selectors', {}, 'it has no event selectors'],
    [
      'data events only',
      { EventSelectors: [{ IncludeManagementEvents: false }] },
      'its event selectors exclude management events (IncludeManagementEvents false)',
    ],
    [
      'reads only',
      { EventSelectors: [{ IncludeManagementEvents: true, ReadWriteType: 'ReadOnly' as const }] },
      'its management events are read-only (ReadWriteType ReadOnly)',
    ],
    [
      'CloudFront excluded',
      { EventSelectors: [{ ExcludeManagementEventSources: ['cloudfront.amazonaws.com'] }] },
      'its event selectors exclude cloudfront.amazonaws.com (ExcludeManagementEventSources)',
    ],
  ])('says why basic selectors (%s) miss write management events', (_name, selectors, why) => {
    // Act
    const verdict = selectsWriteManagementEvents(selectors);
    // Assert
    expect(verdict).toEqual({ selects: false, why });
  });
});

describe('the definition (states:ValidateStateMachineDefinition)', () => {
  const definition = {
    StartAt: 'Get distribution status',
    States: {
      'Get distribution status': {
        Type: 'Task',
        Resource: 'arn:aws:states:::aws-sdk:cloudfront:getDistribution',
        End: true,
      },
    },
  } as unknown as AslDefinition;

  it('passes when Step Functions finds nothing, sending the definition as a STANDARD one', async () => {
    // Arrange
    sfn.on(ValidateStateMachineDefinitionCommand).resolves({ result: 'OK', diagnostics: [] });
    // Act
    const result = await checkDefinition(clients.sfn, definition);
    // Assert
    expect(result).toEqual({
      id: 'definition',
      status: 'pass',
      found: 'Step Functions validates the synthesized definition (1 states): OK, no diagnostics',
      details: [],
    });
    expect(sfn.commandCalls(ValidateStateMachineDefinitionCommand)[0]!.args[0].input).toEqual({
      definition: JSON.stringify(definition),
      type: 'STANDARD',
      severity: 'WARNING',
    });
  });

  it('fails on an SDK action Step Functions does not know, printing code, location and message', async () => {
    // Arrange
    sfn.on(ValidateStateMachineDefinitionCommand).resolves({
      result: 'FAIL',
      diagnostics: [
        {
          severity: 'ERROR',
          code: 'SCHEMA_VALIDATION_FAILED',
          message: 'The resource provided arn:aws:states:::aws-sdk:cloudfront:getDistribution is not recognized.',
          location: '/States/Get distribution status/Resource',
        },
      ],
    });
    // Act
    const result = await checkDefinition(clients.sfn, definition);
    // Assert
    expect(result.status).toBe('fail');
    expect(result.found).toBe('Step Functions rejects the synthesized definition (1 states): result FAIL, 1 error(s)');
    expect(result.fix).toMatch(
      /^Step Functions does not know an SDK action the definition calls \(yet\): deploying would fail and roll the whole stack back/,
    );
    expect(result.details).toEqual([
      {
        status: 'fail',
        found:
          'ERROR SCHEMA_VALIDATION_FAILED at /States/Get distribution status/Resource: The resource provided arn:aws:states:::aws-sdk:cloudfront:getDistribution is not recognized.',
      },
    ]);
  });

  it('warns and prints the warnings when the definition is valid with warnings', async () => {
    // Arrange
    sfn.on(ValidateStateMachineDefinitionCommand).resolves({
      result: 'OK',
      diagnostics: [
        {
          severity: 'WARNING',
          code: 'NO_DOLLAR',
          message: 'The field looks like a JSONPath.',
          location: '/States/Get distribution status/Parameters/Id',
        },
      ],
    });
    // Act
    const result = await checkDefinition(clients.sfn, definition);
    // Assert
    expect(result.status).toBe('warn');
    expect(result.details).toEqual([
      {
        status: 'warn',
        found: 'WARNING NO_DOLLAR at /States/Get distribution status/Parameters/Id: The field looks like a JSONPath.',
      },
    ]);
  });

  it('passes as skipped without a call in mode sqs-retry', async () => {
    // Act
    const result = await checkDefinition(clients.sfn, undefined);
    // Assert
    expect(result).toEqual({
      id: 'definition',
      status: 'pass',
      found: 'skipped: mode sqs-retry deploys no state machine',
      details: [],
    });
    expect(sfn.calls()).toHaveLength(0);
  });

  it('warns when the account may not call ValidateStateMachineDefinition', async () => {
    // Arrange
    sfn
      .on(ValidateStateMachineDefinitionCommand)
      .rejects(
        awsError(
          SFNServiceException,
          'AccessDeniedException',
          'not authorized to perform: states:ValidateStateMachineDefinition',
        ),
      );
    // Act
    const result = await checkDefinition(clients.sfn, definition);
    // Assert
    expect(result).toMatchObject({
      status: 'warn',
      found:
        'could not validate the definition (AccessDeniedException: not authorized to perform: states:ValidateStateMachineDefinition); an invalid one would only show at deploy, rolling the stack back',
      fix: 'run preflight with a role allowed states:ValidateStateMachineDefinition',
    });
  });
});

describe('after deploy (cloudformation:DescribeStacks, sns:ListSubscriptionsByTopic)', () => {
  const expected = {
    stackName: 'CloudFrontChangeNotifier',
    notificationEmails: ['ops@example.com', 'dev@example.com'],
  };
  const deployed = (status: string) => ({
    Stacks: [
      {
        StackName: 'CloudFrontChangeNotifier',
        StackStatus: status as never,
        CreationTime: new Date('2027-03-01T08:00:00Z'),
        Outputs: [{ OutputKey: 'TopicArn', OutputValue: TOPIC_ARN }],
      },
    ],
  });
  const subscription = (endpoint: string, arn: string) => ({
    Protocol: 'email',
    Endpoint: endpoint,
    SubscriptionArn: arn,
    TopicArn: TOPIC_ARN,
    Owner: ACCOUNT,
  });

  it('passes as "not deployed yet" when the stack does not exist', async () => {
    // Arrange
    cloudFormation
      .on(DescribeStacksCommand)
      .rejects(
        awsError(
          CloudFormationServiceException,
          'ValidationError',
          'Stack with id CloudFrontChangeNotifier does not exist',
        ),
      );
    // Act
    const result = await checkDeployment(clients.cloudFormation, clients.sns, expected);
    // Assert
    expect(result).toEqual({
      id: 'deployment',
      status: 'pass',
      found: 'stack CloudFrontChangeNotifier is not deployed yet (npx cdk deploy creates it)',
      details: [],
    });
    expect(cloudFormation.commandCalls(DescribeStacksCommand)[0]!.args[0].input).toEqual({
      StackName: 'CloudFrontChangeNotifier',
    });
    expect(sns.calls()).toHaveLength(0);
  });

  it('passes when every configured address is confirmed', async () => {
    // Arrange
    cloudFormation.on(DescribeStacksCommand).resolves(deployed('UPDATE_COMPLETE'));
    sns.on(ListSubscriptionsByTopicCommand).resolves({
      Subscriptions: [
        subscription('ops@example.com', `${TOPIC_ARN}:0b6b3c1e`),
        subscription('Dev@Example.com', `${TOPIC_ARN}:7f3e2a9d`),
      ],
    });
    // Act
    const result = await checkDeployment(clients.cloudFormation, clients.sns, expected);
    // Assert
    expect(result).toEqual({
      id: 'deployment',
      status: 'pass',
      found: `stack CloudFrontChangeNotifier is UPDATE_COMPLETE; 2 of 2 email address(es) confirmed on ${TOPIC_ARN}`,
      details: [
        { status: 'pass', found: 'ops@example.com confirmed' },
        { status: 'pass', found: 'dev@example.com confirmed' },
      ],
    });
    expect(sns.commandCalls(ListSubscriptionsByTopicCommand)[0]!.args[0].input).toEqual({ TopicArn: TOPIC_ARN });
  });

  it('warns per address still to confirm and per configured address without a subscription, reading every page', async () => {
    // Arrange
    cloudFormation.on(DescribeStacksCommand).resolves(deployed('CREATE_COMPLETE'));
    sns
      .on(ListSubscriptionsByTopicCommand, { TopicArn: TOPIC_ARN, NextToken: undefined })
      .resolves({ Subscriptions: [subscription('ops@example.com', 'PendingConfirmation')], NextToken: 'page-2' })
      .on(ListSubscriptionsByTopicCommand, { TopicArn: TOPIC_ARN, NextToken: 'page-2' })
      .resolves({ Subscriptions: [subscription('oncall@example.com', `${TOPIC_ARN}:1c2d3e4f`)] });
    // Act
    const result = await checkDeployment(clients.cloudFormation, clients.sns, expected);
    // Assert
    expect(result.status).toBe('warn');
    expect(result.found).toBe(
      `stack CloudFrontChangeNotifier is CREATE_COMPLETE; 1 of 3 email address(es) confirmed on ${TOPIC_ARN}`,
    );
    expect(result.fix).toBe('see the lines below');
    expect(result.details).toEqual([
      {
        status: 'warn',
        found: 'ops@example.com has not confirmed its subscription yet',
        fix: 'open the "AWS Notification - Subscription Confirmation" email sent to ops@example.com and choose Confirm subscription',
      },
      {
        status: 'warn',
        found: 'dev@example.com is in notificationEmails but has no subscription on the topic',
        fix: 'deploy again with this context (npx cdk deploy), which subscribes it',
      },
      { status: 'pass', found: 'oncall@example.com confirmed (subscribed, though not in notificationEmails)' },
    ]);
    expect(sns.commandCalls(ListSubscriptionsByTopicCommand)).toHaveLength(2);
  });

  it('fails on a rolled-back stack, with where to find the cause', async () => {
    // Arrange
    cloudFormation.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'CloudFrontChangeNotifier',
          StackStatus: 'ROLLBACK_COMPLETE',
          CreationTime: new Date('2027-03-01T08:00:00Z'),
        },
      ],
    });
    // Act
    const result = await checkDeployment(clients.cloudFormation, clients.sns, { ...expected, notificationEmails: [] });
    // Assert
    expect(result.status).toBe('fail');
    expect(result.found).toMatch(
      /^stack CloudFrontChangeNotifier is ROLLBACK_COMPLETE: its creation failed and it cannot be updated; no TopicArn output$/,
    );
    expect(result.fix).toBe(
      'find the cause with aws cloudformation describe-stack-events --stack-name CloudFrontChangeNotifier --region us-east-1, delete the stack (npx cdk destroy) and deploy again',
    );
  });

  it('fails on UPDATE_ROLLBACK_COMPLETE: the last deployment did not go through', async () => {
    // Arrange
    cloudFormation.on(DescribeStacksCommand).resolves(deployed('UPDATE_ROLLBACK_COMPLETE'));
    sns
      .on(ListSubscriptionsByTopicCommand)
      .resolves({ Subscriptions: [subscription('ops@example.com', `${TOPIC_ARN}:0b6b3c1e`)] });
    // Act
    const result = await checkDeployment(clients.cloudFormation, clients.sns, {
      ...expected,
      notificationEmails: ['ops@example.com'],
    });
    // Assert
    expect(result.status).toBe('fail');
    expect(result.found).toMatch(
      /^stack CloudFrontChangeNotifier is UPDATE_ROLLBACK_COMPLETE: its last deployment failed and was rolled back;/,
    );
  });

  it('warns while a deployment is in progress', async () => {
    // Arrange
    cloudFormation.on(DescribeStacksCommand).resolves(deployed('UPDATE_IN_PROGRESS'));
    sns
      .on(ListSubscriptionsByTopicCommand)
      .resolves({ Subscriptions: [subscription('ops@example.com', `${TOPIC_ARN}:0b6b3c1e`)] });
    // Act
    const result = await checkDeployment(clients.cloudFormation, clients.sns, {
      ...expected,
      notificationEmails: ['ops@example.com'],
    });
    // Assert
    expect(result).toMatchObject({
      status: 'warn',
      found: `stack CloudFrontChangeNotifier is UPDATE_IN_PROGRESS: a deployment is under way; 1 of 1 email address(es) confirmed on ${TOPIC_ARN}`,
      fix: 'run npm run preflight again when it has finished',
    });
  });

  it('warns when the subscriptions cannot be listed', async () => {
    // Arrange
    cloudFormation.on(DescribeStacksCommand).resolves(deployed('CREATE_COMPLETE'));
    sns
      .on(ListSubscriptionsByTopicCommand)
      .rejects(new AuthorizationErrorException({ message: 'not authorized', $metadata: { httpStatusCode: 403 } }));
    // Act
    const result = await checkDeployment(clients.cloudFormation, clients.sns, expected);
    // Assert
    expect(result.status).toBe('warn');
    expect(result.details).toEqual([
      {
        status: 'warn',
        found: `could not list the subscriptions of ${TOPIC_ARN} (AuthorizationErrorException: not authorized)`,
        fix: 'allow sns:ListSubscriptionsByTopic, or check the subscriptions in the SNS console',
      },
    ]);
  });

  it('warns when the topic has no subscriptions at all', async () => {
    // Arrange
    cloudFormation.on(DescribeStacksCommand).resolves(deployed('CREATE_COMPLETE'));
    sns.on(ListSubscriptionsByTopicCommand).resolves({ Subscriptions: [] });
    // Act
    const result = await checkDeployment(clients.cloudFormation, clients.sns, { ...expected, notificationEmails: [] });
    // Assert
    expect(result).toMatchObject({
      status: 'warn',
      found: `stack CloudFrontChangeNotifier is CREATE_COMPLETE; no subscriptions on ${TOPIC_ARN}`,
    });
    expect(result.details).toEqual([
      {
        status: 'warn',
        found: `topic ${TOPIC_ARN} has no subscriptions: notifications reach nobody`,
        fix: 'add -c notificationEmails=you@example.com and deploy again, or subscribe an endpoint to the topic',
      },
    ]);
  });
});

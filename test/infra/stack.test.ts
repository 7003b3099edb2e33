import { Template, Match } from 'aws-cdk-lib/assertions';
import type { CfnElement } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  CLOUDTRAIL_EVENT_SOURCE,
  DEFAULT_WATCHED_EVENTS,
  DETAIL_TYPE,
  DISTRIBUTION_ID_FIELDS,
  EVENT_SOURCE,
  parseEventBridgeBody,
} from '../../domain/cloudtrail';
import { parseWatchSettings, WATCH_SETTINGS_ENV, DISPATCHER_ENV } from '../../domain/settings';
import type { NotifierStack } from '../../infra/notifier-stack';
import { Duration, Stack } from 'aws-cdk-lib';
import { ConfigError, DISPATCHER_TIMEOUT_SECONDS } from '../../infra/config';
import {
  ChangeEventCapture,
  DISTRIBUTION_FILTER_LEFT_OUT,
  MAX_EVENT_PATTERN_CHARACTERS,
} from '../../infra/constructs/change-event-capture';
import { DISPATCHER_BATCH_SIZE } from '../../infra/constructs/dispatcher';
import {
  DEPLOY_TIME_VALUE_CHARACTERS,
  LAMBDA_ENVIRONMENT_MAX_BYTES,
} from '../../infra/constructs/lambda-environment-size';
import {
  FAKE_ACCOUNT,
  fakeArn,
  resolveIntrinsics,
  stateMachineLogicalId,
  synthNotifier,
  type CfnTemplate,
  type SynthResult,
} from '../../tools/lib/synth';
import { synthesized, tenantContext } from '../support/definition';
import { infosWithId } from './annotations';

const EMAILS = ['ops@example.com', 'dev@example.org'];
const IDS = ['E2QWRUHAPOMQZL', 'EDFDVBD6EXAMPLE'];
/** The defaults, plus two subscribers. */
const DEFAULTS_CONTEXT = { notificationEmails: EMAILS.join(',') };
/** Every queue and filter setting away from its default, given as `-c` strings. */
const TUNED_CONTEXT = {
  distributionIds: IDS.join(','),
  watchedEvents: 'UpdateDistribution,CreateInvalidation',
  retentionSeconds: '86400',
  receiveWaitSeconds: '5',
  visibilityTimeoutSeconds: '300',
};

const fixtureBody = (file: string) =>
  readFileSync(fileURLToPath(new URL(`../../tools/fixtures/events/${file}`, import.meta.url)), 'utf8');

interface Stacked {
  readonly result: SynthResult;
  readonly template: Template;
  readonly raw: CfnTemplate;
  readonly id: (construct: IConstruct) => string;
}

function stacked(context: Record<string, unknown>): Stacked {
  const result = synthesized(context);
  return {
    result,
    template: Template.fromJSON(result.template),
    raw: result.template,
    id: (construct) => result.stack.getLogicalId(construct.node.defaultChild as CfnElement),
  };
}

type Statement = {
  Effect: string;
  Action?: string | string[];
  NotAction?: unknown;
  Resource?: unknown;
  NotResource?: unknown;
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
};

const asList = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];
const propertiesOf = (raw: CfnTemplate, logicalId: string) => raw.Resources[logicalId]!.Properties!;

/** Statements of the resource policies (QueuePolicy, TopicPolicy) that name this resource. */
function resourcePolicyStatements(raw: CfnTemplate, type: string, listKey: string, logicalId: string): Statement[] {
  return Object.values(raw.Resources)
    .filter((resource) => resource.Type === type)
    .filter((resource) =>
      asList(resource.Properties![listKey]).some((ref) => JSON.stringify(ref) === JSON.stringify({ Ref: logicalId })),
    )
    .flatMap((resource) => (resource.Properties!.PolicyDocument as { Statement: Statement[] }).Statement);
}

/** Every identity-based statement of the stack: AWS::IAM::Policy documents and inline role policies. */
function identityStatements(raw: CfnTemplate): Statement[] {
  return Object.values(raw.Resources).flatMap((resource) => {
    if (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy') {
      return (resource.Properties!.PolicyDocument as { Statement: Statement[] }).Statement;
    }
    if (resource.Type === 'AWS::IAM::Role') {
      const inline = (resource.Properties!.Policies ?? []) as Array<{ PolicyDocument: { Statement: Statement[] } }>;
      return inline.flatMap((policy) => policy.PolicyDocument.Statement);
    }
    return [];
  });
}

function expectTlsOnly(statements: Statement[], service: string): void {
  const denials = statements.filter(
    (statement) => statement.Effect === 'Deny' && statement.Condition?.Bool?.['aws:SecureTransport'] === 'false',
  );
  expect(denials.length).toBeGreaterThan(0);
  for (const denial of denials) {
    expect(JSON.stringify(denial.Principal)).toMatch(/^("\*"|\{"AWS":"\*"\})$/);
    expect(asList(denial.Action).some((action) => action === `${service}:*` || action === `${service}:Publish`)).toBe(
      true,
    );
  }
}

/** SQS-managed SSE or a KMS key: either way messages are encrypted at rest. */
function expectEncrypted(queue: Record<string, unknown>): void {
  expect(queue.SqsManagedSseEnabled === true || queue.KmsMasterKeyId !== undefined).toBe(true);
}

describe('capture: the EventBridge rule', () => {
  it('matches successful CloudFront calls of the watched events and nothing else', () => {
    // Arrange
    const { template, raw, id, result } = stacked(DEFAULTS_CONTEXT);
    // Act
    const pattern = propertiesOf(raw, id(result.stack.capture.rule)).EventPattern;
    // Assert
    expect(pattern).toMatchObject({
      source: [EVENT_SOURCE],
      'detail-type': [DETAIL_TYPE],
      detail: {
        eventSource: [CLOUDTRAIL_EVENT_SOURCE],
        eventName: [...DEFAULT_WATCHED_EVENTS],
        errorCode: [{ exists: false }],
      },
    });
    expect(pattern).not.toHaveProperty(['detail', '$or']);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ source: [EVENT_SOURCE] }),
      Targets: Match.arrayWith([Match.objectLike({ Arn: { 'Fn::GetAtt': [id(result.stack.capture.queue), 'Arn'] } })]),
    });
  });

  it('with distributionIds, also requires one of the id fields the parser reads to name a listed distribution', () => {
    // Arrange
    const { raw, id, result } = stacked(TUNED_CONTEXT);
    const nested = (field: string) => field.split('.').reduceRight<unknown>((inner, key) => ({ [key]: inner }), IDS);
    // Act
    const { detail } = propertiesOf(raw, id(result.stack.capture.rule)).EventPattern as {
      detail: Record<string, unknown>;
    };
    // Assert
    expect(detail.eventName).toEqual(['UpdateDistribution', 'CreateInvalidation']);
    expect(detail.errorCode).toEqual([{ exists: false }]);
    expect(detail.$or).toEqual(DISTRIBUTION_ID_FIELDS.map(nested));
    expect(detail.$or).toHaveLength(DISTRIBUTION_ID_FIELDS.length);
  });

  describe('with more distributionIds than the event pattern can name', () => {
    const ids = [
      'E2QWRUHAPOMQZL',
      ...Array.from({ length: 59 }, (_, index) => `E2QWRUHA${String(index).padStart(6, '0')}`),
    ];
    const capturePattern = (distributionIds: readonly string[]) => {
      const stack = new Stack();
      new ChangeEventCapture(stack, 'Capture', {
        watchedEvents: DEFAULT_WATCHED_EVENTS,
        distributionIds,
        retentionPeriod: Duration.hours(1),
        receiveMessageWaitTime: Duration.seconds(0),
        visibilityTimeout: Duration.seconds(180),
      });
      const [rule] = Object.values(Template.fromStack(stack).findResources('AWS::Events::Rule'));
      return rule!.Properties.EventPattern as { detail: { $or?: Array<Record<string, unknown>> } };
    };
    let fitting = 0;
    while (fitting < ids.length && capturePattern(ids.slice(0, fitting + 1)).detail.$or !== undefined) fitting++;
    const oneMore = ids.slice(0, fitting + 1);

    it("names the ids in the rule up to EventBridge's MAX_EVENT_PATTERN_CHARACTERS, and not one id past them", () => {
      // Arrange: the pattern with the longest list that fits, and that pattern with one more id in every id field
      const longest = capturePattern(ids.slice(0, fitting));
      const extraId = oneMore.at(-1)!;
      const withExtraId = JSON.parse(JSON.stringify(longest), (_key, value: unknown) =>
        Array.isArray(value) && value.includes(ids[0]) ? [...value, extraId] : value,
      ) as unknown;
      // Act
      const beyond = capturePattern(oneMore);
      // Assert
      expect(fitting).toBeGreaterThan(1);
      expect(fitting).toBeLessThan(ids.length);
      expect(longest.detail.$or).toHaveLength(DISTRIBUTION_ID_FIELDS.length);
      expect(JSON.stringify(longest).length).toBeLessThanOrEqual(MAX_EVENT_PATTERN_CHARACTERS);
      expect(JSON.stringify(withExtraId).length).toBeGreaterThan(MAX_EVENT_PATTERN_CHARACTERS);
      expect(beyond.detail).not.toHaveProperty('$or');
      expect(beyond.detail).toMatchObject({ eventName: [...DEFAULT_WATCHED_EVENTS], errorCode: [{ exists: false }] });
    });

    it.each([
      {
        mode: 'stepfunctions',
        consumer: (stack: NotifierStack) => stack.node.findChild('Dispatcher').node.findChild('Function'),
      },
      { mode: 'sqs-retry', consumer: (stack: NotifierStack) => stack.statusCheck!.function },
    ])('says so at synth time, and the $mode Lambda still skips unlisted distributions', ({ mode, consumer }) => {
      // Arrange
      const { raw, id, result } = stacked({ mode, distributionIds: oneMore.join(',') });
      const fitted = stacked({ mode, distributionIds: ids.slice(0, fitting).join(',') });
      const variables = (
        propertiesOf(raw, id(consumer(result.stack))).Environment as { Variables: Record<string, string> }
      ).Variables;
      const settings = parseWatchSettings(variables[WATCH_SETTINGS_ENV]);
      // Act
      const infos = infosWithId(result.stack, DISTRIBUTION_FILTER_LEFT_OUT);
      const listed = parseEventBridgeBody(fixtureBody('update-distribution.json'), settings);
      const unlisted = parseEventBridgeBody(fixtureBody('create-distribution-with-tags.json'), settings);
      // Assert
      expect(propertiesOf(raw, id(result.stack.capture.rule)).EventPattern).not.toHaveProperty(['detail', '$or']);
      expect(infos.map((info) => info.id)).toEqual([`/${result.stack.capture.rule.node.path}`]);
      expect(infos[0]!.entry.data as string).toMatch(
        new RegExp(
          `distributionIds lists ${oneMore.length} ids.*passes every watched call.*drops changes to other distributions.*one Lambda invocation per unrelated change`,
        ),
      );
      expect(infosWithId(fitted.result.stack, DISTRIBUTION_FILTER_LEFT_OUT)).toEqual([]);
      expect(settings.distributionIds).toEqual(oneMore);
      expect(listed.type).toBe('watch');
      expect(unlisted).toMatchObject({ type: 'skip', reason: 'distribution E1KX7NS0V9EXMP is not in distributionIds' });
    });
  });
});

describe('buffer: the queues', () => {
  it.each([
    {
      settings: 'defaults',
      context: DEFAULTS_CONTEXT,
      retention: 345_600,
      wait: 20,
      visibility: 6 * DISPATCHER_TIMEOUT_SECONDS,
    },
    { settings: 'tuned', context: TUNED_CONTEXT, retention: 86_400, wait: 5, visibility: 300 },
  ])(
    'buffer queue follows the configuration ($settings), encrypted, redriving to the DLQ',
    ({ context, retention, wait, visibility }) => {
      // Arrange
      const { raw, id, result } = stacked(context);
      // Act
      const queue = propertiesOf(raw, id(result.stack.capture.queue));
      // Assert
      expect(queue).toMatchObject({
        MessageRetentionPeriod: retention,
        ReceiveMessageWaitTimeSeconds: wait,
        VisibilityTimeout: visibility,
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [id(result.stack.capture.deadLetterQueue), 'Arn'] } },
      });
      expectEncrypted(queue);
    },
  );

  it('dead-letter queue is encrypted too', () => {
    // Arrange
    const { raw, id, result } = stacked(DEFAULTS_CONTEXT);
    // Act
    const deadLetters = propertiesOf(raw, id(result.stack.capture.deadLetterQueue));
    // Assert
    expectEncrypted(deadLetters);
  });

  it('both queues and the topic deny every request that does not use TLS', () => {
    // Arrange
    const { raw, id, result } = stacked(DEFAULTS_CONTEXT);
    const { capture, notifications } = result.stack;
    // Act
    const buffer = resourcePolicyStatements(raw, 'AWS::SQS::QueuePolicy', 'Queues', id(capture.queue));
    const deadLetters = resourcePolicyStatements(raw, 'AWS::SQS::QueuePolicy', 'Queues', id(capture.deadLetterQueue));
    const topic = resourcePolicyStatements(raw, 'AWS::SNS::TopicPolicy', 'Topics', id(notifications.topic));
    // Assert
    expectTlsOnly(buffer, 'sqs');
    expectTlsOnly(deadLetters, 'sqs');
    expectTlsOnly(topic, 'sns');
  });

  it('only EventBridge may send to the buffer queue, and only for this rule', () => {
    // Arrange
    const { raw, id, result } = stacked(DEFAULTS_CONTEXT);
    const ruleArn = { 'Fn::GetAtt': [id(result.stack.capture.rule), 'Arn'] };
    // Act
    const allows = resourcePolicyStatements(
      raw,
      'AWS::SQS::QueuePolicy',
      'Queues',
      id(result.stack.capture.queue),
    ).filter((statement) => statement.Effect === 'Allow');
    // Assert
    expect(allows.some((statement) => asList(statement.Action).includes('sqs:SendMessage'))).toBe(true);
    for (const allow of allows) {
      expect(allow.Principal).toEqual({ Service: 'events.amazonaws.com' });
      expect(allow.Condition).toEqual({ ArnEquals: { 'aws:SourceArn': ruleArn } });
      expect(asList(allow.Action).every((action) => !action.includes('*'))).toBe(true);
    }
  });
});

describe('dispatch: the Lambda function', () => {
  it('reads the buffer in batches of DISPATCHER_BATCH_SIZE and reports failed items one by one', () => {
    // Arrange
    const { template, id, result } = stacked(DEFAULTS_CONTEXT);
    // Act & Assert
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [id(result.stack.capture.queue), 'Arn'] },
      BatchSize: DISPATCHER_BATCH_SIZE,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('hands the running code the state machine and the watch settings of the config', () => {
    // Arrange
    const { raw, id, result } = stacked(TUNED_CONTEXT);
    const dispatcher = result.stack.node.findChild('Dispatcher').node.findChild('Function');
    // Act
    const variables = (propertiesOf(raw, id(dispatcher)).Environment as { Variables: Record<string, unknown> })
      .Variables;
    // Assert
    expect(variables[DISPATCHER_ENV.stateMachineArn]).toEqual({ Ref: stateMachineLogicalId(raw) });
    expect(parseWatchSettings(variables[WATCH_SETTINGS_ENV] as string)).toMatchObject({
      watchedEvents: ['UpdateDistribution', 'CreateInvalidation'],
      distributionIds: IDS,
      retentionSeconds: 86_400,
      schedule: { pollIntervalSeconds: 60 },
    });
  });

  it('runs on Node.js 22 or newer, arm64, with X-Ray and JSON logs', () => {
    // Arrange
    const { template, raw, id, result } = stacked(DEFAULTS_CONTEXT);
    const mappings = template.findResources('AWS::Lambda::EventSourceMapping', {
      Properties: { EventSourceArn: { 'Fn::GetAtt': [id(result.stack.capture.queue), 'Arn'] } },
    });
    const [mapping] = Object.values(mappings);
    // Act
    const fn = propertiesOf(raw, (mapping!.Properties.FunctionName as { Ref: string }).Ref);
    // Assert
    const major = Number(/^nodejs(\d+)\.x$/.exec(String(fn.Runtime))?.[1]);
    expect(major).toBeGreaterThanOrEqual(22);
    expect(fn).toMatchObject({
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: { LogFormat: 'JSON' },
    });
  });
});

describe('watch: the state machine', () => {
  it('is a Standard workflow with full execution logs and X-Ray tracing', () => {
    // Arrange
    const { raw } = stacked(DEFAULTS_CONTEXT);
    // Act
    const machine = propertiesOf(raw, stateMachineLogicalId(raw));
    // Assert
    expect(machine).toMatchObject({
      StateMachineType: 'STANDARD',
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true, Destinations: [expect.anything()] },
      TracingConfiguration: { Enabled: true },
    });
  });

  it("may start its own continuation: its own role allows states:StartExecution on the state machine's own ARN", () => {
    // Arrange
    const { raw } = stacked(DEFAULTS_CONTEXT);
    const machineId = stateMachineLogicalId(raw);
    const [roleId] = (propertiesOf(raw, machineId).RoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'];
    // Act
    const grants = Object.values(raw.Resources)
      .filter((resource) => resource.Type === 'AWS::IAM::Policy')
      .filter((policy) =>
        asList(policy.Properties!.Roles).some((role) => JSON.stringify(role) === `{"Ref":"${roleId}"}`),
      )
      .flatMap((policy) => (policy.Properties!.PolicyDocument as { Statement: Statement[] }).Statement)
      .filter((statement) => statement.Effect === 'Allow')
      .flatMap((statement) =>
        asList(statement.Action).map((action) => ({
          action,
          resources: asList(resolveIntrinsics(statement.Resource, raw) as string | string[]),
        })),
      );
    // Assert
    expect(grants).toContainEqual({
      action: 'states:StartExecution',
      resources: [`arn:aws:states:us-east-1:${FAKE_ACCOUNT}:stateMachine:CloudFrontChangeNotifier-ChangeWatch`],
    });
  });
});

describe('least-privilege IAM', () => {
  const distributionReads = ['cloudfront:GetDistribution', 'cloudfront:GetInvalidation'];
  const tenantReads = ['cloudfront:GetDistributionTenant', 'cloudfront:GetInvalidationForDistributionTenant'];
  /** The reconciliation sweep's: the lists on "*", ListInvalidations on the distributions the status reads name. */
  const sweepLists = ['cloudfront:ListDistributions', 'cloudfront:ListInvalidations'];

  it.each([
    // Tenant calls are opt-in, so neither the defaults nor TUNED_CONTEXT may read a tenant.
    {
      settings: 'defaults',
      context: DEFAULTS_CONTEXT,
      distributions: ['*'],
      cloudfrontReads: [...distributionReads, ...sweepLists],
      tenants: [],
    },
    {
      settings: 'tenant calls, read by the state machine',
      context: { ...DEFAULTS_CONTEXT, ...tenantContext('sdk') },
      distributions: ['*'],
      cloudfrontReads: [...distributionReads, ...tenantReads, ...sweepLists, 'cloudfront:ListDistributionTenants'],
      tenants: ['*'],
    },
    {
      settings: 'distributionIds',
      context: TUNED_CONTEXT,
      distributions: IDS,
      cloudfrontReads: [...distributionReads, ...sweepLists],
      tenants: [],
    },
  ])(
    'grants no wildcard action and only what each part needs ($settings)',
    ({ context, distributions, cloudfrontReads, tenants }) => {
      // Arrange
      const { raw, id, result } = stacked(context);
      const machineId = stateMachineLogicalId(raw);
      const machineName = propertiesOf(raw, machineId).StateMachineName as string;
      const ownMachine = [
        fakeArn(raw, machineId),
        `arn:aws:states:us-east-1:${FAKE_ACCOUNT}:stateMachine:${machineName}`,
      ];
      const topicArn = fakeArn(raw, id(result.stack.notifications.topic));
      const distributionArns = [
        '*',
        ...distributions.map((distribution) => `arn:aws:cloudfront::${FAKE_ACCOUNT}:distribution/${distribution}`),
        ...tenants.map((tenant) => `arn:aws:cloudfront::${FAKE_ACCOUNT}:distribution-tenant/${tenant}`),
      ];
      // Act
      const statements = identityStatements(raw);
      const allows = statements.filter((statement) => statement.Effect === 'Allow');
      const actions = allows.flatMap((statement) => asList(statement.Action));
      const resourcesFor = (prefix: string) =>
        allows
          .filter((statement) => asList(statement.Action).some((action) => action.startsWith(prefix)))
          .flatMap((statement) => asList(resolveIntrinsics(statement.Resource, raw) as string | string[]));
      // Assert
      expect(
        statements.every((statement) => statement.NotAction === undefined && statement.NotResource === undefined),
      ).toBe(true);
      expect(actions.filter((action) => action === '*' || /^[\w-]+:\*$/.test(action))).toEqual([]);
      expect(new Set(actions.filter((action) => action.startsWith('cloudfront:')))).toEqual(new Set(cloudfrontReads));
      expect(new Set(resourcesFor('cloudfront:'))).toEqual(new Set(distributionArns));
      expect(new Set(resourcesFor('sns:Publish'))).toEqual(new Set([topicArn]));
      const startable = resourcesFor('states:StartExecution');
      expect(startable.length).toBeGreaterThan(0);
      expect(startable.filter((arn) => !ownMachine.includes(arn))).toEqual([]);
    },
  );
});

describe('notify: the topic', () => {
  it('subscribes each configured address once, by email', () => {
    // Arrange
    const { template, id, result } = stacked(DEFAULTS_CONTEXT);
    // Act
    const subscriptions = Object.values(
      template.findResources('AWS::SNS::Subscription', { Properties: { Protocol: 'email' } }),
    );
    // Assert
    expect(subscriptions.map((subscription) => subscription.Properties.Endpoint).sort()).toEqual([...EMAILS].sort());
    for (const subscription of subscriptions) {
      expect(subscription.Properties.TopicArn).toEqual({ Ref: id(result.stack.notifications.topic) });
    }
  });

  it('has no email subscription when no address is configured', () => {
    // Arrange
    const { template } = stacked(TUNED_CONTEXT);
    // Act
    const subscriptions = template.findResources('AWS::SNS::Subscription', { Properties: { Protocol: 'email' } });
    // Assert
    expect(subscriptions).toEqual({});
  });
});

describe('Region', () => {
  it('refuses any Region but us-east-1 and says why', () => {
    // Arrange
    const region = 'eu-west-1';
    // Act
    const synth = () => synthNotifier({}, { region });
    // Assert
    expect(synth).toThrow(/us-east-1/);
    expect(synth).toThrow(/eu-west-1/);
    expect(synth).toThrow(/CloudTrail/);
  });
});

describe('distributionIds and the 4 KB of a Lambda environment', () => {
  const MODE_CONTEXTS = [
    { mode: 'stepfunctions', context: {} },
    { mode: 'sqs-retry', context: { mode: 'sqs-retry' } },
  ];
  // Distinct ids of the real length, 14 characters like E2QWRUHAPOMQZL.
  const ids = (count: number) => Array.from({ length: count }, (_, index) => `E${String(index).padStart(13, '0')}`);
  const environments = (template: CfnTemplate) =>
    Object.values(template.Resources)
      .filter((resource) => resource.Type === 'AWS::Lambda::Function')
      .map(
        (resource) =>
          (resource.Properties!.Environment as { Variables: Record<string, unknown> } | undefined)?.Variables ?? {},
      );
  /** As Lambda measures it: the variables as one JSON object, a deploy-time reference at its assumed longest. */
  const measured = (variables: Record<string, unknown>) => {
    const atDeploy = (value: unknown) => {
      if (typeof value === 'string') return value;
      expect(Object.keys(value as object)).toEqual([expect.stringMatching(/^(Ref|Fn::GetAtt)$/)]);
      return 'x'.repeat(DEPLOY_TIME_VALUE_CHARACTERS);
    };
    const deployed = Object.fromEntries(Object.entries(variables).map(([key, value]) => [key, atDeploy(value)]));
    return Buffer.byteLength(JSON.stringify(deployed), 'utf8');
  };
  const refusal = (context: Record<string, unknown>): Error => {
    try {
      synthNotifier(context);
    } catch (error) {
      return error as Error;
    }
    throw new Error('the synth was expected to fail');
  };

  it.each(MODE_CONTEXTS)(
    'in mode $mode synthesizes the longest list it accepts within the quota, and refuses one id more naming the maximum',
    ({ context }) => {
      // Arrange: the maximum named by the refusal of a list far too long
      const tooMany = refusal({ ...context, distributionIds: ids(400).join(',') });
      const maximum = Number(/at most (\d+) ids of 14 characters/.exec(tooMany.message)?.[1]);
      // Act
      const { template } = synthNotifier({ ...context, distributionIds: ids(maximum).join(',') });
      const oneMore = refusal({ ...context, distributionIds: ids(maximum + 1).join(',') });
      // Assert
      expect(tooMany).toBeInstanceOf(ConfigError);
      expect(maximum).toBeGreaterThan(0);
      const all = environments(template);
      for (const variables of all) expect(measured(variables)).toBeLessThanOrEqual(LAMBDA_ENVIRONMENT_MAX_BYTES);
      // The function that consumes the buffer queue, and the sweeper.
      const carrying = all.filter((variables) => variables[WATCH_SETTINGS_ENV] !== undefined);
      expect(carrying).toHaveLength(2);
      const settings = carrying.map((variables) => parseWatchSettings(variables[WATCH_SETTINGS_ENV] as string));
      expect(settings.map(({ distributionIds }) => distributionIds)).toEqual([ids(maximum), ids(maximum)]);
      const withOneMore = { ...settings[0]!, distributionIds: ids(maximum + 1) };
      const measuredWithOneMore = carrying.map((variables) =>
        measured({ ...variables, [WATCH_SETTINGS_ENV]: JSON.stringify(withOneMore) }),
      );
      expect(Math.max(...measuredWithOneMore)).toBeGreaterThan(LAMBDA_ENVIRONMENT_MAX_BYTES);
      expect(oneMore).toBeInstanceOf(ConfigError);
      expect(oneMore.message).toContain('"distributionIds"');
      expect(oneMore.message).toContain(`at most ${maximum} ids of 14 characters`);
      expect(oneMore.message).toContain(`(${maximum + 1} ids)`);
      expect(oneMore.message).not.toContain(ids(maximum + 1).at(-1));
    },
  );
});

describe('the reconciliation sweep', () => {
  it.each([
    { mode: 'stepfunctions', context: {}, target: 'STATE_MACHINE_ARN' },
    { mode: 'sqs-retry', context: { mode: 'sqs-retry' }, target: 'QUEUE_URL' },
  ])('runs every 5 minutes by default in mode $mode, starting watches through $target', ({ context, target }) => {
    // Arrange
    const { template, result, id } = stacked(context);
    // Act
    const schedules = Object.values(template.findResources('AWS::Scheduler::Schedule'));
    // Assert
    expect(schedules.map(({ Properties }) => Properties.ScheduleExpression)).toEqual(['rate(5 minutes)']);
    expect(schedules[0]!.Properties.Target.Arn).toEqual({ 'Fn::GetAtt': [id(result.stack.sweep!.function), 'Arn'] });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'Finds CloudFront changes InProgress that no watch follows and starts their watch',
      Environment: { Variables: Match.objectLike({ [target]: Match.anyValue() }) },
    });
  });

  it.each([
    { why: 'sweepIntervalMinutes is 0', context: { sweepIntervalMinutes: '0' } },
    {
      why: 'only tenant invalidations are watched, which no sweep looks for',
      context: { watchedEvents: 'CreateInvalidationForDistributionTenant' },
    },
  ])('is left out when $why', ({ context }) => {
    // Act
    const { template, result } = stacked(context);
    // Assert
    template.resourceCountIs('AWS::Scheduler::Schedule', 0);
    expect(result.stack.sweep).toBeUndefined();
    expect(JSON.stringify(result.template)).not.toContain('scheduler.amazonaws.com');
  });
});

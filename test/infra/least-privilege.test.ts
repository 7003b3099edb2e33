/**
 * Least privilege, read straight from the synthesized templates of every configuration: every IAM policy, role trust
 * policy, key policy and bucket/topic/queue policy. A wildcard is allowed only where a line below names it and says why.
 */
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import {
  DISTRIBUTION_READS_NOT_LISTED,
  MAX_LISTED_DISTRIBUTION_ARNS,
} from '../../infra/constructs/cloudfront-status-reads';
import type { CfnTemplate } from '../../tools/lib/synth';
import { FAKE_ACCOUNT, resolveIntrinsics } from '../../tools/lib/synth';
import { synthesized } from '../support/definition';
import { infosWithId } from './annotations';
import { CONFIGURATIONS } from './configurations';

type PolicyKind = 'identity' | 'trust' | 'resource' | 'key';

interface Statement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action?: string | string[];
  readonly NotAction?: unknown;
  readonly Resource?: unknown;
  readonly NotResource?: unknown;
  readonly Principal?: unknown;
  readonly NotPrincipal?: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

interface FoundPolicy {
  readonly kind: PolicyKind;
  readonly owner: string;
  /** The roles an identity policy belongs to, or the resource of a resource or key policy, by logical id without CDK's hash. */
  readonly holders: readonly string[];
  readonly statements: readonly Statement[];
}

type Properties = Record<string, unknown>;
type Document = { Statement: Statement[] };

/** Where each resource type keeps its policies. A policy-bearing type missing here fails the sweep. */
const POLICY_READERS: Record<string, (properties: Properties) => { kind: PolicyKind; document: unknown }[]> = {
  'AWS::IAM::Policy': (p) => [{ kind: 'identity', document: p.PolicyDocument }],
  'AWS::IAM::ManagedPolicy': (p) => [{ kind: 'identity', document: p.PolicyDocument }],
  'AWS::IAM::Role': (p) => [
    { kind: 'trust', document: p.AssumeRolePolicyDocument },
    ...((p.Policies ?? []) as { PolicyDocument: unknown }[]).map((inline) => ({
      kind: 'identity' as const,
      document: inline.PolicyDocument,
    })),
  ],
  'AWS::KMS::Key': (p) => [{ kind: 'key', document: p.KeyPolicy }],
  'AWS::S3::BucketPolicy': (p) => [{ kind: 'resource', document: p.PolicyDocument }],
  'AWS::SNS::TopicPolicy': (p) => [{ kind: 'resource', document: p.PolicyDocument }],
  'AWS::SQS::QueuePolicy': (p) => [{ kind: 'resource', document: p.PolicyDocument }],
  'AWS::Logs::ResourcePolicy': (p) => [{ kind: 'resource', document: JSON.parse(p.PolicyDocument as string) }],
};

interface ResourceWildcard {
  readonly reason: string;
  readonly kind: PolicyKind;
  /** Where the wildcard may appear: every holder of the policy must be one of these. */
  readonly on: readonly string[];
  /** Only the statement with this Sid; undefined means any statement. */
  readonly sid?: string;
  /** The actions it admits on the wildcard; undefined means any explicit action. */
  readonly actions?: readonly string[];
  readonly resource: RegExp;
}

const ANY_RESOURCE = /^\*$/;
const STATUS_READER_ROLE = 'StatusReaderRole';
/** The reconciliation sweep's Lambda role. */
const SWEEP_ROLE = 'SweepRole';
/** The read budget's Lambda role (readBudgetPerSecond above 0). */
const READ_BUDGET_ROLE = 'ReadBudgetReserveRole';
const LAMBDA_ROLES = ['DispatcherRole', 'StatusCheckRole', STATUS_READER_ROLE, SWEEP_ROLE, READ_BUDGET_ROLE];
const STATE_MACHINE_ROLE = 'WatchStateMachineRole';
/** The roles that check CloudFront: the state machine in mode stepfunctions, the status-check Lambda in mode sqs-retry. */
const STATUS_CHECKER_ROLES = ['StatusCheckRole', STATE_MACHINE_ROLE];
const DISTRIBUTION_WILDCARD = /^arn:\$\{AWS::Partition\}:cloudfront::\$\{AWS::AccountId\}:distribution\/\*$/;

/** The only wildcards in resources, each with the reason it cannot be narrower. */
const RESOURCE_WILDCARDS: readonly ResourceWildcard[] = [
  {
    reason:
      'X-Ray has no resource-level permissions (Lambda active tracing); NotifierFunction acknowledges IAM5[Resource::*] for these two',
    kind: 'identity',
    on: LAMBDA_ROLES,
    actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
    resource: ANY_RESOURCE,
  },
  {
    reason:
      'cloudwatch:PutMetricData has no resource-level permissions; the statement is conditioned on the watch metrics namespace (watch-state-machine.test.ts)',
    kind: 'identity',
    on: [STATE_MACHINE_ROLE],
    sid: 'RecordWatchMetrics',
    actions: ['cloudwatch:PutMetricData'],
    resource: ANY_RESOURCE,
  },
  {
    reason: 'X-Ray has no resource-level permissions (Step Functions tracing also reads the sampling rules)',
    kind: 'identity',
    on: [STATE_MACHINE_ROLE],
    actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'],
    resource: ANY_RESOURCE,
  },
  {
    reason:
      'Step Functions logs through CloudWatch Logs vended log delivery, whose API has no resource-level permissions',
    kind: 'identity',
    on: [STATE_MACHINE_ROLE],
    actions: [
      'logs:CreateLogDelivery',
      'logs:GetLogDelivery',
      'logs:UpdateLogDelivery',
      'logs:DeleteLogDelivery',
      'logs:ListLogDeliveries',
      'logs:PutResourcePolicy',
      'logs:DescribeResourcePolicies',
      'logs:DescribeLogGroups',
    ],
    resource: ANY_RESOURCE,
  },
  {
    reason:
      'With distributionIds, a CopyDistribution watch checks the staging distribution the call created, whose id no list holds; read-only',
    kind: 'identity',
    on: STATUS_CHECKER_ROLES,
    sid: 'ReadStagingCopyStatus',
    actions: ['cloudfront:GetDistribution'],
    resource: DISTRIBUTION_WILDCARD,
  },
  {
    reason:
      'Without distributionIds, or with more than a role policy can list, every distribution of the own account may be read; ' +
      'only distributions the parser lets through are checked; read-only',
    kind: 'identity',
    on: STATUS_CHECKER_ROLES,
    actions: ['cloudfront:GetDistribution', 'cloudfront:GetInvalidation'],
    resource: DISTRIBUTION_WILDCARD,
  },
  {
    reason:
      'Tenant ids are unknown in advance, even with distributionIds (a listed distribution gets new tenants); read-only, own account',
    kind: 'identity',
    on: [...STATUS_CHECKER_ROLES, STATUS_READER_ROLE],
    actions: ['cloudfront:GetDistributionTenant', 'cloudfront:GetInvalidationForDistributionTenant'],
    resource: /^arn:\$\{AWS::Partition\}:cloudfront::\$\{AWS::AccountId\}:distribution-tenant\/\*$/,
  },
  {
    reason:
      'CloudFront list calls have no resource-level permissions ' +
      '(https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudfront.html); the sweep lists, read-only',
    kind: 'identity',
    on: [SWEEP_ROLE],
    actions: ['cloudfront:ListDistributions', 'cloudfront:ListDistributionTenants'],
    resource: ANY_RESOURCE,
  },
  {
    reason:
      'Without distributionIds, or with more than a role policy can list, the sweep reads every distribution of the own ' +
      'account for its ETag and its invalidations; read-only',
    kind: 'identity',
    on: [SWEEP_ROLE],
    actions: ['cloudfront:GetDistribution', 'cloudfront:ListInvalidations'],
    resource: DISTRIBUTION_WILDCARD,
  },
  {
    reason: 'In a key policy, "*" is the key the policy belongs to',
    kind: 'key',
    on: ['NotificationsKey'],
    resource: ANY_RESOURCE,
  },
  {
    reason: 'CloudTrail names its log files itself, under AWSLogs/<account>/ of the trail bucket',
    kind: 'resource',
    on: ['OperationsTrailBucketPolicy'],
    actions: ['s3:PutObject'],
    resource: new RegExp(`^\\$\\{\\w+\\.Arn\\}/AWSLogs/${FAKE_ACCOUNT}/\\*$`),
  },
];

/** The only wildcard action: the key policy statement that keeps the key manageable through IAM. */
const ACTION_WILDCARDS = [
  {
    reason:
      'The account root administers the key, so IAM policies decide who uses it and the key cannot become unmanageable',
    kind: 'key' as PolicyKind,
    action: 'kms:*',
    principal: `{"AWS":"arn:\${AWS::Partition}:iam::${FAKE_ACCOUNT}:root"}`,
  },
];

/** Service grants without a source condition, each with the reason. */
const UNCONDITIONED_SERVICE_GRANTS = [
  {
    reason:
      'CloudWatch alarms need the topic key (the documented statement carries no condition); SNS uses it only for the ' +
      "topics of this key, and their topic policy admits this stack's alarms only",
    kind: 'key' as PolicyKind,
    service: 'cloudwatch.amazonaws.com',
  },
];

/** The only services that may assume the stack's roles; the chat channels' role grants nothing. */
const TRUSTED_SERVICES = [
  'lambda.amazonaws.com',
  'states.amazonaws.com',
  'scheduler.amazonaws.com',
  'chatbot.amazonaws.com',
];

const asList = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** Intrinsics as text: Ref X becomes ${X}, GetAtt X.Arn ${X.Arn}, Fn::Join is joined; everything else kept. */
function textual(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(textual);
  if (typeof value !== 'object' || value === null) return value;
  const object = value as Record<string, unknown>;
  if ('Ref' in object) return `\${${String(object.Ref)}}`;
  if ('Fn::GetAtt' in object) return `\${${(object['Fn::GetAtt'] as string[]).join('.')}}`;
  if ('Fn::Join' in object) {
    const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
    return parts.map((part) => render(part)).join(separator);
  }
  return Object.fromEntries(Object.entries(object).map(([key, inner]) => [key, textual(inner)]));
}

function render(value: unknown): string {
  const text = textual(value);
  return typeof text === 'string' ? text : JSON.stringify(text);
}

function hasStatements(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('"Statement"');
  if (typeof value !== 'object' || value === null) return false;
  return Object.entries(value).some(([key, inner]) => key === 'Statement' || hasStatements(inner));
}

/** A logical id without the hash CDK appends: WatchStateMachineRole22BE97A6 is WatchStateMachineRole. */
const unhashed = (logicalId: string): string => logicalId.replace(/[0-9A-F]{8}$/, '');

function findPolicies(template: CfnTemplate): { policies: FoundPolicy[]; problems: string[] } {
  const policies: FoundPolicy[] = [];
  const problems: string[] = [];
  for (const [owner, resource] of Object.entries(template.Resources)) {
    const properties = resource.Properties ?? {};
    const reader = POLICY_READERS[resource.Type];
    if (!reader) {
      if (hasStatements(properties))
        problems.push(`${owner}: ${resource.Type} holds a policy this sweep does not read`);
      continue;
    }
    const holders =
      resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy'
        ? asList(properties.Roles as unknown[] | undefined).map((role) =>
            unhashed(render(role).replace(/^\$\{(.*)\}$/, '$1')),
          )
        : [unhashed(owner)];
    for (const { kind, document } of reader(properties)) {
      policies.push({ kind, owner, holders, statements: asList((document as Document).Statement) });
    }
    if (resource.Type === 'AWS::IAM::Role' && properties.ManagedPolicyArns !== undefined) {
      problems.push(
        `${owner}: managed policies ${render(properties.ManagedPolicyArns)} cannot be reviewed here; use an inline statement`,
      );
    }
  }
  return { policies, problems };
}

function servicesOf(statement: Statement): string[] {
  const principal = statement.Principal as { Service?: string | string[] } | undefined;
  return asList(principal?.Service);
}

function isPublic(statement: Statement): boolean {
  const principal = render(statement.Principal);
  return (
    principal === '*' ||
    principal === '{"AWS":"*"}' ||
    asList((statement.Principal as { AWS?: unknown })?.AWS).includes('*')
  );
}

/** A Deny in the same policy that refuses the service every source but one (the bucket policy of the trail). */
function deniedOtherSources(policy: FoundPolicy, service: string): boolean {
  return policy.statements.some(
    (other) =>
      other.Effect === 'Deny' &&
      servicesOf(other).includes(service) &&
      other.Condition?.StringNotEquals?.['aws:SourceArn'] !== undefined,
  );
}

function audit(template: CfnTemplate): { problems: string[]; used: Set<string> } {
  const { policies, problems } = findPolicies(template);
  const used = new Set<string>();
  for (const policy of policies) {
    for (const [index, statement] of policy.statements.entries()) {
      const where = `${policy.owner} (${policy.kind}) statement ${statement.Sid ?? index}`;
      for (const key of ['NotAction', 'NotResource', 'NotPrincipal'] as const) {
        if (statement[key] !== undefined) problems.push(`${where}: ${key} grants by exclusion`);
      }
      if (statement.Effect !== 'Allow') continue;
      const actions = asList(statement.Action);
      const principal = render(statement.Principal);

      for (const action of actions.filter((candidate) => candidate.includes('*'))) {
        const allowance = ACTION_WILDCARDS.find(
          (a) => a.kind === policy.kind && a.action === action && a.principal === principal,
        );
        if (allowance) used.add(allowance.reason);
        else problems.push(`${where}: wildcard action ${action}`);
      }

      for (const resource of asList(statement.Resource)
        .map(render)
        .filter((text) => text.includes('*'))) {
        // Per action: minimizePolicies (cdk.json) merges statements of one resource, so one statement may need several.
        const allowances = actions.map((action) =>
          RESOURCE_WILDCARDS.find(
            (a) =>
              a.kind === policy.kind &&
              policy.holders.length > 0 &&
              policy.holders.every((holder) => a.on.includes(holder)) &&
              (a.sid === undefined || a.sid === statement.Sid) &&
              a.resource.test(resource) &&
              (a.actions === undefined || a.actions.includes(action)),
          ),
        );
        if (actions.length > 0 && allowances.every((allowance) => allowance !== undefined))
          allowances.forEach((allowance) => used.add(allowance.reason));
        else problems.push(`${where}: wildcard resource ${resource} for ${actions.join(', ')}`);
      }

      if (policy.kind === 'trust') {
        const services = servicesOf(statement);
        if (services.length === 0 || services.some((service) => !TRUSTED_SERVICES.includes(service))) {
          problems.push(`${where}: trusts ${principal}`);
        }
        continue;
      }
      if (policy.kind === 'identity') continue;

      if (isPublic(statement)) problems.push(`${where}: allows anyone`);
      for (const service of servicesOf(statement)) {
        const conditioned = Object.values(statement.Condition ?? {}).some(
          (test) => 'aws:SourceArn' in test || 'aws:SourceAccount' in test,
        );
        if (conditioned || deniedOtherSources(policy, service)) continue;
        const allowance = UNCONDITIONED_SERVICE_GRANTS.find((a) => a.kind === policy.kind && a.service === service);
        if (allowance) used.add(allowance.reason);
        else problems.push(`${where}: ${service} may act for any source (confused deputy)`);
      }
    }
  }
  return { problems, used };
}

/**
 * The CloudFront actions the identity policies allow, each with the resources it is allowed on: of the roles that
 * check a status, or of the sweep's role alone.
 */
function cloudFrontGrants(
  template: CfnTemplate,
  of: 'status checks' | 'sweep' = 'status checks',
): { action: string; resources: string[] }[] {
  const grants = new Map<string, Set<string>>();
  const held = (policy: FoundPolicy) => policy.holders.includes(SWEEP_ROLE) === (of === 'sweep');
  for (const policy of findPolicies(template).policies.filter((policy) => policy.kind === 'identity' && held(policy))) {
    for (const statement of policy.statements.filter(({ Effect }) => Effect === 'Allow')) {
      for (const action of asList(statement.Action).filter((candidate) => candidate.startsWith('cloudfront:'))) {
        const resources = grants.get(action) ?? new Set<string>();
        for (const resource of asList(statement.Resource)) resources.add(render(resource));
        grants.set(action, resources);
      }
    }
  }
  return [...grants]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([action, resources]) => ({ action, resources: [...resources].sort() }));
}

/** Both modes with every other key at its default: the sweep's own contexts, whose synths are already cached. */
const MODE_CONTEXTS = ['stepfunctions', 'sqs-retry'].map((mode) => ({
  mode,
  context: CONFIGURATIONS.find(
    ({ context }) =>
      context.mode === mode &&
      context.distributionIds === undefined &&
      context.createTrail === 'false' &&
      context.watchedEvents === undefined,
  )!.context,
}));

describe.each(CONFIGURATIONS)('least privilege with $name', ({ context }) => {
  it('finds identity, trust, key and resource policies to read', () => {
    // Arrange
    const { template } = synthesized(context);
    // Act
    const { policies } = findPolicies(template);
    // Assert
    expect(new Set(policies.map(({ kind }) => kind))).toEqual(new Set(['identity', 'trust', 'key', 'resource']));
  });

  it('has no wildcard, public grant or unconditioned service grant that is not listed with its reason', () => {
    // Arrange
    const { template } = synthesized(context);
    // Act
    const { problems } = audit(template);
    // Assert
    expect(problems).toEqual([]);
  });
});

describe('least privilege sweep', () => {
  it('needs every listed exception in at least one configuration, so the list cannot outlive its reasons', () => {
    // Arrange
    const templates = CONFIGURATIONS.map(({ context }) => synthesized(context).template);
    // Act
    const used = new Set(templates.flatMap((template) => [...audit(template).used]));
    // Assert
    const listed = [...RESOURCE_WILDCARDS, ...ACTION_WILDCARDS, ...UNCONDITIONED_SERVICE_GRANTS].map(
      ({ reason }) => reason,
    );
    expect([...used].sort()).toEqual([...listed].sort());
  });

  it('reads the distribution grant down to the configured ids when distributionIds is set', () => {
    // Arrange
    const narrowed = CONFIGURATIONS.filter(({ context }) => context.distributionIds !== undefined);
    // Act
    const reasons = narrowed.flatMap(({ context }) => [...audit(synthesized(context).template).used]);
    // Assert
    expect(narrowed.length).toBeGreaterThan(0);
    expect(reasons.some((reason) => reason.includes('every distribution of the own account'))).toBe(false);
  });

  // What each watched call is checked with: the tests name the expected actions themselves, not the grant's table.
  const READS = {
    distribution: ['cloudfront:GetDistribution'],
    invalidation: ['cloudfront:GetInvalidation'],
    tenant: ['cloudfront:GetDistributionTenant'],
    tenantInvalidation: ['cloudfront:GetInvalidationForDistributionTenant'],
  };
  it.each(
    [
      { watchedEvents: 'CreateInvalidation', expected: READS.invalidation },
      { watchedEvents: 'UpdateDistribution,AssociateAlias', expected: READS.distribution },
      { watchedEvents: 'CreateDistributionTenant', expected: READS.tenant },
      {
        watchedEvents: 'UpdateDistributionTenant,CreateInvalidationForDistributionTenant',
        expected: [...READS.tenant, ...READS.tenantInvalidation],
      },
      {
        watchedEvents: 'CreateInvalidationForDistributionTenant,UpdateDistributionWithStagingConfig',
        expected: [...READS.distribution, ...READS.tenantInvalidation],
      },
      { watchedEvents: undefined, expected: [...READS.distribution, ...READS.invalidation] },
    ].flatMap((row) => MODE_CONTEXTS.map(({ mode, context }) => ({ ...row, mode, context }))),
  )(
    'grants in mode $mode exactly the CloudFront reads that watchedEvents $watchedEvents needs',
    ({ watchedEvents, expected, context }) => {
      // Arrange
      const { template } = synthesized({ ...context, ...(watchedEvents === undefined ? {} : { watchedEvents }) });
      // Act
      const granted = cloudFrontGrants(template);
      // Assert
      expect(granted.map(({ action }) => action).sort()).toEqual([...expected].sort());
      for (const { action, resources } of granted) {
        const type = action.includes('DistributionTenant') ? 'distribution-tenant' : 'distribution';
        expect(resources, action).toEqual([`arn:\${AWS::Partition}:cloudfront::\${AWS::AccountId}:${type}/*`]);
      }
    },
  );

  it.each(MODE_CONTEXTS)(
    'in mode $mode keeps the tenant reads on every tenant when distributionIds is set',
    ({ context }) => {
      // Arrange: a listed multi-tenant distribution may get tenants nobody knows of yet
      const { template } = synthesized({
        ...context,
        distributionIds: 'E2QWRUHAPOMQZL',
        watchedEvents: 'CreateInvalidation,CreateDistributionTenant',
      });
      // Act
      const granted = cloudFrontGrants(template);
      // Assert
      expect(granted).toEqual([
        {
          action: 'cloudfront:GetDistributionTenant',
          resources: ['arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution-tenant/*'],
        },
        {
          action: 'cloudfront:GetInvalidation',
          resources: ['arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/E2QWRUHAPOMQZL'],
        },
      ]);
    },
  );

  it.each(
    [
      {
        watchedEvents: 'CopyDistribution,CreateInvalidation',
        anywhere: ['cloudfront:GetDistribution'],
        listed: ['cloudfront:GetInvalidation'],
      },
      { watchedEvents: 'CopyDistribution', anywhere: ['cloudfront:GetDistribution'], listed: [] },
      {
        watchedEvents: 'UpdateDistribution,CreateInvalidation',
        anywhere: [],
        listed: ['cloudfront:GetDistribution', 'cloudfront:GetInvalidation'],
      },
    ].flatMap((row) => MODE_CONTEXTS.map(({ mode, context }) => ({ ...row, mode, context }))),
  )(
    'in mode $mode with distributionIds and watchedEvents $watchedEvents reads $anywhere on every distribution',
    ({ watchedEvents, anywhere, listed, context }) => {
      // Arrange: a copy is selected by its primary's id, but the watch polls the staging distribution the call creates
      const { template, stack } = synthesized({ ...context, distributionIds: 'E2QWRUHAPOMQZL', watchedEvents });
      // Act
      const granted = cloudFrontGrants(template);
      // Assert
      expect(granted).toEqual(
        [
          ...anywhere.map((action) => ({
            action,
            resources: ['arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/*'],
          })),
          ...listed.map((action) => ({
            action,
            resources: ['arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/E2QWRUHAPOMQZL'],
          })),
        ].sort((a, b) => a.action.localeCompare(b.action)),
      );
      expect(audit(template).problems).toEqual([]);
      expect(new AwsSolutionsChecks().validateScope(stack).violations).toEqual([]);
    },
  );

  it('reports what it must refuse: wildcard actions and resources, public grants, managed policies, unread policy types', () => {
    // Arrange: the default template with one of each mistake added
    const template = structuredClone(synthesized({}).template) as CfnTemplate;
    const policyId = Object.keys(template.Resources).find((id) => template.Resources[id]!.Type === 'AWS::IAM::Policy')!;
    const dispatcherPolicyId = Object.keys(template.Resources).find((id) =>
      id.startsWith('DispatcherRoleDefaultPolicy'),
    )!;
    const roleId = Object.keys(template.Resources).find((id) => template.Resources[id]!.Type === 'AWS::IAM::Role')!;
    const topicPolicyId = Object.keys(template.Resources).find(
      (id) => template.Resources[id]!.Type === 'AWS::SNS::TopicPolicy',
    )!;
    const statements = (doc: unknown) => (doc as Document).Statement;
    statements(template.Resources[policyId]!.Properties!.PolicyDocument).push({
      Effect: 'Allow',
      Action: 's3:*',
      Resource: 'arn:aws:s3:::bucket',
    });
    statements(template.Resources[policyId]!.Properties!.PolicyDocument).push({
      Effect: 'Allow',
      Action: 'sqs:SendMessage',
      Resource: '*',
    });
    // Allowed on "*" for the state machine's role, not for a Lambda's; the dispatcher reads no CloudFront status at all.
    statements(template.Resources[dispatcherPolicyId]!.Properties!.PolicyDocument).push({
      Effect: 'Allow',
      Action: 'xray:GetSamplingRules',
      Resource: '*',
    });
    statements(template.Resources[dispatcherPolicyId]!.Properties!.PolicyDocument).push({
      Effect: 'Allow',
      Action: 'cloudfront:GetDistribution',
      Resource: {
        'Fn::Join': [
          '',
          ['arn:', { Ref: 'AWS::Partition' }, ':cloudfront::', { Ref: 'AWS::AccountId' }, ':distribution/*'],
        ],
      },
    });
    statements(template.Resources[topicPolicyId]!.Properties!.PolicyDocument).push({
      Effect: 'Allow',
      Action: 'sns:Subscribe',
      Principal: { AWS: '*' },
      Resource: '*',
    });
    statements(template.Resources[topicPolicyId]!.Properties!.PolicyDocument).push({
      Effect: 'Allow',
      Action: 'sns:Publish',
      Principal: { Service: 'events.amazonaws.com' },
      Resource: { Ref: 'Topic' },
    });
    template.Resources[roleId]!.Properties!.ManagedPolicyArns = ['arn:aws:iam::aws:policy/ReadOnlyAccess'];
    template.Resources.Unread = {
      Type: 'AWS::Events::EventBusPolicy',
      Properties: { Statement: { Effect: 'Allow', Action: 'events:PutEvents' } },
    };
    // Act
    const { problems } = audit(template);
    // Assert
    const expected = [
      /wildcard action s3:\*/,
      /wildcard resource \* for sqs:SendMessage/,
      /^DispatcherRoleDefaultPolicy\w+ .*wildcard resource \* for xray:GetSamplingRules/,
      /^DispatcherRoleDefaultPolicy\w+ .*wildcard resource .*:distribution\/\* for cloudfront:GetDistribution/,
      /allows anyone/,
      /events\.amazonaws\.com may act for any source/,
      /managed policies/,
      /EventBusPolicy holds a policy/,
    ];
    for (const pattern of expected)
      expect(
        problems.some((problem) => pattern.test(problem)),
        String(pattern),
      ).toBe(true);
  });
});

/** IAM counts a role's inline policies together, without whitespace (IAM quotas: role policy size 10,240 characters). */
const ROLE_POLICY_CHARACTERS = 10_240;

/** Every role's inline policies fit IAM's quota; a template without roles fails, so the check cannot pass on nothing. */
function expectRolePoliciesFit(template: CfnTemplate): void {
  const sizes = inlinePolicySizes(template);
  expect(sizes.size).toBeGreaterThan(0);
  for (const [role, size] of sizes) expect(size, role).toBeLessThanOrEqual(ROLE_POLICY_CHARACTERS);
}

/** The characters of each role's inline policies, with the intrinsics resolved the way a deployed account would. */
function inlinePolicySizes(template: CfnTemplate): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const [roleId, resource] of Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::IAM::Role')) {
    const own = ((resource.Properties!.Policies ?? []) as { PolicyDocument: unknown }[]).map(
      (inline) => inline.PolicyDocument,
    );
    const attached = Object.values(template.Resources)
      .filter(
        (r) =>
          r.Type === 'AWS::IAM::Policy' && asList(r.Properties!.Roles).some((role) => render(role) === `\${${roleId}}`),
      )
      .map((r) => r.Properties!.PolicyDocument);
    sizes.set(
      roleId,
      [...own, ...attached].reduce<number>(
        (sum, doc) => sum + JSON.stringify(resolveIntrinsics(doc, template)).length,
        0,
      ),
    );
  }
  return sizes;
}

describe("distributionIds and the size of the status checker's role policy", () => {
  // The longest ids RESOURCE_ID_PATTERN accepts make the longest ARNs.
  const ids = (count: number) => Array.from({ length: count }, (_, index) => `E${String(index).padStart(31, '0')}`);
  const distributionArns = (template: CfnTemplate) =>
    cloudFrontGrants(template).filter(({ action }) => !action.includes('DistributionTenant'));
  const notListed = (stack: Parameters<typeof infosWithId>[0]) => infosWithId(stack, DISTRIBUTION_READS_NOT_LISTED);

  it.each(MODE_CONTEXTS)(
    "in mode $mode lists every id up to the limit, inline and under IAM's 10,240 characters",
    ({ context }) => {
      // Arrange
      const listed = ids(MAX_LISTED_DISTRIBUTION_ARNS);
      // Act
      const { template, stack } = synthesized({ ...context, distributionIds: listed.join(',') });
      // Assert
      const expected = listed
        .map((id) => `arn:\${AWS::Partition}:cloudfront::\${AWS::AccountId}:distribution/${id}`)
        .sort();
      // The default watchedEvents include CopyDistribution, whose staging distribution is read wherever it is.
      expect(distributionArns(template)).toEqual([
        {
          action: 'cloudfront:GetDistribution',
          resources: ['arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/*'],
        },
        { action: 'cloudfront:GetInvalidation', resources: expected },
      ]);
      expect(Object.values(template.Resources).filter((r) => r.Type === 'AWS::IAM::ManagedPolicy')).toEqual([]);
      expectRolePoliciesFit(template);
      expect(notListed(stack)).toEqual([]);
    },
  );

  // 66 longest-length ids: near the most a Lambda environment holds in mode sqs-retry (68), which synth enforces.
  it.each(
    [MAX_LISTED_DISTRIBUTION_ARNS + 1, 66].flatMap((count) =>
      MODE_CONTEXTS.map(({ mode, context }) => ({ count, mode, context })),
    ),
  )(
    'in mode $mode with $count ids reads every distribution instead, says so at synth and passes cdk-nag',
    ({ count, context }) => {
      // Arrange
      const given = ids(count);
      // Act
      const { template, stack } = synthesized({ ...context, distributionIds: given.join(',') });
      // Assert
      const grants = distributionArns(template);
      expect(grants.length).toBeGreaterThan(0);
      for (const { action, resources } of grants)
        expect(resources, action).toEqual(['arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/*']);
      expect(Object.values(template.Resources).filter((r) => r.Type === 'AWS::IAM::ManagedPolicy')).toEqual([]);
      expectRolePoliciesFit(template);
      expect(audit(template).problems).toEqual([]);
      const infos = notListed(stack);
      expect(infos).toHaveLength(1);
      expect(infos[0]!.entry.data).toContain(
        `distributionIds lists ${count} ids, more than the ${MAX_LISTED_DISTRIBUTION_ARNS}`,
      );
      expect(new AwsSolutionsChecks().validateScope(stack).violations).toEqual([]);
    },
  );
});

describe("the reconciliation sweep's CloudFront grants", () => {
  const EVERY_DISTRIBUTION = 'arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/*';
  const LISTED = 'arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/E2QWRUHAPOMQZL';
  type ModeContext = (typeof MODE_CONTEXTS)[number];
  it.each(
    [
      {
        given: 'the default watchedEvents',
        contextOf: ({ context }: ModeContext) => context,
        expected: [
          { action: 'cloudfront:GetDistribution', resources: [EVERY_DISTRIBUTION] },
          { action: 'cloudfront:ListDistributions', resources: ['*'] },
          { action: 'cloudfront:ListInvalidations', resources: [EVERY_DISTRIBUTION] },
        ],
      },
      {
        given: 'distributionIds',
        // The compliance configuration that lists E2QWRUHAPOMQZL, whose synth is cached.
        contextOf: ({ mode }: ModeContext) =>
          CONFIGURATIONS.find(({ context }) => context.mode === mode && context.distributionIds !== undefined)!.context,
        expected: [
          { action: 'cloudfront:GetDistribution', resources: [LISTED] },
          { action: 'cloudfront:ListDistributions', resources: ['*'] },
          { action: 'cloudfront:ListInvalidations', resources: [LISTED] },
        ],
      },
      {
        given: 'only tenant calls watched',
        contextOf: ({ context }: ModeContext) => ({
          ...context,
          watchedEvents: 'UpdateDistributionTenant,CreateInvalidationForDistributionTenant',
        }),
        expected: [{ action: 'cloudfront:ListDistributionTenants', resources: ['*'] }],
      },
    ].flatMap((row) => MODE_CONTEXTS.map((modeContext) => ({ ...row, mode: modeContext.mode, modeContext }))),
  )(
    'in mode $mode with $given lists and reads only what the sweep looks for',
    ({ contextOf, modeContext, expected }) => {
      // Arrange
      const { template } = synthesized(contextOf(modeContext));
      // Act
      const granted = cloudFrontGrants(template, 'sweep');
      // Assert
      expect(granted).toEqual(expected);
      expect(audit(template).problems).toEqual([]);
    },
  );
});

import { Annotations, Aws, Duration, StringConcat, Tokenization, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { fileURLToPath } from 'node:url';
import { watchKindsOf, type WatchedEventName } from '../../domain/cloudtrail';
import { WATCH_SETTINGS_ENV, type WatchSettings } from '../../domain/settings';
import { ConfigError } from '../config';
import type { LogOptions } from '../operations';
import { functionRole } from './function-role';
import { WATCH_KINDS, type WatchKind, statusOperation } from '../../domain/kinds';

/** What the stack hands each of its Lambda constructs (the dispatcher, the sqs-retry status check). */
export interface NotifierFunctionBaseProps extends LogOptions {
  /** The queue the function consumes, with ReportBatchItemFailures. */
  readonly queue: sqs.IQueue;
  /** Handed to the running code in WATCH_SETTINGS_ENV. */
  readonly settings: WatchSettings;
  readonly timeoutSeconds: number;
}

/** What every Lambda of the notifier is built from. */
export interface BundledFunctionProps extends LogOptions {
  /** Handler file, relative to functions/ (e.g. "dispatcher/handler.ts"); it exports `handler`. */
  readonly entry: string;
  readonly description: string;
  readonly roleDescription: string;
  /** The function's own variables, besides Powertools'. */
  readonly environment: Record<string, string>;
  readonly timeoutSeconds: number;
}

export interface NotifierFunctionProps extends NotifierFunctionBaseProps, BundledFunctionProps {
  readonly batchSize: number;
  /**
   * How long SQS gathers a batch.
   * @default - no batching window: records are handed over at once
   */
  readonly maxBatchingWindow?: Duration;
}

/** A function's variables: its own and Powertools'. */
function withPowertools(environment: Record<string, string>): Record<string, string> {
  return { ...environment, POWERTOOLS_SERVICE_NAME: 'cloudfront-change-notifier', POWERTOOLS_LOG_LEVEL: 'INFO' };
}

/**
 * The Lambda setup every function of the notifier shares: Node.js 24 on arm64, bundled by the local esbuild as ESM,
 * JSON logs in its own log group, X-Ray, and a role that writes only to that log group.
 * Creates "Logs", "Role" and "Function" in `scope`.
 */
export function bundledFunction(scope: Construct, props: BundledFunctionProps): NodejsFunction {
  const logGroup = new logs.LogGroup(scope, 'Logs', {
    retention: props.logRetention,
    removalPolicy: props.logRemovalPolicy,
  });
  const fn = new NodejsFunction(scope, 'Function', {
    description: props.description,
    entry: fileURLToPath(new URL(`../../functions/${props.entry}`, import.meta.url)),
    handler: 'handler',
    runtime: lambda.Runtime.NODEJS_24_X,
    role: functionRole(scope, 'Role', logGroup, props.roleDescription),
    architecture: lambda.Architecture.ARM_64,
    memorySize: 256,
    timeout: Duration.seconds(props.timeoutSeconds),
    tracing: lambda.Tracing.ACTIVE,
    logGroup,
    loggingFormat: lambda.LoggingFormat.JSON,
    environment: withPowertools(props.environment),
    bundling: {
      format: OutputFormat.ESM,
      target: 'node24',
      minify: true,
      mainFields: ['module', 'main'],
      banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
    },
  });
  // On the scope, so that the acknowledgement reaches the role's policy too.
  Validations.of(scope).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'Active X-Ray tracing needs xray:PutTraceSegments and xray:PutTelemetryRecords, which have no resource-level ' +
      'permissions; test/infra/least-privilege.test.ts pins these as the only actions this Lambda role has on "*".',
  });
  return fn;
}

/**
 * A function that consumes the buffer queue (the dispatcher, the sqs-retry status check): bundledFunction, plus the
 * watch settings in WATCH_SETTINGS_ENV and an SQS event source.
 */
export function notifierFunction(scope: Construct, props: NotifierFunctionProps): NodejsFunction {
  const environment = { ...props.environment, [WATCH_SETTINGS_ENV]: JSON.stringify(props.settings) };
  // Here, not in config.ts: only this construct sees every variable a function gets, so the size is measured, not estimated.
  checkEnvironmentSize(scope, withPowertools(environment), props.settings);
  const fn = bundledFunction(scope, { ...props, environment });
  fn.addEventSource(
    new SqsEventSource(props.queue, {
      batchSize: props.batchSize,
      reportBatchItemFailures: true,
      ...(props.maxBatchingWindow ? { maxBatchingWindow: props.maxBatchingWindow } : {}),
    }),
  );
  return fn;
}

/** Lambda's quota: all of a function's variables, measured as one JSON object of keys and values, at most 4 KB. */
export const LAMBDA_ENVIRONMENT_MAX_BYTES = 4_096;
/**
 * What a value known only at deploy (an ARN, a queue URL) is counted as: queue and state machine names stop at 80
 * characters, and a generated topic name with a 128-character stack name still gives an ARN of about 200.
 */
export const DEPLOY_TIME_VALUE_CHARACTERS = 256;

/** The bytes Lambda measures for these variables, each deploy-time part counted at DEPLOY_TIME_VALUE_CHARACTERS. */
function lambdaEnvironmentBytes(variables: Readonly<Record<string, string>>): number {
  const atDeploy = (value: string): string =>
    Tokenization.reverseString(value)
      .mapTokens({ mapToken: () => 'x'.repeat(DEPLOY_TIME_VALUE_CHARACTERS) })
      .join(new StringConcat()) as string;
  const deployed = Object.fromEntries(Object.entries(variables).map(([key, value]) => [key, atDeploy(value)]));
  return Buffer.byteLength(JSON.stringify(deployed), 'utf8');
}

/**
 * Fails synth when the function's environment would pass Lambda's quota, which otherwise fails the deploy. Only
 * distributionIds grows without bound, so the error says how many ids of the longest given length fit.
 */
function checkEnvironmentSize(
  scope: Construct,
  environment: Readonly<Record<string, string>>,
  settings: WatchSettings,
): void {
  const bytes = lambdaEnvironmentBytes(environment);
  if (bytes <= LAMBDA_ENVIRONMENT_MAX_BYTES) return;
  const ids = settings.distributionIds;
  const longest = ids.reduce((found, id) => (id.length > found.length ? id : found), '');
  const withIds = (count: number) =>
    lambdaEnvironmentBytes({
      ...environment,
      [WATCH_SETTINGS_ENV]: JSON.stringify({
        ...settings,
        distributionIds: Array.from({ length: count }, () => longest),
      }),
    });
  const maximum = Math.max(0, 1 + Math.floor((LAMBDA_ENVIRONMENT_MAX_BYTES - withIds(1)) / (withIds(2) - withIds(1))));
  throw new ConfigError(
    'distributionIds',
    `${ids.slice(0, 3).join(',')},… (${ids.length} ids)`,
    `at most ${maximum} ids of ${longest.length} characters with these watchedEvents, schedule and mode: the list travels ` +
      `in the ${WATCH_SETTINGS_ENV} variable of ${scope.node.path}, whose environment would measure ${bytes} bytes ` +
      `(each ARN or URL counted as ${DEPLOY_TIME_VALUE_CHARACTERS} characters), and Lambda allows ${LAMBDA_ENVIRONMENT_MAX_BYTES}; ` +
      'list fewer ids, or none to watch every distribution',
  );
}

/** The CloudFront resource type each kind's status read (STATUS_CALLS) is authorized on. */
const STATUS_READ_RESOURCE_TYPES: Record<WatchKind, 'distribution' | 'distribution-tenant'> = {
  distribution: 'distribution',
  invalidation: 'distribution',
  // Both tenant reads act on distribution-tenant, per the Service Authorization Reference:
  // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudfront.html
  tenant: 'distribution-tenant',
  'tenant-invalidation': 'distribution-tenant',
};

/**
 * Most distribution ARNs a grant lists before it reads every distribution instead. CDK estimates each ARN with a token
 * at 150 characters and moves what passes 10,000 into managed policies of at most 6,144 characters, which a long list
 * overflows at deploy; 50 keeps the whole role policy inline (55 is where CDK starts moving), far under IAM's 10,240.
 */
export const MAX_LISTED_DISTRIBUTION_ARNS = 50;

/**
 * The call whose watch checks a distribution it creates: distributionIds selects a copy by its primary
 * (requestParameters.primaryDistributionId), but the watch polls the new staging distribution, whose id nobody can list.
 */
const STAGING_COPY: WatchedEventName = 'CopyDistribution';

/** Id of the synth-time info shown when a grant reads every distribution although distributionIds is set. */
export const DISTRIBUTION_READS_NOT_LISTED = 'cloudfront-change-notifier:distributionReadsNotListed';

export interface CloudFrontStatusReads {
  /** Only the calls that check the kinds of watch these events start are granted. */
  readonly watchedEvents: readonly string[];
  /**
   * Of those kinds, only these: the state machine and its status-reader Lambda each read some kinds.
   * @default - every kind the watched events start
   */
  readonly kinds?: readonly WatchKind[];
  /** Distribution reads are limited to these ids, up to MAX_LISTED_DISTRIBUTION_ARNS; empty means every distribution of the account. */
  readonly distributionIds: readonly string[];
}

/**
 * Lets a status checker read what the watched events make it follow: distributions and their invalidations (only the
 * listed distributions when the role's policy can hold them, else every one of this account; a watched copy's staging
 * distribution is read wherever it is), and distribution tenants and their invalidations (every tenant of this
 * account). Wildcards are acknowledged for cdk-nag on `scope`.
 */
export function grantReadCloudFrontStatus(
  scope: Construct,
  grantee: iam.IGrantable,
  reads: CloudFrontStatusReads,
): void {
  const actions = (resourceType: string) =>
    watchKindsOf(reads.watchedEvents)
      .filter(
        (kind) => (reads.kinds ?? WATCH_KINDS).includes(kind) && STATUS_READ_RESOURCE_TYPES[kind] === resourceType,
      )
      .map((kind) => `cloudfront:${statusOperation(kind)}`);
  const arn = (resourceType: string, id: string) =>
    `arn:${Aws.PARTITION}:cloudfront::${Aws.ACCOUNT_ID}:${resourceType}/${id}`;
  const readOnly = (granted: readonly string[]) =>
    `the grant is read-only (${granted.map((action) => action.replace('cloudfront:', '')).join(', ')}) and limited to this account.`;

  const distributionActions = actions('distribution');
  if (distributionActions.length > 0) {
    const listed = reads.distributionIds.length > 0 && reads.distributionIds.length <= MAX_LISTED_DISTRIBUTION_ARNS;
    const watchesCopies = reads.watchedEvents.includes(STAGING_COPY);
    const copyRead = `cloudfront:${statusOperation('distribution')}`;
    const copiesReadAnywhere = listed && watchesCopies;
    const onListed = copiesReadAnywhere
      ? distributionActions.filter((action) => action !== copyRead)
      : distributionActions;
    if (onListed.length > 0) {
      grantee.grantPrincipal.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'ReadCloudFrontStatus',
          actions: onListed,
          resources: (listed ? reads.distributionIds : ['*']).map((id) => arn('distribution', id)),
        }),
      );
    }
    const stagingCopies = watchesCopies
      ? `, except that a ${STAGING_COPY} watch reads the staging distribution the call created, which no list can name`
      : '';
    if (copiesReadAnywhere) {
      grantee.grantPrincipal.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'ReadStagingCopyStatus',
          actions: [copyRead],
          resources: [arn('distribution', '*')],
        }),
      );
      Validations.of(scope).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudfront::<AWS::AccountId>:distribution/*]',
        reason:
          `${STAGING_COPY} is watched: distributionIds selects a copy by its primary distribution, but the watch checks the new ` +
          'staging distribution, whose id exists only once the call has created it; the other reads stay on the listed ' +
          `distributions; ${readOnly([copyRead])}`,
      });
    } else if (reads.distributionIds.length === 0) {
      Validations.of(scope).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudfront::<AWS::AccountId>:distribution/*]',
        reason: `Without distributionIds the notifier watches every distribution of the account, including ones created later; ${readOnly(distributionActions)}`,
      });
    } else if (!listed) {
      Validations.of(scope).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudfront::<AWS::AccountId>:distribution/*]',
        reason:
          `distributionIds lists more than ${MAX_LISTED_DISTRIBUTION_ARNS} distributions, too many ARNs for the role's inline policy; ` +
          'a change is watched only when it names a listed distribution (the others are dropped before any status check), ' +
          `so only listed distributions are read${stagingCopies}; ${readOnly(distributionActions)}`,
      });
      Annotations.of(scope).addInfoV2(
        DISTRIBUTION_READS_NOT_LISTED,
        `distributionIds lists ${reads.distributionIds.length} ids, more than the ${MAX_LISTED_DISTRIBUTION_ARNS} distribution ARNs ` +
          "this role's inline policy holds: the status checks may read every distribution of the account (read-only). " +
          'Only changes that name a listed distribution are watched: the dispatcher (or the sqs-retry status check) drops the others.',
      );
    }
  }

  const tenantActions = actions('distribution-tenant');
  if (tenantActions.length > 0) {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadCloudFrontTenantStatus',
        actions: tenantActions,
        resources: [arn('distribution-tenant', '*')],
      }),
    );
    Validations.of(scope).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudfront::<AWS::AccountId>:distribution-tenant/*]',
      reason:
        'Tenant ids are not known in advance, even with distributionIds: a listed multi-tenant distribution gets new tenants at any time; ' +
        readOnly(tenantActions),
    });
  }
}

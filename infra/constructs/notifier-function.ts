import { Aws, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { fileURLToPath } from 'node:url';
import { functionRole } from './function-role';

export interface NotifierFunctionProps {
  /** Handler file, relative to functions/ (e.g. "dispatcher/handler.ts"); it exports `handler`. */
  readonly entry: string;
  readonly description: string;
  readonly roleDescription: string;
  readonly timeoutSeconds: number;
  readonly environment: Record<string, string>;
  /** The queue the function consumes, with ReportBatchItemFailures. */
  readonly queue: sqs.IQueue;
  readonly batchSize: number;
  /**
   * How long SQS gathers a batch.
   * @default - no batching window: records are handed over at once
   */
  readonly maxBatchingWindow?: Duration;
  /** @default logs.RetentionDays.THREE_MONTHS */
  readonly logRetention?: logs.RetentionDays;
  /** @default RemovalPolicy.RETAIN */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/**
 * The notifier's Lambda setup, shared by both modes: Node.js 24 on arm64, bundled by the local esbuild as ESM,
 * JSON logs in its own log group, X-Ray, a role that writes only to that log group, and an SQS event source.
 * Creates "Logs", "Role" and "Function" in `scope`.
 */
export function notifierFunction(scope: Construct, props: NotifierFunctionProps): NodejsFunction {
  const logGroup = new logs.LogGroup(scope, 'Logs', {
    retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
    removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
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
    environment: {
      ...props.environment,
      POWERTOOLS_SERVICE_NAME: 'cloudfront-change-notifier',
      POWERTOOLS_LOG_LEVEL: 'INFO',
    },
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
      'permissions; test/infra/least-privilege.test.ts pins these as the only actions allowed on "*".',
  });
  fn.addEventSource(
    new SqsEventSource(props.queue, {
      batchSize: props.batchSize,
      reportBatchItemFailures: true,
      ...(props.maxBatchingWindow ? { maxBatchingWindow: props.maxBatchingWindow } : {}),
    }),
  );
  return fn;
}

/**
 * Lets a status checker read distributions and invalidations: only the listed distributions, or every distribution
 * of this account when the list is empty (acknowledged for cdk-nag on `scope`).
 */
export function grantReadCloudFrontStatus(scope: Construct, grantee: iam.IGrantable, distributionIds: readonly string[]): void {
  const ids = distributionIds.length > 0 ? distributionIds : ['*'];
  grantee.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'ReadCloudFrontStatus',
      actions: ['cloudfront:GetDistribution', 'cloudfront:GetInvalidation'],
      resources: ids.map((id) => `arn:${Aws.PARTITION}:cloudfront::${Aws.ACCOUNT_ID}:distribution/${id}`),
    }),
  );
  if (ids.includes('*')) {
    Validations.of(scope).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudfront::<AWS::AccountId>:distribution/*]',
      reason:
        'Without distributionIds the notifier watches every distribution of the account, including ones created later; ' +
        'the grant is read-only (GetDistribution, GetInvalidation) and limited to this account.',
    });
  }
}

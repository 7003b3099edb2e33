import { Aws, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { fileURLToPath } from 'node:url';
import { WATCH_SETTINGS_ENV, type WatchSettings } from '../../functions/shared/settings';
import { STATUS_CHECK_ENV } from '../../functions/status-check/lambda-env';
import { functionRole } from './function-role';
import { grantPublish } from './notification-topic';

/**
 * Records per invocation: the most SQS hands over without a batching window, which would delay every check. Records
 * are checked in parallel and each keeps or releases its own message, so a batch costs one invocation, not ten.
 */
export const STATUS_CHECK_BATCH_SIZE = 10;

export interface StatusCheckConsumerProps {
  readonly queue: sqs.IQueue;
  /** The queue's visibility timeout: when a message comes back that the function did not reschedule. */
  readonly visibilityTimeoutSeconds: number;
  readonly topic: sns.ITopic;
  readonly settings: WatchSettings;
  readonly timeoutSeconds: number;
  /**
   * How long the function's logs are kept.
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * What happens to the function's logs when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/** Mode sqs-retry: a Lambda checks each buffered change once per delivery and lets SQS bring it back until done. */
export class StatusCheckConsumer extends Construct {
  readonly function: NodejsFunction;

  constructor(scope: Construct, id: string, props: StatusCheckConsumerProps) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.function = new NodejsFunction(this, 'Function', {
      description: 'Checks a buffered CloudFront change once per SQS delivery and notifies when it is done',
      entry: fileURLToPath(new URL('../../functions/status-check/handler.ts', import.meta.url)),
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      role: functionRole(this, 'Role', logGroup, 'Checks buffered CloudFront changes and publishes their notifications'),
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.seconds(props.timeoutSeconds),
      tracing: lambda.Tracing.ACTIVE,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: {
        [STATUS_CHECK_ENV.topicArn]: props.topic.topicArn,
        [STATUS_CHECK_ENV.queueUrl]: props.queue.queueUrl,
        [STATUS_CHECK_ENV.visibilityTimeoutSeconds]: String(props.visibilityTimeoutSeconds),
        [WATCH_SETTINGS_ENV]: JSON.stringify(props.settings),
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

    const distributionIds = props.settings.distributionIds.length > 0 ? props.settings.distributionIds : ['*'];
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ReadCloudFrontStatus',
        actions: ['cloudfront:GetDistribution', 'cloudfront:GetInvalidation'],
        resources: distributionIds.map((distributionId) => `arn:${Aws.PARTITION}:cloudfront::${Aws.ACCOUNT_ID}:distribution/${distributionId}`),
      }),
    );
    grantPublish(props.topic, this.function);
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Active X-Ray tracing needs xray:PutTraceSegments and xray:PutTelemetryRecords, which have no resource-level ' +
        'permissions; test/infra/least-privilege.test.ts pins these as the only actions allowed on "*".',
    });
    if (distributionIds.includes('*')) {
      Validations.of(this).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudfront::<AWS::AccountId>:distribution/*]',
        reason:
          'Without distributionIds the notifier watches every distribution of the account, including ones created later; ' +
          'the grant is read-only (GetDistribution, GetInvalidation) and limited to this account.',
      });
    }
    // The event source's consume grant includes sqs:ChangeMessageVisibility, which the function also calls itself.
    this.function.addEventSource(
      new SqsEventSource(props.queue, { batchSize: STATUS_CHECK_BATCH_SIZE, reportBatchItemFailures: true }),
    );
  }
}

import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { fileURLToPath } from 'node:url';
import { WATCH_SETTINGS_ENV, type WatchSettings } from '../../functions/shared/settings';
import { functionRole } from './function-role';

export interface DispatcherProps {
  readonly queue: sqs.IQueue;
  readonly stateMachine: sfn.IStateMachine;
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

/** Turns each buffered CloudTrail event into a watch execution; failed records go back to the queue alone. */
export class Dispatcher extends Construct {
  readonly function: NodejsFunction;

  constructor(scope: Construct, id: string, props: DispatcherProps) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.function = new NodejsFunction(this, 'Function', {
      description: 'Starts one CloudFront change watch per CloudTrail event',
      entry: fileURLToPath(new URL('../../functions/dispatcher/handler.ts', import.meta.url)),
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      role: functionRole(this, 'Role', logGroup, 'Starts CloudFront change watches from buffered CloudTrail events'),
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.seconds(props.timeoutSeconds),
      tracing: lambda.Tracing.ACTIVE,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: {
        STATE_MACHINE_ARN: props.stateMachine.stateMachineArn,
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
    props.stateMachine.grantStartExecution(this.function);
    // On the construct, so that the acknowledgement reaches the role's policy too.
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Active X-Ray tracing needs xray:PutTraceSegments and xray:PutTelemetryRecords, which have no resource-level ' +
        'permissions; test/infra/least-privilege.test.ts pins these as the only actions allowed on "*".',
    });
    this.function.addEventSource(
      new SqsEventSource(props.queue, { batchSize: 10, reportBatchItemFailures: true, maxBatchingWindow: Duration.seconds(1) }),
    );
  }
}

import { Validations, type Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { fileURLToPath } from 'node:url';
import { FunctionRole } from './function-role';
import { logGroupProps, type LogOptions } from './log-options';

/** What every Lambda function of the notifier is built from; the log options apply to the function's log group. */
export interface NotifierFunctionProps extends LogOptions {
  /** Handler file, relative to functions/ (e.g. "dispatcher/handler.ts"); it exports `handler`. */
  readonly entry: string;
  /** The function's description, shown in the Lambda console. */
  readonly description: string;
  /** The execution role's description, shown in the IAM console. */
  readonly roleDescription: string;
  /**
   * The function's own variables; Powertools' service name and log level are added after them.
   * @default - Powertools' variables only
   */
  readonly environment?: Readonly<Record<string, string>>;
  /** How long one invocation may run. */
  readonly timeout: Duration;
}

/**
 * The Lambda setup every function of the notifier shares: Node.js 24 on arm64, bundled by the local esbuild as ESM,
 * JSON logs in its own log group ("Logs"), X-Ray, and a role ("Role") that writes only to that log group.
 */
export class NotifierFunction extends Construct {
  readonly logGroup: logs.LogGroup;
  readonly role: FunctionRole;
  readonly function: NodejsFunction;
  /** Every variable the function gets: its own, then Powertools'. */
  readonly environment: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: NotifierFunctionProps) {
    super(scope, id);
    this.environment = {
      ...props.environment,
      POWERTOOLS_SERVICE_NAME: 'cloudfront-change-notifier',
      POWERTOOLS_LOG_LEVEL: 'INFO',
    };
    this.logGroup = new logs.LogGroup(this, 'Logs', logGroupProps(props));
    this.role = new FunctionRole(this, 'Role', { logGroup: this.logGroup, description: props.roleDescription });
    this.function = new NodejsFunction(this, 'Function', {
      description: props.description,
      entry: fileURLToPath(new URL(`../../functions/${props.entry}`, import.meta.url)),
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      role: this.role,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: props.timeout,
      tracing: lambda.Tracing.ACTIVE,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: { ...this.environment },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node24',
        minify: true,
        mainFields: ['module', 'main'],
        banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
      },
    });
    // On this construct, so that the acknowledgement reaches the role's policy too.
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Active X-Ray tracing needs xray:PutTraceSegments and xray:PutTelemetryRecords, which have no resource-level ' +
        'permissions; test/infra/least-privilege.test.ts pins these as the only actions this Lambda role has on "*".',
    });
  }
}

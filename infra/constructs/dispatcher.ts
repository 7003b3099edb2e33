import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { WATCH_SETTINGS_ENV, type WatchSettings } from '../../functions/shared/settings';
import { notifierFunction } from './notifier-function';

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
    this.function = notifierFunction(this, {
      entry: 'dispatcher/handler.ts',
      description: 'Starts one CloudFront change watch per CloudTrail event',
      roleDescription: 'Starts CloudFront change watches from buffered CloudTrail events',
      timeoutSeconds: props.timeoutSeconds,
      environment: {
        STATE_MACHINE_ARN: props.stateMachine.stateMachineArn,
        [WATCH_SETTINGS_ENV]: JSON.stringify(props.settings),
      },
      queue: props.queue,
      batchSize: 10,
      maxBatchingWindow: Duration.seconds(1),
      logRetention: props.logRetention,
      logRemovalPolicy: props.logRemovalPolicy,
    });
    props.stateMachine.grantStartExecution(this.function);
  }
}

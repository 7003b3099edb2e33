import { Duration } from 'aws-cdk-lib';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { notifierFunction, type NotifierFunctionBaseProps } from './notifier-function';
import { DISPATCHER_ENV } from '../../domain/settings';

/** Records per invocation, gathered for at most a second: each is one StartExecution call, so ten fit well within the timeout. */
export const DISPATCHER_BATCH_SIZE = 10;

export interface DispatcherProps extends NotifierFunctionBaseProps {
  readonly stateMachine: sfn.IStateMachine;
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
      ...props,
      environment: { [DISPATCHER_ENV.stateMachineArn]: props.stateMachine.stateMachineArn },
      batchSize: DISPATCHER_BATCH_SIZE,
      maxBatchingWindow: Duration.seconds(1),
    });
    props.stateMachine.grantStartExecution(this.function);
  }
}

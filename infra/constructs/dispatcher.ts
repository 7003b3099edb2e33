import { Duration } from 'aws-cdk-lib';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { QueueConsumerFunction, type QueueConsumerProps } from './queue-consumer-function';
import { DISPATCHER_ENV } from '../../domain/settings';

/** Records per invocation, gathered for at most a second: each is one StartExecution call, so ten fit well within the timeout. */
export const DISPATCHER_BATCH_SIZE = 10;

export interface DispatcherProps extends QueueConsumerProps {
  /** The watch state machine: the dispatcher starts one execution of it per buffered change, and may do nothing else with it. */
  readonly stateMachine: sfn.IStateMachine;
}

/** Turns each buffered CloudTrail event into a watch execution; failed records go back to the queue alone. */
export class Dispatcher extends QueueConsumerFunction {
  constructor(scope: Construct, id: string, props: DispatcherProps) {
    super(scope, id, {
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

import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import { Dispatcher } from '../../../infra/constructs/dispatcher';
import { bareStack, grantsOf, SETTINGS } from './bare-stack';

function dispatcherOnBareStack() {
  const stack = bareStack();
  const queue = new sqs.Queue(stack, 'Queue');
  const stateMachine = new sfn.StateMachine(stack, 'Machine', {
    definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'Pass')),
  });
  const dispatcher = new Dispatcher(stack, 'Dispatcher', {
    queue,
    stateMachine,
    settings: SETTINGS,
    timeout: Duration.seconds(30),
  });
  return { stack, queue, stateMachine, dispatcher };
}

describe('Dispatcher', () => {
  it('runs the dispatcher handler with the state machine ARN, batches of ten gathered for a second', () => {
    // Act
    const { stack, queue, stateMachine, dispatcher } = dispatcherOnBareStack();
    // Assert
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'Starts one CloudFront change watch per CloudTrail event',
      Timeout: 30,
      Environment: { Variables: Match.objectLike({ STATE_MACHINE_ARN: stack.resolve(stateMachine.stateMachineArn) }) },
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: stack.resolve(queue.queueArn),
      FunctionName: stack.resolve(dispatcher.function.functionName),
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('may start executions of its state machine and read nothing of CloudFront', () => {
    // Act
    const { stack, stateMachine, dispatcher } = dispatcherOnBareStack();
    // Assert
    const grants = grantsOf(stack, dispatcher.role);
    expect(grants).toContainEqual({
      actions: ['states:StartExecution'],
      resources: [stack.resolve(stateMachine.stateMachineArn)],
    });
    expect(grants.flatMap(({ actions }) => actions).filter((action) => /^(cloudfront|sns|kms):/.test(action))).toEqual(
      [],
    );
  });
});

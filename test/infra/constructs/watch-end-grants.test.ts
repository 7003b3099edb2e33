import { describe, expect, it } from 'vitest';
import { synthesized } from '../../support/definition';
import type { CfnTemplate } from '../../../tools/lib/synth';

type Statement = { Sid?: string; Action: unknown; Resource: unknown; Condition?: unknown };

/** Every statement of the policies attached to the role whose logical id starts with `rolePrefix`. */
function statementsOf(template: CfnTemplate, rolePrefix: string): Statement[] {
  return Object.values(template.Resources)
    .filter((resource) => resource.Type === 'AWS::IAM::Policy')
    .filter((policy) =>
      (policy.Properties!.Roles as Array<{ Ref?: string }>).some((role) => role.Ref?.startsWith(rolePrefix)),
    )
    .flatMap((policy) => (policy.Properties!.PolicyDocument as { Statement: Statement[] }).Statement);
}

const putEvents = (statements: Statement[]) =>
  statements.filter((statement) => [statement.Action].flat().includes('events:PutEvents'));

describe('the grants of the end of a watch', () => {
  it.each([
    { mode: 'stepfunctions', context: {}, role: 'WatchStateMachineRole' },
    { mode: 'sqs-retry', context: { mode: 'sqs-retry' }, role: 'StatusCheckRole' },
  ])('let mode $mode put events on the default bus only, by default', ({ context, role }) => {
    // Act
    const { template } = synthesized(context);
    // Assert
    expect(putEvents(statementsOf(template, role))).toEqual([
      {
        Sid: 'PutChangeFinishedEvent',
        Effect: 'Allow',
        Action: 'events:PutEvents',
        Resource: {
          'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:us-east-1:123456789012:event-bus/default']],
        },
      },
    ]);
  });

  it('put events on the bus eventBusName names, and on no other', () => {
    // Act
    const { template } = synthesized({ eventBusName: 'deployments' });
    // Assert
    const resources = putEvents(statementsOf(template, 'WatchStateMachineRole')).map((statement) => statement.Resource);
    expect(resources).toEqual([
      {
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:us-east-1:123456789012:event-bus/deployments']],
      },
    ]);
    expect(JSON.stringify(template)).not.toContain('event-bus/default');
  });

  it.each([
    { mode: 'stepfunctions', context: { events: 'false' }, role: 'WatchStateMachineRole' },
    { mode: 'sqs-retry', context: { mode: 'sqs-retry', events: 'false' }, role: 'StatusCheckRole' },
  ])('with events=false, leave mode $mode no events permission', ({ context, role }) => {
    // Act
    const { template } = synthesized(context);
    // Assert
    expect(putEvents(statementsOf(template, role))).toEqual([]);
    expect(JSON.stringify(template)).not.toContain('EVENT_BUS_NAME');
  });

  it('let the state machine record metrics in the watch metrics namespace only', () => {
    // Act
    const { template } = synthesized();
    // Assert
    const metrics = statementsOf(template, 'WatchStateMachineRole').filter((statement) =>
      [statement.Action].flat().includes('cloudwatch:PutMetricData'),
    );
    expect(metrics).toEqual([
      {
        Sid: 'RecordWatchMetrics',
        Effect: 'Allow',
        Action: 'cloudwatch:PutMetricData',
        Resource: '*',
        Condition: { StringEquals: { 'cloudwatch:namespace': 'CloudFrontChangeNotifier' } },
      },
    ]);
  });

  it('give the sqs-retry checker no PutMetricData: its metrics go out in its log as embedded metric format', () => {
    // Act
    const { template } = synthesized({ mode: 'sqs-retry' });
    // Assert
    const actions = statementsOf(template, 'StatusCheckRole').flatMap((statement) => [statement.Action].flat());
    expect(actions).not.toContain('cloudwatch:PutMetricData');
  });

  it('hand the sqs-retry checker the stack name and the bus', () => {
    // Act
    const { template } = synthesized({ mode: 'sqs-retry' });
    // Assert
    const variables = Object.values(template.Resources)
      .filter((resource) => resource.Type === 'AWS::Lambda::Function')
      .map((resource) => (resource.Properties!.Environment as { Variables: Record<string, unknown> }).Variables)
      .find((candidate) => 'QUEUE_VISIBILITY_TIMEOUT_SECONDS' in candidate)!;
    expect(variables).toMatchObject({ NOTIFIER_NAME: 'CloudFrontChangeNotifier', EVENT_BUS_NAME: 'default' });
  });
});

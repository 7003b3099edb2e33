import type { CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { WATCH_SETTINGS_ENV, SQS_RETRY_ENV } from '../../../domain/settings';
import { synthNotifier, watchSettingsOf, type CfnTemplate } from '../../../tools/lib/synth';
import { synthesized } from '../../support/definition';

const EMAILS = ['ops@example.com', 'dev@example.org'];
const IDS = ['E2QWRUHAPOMQZL', 'EDFDVBD6EXAMPLE'];
/** A two-day watch that checks every ten minutes once its fast phase is over: well inside SQS's 1,000 receives. */
const SQS_RETRY = {
  mode: 'sqs-retry',
  notificationEmails: EMAILS.join(','),
  pollIntervalSeconds: '600',
  retentionSeconds: '172800',
};
const STEP_FUNCTIONS = { mode: 'stepfunctions', notificationEmails: EMAILS.join(',') };

type Statement = { Effect: string; Action: string | string[]; Resource: unknown };
const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

function stacked(context: Record<string, unknown>) {
  const result = synthesized(context);
  const id = (construct: IConstruct) => result.stack.getLogicalId(construct.node.defaultChild as CfnElement);
  return { result, raw: result.template, template: Template.fromJSON(result.template), id };
}

function ofType(raw: CfnTemplate, type: string) {
  return Object.entries(raw.Resources).filter(([, resource]) => resource.Type === type);
}

/** Every statement of the policies attached to this role. */
function roleStatements(raw: CfnTemplate, roleId: string): Statement[] {
  return ofType(raw, 'AWS::IAM::Policy')
    .filter(([, policy]) => JSON.stringify(policy.Properties!.Roles).includes(`"${roleId}"`))
    .flatMap(([, policy]) => (policy.Properties!.PolicyDocument as { Statement: Statement[] }).Statement);
}

function actionsOn(statements: Statement[]): Map<string, string[]> {
  const byAction = new Map<string, string[]>();
  for (const statement of statements) {
    expect(statement.Effect).toBe('Allow');
    for (const action of asList(statement.Action)) {
      byAction.set(action, [
        ...(byAction.get(action) ?? []),
        ...asList(statement.Resource).map((resource) => JSON.stringify(resource)),
      ]);
    }
  }
  return byAction;
}

describe('mode sqs-retry', () => {
  it('deploys the rule, buffer queue, dead-letter queue, topic and subscriptions, but no state machine and no dispatcher', () => {
    // Arrange
    const { raw, template, result, id } = stacked(SQS_RETRY);
    // Act
    const functions = ofType(raw, 'AWS::Lambda::Function');
    // Assert
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 0);
    template.resourceCountIs('AWS::Events::Rule', 1);
    template.resourceCountIs('AWS::SNS::Subscription', EMAILS.length);
    expect(functions.map(([logicalId]) => logicalId)).toEqual([
      id(result.stack.statusCheck!.function),
      id(result.stack.sweep!.function),
    ]);
    expect(JSON.stringify(raw)).not.toContain('STATE_MACHINE_ARN');
    template.hasOutput('StatusCheckFunctionName', Match.anyValue());
    expect(Object.keys(template.findOutputs('StateMachineName'))).toEqual([]);
  });

  it('runs the status check on Node.js and arm64, with its queue, topic and settings handed over', () => {
    // Arrange
    const { raw, template, result, id } = stacked(SQS_RETRY);
    // Act
    const fn = raw.Resources[id(result.stack.statusCheck!.function)]!.Properties!;
    // Assert
    expect(fn.Runtime).toMatch(/^nodejs(2[2-9]|[3-9]\d)\.x$/);
    expect(fn.Architectures).toEqual(['arm64']);
    expect(fn.Timeout).toBe(30);
    const variables = (fn.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(variables[SQS_RETRY_ENV.topicArn]).toEqual({ Ref: id(result.stack.notifications.topic) });
    expect(variables[SQS_RETRY_ENV.queueUrl]).toEqual({ Ref: id(result.stack.capture.queue) });
    expect(variables[SQS_RETRY_ENV.visibilityTimeoutSeconds]).toBe('180');
    expect(Object.keys(variables)).toContain(WATCH_SETTINGS_ENV);
    expect(watchSettingsOf(raw)).toMatchObject({ retentionSeconds: 172_800, schedule: { pollIntervalSeconds: 600 } });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [id(result.stack.capture.queue), 'Arn'] },
      FunctionName: { Ref: id(result.stack.statusCheck!.function) },
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumBatchingWindowInSeconds: Match.absent(),
    });
  });

  it("sets the buffer queue's maxReceiveCount from the schedule and retention, and keeps its visibility timeout", () => {
    // Arrange
    const { raw, result, id } = stacked(SQS_RETRY);
    // Act
    const queue = raw.Resources[id(result.stack.capture.queue)]!.Properties!;
    // Assert: 246 checks of the distribution schedule in two days, then 5 receives for notification retries
    expect(queue.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [id(result.stack.capture.deadLetterQueue), 'Arn'] },
      maxReceiveCount: 251,
    });
    expect(queue.VisibilityTimeout).toBe(180);
    expect(queue.MessageRetentionPeriod).toBe(172_800);
  });

  it('lets the function publish only to its topic, use only its own queue and event bus, and reach no service beyond CloudFront, EventBridge, KMS, Logs and X-Ray', () => {
    // Arrange
    const { raw, result, id } = stacked(SQS_RETRY);
    const roleId = id(result.stack.statusCheck!.function.role!);
    // Act
    const actions = actionsOn(roleStatements(raw, roleId));
    // Assert
    const queueArn = JSON.stringify({ 'Fn::GetAtt': [id(result.stack.capture.queue), 'Arn'] });
    const topicArn = JSON.stringify({ Ref: id(result.stack.notifications.topic) });
    // Its CloudFront reads are pinned per watched call and per distributionIds in test/infra/least-privilege.test.ts.
    expect([...actions.keys()].filter((action) => action.startsWith('sns:'))).toEqual(['sns:Publish']);
    expect(actions.get('sns:Publish')).toEqual([topicArn]);
    expect(actions.get('sqs:ChangeMessageVisibility')).toEqual([queueArn]);
    for (const [action, resources] of actions) {
      if (action.startsWith('sqs:')) expect(resources, action).toEqual([queueArn]);
      if (resources.includes('"*"')) expect(action, 'only X-Ray has no resource-level permissions').toMatch(/^xray:/);
    }
    const services = new Set([...actions.keys()].map((action) => action.split(':')[0]));
    expect([...services].sort()).toEqual(['cloudfront', 'events', 'kms', 'logs', 'sns', 'sqs', 'xray']);
    // The Change Finished event goes to the account's default bus, and nowhere else; its metrics go out in the log.
    expect(actions.get('events:PutEvents')).toEqual([
      JSON.stringify({
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:us-east-1:123456789012:event-bus/default']],
      }),
    ]);
    expect([...actions.keys()].filter((action) => action.startsWith('sqs:')).sort()).toEqual([
      'sqs:ChangeMessageVisibility',
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:ReceiveMessage',
    ]);
  });

  it('with distributionIds and no CopyDistribution watched, reads the status of those distributions only', () => {
    // Arrange: a CopyDistribution watch polls the staging copy it creates, whose id no list holds
    const { raw, result, id } = stacked({
      ...SQS_RETRY,
      distributionIds: IDS.join(','),
      watchedEvents: 'UpdateDistribution,CreateInvalidation',
    });
    // Act
    const actions = actionsOn(roleStatements(raw, id(result.stack.statusCheck!.function.role!)));
    // Assert
    for (const action of ['cloudfront:GetDistribution', 'cloudfront:GetInvalidation']) {
      const resources = actions.get(action)!;
      expect(resources, action).toHaveLength(IDS.length);
      IDS.forEach((distributionId, index) =>
        expect(resources[index], action).toMatch(new RegExp(`:distribution/${distributionId}"\\]\\]\\}$`)),
      );
    }
  });
});

describe('mode stepfunctions', () => {
  it('deploys the state machine and the dispatcher, and no status-check function', () => {
    // Arrange
    const { raw, template, result } = stacked(STEP_FUNCTIONS);
    // Act
    const environments = ofType(raw, 'AWS::Lambda::Function').map(([, fn]) =>
      JSON.stringify(fn.Properties!.Environment),
    );
    // Assert
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    // The dispatcher and the sweeper.
    expect(environments.filter((environment) => environment.includes('STATE_MACHINE_ARN'))).toHaveLength(2);
    expect(environments.filter((environment) => environment.includes(SQS_RETRY_ENV.queueUrl))).toEqual([]);
    expect(result.stack.statusCheck).toBeUndefined();
    template.hasOutput('StateMachineName', Match.anyValue());
    expect(Object.keys(template.findOutputs('StatusCheckFunctionName'))).toEqual([]);
  });
});

describe('an unknown mode', () => {
  it('fails synth with a message that names the key, the value and the modes there are', () => {
    // Arrange
    const context = { mode: 'polling' };
    // Act
    const synth = () => synthNotifier(context);
    // Assert
    expect(synth).toThrow(/"mode".*"polling".*stepfunctions, sqs-retry/);
  });
});

import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ReadBudget } from '../../../infra/constructs/read-budget';
import type { CfnTemplate } from '../../../tools/lib/synth';
import { synthesized } from '../../support/definition';
import { bareStack } from './bare-stack';

const BUDGET = { readBudgetPerSecond: '5' };

type Resource = CfnTemplate['Resources'][string];

function resourcesOfType(template: CfnTemplate, type: string): [string, Resource][] {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
}

/** The statements of the policies attached to the role whose logical id starts with `rolePrefix`. */
function statementsOf(template: CfnTemplate, rolePrefix: string): Record<string, unknown>[] {
  return resourcesOfType(template, 'AWS::IAM::Policy')
    .filter(([, policy]) =>
      (policy.Properties!.Roles as { Ref: string }[]).some((role) => role.Ref.startsWith(rolePrefix)),
    )
    .flatMap(([, policy]) => (policy.Properties!.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement);
}

describe('the read budget in the stack', () => {
  it('is off by default: no table, no read-budget function, no read-slot state', () => {
    // Arrange
    const { template } = synthesized();
    // Act
    const text = JSON.stringify(template);
    // Assert
    expect(resourcesOfType(template, 'AWS::DynamoDB::Table')).toEqual([]);
    expect(text).not.toContain('ReadBudget');
    expect(text).not.toContain('read slot');
  });

  it('readBudgetPerSecond 5: one on-demand, encrypted table that leaves with the stack', () => {
    // Arrange
    const { template } = synthesized(BUDGET);
    // Act
    const tables = resourcesOfType(template, 'AWS::DynamoDB::Table');
    // Assert
    expect(tables).toHaveLength(1);
    const [[, table]] = tables as [[string, Resource]];
    expect(table).toMatchObject({
      DeletionPolicy: 'Delete',
      UpdateReplacePolicy: 'Delete',
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        SSESpecification: { SSEEnabled: true },
      },
    });
  });

  it('readBudgetPerSecond 5: the function gets the table, the rate and the longest wait (pollIntervalSeconds)', () => {
    // Arrange
    const { template } = synthesized({ ...BUDGET, pollIntervalSeconds: '90' });
    // Act
    const [[, fn]] = resourcesOfType(template, 'AWS::Lambda::Function').filter(([id]) =>
      id.startsWith('ReadBudgetReserve'),
    ) as [[string, Resource]];
    const [[tableId]] = resourcesOfType(template, 'AWS::DynamoDB::Table') as [[string, Resource]];
    // Assert
    expect(fn.Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Timeout: 5,
      Environment: {
        Variables: {
          READ_BUDGET_TABLE: { Ref: tableId },
          READ_BUDGET_PER_SECOND: '5',
          READ_BUDGET_MAX_WAIT_SECONDS: '90',
        },
      },
    });
  });

  it('readBudgetPerSecond 5: the function may only update items of its table', () => {
    // Arrange
    const { template } = synthesized(BUDGET);
    const [[tableId]] = resourcesOfType(template, 'AWS::DynamoDB::Table') as [[string, Resource]];
    // Act
    const dynamodb = statementsOf(template, 'ReadBudgetReserveRole').filter((statement) =>
      JSON.stringify(statement.Action).includes('dynamodb:'),
    );
    // Assert
    expect(dynamodb).toEqual([
      {
        Sid: 'ReserveReadSlot',
        Effect: 'Allow',
        Action: 'dynamodb:UpdateItem',
        Resource: { 'Fn::GetAtt': [tableId, 'Arn'] },
      },
    ]);
  });

  it('readBudgetPerSecond 5: the state machine may invoke the read-budget function by its unqualified ARN only', () => {
    // Arrange
    const { template } = synthesized(BUDGET);
    const [[functionId]] = resourcesOfType(template, 'AWS::Lambda::Function').filter(([id]) =>
      id.startsWith('ReadBudgetReserve'),
    ) as [[string, Resource]];
    // Act
    const invokes = statementsOf(template, 'WatchStateMachineRole').filter(
      (statement) => statement.Action === 'lambda:InvokeFunction',
    );
    // Assert
    expect(invokes).toEqual([
      {
        Sid: 'ReserveReadSlot',
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        Resource: { 'Fn::GetAtt': [functionId, 'Arn'] },
      },
    ]);
  });
});

describe('the ReadBudget construct', () => {
  it('refuses a budget of 0 reads a second, which the stack leaves out instead', () => {
    // Arrange
    const stack = bareStack();
    // Act
    const build = () => new ReadBudget(stack, 'ReadBudget', { perSecond: 0 });
    // Assert
    expect(build).toThrow('ReadBudget: perSecond must be more than 0, got 0');
  });

  it('waits at most a minute for a slot unless told otherwise', () => {
    // Arrange
    const stack = bareStack();
    // Act
    new ReadBudget(stack, 'ReadBudget', { perSecond: 3 });
    // Assert
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ READ_BUDGET_PER_SECOND: '3', READ_BUDGET_MAX_WAIT_SECONDS: '60' }) },
    });
  });
});

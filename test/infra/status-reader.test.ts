import { describe, expect, it } from 'vitest';
import { resolveIntrinsics, type CfnTemplate } from '../../tools/lib/synth';
import { synthesized, tenantContext } from '../support/definition';

interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
}

const TENANT_READS = ['cloudfront:GetDistributionTenant', 'cloudfront:GetInvalidationForDistributionTenant'];
const TENANT_ARN = 'arn:aws:cloudfront::123456789012:distribution-tenant/*';

/** The Allow statements of the policies attached to the role whose logical id starts with `rolePrefix`. */
function roleStatements(raw: CfnTemplate, rolePrefix: string): { action: string; resources: string[] }[] {
  return Object.values(raw.Resources)
    .filter((resource) => resource.Type === 'AWS::IAM::Policy')
    .filter((policy) =>
      (policy.Properties!.Roles as Array<{ Ref: string }>).some((role) => role.Ref.startsWith(rolePrefix)),
    )
    .flatMap((policy) => (policy.Properties!.PolicyDocument as { Statement: Statement[] }).Statement)
    .filter((statement) => statement.Effect === 'Allow')
    .flatMap((statement) => {
      const resources = [resolveIntrinsics(statement.Resource, raw)].flat() as string[];
      return [statement.Action].flat().map((action) => ({ action, resources }));
    });
}

const readerFunctions = (raw: CfnTemplate) =>
  Object.entries(raw.Resources).filter(
    ([id, resource]) => resource.Type === 'AWS::Lambda::Function' && id.startsWith('StatusReader'),
  );

describe('tenant calls are opt-in, and how the state machine reads a tenant', () => {
  it('the default stack grants no tenant read and has no status reader', () => {
    // Arrange
    const { template } = synthesized();
    // Act
    const text = JSON.stringify(template);
    // Assert
    expect(text).not.toContain('distribution-tenant');
    expect(text).not.toMatch(/[gG]etDistributionTenant|[gG]etInvalidationForDistributionTenant/);
    expect(roleStatements(template, 'WatchStateMachineRole').map(({ action }) => action)).not.toContain(
      'lambda:InvokeFunction',
    );
    expect(readerFunctions(template)).toEqual([]);
  });

  it('tenantStatusCheck lambda: the status reader reads tenants, the state machine may invoke it and reads only distributions', () => {
    // Arrange
    const { template } = synthesized(tenantContext('lambda'));
    // Act
    const [[readerId, reader]] = readerFunctions(template) as [[string, CfnTemplate['Resources'][string]]];
    const machine = roleStatements(template, 'WatchStateMachineRole');
    const readerGrants = roleStatements(template, 'StatusReaderRole');
    // Assert
    expect(reader.Properties).toMatchObject({ Runtime: 'nodejs24.x', Timeout: 10, Architectures: ['arm64'] });
    expect(JSON.stringify(reader.Properties!.Environment)).not.toContain('WATCH_SETTINGS');
    const mappedFunctions = Object.values(template.Resources)
      .filter((resource) => resource.Type === 'AWS::Lambda::EventSourceMapping')
      .map((mapping) => (mapping.Properties!.FunctionName as { Ref: string }).Ref);
    expect(mappedFunctions.length).toBeGreaterThan(0);
    expect(mappedFunctions).not.toContain(readerId);
    expect(machine.filter(({ action }) => action === 'lambda:InvokeFunction')).toEqual([
      { action: 'lambda:InvokeFunction', resources: [`arn:aws:lambda:us-east-1:123456789012:function:${readerId}`] },
    ]);
    expect(
      machine
        .filter(({ action }) => action.startsWith('cloudfront:'))
        .map(({ action }) => action)
        .sort(),
    ).toEqual(['cloudfront:GetDistribution', 'cloudfront:GetInvalidation']);
    expect(readerGrants.filter(({ action }) => action.startsWith('cloudfront:'))).toEqual(
      TENANT_READS.map((action) => ({ action, resources: [TENANT_ARN] })),
    );
    expect(
      readerGrants.map(({ action }) => action).filter((action) => /^(sns|states|sqs|lambda):/.test(action)),
    ).toEqual([]);
  });

  it('tenantStatusCheck sdk: no status reader; the state machine reads tenants itself', () => {
    // Arrange
    const { template } = synthesized(tenantContext('sdk'));
    // Act
    const machine = roleStatements(template, 'WatchStateMachineRole');
    // Assert
    expect(readerFunctions(template)).toEqual([]);
    expect(machine.filter(({ action }) => TENANT_READS.includes(action))).toEqual(
      TENANT_READS.map((action) => ({ action, resources: [TENANT_ARN] })),
    );
    expect(machine.map(({ action }) => action)).not.toContain('lambda:InvokeFunction');
  });

  it('sqs-retry reads tenants in its status check and has no status reader, whatever tenantStatusCheck says', () => {
    // Arrange
    const { template } = synthesized({ ...tenantContext('lambda'), mode: 'sqs-retry' });
    // Act
    const checker = roleStatements(template, 'StatusCheckRole');
    // Assert
    expect(readerFunctions(template)).toEqual([]);
    expect(checker.filter(({ action }) => TENANT_READS.includes(action))).toEqual(
      TENANT_READS.map((action) => ({ action, resources: [TENANT_ARN] })),
    );
  });
});

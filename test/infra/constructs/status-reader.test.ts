import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { StatusReader } from '../../../infra/constructs/status-reader';
import { acknowledgedOn, bareStack, grantsOf } from './bare-stack';

describe('StatusReader', () => {
  it('exposes its function and the kinds it reads: the tenant kinds among the watched ones', () => {
    // Arrange
    const stack = bareStack();
    // Act
    const reader = new StatusReader(stack, 'Reader', {
      watchedEvents: ['UpdateDistribution', 'CreateInvalidationForDistributionTenant'],
    });
    // Assert
    expect(reader.kinds).toEqual(['tenant-invalidation']);
    expect(reader.function.runtime.name).toBe('nodejs24.x');
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 10,
      Environment: {
        Variables: { POWERTOOLS_SERVICE_NAME: 'cloudfront-change-notifier', POWERTOOLS_LOG_LEVEL: 'INFO' },
      },
    });
  });

  it('may read the status of every tenant of the account, read-only, and acknowledges that wildcard on itself', () => {
    // Arrange
    const stack = bareStack();
    // Act
    const reader = new StatusReader(stack, 'Reader', {
      watchedEvents: ['CreateDistributionTenant', 'CreateInvalidationForDistributionTenant'],
    });
    // Assert
    expect(grantsOf(stack, reader.role)).toContainEqual({
      sid: 'ReadCloudFrontTenantStatus',
      actions: ['cloudfront:GetDistributionTenant', 'cloudfront:GetInvalidationForDistributionTenant'],
      resources: [
        {
          'Fn::Join': [
            '',
            ['arn:', { Ref: 'AWS::Partition' }, ':cloudfront::', { Ref: 'AWS::AccountId' }, ':distribution-tenant/*'],
          ],
        },
      ],
    });
    expect(grantsOf(stack, reader.role).flatMap(({ actions }) => actions)).not.toContain('cloudfront:GetDistribution');
    expect(acknowledgedOn(reader)).toEqual([
      'AwsSolutions-IAM5[Resource::*]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudfront::<AWS::AccountId>:distribution-tenant/*]',
    ]);
    Template.fromStack(stack).resourceCountIs('AWS::Lambda::EventSourceMapping', 0);
  });

  it('refuses watched events that need no status reader', () => {
    // Arrange
    const stack = bareStack();
    // Act
    const create = () => new StatusReader(stack, 'Reader', { watchedEvents: ['UpdateDistribution'] });
    // Assert
    expect(create).toThrow('StatusReader: none of the watched events starts a kind whose status call is recent');
  });
});

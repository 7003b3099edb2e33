import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { AccountTrail } from '../../../infra/constructs/account-trail';
import { bareStack } from './bare-stack';

describe('AccountTrail', () => {
  it('logs management events of every Region with file validation, under a name of the stack', () => {
    // Arrange
    const stack = bareStack();
    // Act
    const trail = new AccountTrail(stack, 'Trail');
    // Assert
    Template.fromStack(stack).hasResourceProperties('AWS::CloudTrail::Trail', {
      TrailName: 'Bare-ManagementEvents',
      S3BucketName: stack.resolve(trail.bucket.bucketName),
      IsMultiRegionTrail: true,
      IncludeGlobalServiceEvents: true,
      EnableLogFileValidation: true,
      EventSelectors: [{ IncludeManagementEvents: true, ReadWriteType: 'All' }],
    });
  });

  it('keeps log files a year by default, or as long as it is told, in a private bucket that outlives the stack', () => {
    // Arrange
    const stack = bareStack();
    const other = bareStack();
    // Act
    new AccountTrail(stack, 'Trail');
    new AccountTrail(other, 'Trail', { retention: Duration.days(30) });
    // Assert
    const bucket = (days: number) => ({
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: days, Status: 'Enabled' })] },
      }),
    });
    Template.fromStack(stack).hasResource('AWS::S3::Bucket', bucket(365));
    Template.fromStack(other).hasResource('AWS::S3::Bucket', bucket(30));
  });

  it('refuses writes to its bucket from any other trail', () => {
    // Arrange
    const stack = bareStack();
    // Act
    new AccountTrail(stack, 'Trail');
    // Assert
    const [policy] = Object.values(Template.fromStack(stack).findResources('AWS::S3::BucketPolicy'));
    expect(policy!.Properties.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({
        Sid: 'OnlyThisTrailWrites',
        Effect: 'Deny',
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Action: ['s3:GetBucketAcl', 's3:PutObject'],
        Condition: {
          StringNotEquals: {
            'aws:SourceArn': {
              'Fn::Join': [
                '',
                [
                  'arn:',
                  { Ref: 'AWS::Partition' },
                  ':cloudtrail:',
                  { Ref: 'AWS::Region' },
                  ':',
                  { Ref: 'AWS::AccountId' },
                  ':trail/Bare-ManagementEvents',
                ],
              ],
            },
          },
        },
      }),
    );
  });
});

/**
 * The CloudFront status reads a status checker (the state machine, the status-reader Lambda, the sqs-retry status
 * check) is granted: only the calls its watched events need, on the listed distributions where a policy can hold them.
 */
import { Annotations, Aws, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { watchKindsOf, type WatchedEventName } from '../../domain/cloudtrail';
import { KINDS, WATCH_KINDS, type WatchKind, statusOperation } from '../../domain/kinds';

/**
 * Most distribution ARNs a grant lists before it reads every distribution instead. CDK estimates each ARN with a token
 * at 150 characters and moves what passes 10,000 into managed policies of at most 6,144 characters, which a long list
 * overflows at deploy; 50 keeps the whole role policy inline (55 is where CDK starts moving), far under IAM's 10,240.
 */
export const MAX_LISTED_DISTRIBUTION_ARNS = 50;

/**
 * The call whose watch checks a distribution it creates: distributionIds selects a copy by its primary
 * (requestParameters.primaryDistributionId), but the watch polls the new staging distribution, whose id nobody can list.
 */
const STAGING_COPY: WatchedEventName = 'CopyDistribution';

/** Id of the synth-time info shown when a grant reads every distribution although distributionIds is set. */
export const DISTRIBUTION_READS_NOT_LISTED = 'cloudfront-change-notifier:distributionReadsNotListed';

export interface CloudFrontStatusReads {
  /** Only the calls that check the kinds of watch these events start are granted. */
  readonly watchedEvents: readonly string[];
  /**
   * Of those kinds, only these: the state machine and its status-reader Lambda each read some kinds.
   * @default - every kind the watched events start
   */
  readonly kinds?: readonly WatchKind[];
  /** Distribution reads are limited to these ids, up to MAX_LISTED_DISTRIBUTION_ARNS; empty means every distribution of the account. */
  readonly distributionIds: readonly string[];
}

/**
 * Lets a status checker read what the watched events make it follow: distributions and their invalidations (only the
 * listed distributions when the role's policy can hold them, else every one of this account; a watched copy's staging
 * distribution is read wherever it is), and distribution tenants and their invalidations (every tenant of this
 * account). Wildcards are acknowledged for cdk-nag on `scope`.
 */
export function grantReadCloudFrontStatus(
  scope: Construct,
  grantee: iam.IGrantable,
  reads: CloudFrontStatusReads,
): void {
  const actions = (resourceType: string) =>
    watchKindsOf(reads.watchedEvents)
      .filter((kind) => (reads.kinds ?? WATCH_KINDS).includes(kind) && KINDS[kind].resourceType === resourceType)
      .map((kind) => `cloudfront:${statusOperation(kind)}`);
  const arn = (resourceType: string, id: string) =>
    `arn:${Aws.PARTITION}:cloudfront::${Aws.ACCOUNT_ID}:${resourceType}/${id}`;
  const readOnly = (granted: readonly string[]) =>
    `the grant is read-only (${granted.map((action) => action.replace('cloudfront:', '')).join(', ')}) and limited to this account.`;

  const distributionActions = actions('distribution');
  if (distributionActions.length > 0) {
    const listed = reads.distributionIds.length > 0 && reads.distributionIds.length <= MAX_LISTED_DISTRIBUTION_ARNS;
    const watchesCopies = reads.watchedEvents.includes(STAGING_COPY);
    const copyRead = `cloudfront:${statusOperation('distribution')}`;
    const copiesReadAnywhere = listed && watchesCopies;
    const onListed = copiesReadAnywhere
      ? distributionActions.filter((action) => action !== copyRead)
      : distributionActions;
    if (onListed.length > 0) {
      grantee.grantPrincipal.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'ReadCloudFrontStatus',
          actions: onListed,
          resources: (listed ? reads.distributionIds : ['*']).map((id) => arn('distribution', id)),
        }),
      );
    }
    const stagingCopies = watchesCopies
      ? `, except that a ${STAGING_COPY} watch reads the staging distribution the call created, which no list can name`
      : '';
    if (copiesReadAnywhere) {
      grantee.grantPrincipal.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'ReadStagingCopyStatus',
          actions: [copyRead],
          resources: [arn('distribution', '*')],
        }),
      );
      Validations.of(scope).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudfront::<AWS::AccountId>:distribution/*]',
        reason:
          `${STAGING_COPY} is watched: distributionIds selects a copy by its primary distribution, but the watch checks the new ` +
          'staging distribution, whose id exists only once the call has created it; the other reads stay on the listed ' +
          `distributions; ${readOnly([copyRead])}`,
      });
    } else if (reads.distributionIds.length === 0) {
      Validations.of(scope).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudfront::<AWS::AccountId>:distribution/*]',
        reason: `Without distributionIds the notifier watches every distribution of the account, including ones created later; ${readOnly(distributionActions)}`,
      });
    } else if (!listed) {
      Validations.of(scope).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudfront::<AWS::AccountId>:distribution/*]',
        reason:
          `distributionIds lists more than ${MAX_LISTED_DISTRIBUTION_ARNS} distributions, too many ARNs for the role's inline policy; ` +
          'a change is watched only when it names a listed distribution (the others are dropped before any status check), ' +
          `so only listed distributions are read${stagingCopies}; ${readOnly(distributionActions)}`,
      });
      Annotations.of(scope).addInfoV2(
        DISTRIBUTION_READS_NOT_LISTED,
        `distributionIds lists ${reads.distributionIds.length} ids, more than the ${MAX_LISTED_DISTRIBUTION_ARNS} distribution ARNs ` +
          "this role's inline policy holds: the status checks may read every distribution of the account (read-only). " +
          'Only changes that name a listed distribution are watched: the dispatcher (or the sqs-retry status check) drops the others.',
      );
    }
  }

  const tenantActions = actions('distribution-tenant');
  if (tenantActions.length > 0) {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadCloudFrontTenantStatus',
        actions: tenantActions,
        resources: [arn('distribution-tenant', '*')],
      }),
    );
    Validations.of(scope).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudfront::<AWS::AccountId>:distribution-tenant/*]',
      reason:
        'Tenant ids are not known in advance, even with distributionIds: a listed multi-tenant distribution gets new tenants at any time; ' +
        readOnly(tenantActions),
    });
  }
}

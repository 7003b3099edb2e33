import { App, Stack, Validations } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import type { WatchSettings } from '../../../domain/settings';

export const ACCOUNT = '123456789012';

/** A stack of its own named "Bare" in us-east-1, for one construct; Lambda code is never bundled. */
export function bareStack(): Stack {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  return new Stack(app, 'Bare', { env: { account: ACCOUNT, region: 'us-east-1' } });
}

/** Watch settings away from every default, as the stack would hand them over. */
export const SETTINGS: WatchSettings = {
  watchedEvents: ['UpdateDistribution', 'CreateInvalidation'],
  distributionIds: ['E2QWRUHAPOMQZL'],
  retentionSeconds: 86_400,
  schedule: { pollIntervalSeconds: 30 },
};

export interface Grant {
  readonly sid?: string;
  readonly actions: string[];
  readonly resources: unknown[];
}

/** The Allow statements of the policies attached to this role, with the role's references resolved by the stack. */
export function grantsOf(stack: Stack, role: iam.IRole): Grant[] {
  const roleRef = JSON.stringify(stack.resolve(role.roleName));
  return Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))
    .filter((policy) =>
      (policy.Properties.Roles as unknown[]).some((candidate) => JSON.stringify(candidate) === roleRef),
    )
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Record<string, unknown>[])
    .filter((statement) => statement.Effect === 'Allow')
    .map((statement) => ({
      ...(statement.Sid === undefined ? {} : { sid: statement.Sid as string }),
      actions: [statement.Action].flat() as string[],
      resources: [statement.Resource].flat(),
    }));
}

/** The rules acknowledged on this construct itself, without CDK's namespace prefix. */
export function acknowledgedOn(construct: IConstruct): string[] {
  return construct.node.metadata
    .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((entry) => Object.keys(entry.data as Record<string, string>))
    .map((id) => id.replace(/^\w+::/, ''));
}

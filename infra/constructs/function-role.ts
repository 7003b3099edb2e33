import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

export interface FunctionRoleProps {
  /** The function's own log group: the only one the role may write to. */
  readonly logGroup: logs.ILogGroup;
  /** What the role is for, shown in the IAM console. */
  readonly description: string;
}

/**
 * A Lambda execution role that may write to its own log group only, instead of AWSLambdaBasicExecutionRole, which
 * may create and write to every log group of the account.
 */
export class FunctionRole extends iam.Role {
  constructor(scope: Construct, id: string, props: FunctionRoleProps) {
    super(scope, id, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description: props.description });
    this.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'WriteOwnLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [props.logGroup.logGroupArn],
      }),
    );
  }
}

import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { READ_BUDGET_ENV } from '../../domain/settings';
import { READ_SLOT_ATTEMPT_SECONDS } from '../../statemachine/definition';
import type { LogOptions } from './log-options';
import { NotifierFunction } from './notifier-function';

/** The log options apply to the function's log group. */
export interface ReadBudgetProps extends LogOptions {
  /** Status checks a second across all watches (readBudgetPerSecond), more than 0. */
  readonly perSecond: number;
  /**
   * The longest a watch waits for its slot; further out, it waits this long and checks anyway.
   * @default Duration.minutes(1), the default pollIntervalSeconds
   */
  readonly maxWait?: Duration;
}

/**
 * The read budget all watches share: a table with one item, the next free read slot, and the Lambda that reserves a
 * slot in it for the state machine. The table holds nothing worth keeping, so it leaves with the stack.
 */
export class ReadBudget extends Construct {
  readonly table: dynamodb.Table;
  readonly function: lambda.IFunction;

  constructor(scope: Construct, id: string, props: ReadBudgetProps) {
    super(scope, id);
    if (!(props.perSecond > 0)) throw new Error(`ReadBudget: perSecond must be more than 0, got ${props.perSecond}`);
    this.table = new dynamodb.Table(this, 'Slots', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(this.table).acknowledge({
      id: 'AwsSolutions-DDB3',
      reason:
        'The table holds one timestamp, the next free read slot, rewritten several times a second; restoring an old one ' +
        'would only hand out slots already taken, so point-in-time recovery has nothing to recover.',
    });
    const reserver = new NotifierFunction(this, 'Reserve', {
      entry: 'read-budget/handler.ts',
      description: 'Reserves a read slot of the budget all watches share, for the watch state machine',
      roleDescription: 'Reads and writes the next free read slot in the read-budget table',
      timeout: Duration.seconds(READ_SLOT_ATTEMPT_SECONDS),
      environment: {
        [READ_BUDGET_ENV.tableName]: this.table.tableName,
        [READ_BUDGET_ENV.perSecond]: String(props.perSecond),
        [READ_BUDGET_ENV.maxWaitSeconds]: String((props.maxWait ?? Duration.minutes(1)).toSeconds()),
      },
      logRetention: props.logRetention,
      logRemovalPolicy: props.logRemovalPolicy,
    });
    this.function = reserver.function;
    // The one call a reservation makes, on this table only (grantReadWriteData would add batch, query and scan).
    reserver.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReserveReadSlot',
        actions: ['dynamodb:UpdateItem'],
        resources: [this.table.tableArn],
      }),
    );
  }
}

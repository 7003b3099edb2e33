import { RemovalPolicy } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';

/** How long a construct's log group keeps its events, and whether it outlives the stack. */
export interface LogOptions {
  /**
   * How long the log group keeps its events.
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * What happens to the log group when it leaves the stack.
   * @default RemovalPolicy.RETAIN: the record of what the notifier did outlives the stack
   */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/** The log group props of these options, defaults applied. */
export function logGroupProps(options: LogOptions): Pick<logs.LogGroupProps, 'retention' | 'removalPolicy'> {
  return {
    retention: options.logRetention ?? logs.RetentionDays.THREE_MONTHS,
    removalPolicy: options.logRemovalPolicy ?? RemovalPolicy.RETAIN,
  };
}

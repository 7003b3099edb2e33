import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { WATCH_METRICS } from '../../domain/watch-metrics';

/** The ARN of an event bus of the stack's account and Region, by name. */
export function eventBusArn(scope: Construct, busName: string): string {
  return Stack.of(scope).formatArn({ service: 'events', resource: 'event-bus', resourceName: busName });
}

/** Lets the grantee put events on this one bus: the Change Finished event of every watch. */
export function grantPutChangeEvent(scope: Construct, grantee: iam.IGrantable, busName: string): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'PutChangeFinishedEvent',
      actions: ['events:PutEvents'],
      resources: [eventBusArn(scope, busName)],
    }),
  );
}

/**
 * Lets the grantee record the watch metrics in their namespace only: PutMetricData has no resource-level permission,
 * so the namespace condition is what narrows it
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/iam-cw-condition-keys-namespace.html).
 */
export function grantPutWatchMetrics(grantee: iam.IGrantable): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'RecordWatchMetrics',
      actions: ['cloudwatch:PutMetricData'],
      resources: ['*'],
      conditions: { StringEquals: { 'cloudwatch:namespace': WATCH_METRICS.namespace } },
    }),
  );
}

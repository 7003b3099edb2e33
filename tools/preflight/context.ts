/** The preflight command line, and the bootstrap qualifier of the context `cdk deploy` would hand the app (tools/lib/cdk-context.ts). */
import { parseOptions } from '../cli/args';
import { CONTEXT_OPTION, contextPairs } from '../lib/cdk-context';

export type PreflightOptions =
  | { readonly mode: 'help' }
  | { readonly mode: 'check'; readonly json: boolean; readonly context: Record<string, string> };

/** The CDK CLI's default qualifier, used when the context does not set @aws-cdk/core:bootstrapQualifier. */
export const DEFAULT_BOOTSTRAP_QUALIFIER = 'hnb659fds';
export const BOOTSTRAP_QUALIFIER_KEY = '@aws-cdk/core:bootstrapQualifier';

export function usage(): string {
  return `Usage:
  npm run preflight [-- [-c KEY=VALUE]... [--json]]

Asks AWS, read-only and with your credentials (AWS_PROFILE, SSO or environment), whether the CloudFront change
notifier will work in your account in us-east-1. It synthesizes the app with the context cdk deploy would use
(cdk.json, cdk.context.json, then -c), then checks:
  credentials  who you are (sts:GetCallerIdentity)
  bootstrap    the CDK bootstrap version parameter cdk deploy needs (ssm:GetParameter)
  cloudtrail   a logging trail that records write management events in us-east-1, which EventBridge needs
               (cloudtrail:DescribeTrails, GetTrailStatus, GetEventSelectors)
  definition   Step Functions validates the synthesized state machine definition (states:ValidateStateMachineDefinition)
  deployment   the deployed stack's status and its email subscriptions (cloudformation:DescribeStacks,
               sns:ListSubscriptionsByTopic)

Options:
  -c, --context KEY=VALUE  CDK context, as with cdk deploy (e.g. -c createTrail=true)
  --json                   print the results as one JSON document instead of lines
  -h, --help               this text

Exit codes: 0 no check failed (warnings allowed), 1 a check failed, 2 could not run (no credentials, bad context).
See docs/preflight.md.
`;
}

export function parsePreflightArguments(argv: readonly string[]): PreflightOptions {
  const values = parseOptions(argv, {
    context: CONTEXT_OPTION,
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return { mode: 'help' };
  return { mode: 'check', json: values.json ?? false, context: contextPairs(values.context) };
}

/** The qualifier in the bootstrap resources' names (https://docs.aws.amazon.com/cdk/v2/guide/bootstrapping-customizing.html). */
export function bootstrapQualifier(context: Record<string, unknown>): string {
  const value = context[BOOTSTRAP_QUALIFIER_KEY];
  return typeof value === 'string' && value !== '' ? value : DEFAULT_BOOTSTRAP_QUALIFIER;
}

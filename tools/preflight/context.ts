/** The preflight command line, and the context `cdk deploy` would hand the app, so the checks see the stack really deployed. */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { UsageError } from '../cli/args';

export type PreflightOptions = { readonly mode: 'help' } | { readonly mode: 'check'; readonly json: boolean; readonly context: Record<string, string> };

/** Where cdk.json and cdk.context.json live: the project root, whatever directory npm was started from. */
export const PROJECT_DIR = fileURLToPath(new URL('../../', import.meta.url));

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

function contextPairs(values: readonly string[]): Record<string, string> {
  const context: Record<string, string> = {};
  for (const value of values) {
    const separator = value.indexOf('=');
    if (separator <= 0) throw new UsageError(`--context expects KEY=VALUE, got "${value}"`, true);
    context[value.slice(0, separator)] = value.slice(separator + 1);
  }
  return context;
}

export function parsePreflightArguments(argv: readonly string[]): PreflightOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        context: { type: 'string', short: 'c', multiple: true },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message, true);
  }
  if (values.help) return { mode: 'help' };
  return { mode: 'check', json: values.json ?? false, context: contextPairs(values.context ?? []) };
}

function readJsonObject(file: string, description: string): Record<string, unknown> {
  if (!existsSync(file)) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`${description} ${file} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new UsageError(`${description} ${file} is not a JSON object`);
  return parsed as Record<string, unknown>;
}

function contextOf(settings: Record<string, unknown>, file: string): Record<string, unknown> {
  const context = settings.context ?? {};
  if (typeof context !== 'object' || context === null || Array.isArray(context)) throw new UsageError(`"context" in ${file} is not a JSON object`);
  return context as Record<string, unknown>;
}

export interface ContextSources {
  /** The directory holding cdk.json and cdk.context.json. @default PROJECT_DIR */
  readonly projectDir?: string;
  /** The directory holding the user's ~/.cdk.json. @default the user's home directory */
  readonly homeDir?: string;
}

/** The CDK CLI's order, first found wins: -c, cdk.json, cdk.context.json, ~/.cdk.json (aws-cdk lib/cli/user-configuration.js, loadConfigFiles). */
export function deployContext(commandLine: Record<string, string>, sources: ContextSources = {}): Record<string, unknown> {
  const projectDir = sources.projectDir ?? PROJECT_DIR;
  const userFile = join(sources.homeDir ?? homedir(), '.cdk.json');
  const projectFile = join(projectDir, 'cdk.json');
  const user = contextOf(readJsonObject(userFile, 'the CDK user settings'), userFile);
  const cached = readJsonObject(join(projectDir, 'cdk.context.json'), 'the CDK context file');
  const project = contextOf(readJsonObject(projectFile, 'the CDK project file'), projectFile);
  return { ...user, ...cached, ...project, ...commandLine };
}

/** The qualifier in the bootstrap resources' names (https://docs.aws.amazon.com/cdk/v2/guide/bootstrapping-customizing.html). */
export function bootstrapQualifier(context: Record<string, unknown>): string {
  const value = context[BOOTSTRAP_QUALIFIER_KEY];
  return typeof value === 'string' && value !== '' ? value : DEFAULT_BOOTSTRAP_QUALIFIER;
}

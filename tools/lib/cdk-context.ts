/**
 * The CDK context of the three commands (npm start, npm run preflight, npm run smoke): their `-c KEY=VALUE` option,
 * and the context `cdk deploy` would hand the app, read from the same files in the same order as the CDK CLI.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from './usage-error';

/** Where cdk.json and cdk.context.json live: the project root, whatever directory npm was started from. */
export const PROJECT_DIR = fileURLToPath(new URL('../../', import.meta.url));

/** The `-c, --context KEY=VALUE` option for node:util parseArgs, repeatable as with cdk deploy. */
export const CONTEXT_OPTION = { type: 'string', short: 'c', multiple: true } as const;

/** "-c key=value" pairs, split at the first "=" as the CDK CLI does. */
export function contextPairs(values: readonly string[] = []): Record<string, string> {
  const context: Record<string, string> = {};
  for (const value of values) {
    const separator = value.indexOf('=');
    if (separator <= 0) throw new UsageError(`--context expects KEY=VALUE, got "${value}"`);
    context[value.slice(0, separator)] = value.slice(separator + 1);
  }
  return context;
}

function readJsonObject(file: string, description: string): Record<string, unknown> {
  if (!existsSync(file)) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`${description} ${file} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new UsageError(`${description} ${file} is not a JSON object`);
  return parsed as Record<string, unknown>;
}

function contextOf(settings: Record<string, unknown>, file: string): Record<string, unknown> {
  const context = settings.context ?? {};
  if (typeof context !== 'object' || context === null || Array.isArray(context))
    throw new UsageError(`"context" in ${file} is not a JSON object`);
  return context as Record<string, unknown>;
}

export interface ContextSources {
  /** The directory holding cdk.json and cdk.context.json. @default PROJECT_DIR */
  readonly projectDir?: string;
  /** The directory holding the user's ~/.cdk.json. @default the user's home directory */
  readonly homeDir?: string;
}

/**
 * The context `cdk deploy` would hand the app. The CDK CLI's order, first found wins: -c, cdk.json, cdk.context.json,
 * ~/.cdk.json (loadConfigFiles in https://github.com/aws/aws-cdk-cli/blob/main/packages/aws-cdk/lib/cli/user-configuration.ts).
 * A file that is not a JSON object throws a UsageError naming it.
 */
export function deployContext(
  commandLine: Readonly<Record<string, string>>,
  sources: ContextSources = {},
): Record<string, unknown> {
  const projectDir = sources.projectDir ?? PROJECT_DIR;
  const userFile = join(sources.homeDir ?? homedir(), '.cdk.json');
  const projectFile = join(projectDir, 'cdk.json');
  const user = contextOf(readJsonObject(userFile, 'the CDK user settings'), userFile);
  const cached = readJsonObject(join(projectDir, 'cdk.context.json'), 'the CDK context file');
  const project = contextOf(readJsonObject(projectFile, 'the CDK project file'), projectFile);
  return { ...user, ...cached, ...project, ...commandLine };
}

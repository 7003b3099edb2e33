/**
 * What `npm run smoke` needs to know before it starts anything: who is calling, whether the stack is deployed, which
 * mode it runs, and the watch settings its running code uses. Every failure here is a "could not start" (exit 2).
 */
import {
  DescribeStacksCommand,
  GetTemplateCommand,
  type CloudFormationClient,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import type { WatchSettings } from '../../domain/settings';
import type { AslDefinition } from '../../statemachine/definition';
import { STACK_NAME } from '../../infra/notifier-app';
import { REQUIRED_REGION } from '../../infra/notifier-stack';
import { deployContext, type ContextSources } from '../lib/cdk-context';
import { UsageError } from '../lib/usage-error';
import { synthNotifier, watchDefinition, watchSettingsOf, type CfnTemplate } from '../lib/synth';

/** The stack accepts no other Region. */
export const REGION = REQUIRED_REGION;

export type DeployedMode = 'stepfunctions' | 'sqs-retry';

/** Thrown when the smoke test cannot start: exit code 2, one sentence on stderr. */
export class CannotStart extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CannotStart';
  }
}

export interface Caller {
  readonly arn: string;
  readonly account: string;
  readonly userId: string;
}

/** The first line of an SDK error, with its name: what a person needs to see. */
export function describeError(error: unknown): string {
  const name = (error as Error | undefined)?.name ?? 'Error';
  const message = String((error as Error | undefined)?.message ?? error).split('\n')[0];
  return message && message !== name ? `${name}: ${message}` : name;
}

/** Unverified: SDK v3 names a denied call AccessDenied or AccessDeniedException depending on the service's protocol, always with HTTP 403. */
export function isAccessDenied(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  return (
    /AccessDenied|UnauthorizedOperation|NotAuthorized/i.test((error as Error | undefined)?.name ?? '') || status === 403
  );
}

/**
 * Resolves the credentials before any call, so a missing login is one clear line instead of a retried failure, then
 * asks STS who is calling. GetCallerIdentity needs no permission:
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
 */
export async function identifyCaller(sts: Pick<STSClient, 'send' | 'config'>): Promise<Caller> {
  try {
    await sts.config.credentials();
  } catch (error) {
    throw new CannotStart(
      `no AWS credentials found (${describeError(error)}). Log in first (aws configure, aws sso login or AWS_PROFILE=...).`,
    );
  }
  try {
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    if (!identity.Arn || !identity.Account) throw new Error('the answer has no Arn or Account');
    return { arn: identity.Arn, account: identity.Account, userId: identity.UserId ?? '' };
  } catch (error) {
    throw new CannotStart(
      `your AWS credentials do not work (sts:GetCallerIdentity: ${describeError(error)}). Log in again.`,
    );
  }
}

export interface DeployedStack {
  readonly status: string;
  readonly outputs: Readonly<Record<string, string>>;
  readonly mode: DeployedMode;
  /** Set when the stack status says an update is under way or was rolled back: worth a line, not a stop. */
  readonly note?: string;
}

/**
 * Statuses in which the stack's resources do not (or no longer) exist as deployed:
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_Stack.html (StackStatus).
 */
const NOT_DEPLOYED = new Set([
  'CREATE_IN_PROGRESS',
  'CREATE_FAILED',
  'ROLLBACK_IN_PROGRESS',
  'ROLLBACK_FAILED',
  'ROLLBACK_COMPLETE',
  'DELETE_IN_PROGRESS',
  'DELETE_FAILED',
  'DELETE_COMPLETE',
  'REVIEW_IN_PROGRESS',
]);

/**
 * Reads the stack's outputs; the mode follows from them (StateMachineArn or StatusCheckLogGroupName, see
 * infra/notifier-stack.ts). A missing stack answers ValidationError "Stack with id ... does not exist":
 * https://github.com/boto/boto3/issues/2807
 */
export async function describeStack(
  cloudformation: Pick<CloudFormationClient, 'send'>,
  caller: Caller,
): Promise<DeployedStack> {
  let stack: Stack | undefined;
  try {
    stack = (await cloudformation.send(new DescribeStacksCommand({ StackName: STACK_NAME }))).Stacks?.[0];
  } catch (error) {
    if (/does not exist/i.test((error as Error).message ?? '')) {
      throw new CannotStart(
        `stack ${STACK_NAME} is not deployed in account ${caller.account}, ${REGION}: deploy it first (npx cdk deploy).`,
      );
    }
    throw new CannotStart(
      `could not read stack ${STACK_NAME} (cloudformation:DescribeStacks: ${describeError(error)}).`,
    );
  }
  if (!stack)
    throw new CannotStart(
      `stack ${STACK_NAME} is not deployed in account ${caller.account}, ${REGION}: deploy it first (npx cdk deploy).`,
    );
  const status = stack.StackStatus ?? 'UNKNOWN';
  if (NOT_DEPLOYED.has(status)) {
    throw new CannotStart(
      `stack ${STACK_NAME} is ${status} in account ${caller.account}, ${REGION}: it has nothing deployed to test; deploy it again.`,
    );
  }
  const outputs = Object.fromEntries(
    (stack.Outputs ?? [])
      .filter((output) => output.OutputKey && output.OutputValue)
      .map((output) => [output.OutputKey!, output.OutputValue!]),
  );
  const mode = modeOf(outputs, caller);
  const note =
    status.endsWith('_IN_PROGRESS') || status.includes('ROLLBACK')
      ? `the stack is ${status}: the resources tested are the ones live right now`
      : undefined;
  return { status, outputs: mode.outputs, mode: mode.mode, ...(note ? { note } : {}) };
}

function modeOf(
  outputs: Record<string, string>,
  caller: Caller,
): { mode: DeployedMode; outputs: Record<string, string> } {
  const missing = (keys: readonly string[]) => keys.filter((key) => outputs[key] === undefined);
  const redeploy = (keys: readonly string[]) =>
    new CannotStart(
      `stack ${STACK_NAME} has no output ${keys.join(', ')}: it was deployed by an older version; deploy this version first (npx cdk deploy).`,
    );
  if (outputs.StateMachineArn !== undefined || outputs.StateMachineName !== undefined) {
    if (missing(['TopicArn']).length > 0) throw redeploy(missing(['TopicArn']));
    // Stacks deployed before StateMachineArn was an output still name the machine; the ARN format is documented at
    // https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsstepfunctions.html (resource types).
    const partition = caller.arn.split(':')[1] ?? 'aws';
    const arn =
      outputs.StateMachineArn ??
      `arn:${partition}:states:${REGION}:${caller.account}:stateMachine:${outputs.StateMachineName}`;
    return { mode: 'stepfunctions', outputs: { ...outputs, StateMachineArn: arn } };
  }
  if (outputs.StatusCheckFunctionName !== undefined || outputs.StatusCheckLogGroupName !== undefined) {
    const absent = missing(['TopicArn', 'BufferQueueUrl', 'StatusCheckLogGroupName']);
    if (absent.length > 0) throw redeploy(absent);
    return { mode: 'sqs-retry', outputs };
  }
  throw redeploy(['StateMachineArn', 'StatusCheckLogGroupName']);
}

export interface DeployedSettings {
  readonly settings: WatchSettings;
  /** Mode stepfunctions: the state machine definition, for the timeline. */
  readonly definition?: AslDefinition;
  /** Where the settings come from, in words, for the output. */
  readonly source: string;
}

export type Synthesize = (context: Record<string, unknown>) => CfnTemplate;

export interface SettingsSources {
  readonly cloudformation: Pick<CloudFormationClient, 'send'>;
  readonly mode: DeployedMode;
  /** The -c values of the command line. */
  readonly context: Readonly<Record<string, string>>;
  /** @default synthNotifier without bundling */
  readonly synthesize?: Synthesize;
  /** Where cdk.json, cdk.context.json and ~/.cdk.json are read. */
  readonly contextSources?: ContextSources;
}

/**
 * The settings the deployed dispatcher (or status check) runs with, read from the template CloudFormation deployed
 * (cloudformation:GetTemplate): that is exactly the WATCH_SETTINGS variable the function got, whatever context the
 * deploy used, without a Lambda client (lambda:GetFunctionConfiguration; @aws-sdk/client-lambda is no dependency) and
 * without a synth. Only if the template cannot be read is the app synthesized from the local context, as cdk deploy
 * would (deployContext: ~/.cdk.json, cdk.context.json, cdk.json, -c), which is right only if that is how it was deployed.
 */
export async function deployedSettings(sources: SettingsSources): Promise<DeployedSettings> {
  let unreadable: string;
  try {
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_GetTemplate.html
    const { TemplateBody } = await sources.cloudformation.send(
      new GetTemplateCommand({ StackName: STACK_NAME, TemplateStage: 'Original' }),
    );
    const template = JSON.parse(TemplateBody ?? '') as CfnTemplate;
    return {
      ...fromTemplate(template, sources.mode),
      source: `the deployed template (cloudformation:GetTemplate)${ignoredContext(sources.context)}`,
    };
  } catch (error) {
    unreadable = error instanceof SyntaxError ? 'its template is not JSON' : describeError(error);
  }
  const context = synthContext(sources);
  let template: CfnTemplate;
  try {
    template = (sources.synthesize ?? ((values) => synthNotifier(values).template))(context);
  } catch (error) {
    throw new CannotStart(
      `the deployed template is unreadable (${unreadable}) and the local app does not synthesize: ${describeError(error)}`,
    );
  }
  try {
    return {
      ...fromTemplate(template, sources.mode),
      source: `the app synthesized here with cdk.json, cdk.context.json and -c, as deployed (the deployed template is unreadable: ${unreadable})`,
    };
  } catch (error) {
    throw new CannotStart(
      `the deployed template is unreadable (${unreadable}) and the synthesized one has no watch settings: ${describeError(error)}`,
    );
  }
}

function fromTemplate(
  template: CfnTemplate,
  mode: DeployedMode,
): { settings: WatchSettings; definition?: AslDefinition } {
  const settings = watchSettingsOf(template);
  return mode === 'stepfunctions' ? { settings, definition: watchDefinition(template) } : { settings };
}

function ignoredContext(context: Readonly<Record<string, string>>): string {
  const keys = Object.keys(context);
  return keys.length === 0 ? '' : `; -c ${keys.join(', ')} not needed and ignored`;
}

/** The context cdk deploy would hand the app, plus the deployed mode unless -c names one: the template to read must be of the mode that is deployed. */
function synthContext(sources: SettingsSources): Record<string, unknown> {
  let merged: Record<string, unknown>;
  try {
    merged = deployContext(sources.context, sources.contextSources);
  } catch (error) {
    if (error instanceof UsageError) throw new CannotStart(error.message);
    throw error;
  }
  const mode = merged.mode ?? 'stepfunctions';
  if (mode !== sources.mode) {
    if (sources.context.mode !== undefined) {
      throw new CannotStart(`-c mode=${sources.context.mode}, but the deployed stack runs mode ${sources.mode}`);
    }
    merged.mode = sources.mode;
  }
  return merged;
}

/** `npm run preflight` in process, returning the exit code; clients, synthesis and context files come through `io` so tests run offline. */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { ConfigError, readConfig, type NotifierConfig } from '../../infra/config';
import { REQUIRED_REGION } from '../../infra/notifier-stack';
import type { AslDefinition } from '../../statemachine/definition';
import { UsageError } from '../cli/args';
import type { Output } from '../cli/timeline';
import { deployContext, type ContextSources } from '../lib/cdk-context';
import { synthNotifier, type SynthResult } from '../lib/synth';
import {
  callerIdentity,
  checkBootstrap,
  checkCloudTrail,
  checkDefinition,
  checkDeployment,
  CREDENTIALS_FIX,
  credentialsResult,
  CredentialsUnavailable,
  describeError,
  type CheckId,
  type CheckResult,
} from './checks';
import { bootstrapQualifier, parsePreflightArguments, usage } from './context';
import { hasStateMachine, validationDefinition } from './definition';
import {
  exitCodeOf,
  renderErrorJson,
  renderErrorText,
  renderJson,
  renderText,
  type ExitCode,
  type PreflightError,
} from './report';

export interface PreflightClients {
  readonly sts: STSClient;
  readonly ssm: SSMClient;
  readonly cloudTrail: CloudTrailClient;
  readonly sfn: SFNClient;
  readonly cloudFormation: CloudFormationClient;
  readonly sns: SNSClient;
}

export interface PreflightIo {
  readonly stdout: Output;
  readonly stderr: Output;
  /** @default real clients in us-east-1 with the default credential chain */
  readonly clients?: Partial<PreflightClients>;
  /** Synthesizes the app (tests share one per context). @default synthNotifier */
  readonly synth?: (context: Record<string, unknown>) => SynthResult;
  /** Where cdk.json, cdk.context.json and ~/.cdk.json are read. */
  readonly contextSources?: ContextSources;
}

/** Everything the checks need from the synthesized app, read before any AWS call. */
interface Plan {
  readonly synthesized: SynthResult;
  readonly config: NotifierConfig;
  readonly stackName: string;
  readonly bootstrapParameter: string;
  readonly requiredBootstrapVersion: number;
  /** Undefined in mode sqs-retry, which has no state machine. */
  readonly definitionFor?: (account: string) => AslDefinition;
}

const CONTEXT_FIX = 'Correct the value in cdk.json, cdk.context.json or the -c argument.';

/** The app synthesized, but its definition cannot be turned into what the validator needs. */
class DefinitionNotReady extends Error {}

function plan(context: Record<string, unknown>, synth: (context: Record<string, unknown>) => SynthResult): Plan {
  const synthesized = synth(context);
  const { app, stack, template } = synthesized;
  // The same reading of the context as addNotifierStack (infra/notifier-app.ts), which has already accepted it.
  const config = readConfig((key) => app.node.tryGetContext(key));
  // The stack artifact names the bootstrap version parameter and the version the template's CheckBootstrapVersion rule needs.
  const artifact = app.synth().getStackByName(stack.stackName);
  const withStateMachine = hasStateMachine(template);
  // Resolving the definition now turns a leftover token into a could-not-run error, before any call.
  try {
    if (withStateMachine) validationDefinition(template);
  } catch (error) {
    throw new DefinitionNotReady(
      `the synthesized state machine definition cannot be prepared for validation: ${(error as Error).message}`,
    );
  }
  return {
    synthesized,
    config,
    stackName: stack.stackName,
    bootstrapParameter:
      artifact.bootstrapStackVersionSsmParameter ?? `/cdk-bootstrap/${bootstrapQualifier(context)}/version`,
    requiredBootstrapVersion: artifact.requiresBootstrapStackVersion ?? 1,
    ...(withStateMachine ? { definitionFor: (account: string) => validationDefinition(template, account) } : {}),
  };
}

function clientsFrom(given: Partial<PreflightClients> = {}): PreflightClients {
  // Always us-east-1, where the stack must live; the SDK itself honours AWS_ENDPOINT_URL(_<SERVICE>) and the credential chain.
  const region = REQUIRED_REGION;
  return {
    sts: given.sts ?? new STSClient({ region }),
    ssm: given.ssm ?? new SSMClient({ region }),
    cloudTrail: given.cloudTrail ?? new CloudTrailClient({ region }),
    sfn: given.sfn ?? new SFNClient({ region }),
    cloudFormation: given.cloudFormation ?? new CloudFormationClient({ region }),
    sns: given.sns ?? new SNSClient({ region }),
  };
}

/** A check that broke in an unexpected way (throttling, a network error) is a warning: it says nothing about the account. */
async function guarded(id: CheckId, check: () => Promise<CheckResult>): Promise<CheckResult> {
  try {
    return await check();
  } catch (error) {
    return {
      id,
      status: 'warn',
      found: `could not be checked (${describeError(error)})`,
      fix: 'run npm run preflight again; docs/preflight.md says what this check reads, to check it by hand',
      details: [],
    };
  }
}

export async function run(argv: readonly string[], io: PreflightIo): Promise<ExitCode> {
  let options;
  try {
    options = parsePreflightArguments(argv);
  } catch (error) {
    io.stderr.write(`npm run preflight: ${(error as Error).message}\n\n${usage()}`);
    return 2;
  }
  if (options.mode === 'help') {
    io.stdout.write(usage());
    return 0;
  }
  const { json } = options;
  const couldNotRun = (failure: PreflightError): ExitCode => {
    if (json) io.stdout.write(renderErrorJson(failure));
    io.stderr.write(renderErrorText(failure));
    return 2;
  };

  let planned: Plan;
  try {
    planned = plan(
      deployContext(options.context, io.contextSources),
      io.synth ?? ((context) => synthNotifier(context)),
    );
  } catch (error) {
    if (error instanceof ConfigError || error instanceof UsageError)
      return couldNotRun({ error: error.message, fix: CONTEXT_FIX });
    if (error instanceof DefinitionNotReady) return couldNotRun({ error: error.message });
    return couldNotRun({ error: `the app does not synthesize: ${describeError(error)}` });
  }

  const clients = clientsFrom(io.clients);
  let identity;
  try {
    identity = await callerIdentity(clients.sts);
  } catch (error) {
    if (error instanceof CredentialsUnavailable) return couldNotRun({ error: error.message, fix: CREDENTIALS_FIX });
    throw error;
  }

  const { config, definitionFor } = planned;
  const checks = await Promise.all([
    guarded('bootstrap', () =>
      checkBootstrap(clients.ssm, {
        account: identity.account,
        parameterName: planned.bootstrapParameter,
        requiredVersion: planned.requiredBootstrapVersion,
      }),
    ),
    guarded('cloudtrail', () => checkCloudTrail(clients.cloudTrail, { createTrail: config.trail.enabled })),
    guarded('definition', () => checkDefinition(clients.sfn, definitionFor?.(identity.account))),
    guarded('deployment', () =>
      checkDeployment(clients.cloudFormation, clients.sns, {
        stackName: planned.stackName,
        notificationEmails: config.notifications.emails,
      }),
    ),
  ]);
  const report = {
    stackName: planned.stackName,
    mode: config.mode,
    identity,
    checks: [credentialsResult(identity), ...checks],
  };
  io.stdout.write(json ? renderJson(report) : renderText(report));
  return exitCodeOf(report);
}

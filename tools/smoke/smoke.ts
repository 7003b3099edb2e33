/**
 * `npm run smoke` in process: parse the arguments, check who calls and what is deployed, watch one change with the
 * deployed stack and return the exit code. Clients, clock, sleep and streams come in through `io`, so tests drive it.
 */
import { randomBytes } from 'node:crypto';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { STSClient } from '@aws-sdk/client-sts';
import { describeDuration } from '../../domain/watch-execution';
import { STACK_NAME } from '../../infra/notifier-app';
import { UsageError } from '../cli/args';
import type { Output } from '../cli/timeline';
import type { ContextSources } from '../lib/cdk-context';
import { parseSmokeArguments, smokeUsage } from './args';
import {
  CannotStart,
  deployedSettings,
  describeError,
  describeStack,
  identifyCaller,
  REGION,
  type Synthesize,
} from './deployment';
import { jsonSummary, printVerdict, type SmokeResult } from './report';
import { smokeSqsRetry } from './sqs-retry';
import { smokeStepFunctions } from './stepfunctions';

export interface SmokeClients {
  readonly sts: STSClient;
  readonly cloudformation: CloudFormationClient;
  readonly sfn: SFNClient;
  readonly sqs: SQSClient;
  readonly logs: CloudWatchLogsClient;
}

export interface SmokeIo {
  readonly stdout: Output;
  readonly stderr: Output;
  /** @default real clients in us-east-1; AWS_ENDPOINT_URL(_<SERVICE>) still applies, the SDK reads it itself */
  readonly clients?: Partial<SmokeClients>;
  /** @default the system clock */
  readonly now?: () => Date;
  /** @default a real timer */
  readonly sleep?: (milliseconds: number) => Promise<void>;
  /** Six hex digits for the event id. @default random */
  readonly random?: () => string;
  /** Only when the deployed template is unreadable. @default synthNotifier */
  readonly synthesize?: Synthesize;
  /** Where cdk.json, cdk.context.json and ~/.cdk.json are read. @default the project root and the home directory */
  readonly contextSources?: ContextSources;
}

function defaultClients(given: Partial<SmokeClients> = {}): SmokeClients {
  const config = { region: REGION };
  return {
    sts: given.sts ?? new STSClient(config),
    cloudformation: given.cloudformation ?? new CloudFormationClient(config),
    sfn: given.sfn ?? new SFNClient(config),
    sqs: given.sqs ?? new SQSClient(config),
    logs: given.logs ?? new CloudWatchLogsClient(config),
  };
}

export async function runSmoke(argv: readonly string[], io: SmokeIo): Promise<number> {
  let options;
  try {
    options = parseSmokeArguments(argv);
  } catch (error) {
    io.stderr.write(`npm run smoke: ${(error as Error).message}\n`);
    if (error instanceof UsageError && error.showUsage) io.stderr.write(`\n${smokeUsage()}`);
    return 2;
  }
  if (options.mode === 'help') {
    io.stdout.write(smokeUsage());
    return 0;
  }
  // With --json, stdout carries only the summary; the story goes to stderr, where a person still sees it.
  const out = options.json ? io.stderr : io.stdout;
  const now = io.now ?? (() => new Date());
  const clients = defaultClients(io.clients);
  let result: SmokeResult;
  try {
    const caller = await identifyCaller(clients.sts);
    const stack = await describeStack(clients.cloudformation, caller);
    out.write(`Smoke test of the deployed CloudFront change notifier: nothing in CloudFront is changed.\n`);
    out.write(
      `  stack        ${STACK_NAME} (${stack.status}) in account ${caller.account}, ${REGION}, mode ${stack.mode}\n`,
    );
    if (stack.note) out.write(`               ${stack.note}\n`);
    out.write(`  caller       ${caller.arn}\n`);
    const deployed = await deployedSettings({
      cloudformation: clients.cloudformation,
      mode: stack.mode,
      context: options.context,
      ...(io.synthesize ? { synthesize: io.synthesize } : {}),
      ...(io.contextSources ? { contextSources: io.contextSources } : {}),
    });
    out.write(
      `  settings     retention ${describeDuration(deployed.settings.retentionSeconds)}, from ${deployed.source}\n`,
    );
    const run = {
      out,
      caller,
      outputs: stack.outputs,
      deployed,
      target: {
        distributionId: options.distributionId,
        ...(options.invalidationId ? { invalidationId: options.invalidationId } : {}),
      },
      timeoutSeconds: options.timeoutSeconds,
      now,
      sleep: io.sleep ?? ((milliseconds: number) => new Promise<void>((resolve) => setTimeout(resolve, milliseconds))),
      random: io.random ?? (() => randomBytes(3).toString('hex')),
    };
    result =
      stack.mode === 'stepfunctions' ? await smokeStepFunctions(run, clients.sfn) : await smokeSqsRetry(run, clients);
  } catch (error) {
    if (error instanceof CannotStart) {
      result = { exitCode: 2, reason: error.message };
    } else {
      result = { exitCode: 1, reason: `the smoke test broke: ${describeError(error)}` };
      io.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    }
  }
  printVerdict(result.exitCode === 2 ? io.stderr : out, result);
  if (options.json) io.stdout.write(jsonSummary(result));
  return result.exitCode;
}

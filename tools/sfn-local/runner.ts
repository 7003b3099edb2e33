/**
 * Drives Step Functions Local on this machine: finds or starts it, creates the watch state machine of each stack
 * variant, runs one mocked test case per scenario and variant and reads the execution history back as a
 * ScenarioObservation. Loopback only.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListStateMachinesCommand,
  SFNClient,
  StartExecutionCommand,
  UpdateStateMachineCommand,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import type { AslDefinition } from '../../statemachine/definition';
import { changeEventOutcome, metricOutcome, unansweredIn, type ScenarioObservation } from '../scenarios/observation';
import type { TaskKind } from '../lib/local-engine';

const SFN_LOCAL_PORT = 8083;
export const DEFAULT_ENDPOINT = `http://127.0.0.1:${SFN_LOCAL_PORT}`;
const COMPOSE_FILE = fileURLToPath(new URL('./docker-compose.yml', import.meta.url));
/** Step Functions Local never assumes it; CreateStateMachine only wants a well-formed ARN. */
const FAKE_ROLE_ARN = 'arn:aws:iam::123456789012:role/StepFunctionsLocal';
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
const TERMINAL_STATUSES = new Set(['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']);
/** Retry fields newer than Step Functions Local (unverified: LocalStack rejected them). */
const RETRY_FIELDS_LOCAL_MAY_REJECT = ['JitterStrategy', 'MaxDelaySeconds'] as const;

export type SfnLocalTarget =
  { readonly endpoint: string; readonly startedByDocker: boolean } | { readonly skipReason: string };

export interface DockerControl {
  /** Undefined when a Docker engine answers, otherwise why it cannot be used. */
  unavailableReason(): string | undefined;
  up(): void;
  down(): void;
}

function docker(args: readonly string[], timeoutMs: number): { ok: boolean; detail: string } {
  const result = spawnSync('docker', args, { encoding: 'utf8', timeout: timeoutMs });
  if (result.error) return { ok: false, detail: result.error.message };
  const detail = `${result.stderr ?? ''}${result.stdout ?? ''}`.trim().split('\n')[0] ?? '';
  return { ok: result.status === 0, detail };
}

export function dockerCompose(composeFile: string = COMPOSE_FILE): DockerControl {
  const compose = (...args: string[]) => {
    const result = docker(['compose', '-f', composeFile, ...args], 300_000);
    if (!result.ok) throw new Error(`docker compose ${args.join(' ')} failed: ${result.detail}`);
  };
  return {
    unavailableReason: () => {
      const result = docker(['info', '--format', '{{.ServerVersion}}'], 15_000);
      return result.ok ? undefined : `no Docker engine answers (docker info: ${result.detail || 'no output'})`;
    },
    up: () => compose('up', '--detach'),
    down: () => compose('down'),
  };
}

/** SFN_LOCAL_ENDPOINT wins; otherwise Docker starts the container; otherwise the suite is skipped with the reason. */
export function resolveTarget(
  env: Readonly<Record<string, string | undefined>>,
  control: DockerControl,
): SfnLocalTarget {
  const configured = env.SFN_LOCAL_ENDPOINT?.trim();
  if (configured) return { endpoint: configured, startedByDocker: false };
  const reason = control.unavailableReason();
  if (reason) return { skipReason: `SFN_LOCAL_ENDPOINT is not set and ${reason}` };
  control.up();
  return { endpoint: DEFAULT_ENDPOINT, startedByDocker: true };
}

export function localSfnClient(endpoint: string): SFNClient {
  const { hostname } = new URL(endpoint);
  if (!LOOPBACK_HOSTS.has(hostname)) {
    throw new Error(`${endpoint} is not on this machine: the Step Functions Local suite only talks to localhost`);
  }
  return new SFNClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
    maxAttempts: 1,
  });
}

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

interface WaitOptions {
  readonly attempts: number;
  readonly intervalMs: number;
}

/** Bounded: a container that never comes up fails the suite instead of hanging it. */
export async function waitUntilAnswering(client: SFNClient, { attempts, intervalMs }: WaitOptions): Promise<void> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    try {
      await client.send(new ListStateMachinesCommand({}));
      return;
    } catch (error) {
      lastError = error;
      if (attempt < attempts) await sleep(intervalMs);
    }
  }
  throw new Error(`Step Functions Local did not answer after ${attempts} attempts: ${String(lastError)}`);
}

interface Changed {
  readonly definition: AslDefinition;
  readonly changedStates: string[];
}

/** The definition without the Retry fields Step Functions Local may not know; names the states it changed. */
function withoutNewRetryFields(definition: AslDefinition): Changed {
  const changedStates: string[] = [];
  const states = Object.fromEntries(
    Object.entries(definition.States).map(([name, state]) => {
      if (!Array.isArray(state.Retry)) return [name, state];
      const retry = (state.Retry as Array<Record<string, unknown>>).map((retrier) => {
        const kept = { ...retrier };
        for (const field of RETRY_FIELDS_LOCAL_MAY_REJECT) delete kept[field];
        return kept;
      });
      if (JSON.stringify(retry) !== JSON.stringify(state.Retry)) changedStates.push(name);
      return [name, { ...state, Retry: retry }];
    }),
  );
  return { definition: { ...definition, States: states }, changedStates };
}

const MATH_RANDOM_DRAW = /States\.MathRandom\((\d+), (\d+)\)/g;

/**
 * The definition with each jittered wait and back-off at the middle of its range, for an emulator without
 * States.MathRandom: a draw inside another intrinsic becomes its middle; a field that was only a draw, a number.
 */
function withoutWaitJitter(definition: AslDefinition): Changed {
  const changedStates: string[] = [];
  const states = Object.fromEntries(
    Object.entries(definition.States).map(([name, state]) => {
      const fields = Object.entries((state.Parameters ?? {}) as Record<string, unknown>);
      if (!fields.some(([, value]) => typeof value === 'string' && value.includes('States.MathRandom(')))
        return [name, state];
      changedStates.push(name);
      const parameters = fields.map(([key, value]) => {
        if (typeof value !== 'string') return [key, value];
        const middle = value.replace(MATH_RANDOM_DRAW, (_, low: string, high: string) =>
          String((Number(low) + Number(high)) / 2),
        );
        return /^\d+$/.test(middle) ? [key.replace(/\.\$$/, ''), Number(middle)] : [key, middle];
      });
      return [name, { ...state, Parameters: Object.fromEntries(parameters) }];
    }),
  );
  return { definition: { ...definition, States: states }, changedStates };
}

/** The definition with each Fail state's ErrorPath and CausePath as fixed words, for an emulator without them. */
function withoutFailPaths(definition: AslDefinition): Changed {
  const changedStates: string[] = [];
  const states = Object.fromEntries(
    Object.entries(definition.States).map(([name, state]) => {
      const { ErrorPath: errorPath, CausePath: causePath, ...fixed } = state;
      if (errorPath === undefined && causePath === undefined) return [name, state];
      changedStates.push(name);
      return [name, { ...fixed, Error: name.replace(/\W/g, ''), Cause: `the error at ${String(errorPath)}` }];
    }),
  );
  return { definition: { ...definition, States: states }, changedStates };
}

/** What Step Functions Local may refuse, and the definition without it: neither changes paths or counts under mocks. */
interface Fallback {
  /** Words of the refusal that name it. */
  readonly names: readonly string[];
  readonly apply: (definition: AslDefinition) => Changed;
  readonly retrying: (changedStates: readonly string[]) => string;
}

const FALLBACKS: readonly Fallback[] = [
  {
    names: RETRY_FIELDS_LOCAL_MAY_REJECT,
    apply: withoutNewRetryFields,
    retrying: (states) =>
      `Retrying without ${RETRY_FIELDS_LOCAL_MAY_REJECT.join('/')} in the Retry of: ${states.join(', ')}. ` +
      'Retry delays differ from AWS; paths and counts do not.',
  },
  {
    // AWS documents 1.12.0+ for "all the intrinsic functions" but no run confirms it (docs/step-functions-local.md).
    names: ['MathRandom'],
    apply: withoutWaitJitter,
    retrying: (states) =>
      `Retrying with the wait of ${states.join(', ')} at the middle of its jitter range. ` +
      'Waits differ from AWS; paths and counts do not.',
  },
  {
    // Unverified whether Step Functions Local knows the Fail state's ErrorPath and CausePath (2023).
    names: ['ErrorPath', 'CausePath'],
    apply: withoutFailPaths,
    retrying: (states) =>
      `Retrying with fixed words for the error of: ${states.join(', ')}. No scenario ends there; paths and counts do not change.`,
  },
];

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : '';
}

async function createOrUpdate(client: SFNClient, name: string, definition: AslDefinition): Promise<string> {
  try {
    const created = await client.send(
      new CreateStateMachineCommand({
        name,
        definition: JSON.stringify(definition),
        roleArn: FAKE_ROLE_ARN,
        type: 'STANDARD',
      }),
    );
    return created.stateMachineArn!;
  } catch (error) {
    if (errorName(error) !== 'StateMachineAlreadyExists') throw error;
    const listed = await client.send(new ListStateMachinesCommand({}));
    const existing = listed.stateMachines?.find((machine) => machine.name === name)?.stateMachineArn;
    if (!existing) throw error;
    await client.send(
      new UpdateStateMachineCommand({ stateMachineArn: existing, definition: JSON.stringify(definition) }),
    );
    return existing;
  }
}

/**
 * Creates (or, on a reused endpoint, updates) the state machine under the name the mock file uses. If Step Functions
 * Local rejects the newer Retry fields or States.MathRandom, they are dropped with a warning: with mocks they only
 * change delays.
 */
export async function createWatchStateMachine(
  client: SFNClient,
  name: string,
  definition: AslDefinition,
  warn: (message: string) => void = console.warn,
): Promise<string> {
  let current = definition;
  const applied = new Set<Fallback>();
  for (;;) {
    try {
      return await createOrUpdate(client, name, current);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const fallback =
        errorName(error) === 'InvalidDefinition'
          ? FALLBACKS.find(
              (candidate) => !applied.has(candidate) && candidate.names.some((word) => message.includes(word)),
            )
          : undefined;
      if (fallback === undefined) throw error;
      applied.add(fallback);
      const changed = fallback.apply(current);
      warn(`Step Functions Local rejected the definition (${message}). ${fallback.retrying(changed.changedStates)}`);
      current = changed.definition;
    }
  }
}

/**
 * Why Step Functions Local cannot run a definition, when CreateStateMachine refused it (InvalidDefinition) naming one
 * of `actions`: the aws-sdk actions an emulator may not know yet (KINDS `recent`, the reason the default way
 * to read a tenant's status is a Lambda). Undefined for any other failure, which the caller lets fail the suite.
 */
export function refusedActionReason(error: unknown, actions: readonly string[]): string | undefined {
  if (errorName(error) !== 'InvalidDefinition') return undefined;
  const message = error instanceof Error ? error.message : String(error);
  const action = actions.find((candidate) => message.toLowerCase().includes(candidate.toLowerCase()));
  return action === undefined
    ? undefined
    : `Step Functions Local does not know the aws-sdk action ${action}: ${message}`;
}

interface RunOptions {
  /** Name of the execution, as it shows in Step Functions Local's history. */
  readonly executionName: string;
  readonly pollIntervalMs: number;
  /** DescribeExecution calls before the run counts as stuck. */
  readonly maxPolls: number;
  /** GetExecutionHistory pages before the history counts as endless. @default 100 */
  readonly maxHistoryPages?: number;
}

export interface ExecutionRecord {
  readonly executionArn: string;
  readonly status: string;
  readonly events: readonly HistoryEvent[];
}

export async function executionHistory(
  client: SFNClient,
  executionArn: string,
  maxPages = 100,
): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  for (let page = 1; page <= maxPages; page += 1) {
    const response = await client.send(new GetExecutionHistoryCommand({ executionArn, nextToken }));
    events.push(...(response.events ?? []));
    nextToken = response.nextToken;
    if (!nextToken) return events;
  }
  throw new Error(`the history of ${executionArn} still had a nextToken after ${maxPages} pages`);
}

/** Starts `<arn>#<testCase>`, polls until the execution ends (or the cap is reached) and reads its whole history. */
export async function runTestCase(
  client: SFNClient,
  stateMachineArn: string,
  testCase: string,
  input: unknown,
  options: RunOptions,
): Promise<ExecutionRecord> {
  const started = await client.send(
    new StartExecutionCommand({
      stateMachineArn: `${stateMachineArn}#${testCase}`,
      name: options.executionName,
      input: JSON.stringify(input),
    }),
  );
  const executionArn = started.executionArn!;
  let status: string;
  for (let poll = 1; ; poll += 1) {
    status = (await client.send(new DescribeExecutionCommand({ executionArn }))).status ?? 'UNKNOWN';
    if (TERMINAL_STATUSES.has(status)) break;
    if (poll >= options.maxPolls) {
      throw new Error(
        `${executionArn} was still ${status} after ${options.maxPolls} polls ${options.pollIntervalMs} ms apart`,
      );
    }
    await sleep(options.pollIntervalMs);
  }
  return { executionArn, status, events: await executionHistory(client, executionArn, options.maxHistoryPages) };
}

/**
 * How a TaskScheduled event names the integration of a Task of this kind. Step Functions records a Task whose
 * Resource is `arn:aws:states:::<service>:<action>` with resourceType "<service>" and resource "<action>": the
 * optimized Lambda integration (`arn:aws:states:::lambda:invoke`, the tenant status read of a stack with
 * tenantStatusCheck=lambda) as "lambda" and "invoke", an aws-sdk call as "aws-sdk:cloudfront" and "getDistribution".
 */
function scheduledResourceOf(kind: TaskKind): string {
  switch (kind) {
    case 'readStatus':
    case 'reserveReadSlot':
      return 'lambda:invoke';
    case 'publish':
      return 'sns:publish';
    case 'startExecution':
      return 'states:startExecution';
    case 'putEvents':
      return 'events:putEvents';
    case 'putMetricData':
      return 'aws-sdk:cloudwatch:putMetricData';
    default:
      return `aws-sdk:cloudfront:${kind}`;
  }
}

/**
 * What the history shows, in the terms the scenarios expect. Every invocation of a Task, retries included, is one
 * scheduled event, attributed to the state last entered (the definition has no Parallel or Map).
 *
 * What this relies on: a Task that uses a service integration, the optimized lambda:invoke included, records
 * TaskScheduled → TaskStarted → TaskSucceeded/TaskFailed, and its TaskScheduled names the integration as
 * scheduledResourceOf says; a TaskScheduled that names another integration than the state's Task fails the
 * observation rather than being counted under the wrong heading. LambdaFunctionScheduled (→ LambdaFunctionSucceeded/
 * Failed) is what a Task whose Resource is the function's ARN records; the definition has no such Task, but should
 * an engine report a lambda:invoke status read that way, it is the same one Lambda invocation and counts the same.
 * A status read counts as a CloudFront call whichever way it is made: the aws-sdk integration calls CloudFront,
 * the status-reader Lambda makes exactly one CloudFront call per invocation.
 */
export function observeExecution(
  record: ExecutionRecord,
  tasks: Readonly<Record<string, TaskKind>>,
): ScenarioObservation {
  const statesEntered: string[] = [];
  const publishedOutcomes: (string | undefined)[] = [];
  const changeEventOutcomes: (string | undefined)[] = [];
  const metricOutcomes: (string | undefined)[] = [];
  let cloudfrontCalls = 0;
  let continuations = 0;
  let error: string | undefined;
  let unanswered: number | undefined;
  const scheduledTask = (eventType: string, named?: string): TaskKind => {
    const state = statesEntered.at(-1) ?? '(no state entered)';
    const kind = tasks[state];
    if (kind === undefined)
      throw new Error(`a task was scheduled in "${state}", which is no Task state of the definition`);
    if (eventType === 'LambdaFunctionScheduled' && kind !== 'readStatus') {
      throw new Error(`a Lambda function was scheduled in "${state}", whose Task calls ${scheduledResourceOf(kind)}`);
    }
    if (named !== undefined && named !== scheduledResourceOf(kind)) {
      throw new Error(
        `the task scheduled in "${state}" calls ${named}, but the definition's Task calls ${scheduledResourceOf(kind)}`,
      );
    }
    return kind;
  };
  for (const event of record.events) {
    let kind: TaskKind | undefined;
    if (event.type?.endsWith('StateEntered') && event.stateEnteredEventDetails?.name) {
      statesEntered.push(event.stateEnteredEventDetails.name);
    } else if (event.type?.endsWith('StateExited')) {
      unanswered = unansweredIn(JSON.parse(event.stateExitedEventDetails?.output ?? 'null'));
    } else if (event.type === 'TaskScheduled') {
      const { resourceType, resource } = event.taskScheduledEventDetails ?? {};
      kind = scheduledTask(event.type, resourceType && resource ? `${resourceType}:${resource}` : undefined);
    } else if (event.type === 'LambdaFunctionScheduled') {
      kind = scheduledTask(event.type);
    } else if (event.type === 'ExecutionFailed') {
      error = event.executionFailedEventDetails?.error;
    }
    if (kind === 'startExecution') continuations += 1;
    else if (kind === 'publish') publishedOutcomes.push(publishedOutcome(event.taskScheduledEventDetails?.parameters));
    else if (kind === 'putEvents') changeEventOutcomes.push(changeEventOutcome(parametersOf(event)));
    else if (kind === 'putMetricData') metricOutcomes.push(metricOutcome(parametersOf(event)));
    else if (kind !== undefined) cloudfrontCalls += 1;
  }
  return {
    status: record.status,
    ...(error === undefined ? {} : { error }),
    cloudfrontCalls,
    publishedOutcomes,
    changeEventOutcomes,
    metricOutcomes,
    continuations,
    unanswered,
    statesEntered,
  };
}

function parametersOf(event: { taskScheduledEventDetails?: { parameters?: string } }): unknown {
  return JSON.parse(event.taskScheduledEventDetails?.parameters ?? 'null');
}

function publishedOutcome(parameters: string | undefined): string | undefined {
  const request = JSON.parse(parameters ?? '{}') as { MessageAttributes?: { outcome?: { StringValue?: string } } };
  return request.MessageAttributes?.outcome?.StringValue;
}

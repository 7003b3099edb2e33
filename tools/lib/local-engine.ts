/**
 * Runs the synthesized watch definition in aws-local-stepfunctions, with every Task answered locally: CloudFront
 * by a simulator (or the real API in --live runs), SNS and StartExecution by recorders. Nothing leaves the machine
 * unless the caller hands in a real client.
 */
import './promise-with-resolvers';
import { ExecutionError, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { parseStatusReadRequest } from '../../functions/status-reader/read';
import type { WatchDetails } from '../../domain/watch-execution';
import { LAMBDA_INVOKE, type AslDefinition } from '../../statemachine/definition';
import { statusParameters, type StatusParameters } from '../../domain/status';
import { KINDS, type StatusCallName } from '../../domain/kinds';
import { textOf } from './text';

type JsonValue = Parameters<StateMachine['run']>[0];

/** Answers each kind's status call (KINDS), in the SDK's response shape. Throw to answer with an error. */
export type CloudFrontAnswerer = Record<StatusCallName, (params: StatusParameters) => Promise<unknown>>;

type CloudFrontCall = StatusCallName;

/** The call each kind of watch checks its status with, and its parameters: what the status Task sends. */
export function statusCheckCall(watch: Pick<WatchDetails, 'kind' | 'distributionId' | 'tenantId' | 'invalidationId'>): {
  call: CloudFrontCall;
  params: Record<string, string>;
} {
  return { call: KINDS[watch.kind].statusCall.call, params: statusParameters(watch.kind, watch) };
}

/** The ARN Step Functions gives an execution of this name. */
export function executionArn(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

/** Asks an answerer for the status of a watch, as the state machine's status Task would. */
export function answerStatusCheck(
  cloudfront: CloudFrontAnswerer,
  watch: Parameters<typeof statusCheckCall>[0],
): Promise<unknown> {
  const { call, params } = statusCheckCall(watch);
  return cloudfront[call](params);
}

export interface PublishRequest {
  readonly TopicArn: string;
  readonly Subject: string;
  readonly Message: string;
  /** 'json' when the Message holds one text per protocol (with chat channels). */
  readonly MessageStructure?: 'json';
  readonly MessageAttributes: Record<string, { DataType: string; StringValue: string }>;
}

/** The request SNS receives: Step Functions sends a JSON object Message as its JSON text (connect-sns task token example). */
function asSent(parameters: Omit<PublishRequest, 'Message'> & { readonly Message: unknown }): PublishRequest {
  const { Message } = parameters;
  return { ...parameters, Message: typeof Message === 'string' ? Message : JSON.stringify(Message) };
}

/** What the events:putEvents Task sends: the Change Finished event, its detail as an object. */
export interface PutEventsRequest {
  readonly Entries: readonly {
    readonly Source: string;
    readonly DetailType: string;
    readonly Detail: Record<string, unknown>;
    readonly EventBusName: string;
  }[];
}

/** What the aws-sdk:cloudwatch:putMetricData Task sends. */
export interface PutMetricDataRequest {
  readonly Namespace: string;
  readonly MetricData: readonly {
    readonly MetricName: string;
    readonly Dimensions: readonly { readonly Name: string; readonly Value: string }[];
    readonly Value: number;
    readonly Unit: string;
  }[];
}

interface StartExecutionRequest {
  readonly StateMachineArn: string;
  readonly Name: string;
  readonly Input: unknown;
}

export type TaskKind =
  CloudFrontCall | 'readStatus' | 'reserveReadSlot' | 'publish' | 'startExecution' | 'putEvents' | 'putMetricData';

const CLOUDFRONT_CALLS: readonly CloudFrontCall[] = Object.values(KINDS).map(({ statusCall }) => statusCall.call);
const TASK_RESOURCES: Record<string, TaskKind> = {
  ...Object.fromEntries(CLOUDFRONT_CALLS.map((call) => [`arn:aws:states:::aws-sdk:cloudfront:${call}`, call])),
  [LAMBDA_INVOKE]: 'readStatus',
  'arn:aws:states:::sns:publish': 'publish',
  'arn:aws:states:::states:startExecution': 'startExecution',
  'arn:aws:states:::events:putEvents': 'putEvents',
  'arn:aws:states:::aws-sdk:cloudwatch:putMetricData': 'putMetricData',
};

export interface LocalEngineEvent {
  readonly type: string;
  readonly stateName?: string;
  readonly error?: string;
  readonly cause?: unknown;
  /** The state's input (and output, on StateExited), for callers that follow the execution's data. */
  readonly input?: unknown;
  readonly output?: unknown;
}

interface LocalRunOptions {
  readonly cloudfront: CloudFrontAnswerer;
  /** Answers SNS publishes. @default records the request and returns a made-up MessageId */
  readonly publish?: (request: PublishRequest) => Promise<{ MessageId: string }>;
  /** Answers continuations. @default records the request and returns a made-up ExecutionArn */
  readonly startExecution?: (request: StartExecutionRequest) => Promise<{ ExecutionArn: string; StartDate: string }>;
  /** Answers the Change Finished event; throw to fail it. @default records the request and returns a made-up EventId */
  readonly putEvents?: (request: PutEventsRequest) => Promise<unknown>;
  /** Answers the watch metrics; throw to fail them. @default records the request */
  readonly putMetricData?: (request: PutMetricDataRequest) => Promise<unknown>;
  /**
   * Milliseconds each Wait state really waits. Leave undefined to honour SecondsPath in real time.
   * @default undefined
   */
  readonly waitMilliseconds?: number;
  /** Milliseconds between retries; 'as-defined' honours the Retry intervals of the definition. @default 0 */
  readonly retryMilliseconds?: number | 'as-defined';
  /**
   * Value of $$.State.EnteredTime (the engine has no clock of its own for it); a function is read each time a state
   * reads it, so a caller's clock (virtual or real) can drive it. @default the run's start time
   */
  readonly enteredTime?: string | (() => string);
  readonly executionName?: string;
  /** Called for every state the execution enters or leaves, as it happens. */
  readonly onEvent?: (event: LocalEngineEvent) => void;
  /** Replaces the Task handlers of the listed states (for example a virtual clock in place of Wait). */
  readonly extraHandlers?: Record<string, (input: unknown) => Promise<unknown>>;
  /**
   * Skips asl-validator in the engine's constructor, which takes far longer than a short run: for callers that run
   * one definition thousands of times and validated it once. @default false
   */
  readonly skipValidation?: boolean;
}

export interface LocalRunResult {
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
  readonly statesEntered: readonly string[];
  readonly published: readonly PublishRequest[];
  /** $$.State.EnteredTime of each publish attempt, as `published`: the time its texts say the watch ended. */
  readonly publishedAt: readonly string[];
  readonly continuations: readonly StartExecutionRequest[];
  /** Every PutEvents request, retries included. */
  readonly changeEvents: readonly PutEventsRequest[];
  /** Every PutMetricData request, retries included. */
  readonly metrics: readonly PutMetricDataRequest[];
  /** Every call of a CloudFront Task, retries included. */
  readonly cloudfrontCalls: number;
  /** The output of the last state that finished (a Fail state has none): what the execution held at its end. */
  readonly lastOutput?: unknown;
}

/**
 * Tasks of the definition by what they call; fails on a resource nobody answers, so no run ever invokes AWS.
 * States listed in `answeredElsewhere` have their own handler and are left out.
 */
export function tasksOf(
  definition: AslDefinition,
  answeredElsewhere: readonly string[] = [],
): Record<string, TaskKind> {
  const tasks: Record<string, TaskKind> = {};
  for (const [name, state] of Object.entries(definition.States)) {
    if (state.Type !== 'Task' || answeredElsewhere.includes(name)) continue;
    const invoked = (state.Parameters as { Payload?: unknown } | undefined) ?? {};
    // Both Lambdas are invoked alike; the read budget's reservation is the one invoked without a payload.
    const kind =
      state.Resource === LAMBDA_INVOKE && invoked.Payload === undefined && !('Payload.$' in invoked)
        ? 'reserveReadSlot'
        : TASK_RESOURCES[state.Resource as string];
    if (!kind) throw new Error(`Task "${name}" calls ${String(state.Resource)}, which the local engine cannot answer`);
    tasks[name] = kind;
  }
  return tasks;
}

const JSON_TO_STRING = /^States\.JsonToString\((\$[^()]*)\)$/;

/**
 * aws-local-stepfunctions 3.0.0 strips every backslash from the string an intrinsic function returns
 * (BaseIntrinsicFunction.call), which breaks the JSON States.JsonToString writes, whose escapes are backslashes. So a
 * Task parameter `States.JsonToString(<path>)` reads the path in the engine, and the Task's handler serializes what
 * it read, as Step Functions does. Returns the rewritten definition and, per Task, the parameters to serialize.
 */
function serializeJsonToStringInTasks(definition: AslDefinition): {
  definition: AslDefinition;
  serialized: Record<string, string[][]>;
} {
  const copy = structuredClone(definition);
  const serialized: Record<string, string[][]> = {};
  const rewrite = (parameters: Record<string, unknown>, at: string[], found: string[][]): void => {
    for (const [key, value] of Object.entries(parameters)) {
      const match = typeof value === 'string' && key.endsWith('.$') ? JSON_TO_STRING.exec(value) : null;
      if (match) {
        parameters[key] = match[1];
        found.push([...at, key.slice(0, -'.$'.length)]);
      } else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        rewrite(value as Record<string, unknown>, [...at, key], found);
      }
    }
  };
  for (const [name, state] of Object.entries(copy.States)) {
    if (state.Type !== 'Task' || typeof state.Parameters !== 'object' || state.Parameters === null) continue;
    const found: string[][] = [];
    rewrite(state.Parameters as Record<string, unknown>, [], found);
    if (found.length > 0) serialized[name] = found;
  }
  return { definition: copy, serialized };
}

/** The Task's parameters with the values at these key paths serialized to JSON text. */
function withSerialized(parameters: unknown, paths: readonly string[][] = []): unknown {
  const result = structuredClone(parameters) as Record<string, unknown>;
  for (const path of paths) {
    const parent = path.slice(0, -1).reduce((node, key) => node[key] as Record<string, unknown>, result);
    parent[path.at(-1)!] = JSON.stringify(parent[path.at(-1)!]);
  }
  return result;
}

export async function runLocally(
  definition: AslDefinition,
  input: unknown,
  options: LocalRunOptions,
): Promise<LocalRunResult> {
  const published: PublishRequest[] = [];
  const publishedAt: string[] = [];
  const continuations: StartExecutionRequest[] = [];
  const changeEvents: PutEventsRequest[] = [];
  const metrics: PutMetricDataRequest[] = [];
  let cloudfrontCalls = 0;
  const cloudfrontHandler = (call: CloudFrontCall) => (params: never) => {
    cloudfrontCalls += 1;
    return (options.cloudfront[call] as (params: never) => Promise<unknown>)(params);
  };
  const handlers: Record<TaskKind, (params: never) => Promise<unknown>> = {
    ...(Object.fromEntries(CLOUDFRONT_CALLS.map((call) => [call, cloudfrontHandler(call)])) as Record<
      CloudFrontCall,
      (params: never) => Promise<unknown>
    >),
    // The status-reader Lambda: its own request check, then the same answerer, under Payload as lambda:invoke returns it.
    readStatus: async ({ Payload }: { Payload: unknown }) => {
      const { kind, parameters } = parseStatusReadRequest(Payload);
      return { StatusCode: 200, Payload: await cloudfrontHandler(KINDS[kind].statusCall.call)(parameters as never) };
    },
    // The read-budget Lambda of an account where no other watch is checking: the slot is now.
    reserveReadSlot: async () => ({ StatusCode: 200, Payload: { waitSeconds: 0 } }),
    publish: async (parameters: PublishRequest) => {
      const request = asSent(parameters);
      published.push(request);
      publishedAt.push(stateContext.EnteredTime);
      return options.publish ? options.publish(request) : { MessageId: `local-message-${published.length}` };
    },
    startExecution: async (request: StartExecutionRequest) => {
      continuations.push(request);
      return options.startExecution
        ? options.startExecution(request)
        : { ExecutionArn: executionArn(request.StateMachineArn, request.Name), StartDate: new Date().toISOString() };
    },
    putEvents: async (request: PutEventsRequest) => {
      changeEvents.push(request);
      return options.putEvents
        ? options.putEvents(request)
        : { FailedEntryCount: 0, Entries: [{ EventId: `local-event-${changeEvents.length}` }] };
    },
    putMetricData: async (request: PutMetricDataRequest) => {
      metrics.push(request);
      return options.putMetricData ? options.putMetricData(request) : {};
    },
  };

  const { definition: runnable, serialized } = serializeJsonToStringInTasks(definition);
  const taskHandlers: Record<string, (input: JsonValue) => Promise<JsonValue>> = {};
  for (const [name, kind] of Object.entries(tasksOf(definition, Object.keys(options.extraHandlers ?? {})))) {
    taskHandlers[name] = (params) =>
      handlers[kind](withSerialized(params, serialized[name]) as never) as Promise<JsonValue>;
  }
  for (const [name, handler] of Object.entries(options.extraHandlers ?? {})) {
    taskHandlers[name] = (params) => handler(withSerialized(params, serialized[name])) as Promise<JsonValue>;
  }
  const waitTimeOverrides: Record<string, number> = {};
  const retryIntervalOverrides: Record<string, number> = {};
  for (const [name, state] of Object.entries(definition.States)) {
    if (state.Type === 'Wait' && options.waitMilliseconds !== undefined)
      waitTimeOverrides[name] = options.waitMilliseconds;
    if (Array.isArray(state.Retry) && options.retryMilliseconds !== 'as-defined') {
      retryIntervalOverrides[name] = options.retryMilliseconds ?? 0;
    }
  }

  const startTime = new Date().toISOString();
  const executionName = options.executionName ?? 'local-run';
  const enteredTime = options.enteredTime ?? startTime;
  // The engine keeps this object by reference, so the getter is read whenever a state evaluates $$.State.EnteredTime.
  const stateContext = {
    get EnteredTime() {
      return typeof enteredTime === 'function' ? enteredTime() : enteredTime;
    },
    Name: '',
    RetryCount: 0,
  };
  // The constructor validates and mutates its argument: give it a copy.
  const machine = new StateMachine(runnable as unknown as StateMachineDefinition, {
    validationOptions: options.skipValidation ? { noValidate: true } : { checkPaths: true, checkArn: true },
  });
  const execution = machine.run(input as JsonValue, {
    overrides: { taskResourceLocalHandlers: taskHandlers, waitTimeOverrides, retryIntervalOverrides },
    context: {
      Execution: {
        Id: `arn:aws:states:us-east-1:123456789012:execution:local:${executionName}`,
        Name: executionName,
        Input: input,
        StartTime: startTime,
      },
      State: stateContext,
      StateMachine: { Id: 'arn:aws:states:us-east-1:123456789012:stateMachine:local', Name: 'local' },
    } as never,
  });

  const statesEntered: string[] = [];
  let failure: { error: string; cause: string } | undefined;
  let lastOutput: unknown;
  const logs = (async () => {
    for await (const event of execution.eventLogs) {
      const stateName = 'state' in event ? event.state.name : undefined;
      if (event.type === 'StateEntered' && stateName) statesEntered.push(stateName);
      if (event.type === 'StateExited') lastOutput = event.state.output;
      if (event.type === 'ExecutionFailed') failure = { error: event.Error, cause: textOf(event.Cause) };
      options.onEvent?.({
        type: event.type,
        ...(stateName ? { stateName } : {}),
        ...('Error' in event ? { error: event.Error, cause: event.Cause } : {}),
        ...('state' in event
          ? { input: event.state.input, ...(event.state.output === undefined ? {} : { output: event.state.output }) }
          : {}),
      });
    }
  })();

  // What the run recorded, read when it has ended: lastOutput is reassigned while it runs.
  const recorded = () => ({
    statesEntered,
    published,
    publishedAt,
    continuations,
    changeEvents,
    metrics,
    cloudfrontCalls,
    lastOutput,
  });
  try {
    const output = await execution.result;
    await logs;
    return { status: 'SUCCEEDED', output, ...recorded() };
  } catch (error) {
    await logs.catch(() => undefined);
    if (!(error instanceof ExecutionError)) throw error;
    const cause = (error as Error & { cause?: Error }).cause;
    return {
      status: 'FAILED',
      error: failure?.error ?? cause?.name ?? 'Unknown',
      cause: failure?.cause ?? cause?.message ?? '',
      ...recorded(),
    };
  }
}

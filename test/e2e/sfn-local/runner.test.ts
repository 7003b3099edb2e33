import { afterEach, describe, expect, it } from 'vitest';
import { tasksOf } from '../../../tools/lib/local-engine';
import {
  createWatchStateMachine,
  DEFAULT_ENDPOINT,
  executionHistory,
  localSfnClient,
  observeExecution,
  refusedActionReason,
  resolveTarget,
  runTestCase,
  waitUntilAnswering,
  type DockerControl,
  type ExecutionRecord,
} from '../../../tools/sfn-local/runner';
import { expectScenario } from '../../support/expect-scenario';
import { WATCH_SCENARIOS } from '../../../tools/scenarios/watch-scenarios';
import { deployedDefinition, tenantContext } from '../../support/definition';
import {
  startFakeStepFunctions,
  type FakeAnswer,
  type FakeRequest,
  type FakeStepFunctions,
} from './fake-step-functions';
import { endStateNames, STATE_NAMES } from '../../../statemachine/state-names';
import type { Outcome, WatchKind } from '../../../domain/kinds';
import type { AslDefinition } from '../../../statemachine/definition';
import { WATCH_ERRORS } from '../../../domain/errors';

const MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:CloudFrontChangeNotifier-ChangeWatch';
const EXECUTION_ARN = 'arn:aws:states:us-east-1:123456789012:execution:CloudFrontChangeNotifier-ChangeWatch:run-1';
const FAST = { pollIntervalMs: 0, maxPolls: 10 };

let fake: FakeStepFunctions | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function serve(
  handle: (request: FakeRequest, requestsSoFar: readonly FakeRequest[]) => FakeAnswer,
): Promise<FakeStepFunctions> {
  fake = await startFakeStepFunctions(handle);
  return fake;
}

function dockerControl(reason: string | undefined): DockerControl & { ups: number } {
  const control = {
    ups: 0,
    unavailableReason: () => reason,
    up: () => {
      control.ups += 1;
    },
    down: () => undefined,
  };
  return control;
}

/** History events in the JSON shape GetExecutionHistory answers with, numbered from 1. */
function history(...events: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  return events.map((event, index) => ({
    id: index + 1,
    previousEventId: index,
    timestamp: 1_795_000_000 + index,
    ...event,
  }));
}
const entered = (type: string, name: string) => ({ type, stateEnteredEventDetails: { name, input: '{}' } });
const scheduled = (resourceType: string, resource: string, parameters: unknown) => ({
  type: 'TaskScheduled',
  taskScheduledEventDetails: { resourceType, resource, region: 'us-east-1', parameters: JSON.stringify(parameters) },
});
const publishOf = (outcome: string) =>
  scheduled('sns', 'publish', { MessageAttributes: { outcome: { DataType: 'String', StringValue: outcome } } });
/** What a watch records after its notification: how it ended, its Change Finished event, its metrics, the way out. */
const watchEnd = (kind: WatchKind, outcome: string) => {
  const names = endStateNames(kind);
  return [
    entered('PassStateEntered', names.ended(outcome as Outcome)),
    entered('TaskStateEntered', names.putChangeEvent),
    scheduled('events', 'putEvents', { Entries: [{ Detail: { kind, outcome } }] }),
    { type: 'TaskSucceeded', taskSucceededEventDetails: { output: '{"FailedEntryCount":0}' } },
    entered('TaskStateEntered', names.recordMetrics),
    scheduled('aws-sdk:cloudwatch', 'putMetricData', {
      MetricData: [{ Dimensions: [{ Name: 'Outcome', Value: outcome }] }],
    }),
    { type: 'TaskSucceeded', taskSucceededEventDetails: { output: '{}' } },
    entered('ChoiceStateEntered', names.howEnded),
  ];
};
const failed = (error: string, resourceType = 'aws-sdk:cloudfront', resource = 'getDistribution') => ({
  type: 'TaskFailed',
  taskFailedEventDetails: { resourceType, resource, error, cause: '' },
});
/** A tenant status read as the optimized Lambda integration records it: resourceType "lambda", resource "invoke". */
const invokedStatusReader = (kind: string, parameters: Record<string, string>) =>
  scheduled('lambda', 'invoke', {
    FunctionName: 'arn:aws:lambda:us-east-1:123456789012:function:StatusReader',
    Payload: { kind, parameters },
  });

/** The output of a notify state at check 1 of a fresh watch: what the Fail state after it is entered with. */
const NOTIFIED_AT_CHECK_ONE = JSON.stringify({
  progress: { check: 1, maxChecks: 540, continueAt: 801, part: 1, unanswered: 0 },
  notification: { outcome: 'not-found', messageId: 'm-1' },
});

/** What Step Functions records for DistributionNotFound: one check (no retry), one publish, then the Fail state. */
const DISTRIBUTION_NOT_FOUND_HISTORY = history(
  { type: 'ExecutionStarted', executionStartedEventDetails: { input: '{}' } },
  entered('ChoiceStateEntered', STATE_NAMES.chooseKind),
  { type: 'ChoiceStateExited', stateExitedEventDetails: { name: STATE_NAMES.chooseKind } },
  entered('TaskStateEntered', STATE_NAMES.distribution.getStatus),
  scheduled('aws-sdk:cloudfront', 'getDistribution', { Id: 'E2QWRUHAPOMQZL' }),
  { type: 'TaskStarted' },
  failed('CloudFront.NoSuchDistributionException'),
  { type: 'TaskStateExited', stateExitedEventDetails: { name: STATE_NAMES.distribution.getStatus } },
  entered('TaskStateEntered', STATE_NAMES.distribution.notifyNotFound),
  publishOf('not-found'),
  { type: 'TaskStarted' },
  { type: 'TaskSucceeded', taskSucceededEventDetails: { output: '{"MessageId":"m-1"}' } },
  {
    type: 'TaskStateExited',
    stateExitedEventDetails: { name: STATE_NAMES.distribution.notifyNotFound, output: NOTIFIED_AT_CHECK_ONE },
  },
  ...watchEnd('distribution', 'not-found'),
  entered('FailStateEntered', STATE_NAMES.distribution.notFound),
  { type: 'ExecutionFailed', executionFailedEventDetails: { error: WATCH_ERRORS.distributionNotFound, cause: 'gone' } },
);

/** What Step Functions records for TenantNotFound when the status-reader Lambda reads the tenant (tenantStatusCheck=lambda). */
const TENANT_NOT_FOUND_VIA_LAMBDA_HISTORY = history(
  { type: 'ExecutionStarted', executionStartedEventDetails: { input: '{}' } },
  entered('ChoiceStateEntered', STATE_NAMES.chooseKind),
  { type: 'ChoiceStateExited', stateExitedEventDetails: { name: STATE_NAMES.chooseKind } },
  entered('TaskStateEntered', STATE_NAMES.tenant.getStatus),
  invokedStatusReader('tenant', { Identifier: 'dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB' }),
  { type: 'TaskStarted' },
  failed('CloudFront.EntityNotFoundException', 'lambda', 'invoke'),
  { type: 'TaskStateExited', stateExitedEventDetails: { name: STATE_NAMES.tenant.getStatus } },
  entered('TaskStateEntered', STATE_NAMES.tenant.notifyNotFound),
  publishOf('not-found'),
  { type: 'TaskStarted' },
  { type: 'TaskSucceeded', taskSucceededEventDetails: { output: '{"MessageId":"m-1"}' } },
  {
    type: 'TaskStateExited',
    stateExitedEventDetails: { name: STATE_NAMES.tenant.notifyNotFound, output: NOTIFIED_AT_CHECK_ONE },
  },
  ...watchEnd('tenant', 'not-found'),
  entered('FailStateEntered', STATE_NAMES.tenant.notFound),
  { type: 'ExecutionFailed', executionFailedEventDetails: { error: WATCH_ERRORS.tenantNotFound, cause: 'gone' } },
);

/** The events as the SDK hands them over: served by the fake and read back through executionHistory. */
async function recorded(status: string, events: Array<Record<string, unknown>>): Promise<ExecutionRecord> {
  const server = await serve(() => ({ body: { events } }));
  return {
    executionArn: EXECUTION_ARN,
    status,
    events: await executionHistory(localSfnClient(server.endpoint), EXECUTION_ARN),
  };
}

/** Answers GetExecutionHistory `pageSize` events at a time, the token being the index of the next event. */
function pagedHistory(
  events: Array<Record<string, unknown>>,
  pageSize: number,
  body: Record<string, unknown>,
): FakeAnswer {
  const start = Number(body.nextToken ?? 0);
  const end = start + pageSize;
  return { body: { events: events.slice(start, end), ...(end < events.length ? { nextToken: String(end) } : {}) } };
}

describe('resolveTarget', () => {
  it('uses SFN_LOCAL_ENDPOINT when set and leaves Docker alone', () => {
    // Arrange
    const docker = dockerControl('must not be asked');
    // Act
    const target = resolveTarget({ SFN_LOCAL_ENDPOINT: 'http://localhost:9083' }, docker);
    // Assert
    expect(target).toEqual({ endpoint: 'http://localhost:9083', startedByDocker: false });
    expect(docker.ups).toBe(0);
  });

  it('starts the compose file when a Docker engine answers', () => {
    // Arrange
    const docker = dockerControl(undefined);
    // Act
    const target = resolveTarget({}, docker);
    // Assert
    expect(target).toEqual({ endpoint: DEFAULT_ENDPOINT, startedByDocker: true });
    expect(docker.ups).toBe(1);
  });

  it('reports a skip with the reason when there is neither an endpoint nor Docker', () => {
    // Arrange
    const docker = dockerControl('no Docker engine answers (docker info: spawnSync docker ENOENT)');
    // Act
    const target = resolveTarget({ SFN_LOCAL_ENDPOINT: ' ' }, docker);
    // Assert
    expect(target).toEqual({
      skipReason: 'SFN_LOCAL_ENDPOINT is not set and no Docker engine answers (docker info: spawnSync docker ENOENT)',
    });
    expect(docker.ups).toBe(0);
  });
});

describe('localSfnClient', () => {
  it('refuses an endpoint that is not on this machine', () => {
    // Arrange
    const remote = 'https://states.us-east-1.amazonaws.com';
    // Act
    const create = () => localSfnClient(remote);
    // Assert
    expect(create).toThrow(/only talks to localhost/);
  });
});

describe('waitUntilAnswering', () => {
  it('asks again until the endpoint answers', async () => {
    // Arrange
    const server = await serve((_request, soFar) =>
      soFar.length < 2 ? { error: 'ServiceUnavailable', message: 'starting' } : { body: { stateMachines: [] } },
    );
    // Act
    await waitUntilAnswering(localSfnClient(server.endpoint), { attempts: 5, intervalMs: 0 });
    // Assert
    expect(server.calls('ListStateMachines')).toHaveLength(3);
  });

  it('gives up after the given number of attempts', async () => {
    // Arrange
    const server = await serve(() => ({ error: 'ServiceUnavailable', message: 'never ready' }));
    // Act
    const waiting = waitUntilAnswering(localSfnClient(server.endpoint), { attempts: 3, intervalMs: 0 });
    // Assert
    await expect(waiting).rejects.toThrow(/did not answer after 3 attempts/);
    expect(server.calls('ListStateMachines')).toHaveLength(3);
  });
});

describe('createWatchStateMachine', () => {
  it('retries without JitterStrategy and MaxDelaySeconds when Step Functions Local names them, and warns', async () => {
    // Arrange
    const definition = deployedDefinition();
    const server = await serve((request, soFar) =>
      request.action === 'CreateStateMachine' && soFar.length === 0
        ? {
            error: 'InvalidDefinition',
            message:
              "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: The field 'JitterStrategy' is not supported'",
          }
        : { body: { stateMachineArn: MACHINE_ARN, creationDate: 1_795_000_000 } },
    );
    const warnings: string[] = [];
    // Act
    const arn = await createWatchStateMachine(localSfnClient(server.endpoint), 'Watch', definition, (message) =>
      warnings.push(message),
    );
    // Assert
    const [first, second] = server.calls('CreateStateMachine');
    expect(arn).toBe(MACHINE_ARN);
    expect(first!.body.definition).toContain('JitterStrategy');
    expect(second!.body.definition).not.toMatch(/JitterStrategy|MaxDelaySeconds/);
    expect(JSON.parse(second!.body.definition as string).States[STATE_NAMES.distribution.getStatus].Retry).toHaveLength(
      2,
    );
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(STATE_NAMES.distribution.getStatus);
  });

  it('retries with each wait at the middle of its jitter range when Step Functions Local refuses States.MathRandom', async () => {
    // Arrange: the default definition's 60 s phase draws from 54 to 66 s
    const server = await serve((request, soFar) =>
      request.action === 'CreateStateMachine' && soFar.length === 0
        ? {
            error: 'InvalidDefinition',
            message: "Invalid State Machine Definition: 'Unknown function States.MathRandom'",
          }
        : { body: { stateMachineArn: MACHINE_ARN, creationDate: 1_795_000_000 } },
    );
    const warnings: string[] = [];
    // Act
    const arn = await createWatchStateMachine(
      localSfnClient(server.endpoint),
      'Watch',
      deployedDefinition(),
      (message) => warnings.push(message),
    );
    // Assert
    const [first, second] = server.calls('CreateStateMachine');
    expect(arn).toBe(MACHINE_ARN);
    expect(first!.body.definition).toContain('States.MathRandom(54, 66)');
    expect(second!.body.definition).not.toContain('MathRandom');
    const retried = JSON.parse(second!.body.definition as string) as AslDefinition;
    expect(retried.States[`${STATE_NAMES.distribution.nextCheck} 1 min`]!.Parameters).toMatchObject({
      'waitSeconds.$': 'States.MathAdd(60, $.progress.backOffSeconds)',
    });
    expect(retried.States['Start backing off from distribution checks']!.Parameters).toMatchObject({
      backOffSeconds: 120,
    });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`${STATE_NAMES.distribution.nextCheck} 1 min`);
  });

  it("retries with fixed error words when Step Functions Local refuses a Fail state's ErrorPath", async () => {
    // Arrange
    const server = await serve((request, soFar) =>
      request.action === 'CreateStateMachine' && soFar.length === 0
        ? { error: 'InvalidDefinition', message: "Invalid State Machine Definition: 'Unknown field ErrorPath'" }
        : { body: { stateMachineArn: MACHINE_ARN, creationDate: 1_795_000_000 } },
    );
    const warnings: string[] = [];
    // Act
    await createWatchStateMachine(localSfnClient(server.endpoint), 'Watch', deployedDefinition(), (message) =>
      warnings.push(message),
    );
    // Assert
    const [first, second] = server.calls('CreateStateMachine');
    expect(first!.body.definition).toContain('ErrorPath');
    const retried = JSON.parse(second!.body.definition as string) as AslDefinition;
    expect(retried.States['Notification not sent']).toEqual({
      Type: 'Fail',
      Comment: expect.any(String),
      Error: 'Notificationnotsent',
      Cause: 'the error at $.notificationError.Error',
    });
    expect(warnings).toEqual([
      "Step Functions Local rejected the definition (Invalid State Machine Definition: 'Unknown field ErrorPath'). " +
        'Retrying with fixed words for the error of: Notification not sent. No scenario ends there; paths and counts do not change.',
    ]);
  });

  it('passes any other InvalidDefinition through unchanged', async () => {
    // Arrange
    const server = await serve(() => ({ error: 'InvalidDefinition', message: 'States.MathAdd is not supported' }));
    // Act
    const creating = createWatchStateMachine(
      localSfnClient(server.endpoint),
      'Watch',
      deployedDefinition(),
      () => undefined,
    );
    // Assert
    await expect(creating).rejects.toThrow(/States.MathAdd/);
    expect(server.calls('CreateStateMachine')).toHaveLength(1);
  });

  it('updates the state machine a reused endpoint already has under that name', async () => {
    // Arrange
    const server = await serve((request) => {
      if (request.action === 'CreateStateMachine') return { error: 'StateMachineAlreadyExists', message: 'exists' };
      if (request.action === 'ListStateMachines') {
        return {
          body: { stateMachines: [{ name: 'Watch', stateMachineArn: MACHINE_ARN, type: 'STANDARD', creationDate: 1 }] },
        };
      }
      return { body: { updateDate: 1_795_000_000 } };
    });
    // Act
    const arn = await createWatchStateMachine(localSfnClient(server.endpoint), 'Watch', deployedDefinition());
    // Assert
    expect(arn).toBe(MACHINE_ARN);
    expect(server.calls('UpdateStateMachine').map((request) => request.body.stateMachineArn)).toEqual([MACHINE_ARN]);
  });
});

describe('runTestCase', () => {
  it('starts <arn>#<test case>, polls until the execution ends and reads every page of its history', async () => {
    // Arrange
    const server = await serve((request, soFar) => {
      if (request.action === 'StartExecution')
        return { body: { executionArn: EXECUTION_ARN, startDate: 1_795_000_000 } };
      if (request.action === 'DescribeExecution') {
        const polls = soFar.filter((earlier) => earlier.action === 'DescribeExecution').length;
        return {
          body: {
            executionArn: EXECUTION_ARN,
            stateMachineArn: MACHINE_ARN,
            status: polls < 2 ? 'RUNNING' : 'FAILED',
            startDate: 1,
          },
        };
      }
      return pagedHistory(DISTRIBUTION_NOT_FOUND_HISTORY, 4, request.body);
    });
    // Act
    const record = await runTestCase(
      localSfnClient(server.endpoint),
      MACHINE_ARN,
      'DistributionNotFound',
      { watch: {} },
      {
        executionName: 'DistributionNotFound-run1',
        ...FAST,
      },
    );
    // Assert
    expect(server.calls('StartExecution')[0]!.body).toEqual({
      stateMachineArn: `${MACHINE_ARN}#DistributionNotFound`,
      name: 'DistributionNotFound-run1',
      input: '{"watch":{}}',
    });
    expect(server.calls('DescribeExecution')).toHaveLength(3);
    // 23 events, 4 a page
    expect(server.calls('GetExecutionHistory').map((request) => request.body.nextToken)).toEqual([
      undefined,
      '4',
      '8',
      '12',
      '16',
      '20',
    ]);
    expect(record.status).toBe('FAILED');
    expect(record.events.map((event) => event.id)).toEqual(DISTRIBUTION_NOT_FOUND_HISTORY.map((event) => event.id));
  });

  it('stops polling at the cap and names the execution that is still running', async () => {
    // Arrange
    const server = await serve((request) =>
      request.action === 'StartExecution'
        ? { body: { executionArn: EXECUTION_ARN, startDate: 1 } }
        : { body: { executionArn: EXECUTION_ARN, stateMachineArn: MACHINE_ARN, status: 'RUNNING', startDate: 1 } },
    );
    // Act
    const running = runTestCase(
      localSfnClient(server.endpoint),
      MACHINE_ARN,
      'NeverCompletes',
      {},
      {
        executionName: 'NeverCompletes-run1',
        pollIntervalMs: 0,
        maxPolls: 4,
      },
    );
    // Assert
    await expect(running).rejects.toThrow(`${EXECUTION_ARN} was still RUNNING after 4 polls`);
    expect(server.calls('DescribeExecution')).toHaveLength(4);
    expect(server.calls('GetExecutionHistory')).toHaveLength(0);
  });

  it.each(['TIMED_OUT', 'ABORTED'])('stops polling at %s', async (status) => {
    // Arrange
    const server = await serve((request) => {
      if (request.action === 'StartExecution') return { body: { executionArn: EXECUTION_ARN, startDate: 1 } };
      if (request.action === 'DescribeExecution')
        return { body: { executionArn: EXECUTION_ARN, stateMachineArn: MACHINE_ARN, status, startDate: 1 } };
      return { body: { events: [] } };
    });
    // Act
    const record = await runTestCase(
      localSfnClient(server.endpoint),
      MACHINE_ARN,
      'AnyCase',
      {},
      { executionName: 'x', ...FAST },
    );
    // Assert
    expect(record.status).toBe(status);
    expect(server.calls('DescribeExecution')).toHaveLength(1);
  });
});

describe('executionHistory', () => {
  it('gives up on a history whose nextToken never ends', async () => {
    // Arrange
    const server = await serve(() => ({ body: { events: [], nextToken: 'again' } }));
    // Act
    const reading = executionHistory(localSfnClient(server.endpoint), EXECUTION_ARN, 3);
    // Assert
    await expect(reading).rejects.toThrow(/after 3 pages/);
    expect(server.calls('GetExecutionHistory')).toHaveLength(3);
  });
});

describe('observeExecution', () => {
  it('counts every scheduled CloudFront call, retries included, and reads the outcome of each publish', async () => {
    // Arrange
    const tasks = tasksOf(deployedDefinition());
    const record = await recorded(
      'SUCCEEDED',
      history(
        entered('TaskStateEntered', STATE_NAMES.distribution.getStatus),
        scheduled('aws-sdk:cloudfront', 'getDistribution', { Id: 'E1' }),
        failed('CloudFront.CloudFrontException'),
        scheduled('aws-sdk:cloudfront', 'getDistribution', { Id: 'E1' }),
        { type: 'TaskSucceeded' },
        entered('ChoiceStateEntered', STATE_NAMES.distribution.isDone),
        entered('TaskStateEntered', STATE_NAMES.distribution.notifyDone),
        publishOf('deployed'),
        ...watchEnd('distribution', 'deployed'),
        entered('SucceedStateEntered', STATE_NAMES.distribution.done),
        { type: 'ExecutionSucceeded' },
      ),
    );
    // Act
    const observed = observeExecution(record, tasks);
    // Assert
    expect(observed).toEqual({
      status: 'SUCCEEDED',
      cloudfrontCalls: 2,
      publishedOutcomes: ['deployed'],
      changeEventOutcomes: ['deployed'],
      metricOutcomes: ['deployed'],
      continuations: 0,
      statesEntered: [
        STATE_NAMES.distribution.getStatus,
        STATE_NAMES.distribution.isDone,
        STATE_NAMES.distribution.notifyDone,
        'Distribution watch ended deployed',
        'Put distribution Change Finished event',
        'Record distribution watch metrics',
        'How did the distribution watch end?',
        STATE_NAMES.distribution.done,
      ],
    });
  });

  it('reads progress.unanswered from the output of the last state that exited', async () => {
    // Arrange: a check without an answer, counted by its Pass state, then a hand-over
    const tasks = tasksOf(deployedDefinition());
    const exited = (name: string, unanswered: number) => ({
      type: 'PassStateExited',
      stateExitedEventDetails: { name, output: JSON.stringify({ progress: { check: 1, unanswered } }) },
    });
    const record = await recorded(
      'SUCCEEDED',
      history(
        entered('TaskStateEntered', STATE_NAMES.distribution.getStatus),
        scheduled('aws-sdk:cloudfront', 'getDistribution', { Id: 'E1' }),
        failed('CloudFront.CloudFrontException'),
        { type: 'TaskStateExited', stateExitedEventDetails: { name: STATE_NAMES.distribution.getStatus } },
        entered('PassStateEntered', STATE_NAMES.distribution.noAnswer),
        exited(STATE_NAMES.distribution.noAnswer, 1),
        entered('ChoiceStateEntered', STATE_NAMES.distribution.isDone),
        { type: 'ChoiceStateExited', stateExitedEventDetails: { name: STATE_NAMES.distribution.isDone, output: '{}' } },
        entered('PassStateEntered', STATE_NAMES.handOver),
        exited(STATE_NAMES.handOver, 1),
        entered('SucceedStateEntered', STATE_NAMES.continued),
        { type: 'ExecutionSucceeded' },
      ),
    );
    // Act
    const observed = observeExecution(record, tasks);
    // Assert
    expect(observed.unanswered).toBe(1);
  });

  it('counts the status reads of tenant watches through the status-reader Lambda (lambda:invoke) as CloudFront calls', async () => {
    // Arrange
    const tasks = tasksOf(deployedDefinition(tenantContext('lambda')));
    const record = await recorded(
      'SUCCEEDED',
      history(
        entered('TaskStateEntered', STATE_NAMES.tenant.getStatus),
        invokedStatusReader('tenant', { Identifier: 'dt_1' }),
        failed('States.TaskFailed', 'lambda', 'invoke'),
        invokedStatusReader('tenant', { Identifier: 'dt_1' }),
        {
          type: 'TaskSucceeded',
          taskSucceededEventDetails: { resourceType: 'lambda', resource: 'invoke', output: '{"StatusCode":200}' },
        },
        entered('TaskStateEntered', STATE_NAMES['tenant-invalidation'].getStatus),
        invokedStatusReader('tenant-invalidation', { DistributionTenantId: 'dt_1', Id: 'I1' }),
        { type: 'ExecutionSucceeded' },
      ),
    );
    // Act
    const observed = observeExecution(record, tasks);
    // Assert
    expect(observed.cloudfrontCalls).toBe(3);
    expect(observed.publishedOutcomes).toEqual([]);
    expect(observed.continuations).toBe(0);
  });

  it('counts the status reads of tenant watches through the aws-sdk integration as CloudFront calls', async () => {
    // Arrange
    const tasks = tasksOf(deployedDefinition(tenantContext('sdk')));
    const record = await recorded(
      'SUCCEEDED',
      history(
        entered('TaskStateEntered', STATE_NAMES.tenant.getStatus),
        scheduled('aws-sdk:cloudfront', 'getDistributionTenant', { Identifier: 'dt_1' }),
        entered('TaskStateEntered', STATE_NAMES['tenant-invalidation'].getStatus),
        scheduled('aws-sdk:cloudfront', 'getInvalidationForDistributionTenant', {
          DistributionTenantId: 'dt_1',
          Id: 'I1',
        }),
        { type: 'ExecutionSucceeded' },
      ),
    );
    // Act
    const observed = observeExecution(record, tasks);
    // Assert
    expect(observed.cloudfrontCalls).toBe(2);
  });

  it('counts a status read that an engine reports as LambdaFunctionScheduled once, as a CloudFront call', async () => {
    // Arrange
    const tasks = tasksOf(deployedDefinition(tenantContext('lambda')));
    const record = await recorded(
      'SUCCEEDED',
      history(
        entered('TaskStateEntered', STATE_NAMES.tenant.getStatus),
        {
          type: 'LambdaFunctionScheduled',
          lambdaFunctionScheduledEventDetails: {
            resource: 'arn:aws:lambda:us-east-1:123456789012:function:StatusReader',
            input: '{}',
          },
        },
        { type: 'LambdaFunctionStarted' },
        { type: 'LambdaFunctionSucceeded', lambdaFunctionSucceededEventDetails: { output: '{}' } },
        { type: 'ExecutionSucceeded' },
      ),
    );
    // Act
    const observed = observeExecution(record, tasks);
    // Assert
    expect(observed.cloudfrontCalls).toBe(1);
  });

  it('refuses a LambdaFunctionScheduled in a Task state that calls no Lambda', async () => {
    // Arrange
    const record = await recorded(
      'SUCCEEDED',
      history(entered('TaskStateEntered', STATE_NAMES.distribution.notifyDone), {
        type: 'LambdaFunctionScheduled',
        lambdaFunctionScheduledEventDetails: { resource: 'x' },
      }),
    );
    // Act
    const observe = () => observeExecution(record, tasksOf(deployedDefinition()));
    // Assert
    expect(observe).toThrow(
      `a Lambda function was scheduled in "${STATE_NAMES.distribution.notifyDone}", whose Task calls sns:publish`,
    );
  });

  it("refuses a TaskScheduled that names another integration than the state's Task", async () => {
    // Arrange
    const tasks = tasksOf(deployedDefinition(tenantContext('lambda')));
    const record = await recorded(
      'SUCCEEDED',
      history(
        entered('TaskStateEntered', STATE_NAMES.tenant.getStatus),
        scheduled('aws-sdk:cloudfront', 'getDistributionTenant', { Identifier: 'dt_1' }),
      ),
    );
    // Act
    const observe = () => observeExecution(record, tasks);
    // Assert
    expect(observe).toThrow(
      `the task scheduled in "${STATE_NAMES.tenant.getStatus}" calls aws-sdk:cloudfront:getDistributionTenant, but the definition's Task calls lambda:invoke`,
    );
  });

  it('refuses a task scheduled outside any Task state of the definition', async () => {
    // Arrange
    const record = await recorded(
      'SUCCEEDED',
      history(entered('PassStateEntered', 'Not a task'), scheduled('sns', 'publish', {})),
    );
    // Act
    const observe = () => observeExecution(record, tasksOf(deployedDefinition()));
    // Assert
    expect(observe).toThrow(/"Not a task", which is no Task state/);
  });

  it('turns a recorded history into what the shared scenario check expects', async () => {
    // Arrange
    const scenario = WATCH_SCENARIOS.find((candidate) => candidate.name === 'DistributionNotFound')!;
    const record = await recorded('FAILED', DISTRIBUTION_NOT_FOUND_HISTORY);
    // Act
    const observed = observeExecution(record, tasksOf(deployedDefinition()));
    // Assert
    expectScenario(scenario, observed, EXECUTION_ARN);
  });

  it('turns a recorded history of a tenant read by the status-reader Lambda into what the shared scenario check expects', async () => {
    // Arrange
    const scenario = WATCH_SCENARIOS.find((candidate) => candidate.name === 'TenantNotFound')!;
    const record = await recorded('FAILED', TENANT_NOT_FOUND_VIA_LAMBDA_HISTORY);
    // Act
    const observed = observeExecution(record, tasksOf(deployedDefinition(tenantContext('lambda'))));
    // Assert
    expectScenario(scenario, observed, EXECUTION_ARN);
  });
});

describe('refusedActionReason', () => {
  /** The error the SDK raises for this CreateStateMachine answer, via the fake. */
  async function createError(answer: { error: string; message: string }): Promise<unknown> {
    const server = await serve(() => answer);
    return createWatchStateMachine(
      localSfnClient(server.endpoint),
      'Watch',
      deployedDefinition(),
      () => undefined,
    ).then(
      () => undefined,
      (error: unknown) => error,
    );
  }

  it('names the action when CreateStateMachine refuses the definition for one of them', async () => {
    // Arrange
    const message =
      "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: The resource provided arn:aws:states:::aws-sdk:cloudfront:getDistributionTenant is not recognized.'";
    const error = await createError({ error: 'InvalidDefinition', message });
    // Act
    const reason = refusedActionReason(error, ['getDistributionTenant', 'getInvalidationForDistributionTenant']);
    // Assert
    expect(reason).toBe(`Step Functions Local does not know the aws-sdk action getDistributionTenant: ${message}`);
  });

  it('has no reason for an InvalidDefinition that names none of them', async () => {
    // Arrange
    const error = await createError({ error: 'InvalidDefinition', message: 'States.MathAdd is not supported' });
    // Act
    const reason = refusedActionReason(error, ['getDistributionTenant', 'getInvalidationForDistributionTenant']);
    // Assert
    expect(error).toBeInstanceOf(Error);
    expect(reason).toBeUndefined();
  });

  it('has no reason for another error, even one that names the action', async () => {
    // Arrange
    const error = await createError({ error: 'AccessDeniedException', message: 'not allowed: getDistributionTenant' });
    // Act
    const reason = refusedActionReason(error, ['getDistributionTenant']);
    // Assert
    expect(error).toBeInstanceOf(Error);
    expect(reason).toBeUndefined();
  });
});

import aslValidator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import { HISTORY_EVENT_LIMIT, type WatchExecutionInput } from '../../domain/watch-execution';
import type { AslDefinition, AslState } from '../../statemachine/definition';
import { runLocally } from '../../tools/lib/local-engine';
import {
  scriptedCloudFront,
  SIMULATED_DOMAIN,
  SIMULATED_ETAG,
  THROTTLED,
  type CloudFrontAnswer,
} from '../../tools/lib/simulated-cloudfront';
import { FAKE_ACCOUNT, stateMachineLogicalId, watchSettingsOf } from '../../tools/lib/synth';
import { CHAT_CONTEXT } from '../../tools/scenarios/contexts';
import { contextFor, deployedDefinition, synthesized, TENANT_CONTEXTS, tenantContext } from '../support/definition';
import { fixtureWatch, watchInput } from '../../tools/scenarios/fixtures';
import { WATCH_KINDS, type WatchKind, type KindStateNames } from '../../domain/kinds';
import { NOTIFICATION_FIELD_PATHS, PATHS } from '../../statemachine/paths';
import { STATE_NAMES } from '../../statemachine/state-names';
import { WATCH_ERRORS } from '../../domain/errors';

/** The settings that make the most checks synth accepts: the shortest intervals, never growing, for the longest retention. */
const EXTREME = {
  pollIntervalSeconds: '5',
  retentionSeconds: '1209600',
  distributionFastPollSeconds: '2',
  invalidationFastPollSeconds: '2',
  distributionFastPhaseSeconds: '1209600',
  invalidationFastPhaseSeconds: '1209600',
  growthAfterSeconds: '1209600',
  maxPollIntervalSeconds: '5',
};
const ENTERED_TIME = '2026-11-28T13:50:00Z';
const IN_PROGRESS: CloudFrontAnswer = { status: 'InProgress' };
/** A check and its one retry, both throttled: a check without an answer. */
const THROTTLED_CHECK: readonly CloudFrontAnswer[] = [THROTTLED, THROTTLED];

const GET_DISTRIBUTION = 'arn:aws:states:::aws-sdk:cloudfront:getDistribution';
const GET_INVALIDATION = 'arn:aws:states:::aws-sdk:cloudfront:getInvalidation';
const GET_TENANT = 'arn:aws:states:::aws-sdk:cloudfront:getDistributionTenant';
const GET_TENANT_INVALIDATION = 'arn:aws:states:::aws-sdk:cloudfront:getInvalidationForDistributionTenant';
const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';
const SNS_PUBLISH = 'arn:aws:states:::sns:publish';
const START_EXECUTION = 'arn:aws:states:::states:startExecution';
const PUT_EVENTS = 'arn:aws:states:::events:putEvents';
const PUT_METRIC_DATA = 'arn:aws:states:::aws-sdk:cloudwatch:putMetricData';
/** What every watch calls at its end: the Change Finished event and the watch metrics. */
const END_CALLS = [PUT_EVENTS, PUT_METRIC_DATA];
/** The kinds whose status answer carries an ETag (GetDistribution, GetDistributionTenant); invalidations have none. */
const SUPERSEDABLE_KINDS: readonly WatchKind[] = ['distribution', 'tenant'];

/** The input the dispatcher builds for a fixture event one minute after the change, with the deployed settings. */
function dispatchedInput(context: Record<string, unknown>, fixture: string): WatchExecutionInput {
  return watchInput(fixtureWatch(fixture), watchSettingsOf(synthesized(context).template));
}

function successors(state: AslState): string[] {
  const targets = [
    state.Next,
    state.Default,
    ...((state.Choices as AslState[] | undefined) ?? []).map((choice) => choice.Next),
    ...((state.Catch as AslState[] | undefined) ?? []).map((catcher) => catcher.Next),
  ];
  return targets.filter((target): target is string => typeof target === 'string');
}

const isTerminal = (state: AslState) => state.Type === 'Succeed' || state.Type === 'Fail' || state.End === true;

/**
 * History events a state adds in real Step Functions, with every retry spent: a Task has Entered, Scheduled,
 * Started, Succeeded, Exited and 3 more (Scheduled, Started, Failed) per failed attempt; other states Entered + Exited.
 */
function worstCaseEvents(state: AslState): number {
  if (state.Type !== 'Task') return 2;
  const retries = ((state.Retry as AslState[] | undefined) ?? []).reduce(
    (sum, retrier) => sum + ((retrier.MaxAttempts as number | undefined) ?? 3),
    0,
  );
  return 5 + 3 * retries;
}

/** Costliest way from one state back to itself: one poll loop. */
function costliestLoop(definition: AslDefinition, start: string): number {
  let costliest = 0;
  const walk = (name: string, visited: Set<string>, cost: number): void => {
    const state = definition.States[name]!;
    for (const next of successors(state)) {
      if (next === start) costliest = Math.max(costliest, cost + worstCaseEvents(state));
      else if (!visited.has(next)) walk(next, new Set([...visited, next]), cost + worstCaseEvents(state));
    }
  };
  walk(start, new Set([start]), 0);
  return costliest;
}

/** Costliest path without repeating a state, from StartAt to an end: the first check and the way out, loops aside. */
function costliestStraightPath(definition: AslDefinition): number {
  const walk = (name: string, visited: Set<string>): number => {
    const state = definition.States[name]!;
    const own = worstCaseEvents(state);
    if (isTerminal(state)) return own;
    const rest = successors(state)
      .filter((next) => !visited.has(next))
      .map((next) => walk(next, new Set([...visited, next])));
    return rest.length === 0 ? -Infinity : own + Math.max(...rest);
  };
  return walk(definition.StartAt, new Set([definition.StartAt]));
}

describe('the synthesized watch definition', () => {
  it.each([
    { settings: 'defaults', context: {} },
    { settings: 'extreme', context: EXTREME },
    { settings: 'tenant calls, tenantStatusCheck lambda', context: tenantContext('lambda') },
    { settings: 'tenant calls, tenantStatusCheck sdk', context: tenantContext('sdk') },
    { settings: 'chat channels', context: CHAT_CONTEXT },
  ])('passes asl-validator with path and ARN checks ($settings)', ({ context }) => {
    // Arrange
    const definition = deployedDefinition(context);
    // Act
    const result = aslValidator(definition, { checkPaths: true, checkArn: true });
    // Assert
    expect(result.errorsText()).toBe('');
    expect(result.isValid).toBe(true);
  });

  it('asl-validator rejects a broken path, so the check above can fail', () => {
    // Arrange
    const definition = deployedDefinition(EXTREME);
    const wait = definition.States[STATE_NAMES.distribution.wait]!;
    wait.SecondsPath = 'progress.waitSeconds';
    // Act
    const result = aslValidator(definition, { checkPaths: true, checkArn: true });
    // Assert
    expect(result.isValid).toBe(false);
  });

  it('uses JSONPath only: no QueryLanguage, Assign, Arguments, Output or {% %} expressions', () => {
    // Arrange
    const definition = deployedDefinition();
    const jsonataKeys = ['QueryLanguage', 'Assign', 'Arguments', 'Output'];
    // Act
    const keysInUse = [definition as unknown as AslState, ...Object.values(definition.States)].flatMap((object) =>
      Object.keys(object),
    );
    // Assert
    expect(keysInUse.filter((key) => jsonataKeys.includes(key))).toEqual([]);
    expect(JSON.stringify(definition)).not.toContain('{%');
  });

  it.each([
    {
      stack: 'the default stack',
      context: {},
      expected: [GET_DISTRIBUTION, GET_INVALIDATION, SNS_PUBLISH, START_EXECUTION, ...END_CALLS],
    },
    {
      stack: 'the default stack with events=false',
      context: { events: 'false' },
      expected: [GET_DISTRIBUTION, GET_INVALIDATION, SNS_PUBLISH, START_EXECUTION, PUT_METRIC_DATA],
    },
    {
      stack: 'invalidations only',
      context: { watchedEvents: 'CreateInvalidation' },
      expected: [GET_INVALIDATION, SNS_PUBLISH, START_EXECUTION, ...END_CALLS],
    },
    {
      stack: 'tenant calls, tenantStatusCheck lambda',
      context: tenantContext('lambda'),
      expected: [GET_DISTRIBUTION, GET_INVALIDATION, LAMBDA_INVOKE, SNS_PUBLISH, START_EXECUTION, ...END_CALLS],
    },
    {
      stack: 'tenant calls, tenantStatusCheck sdk',
      context: tenantContext('sdk'),
      expected: [
        GET_DISTRIBUTION,
        GET_INVALIDATION,
        GET_TENANT,
        GET_TENANT_INVALIDATION,
        SNS_PUBLISH,
        START_EXECUTION,
        ...END_CALLS,
      ],
    },
  ])('calls exactly the integrations $stack needs', ({ context, expected }) => {
    // Arrange
    const definition = deployedDefinition(context);
    // Act
    const resources = new Set(
      Object.values(definition.States)
        .filter((state) => state.Type === 'Task')
        .map((state) => state.Resource),
    );
    // Assert
    expect([...resources].sort()).toEqual([...expected].sort());
  });

  it('holds no tenant state in the default stack: Step Functions may not know the tenant actions yet', () => {
    // Arrange
    const definition = deployedDefinition();
    // Act
    const text = JSON.stringify(definition);
    // Assert
    expect(Object.keys(definition.States).filter((name) => /tenant/i.test(name))).toEqual([]);
    expect(text).not.toMatch(/DistributionTenant|tenantId/);
    expect(definition.States[STATE_NAMES.chooseKind]!.Choices).toHaveLength(8);
  });

  it('reads a tenant status through the status-reader Lambda with the parameters and answer of the aws-sdk call', () => {
    // Arrange
    const viaLambda = deployedDefinition(tenantContext('lambda'));
    const viaSdk = deployedDefinition(tenantContext('sdk'));
    // Act
    const lambdaTask = viaLambda.States[STATE_NAMES.tenant.getStatus]!;
    const sdkTask = viaSdk.States[STATE_NAMES.tenant.getStatus]!;
    // Assert
    expect(lambdaTask.Parameters).toEqual({
      FunctionName: expect.stringMatching(/^arn:aws:lambda:us-east-1:123456789012:function:/),
      Payload: { kind: 'tenant', parameters: { 'Identifier.$': '$.watch.tenantId' } },
    });
    expect(lambdaTask.ResultSelector).toEqual({
      'value.$': '$.Payload.DistributionTenant.Status',
      'eTag.$': '$.Payload.ETag',
    });
    expect(sdkTask.Parameters).toEqual({ 'Identifier.$': '$.watch.tenantId' });
    expect(sdkTask.ResultSelector).toEqual({ 'value.$': '$.DistributionTenant.Status', 'eTag.$': '$.ETag' });
    expect(lambdaTask.Retry).toEqual(sdkTask.Retry);
    expect(lambdaTask.Catch).toEqual(sdkTask.Catch);
  });

  it('has readable state names: words, no generated hashes, within the 80-character limit', () => {
    // Arrange
    const definition = deployedDefinition();
    // Act
    const names = Object.keys(definition.States);
    // Assert
    const unreadable = names.filter(
      (name) =>
        name.length > 80 ||
        !/^[A-Z][a-z]+,?( [A-Za-z0-9,.()'-]+)*\??$/.test(name) ||
        name.split(/[ (),.?]/).some((word) => /\d/.test(word) && /[A-Za-z]/.test(word)),
    );
    expect(unreadable).toEqual([]);
  });
});

describe('an input the dispatcher did not build', () => {
  it.each([
    { label: 'an unknown kind', watch: { kind: 'streaming-distribution', distributionId: 'E2QWRUHAPOMQZL' } },
    { label: 'no kind at all', watch: { distributionId: 'E2QWRUHAPOMQZL' } },
  ])('ends $label in "Not a watch input" without calling CloudFront or SNS', async ({ watch }) => {
    // Arrange
    const input = { watch, progress: { check: 1, maxChecks: 3, continueAt: 801, part: 1 } };
    // Act
    const run = await runLocally(deployedDefinition(), input, {
      cloudfront: scriptedCloudFront([IN_PROGRESS]),
      waitMilliseconds: 0,
    });
    // Assert
    expect({ status: run.status, error: run.error }).toEqual({ status: 'FAILED', error: WATCH_ERRORS.invalidInput });
    expect(run.statesEntered.at(-1)).toBe(STATE_NAMES.invalidInput);
    expect(run.cloudfrontCalls).toBe(0);
    expect(run.published).toEqual([]);
  });

  it('checks that watch.kind exists before any rule compares it, since a comparison on a missing path fails the execution', () => {
    // Arrange
    const definition = deployedDefinition();
    // Act
    const [first] = definition.States[STATE_NAMES.chooseKind]!.Choices as AslState[];
    // Assert
    expect(first).toEqual({ Not: { Variable: PATHS.kind, IsPresent: true }, Next: STATE_NAMES.invalidInput });
  });
});

describe('a newer change than the watched one (superseded)', () => {
  it.each(SUPERSEDABLE_KINDS)(
    '%s: Deployed with another ETag than the change recorded goes to the superseded notification first',
    (kind) => {
      // Arrange
      const definition = deployedDefinition(contextFor(kind, 'sdk'));
      const names: KindStateNames = STATE_NAMES[kind];
      // Act
      const choices = definition.States[names.isDone]!.Choices as AslState[];
      const resultSelector = definition.States[names.getStatus]!.ResultSelector as Record<string, string>;
      // Assert: the ETag is compared in a Choice of its own, entered only when the watch has one; else plain Deployed
      expect(resultSelector['eTag.$']).toBe('$.ETag');
      expect(choices[0]).toEqual({
        And: [
          { Variable: PATHS.statusValue, StringEquals: 'Deployed' },
          { Variable: '$.watch.eTag', IsPresent: true },
        ],
        Next: names.sameETag,
      });
      expect(choices[1]).toEqual({ Variable: PATHS.statusValue, StringEquals: 'Deployed', Next: names.notifyDone });
      expect(definition.States[names.sameETag!]).toMatchObject({
        Type: 'Choice',
        Choices: [{ Variable: '$.status.eTag', StringEqualsPath: '$.watch.eTag', Next: names.notifyDone }],
        Default: names.notifySuperseded,
      });
      const notify = definition.States[names.notifySuperseded!]!;
      const { outcome } = (notify.Parameters as { MessageAttributes: { outcome: unknown } }).MessageAttributes;
      expect(outcome).toEqual({ DataType: 'String', StringValue: 'superseded' });
      expect(notify.Next).toBe(
        kind === 'tenant' ? 'Tenant watch ended superseded' : 'Distribution watch ended superseded',
      );
      expect(definition.States[`How did the ${kind} watch end?`]!.Choices).toContainEqual({
        Variable: '$.finished.outcome',
        StringEquals: 'superseded',
        Next: names.superseded,
      });
      expect(definition.States[names.superseded!]!.Type).toBe('Succeed');
    },
  );

  it.each(WATCH_KINDS.filter((kind) => !SUPERSEDABLE_KINDS.includes(kind)))(
    '%s: no rule reads an ETag, and no superseded state exists',
    (kind) => {
      // Arrange
      const definition = deployedDefinition(contextFor(kind));
      const names: KindStateNames = STATE_NAMES[kind];
      // Act
      const choices = JSON.stringify(definition.States[names.isDone]!.Choices);
      // Assert
      expect(choices).not.toContain('eTag');
      expect(names.sameETag).toBeUndefined();
      expect(names.notifySuperseded).toBeUndefined();
      const published = Object.values(definition.States)
        .filter((state) => state.Resource === SNS_PUBLISH)
        .map(
          (state) =>
            (state.Parameters as { MessageAttributes: Record<string, { StringValue?: string }> }).MessageAttributes,
        )
        .filter((attributes) => attributes.kind!.StringValue === kind)
        .map((attributes) => attributes.outcome!.StringValue);
      expect(published.length).toBeGreaterThan(0);
      expect(published).not.toContain('superseded');
    },
  );
});

describe('a check without an answer', () => {
  it('ends a watch early only on not-found and access denied: every other error is a check without an answer', () => {
    // Arrange
    const definition = deployedDefinition();
    // Act
    const { Catch } = definition.States[STATE_NAMES.distribution.getStatus]!;
    // Assert
    expect(Catch).toEqual([
      {
        ErrorEquals: ['CloudFront.NoSuchDistributionException'],
        ResultPath: '$.error',
        Next: 'Notify distribution not found',
      },
      {
        ErrorEquals: ['CloudFront.AccessDeniedException'],
        ResultPath: '$.error',
        Next: 'Notify distribution check failed',
      },
      { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'No answer to distribution check' },
    ]);
  });

  it('counts it in progress.unanswered, shows the count in every later state, and starts backing off at the normal interval', async () => {
    // Arrange
    const input = dispatchedInput({}, 'update-distribution.json');
    const outputs: Array<{ state: string; output: unknown }> = [];
    // Act
    const run = await runLocally(deployedDefinition(), input, {
      cloudfront: scriptedCloudFront([...THROTTLED_CHECK, { status: 'Deployed' }]),
      waitMilliseconds: 0,
      onEvent: (event) => {
        if (event.type === 'StateExited') outputs.push({ state: event.stateName!, output: event.output });
      },
    });
    // Assert
    const noAnswer = outputs.find(({ state }) => state === STATE_NAMES.distribution.noAnswer)!.output;
    expect(noAnswer).toEqual({
      watch: input.watch,
      progress: {
        check: 1,
        maxChecks: input.progress.maxChecks,
        continueAt: 801,
        part: 1,
        unanswered: 1,
        waitSeconds: 0,
        elapsedSeconds: 60,
        backOffSeconds: 0,
        backedOffSeconds: 0,
      },
      status: { value: 'NoAnswer', domainName: '', eTag: '' },
    });
    expect(run.statesEntered.slice(0, 10)).toEqual([
      STATE_NAMES.chooseKind,
      STATE_NAMES.startBackOff,
      STATE_NAMES.chooseKind,
      STATE_NAMES.distribution.getStatus,
      STATE_NAMES.distribution.noAnswer,
      'How long after no answer to distribution check?',
      'Start backing off from distribution checks',
      'How long until the next distribution check?',
      'Next distribution check in 17 s',
      STATE_NAMES.distribution.wait,
    ]);
    expect(outputs.at(-1)!.output).toMatchObject({ progress: { check: 2, unanswered: 1 } });
    expect(run.published.map((request) => request.MessageAttributes.outcome.StringValue)).toEqual(['deployed']);
  });

  it('hands a check without an answer over to the next part even at check 1, before any status existed', async () => {
    // Arrange
    const fresh = dispatchedInput({}, 'create-distribution.json');
    const first = await runLocally(
      deployedDefinition(),
      { ...fresh, progress: { ...fresh.progress, continueAt: 1 } },
      { cloudfront: scriptedCloudFront(THROTTLED_CHECK), waitMilliseconds: 0 },
    );
    const handedOver = first.continuations[0]!.Input as WatchExecutionInput;
    // Act
    const second = await runLocally(deployedDefinition(), handedOver, {
      cloudfront: scriptedCloudFront([{ status: 'Deployed' }]),
      waitMilliseconds: 0,
    });
    // Assert
    expect(handedOver.progress).toEqual({
      check: 1,
      maxChecks: fresh.progress.maxChecks,
      continueAt: 801,
      part: 2,
      unanswered: 1,
      waitSeconds: 0,
      elapsedSeconds: 60,
      backOffSeconds: 0,
      backedOffSeconds: 0,
    });
    expect(handedOver.status).toEqual({ value: 'NoAnswer', domainName: '', eTag: '' });
    // Part 2 decides on the unanswered check as part 1 would have: it starts backing off before its next check.
    expect(second.statesEntered.slice(0, 6)).toEqual([
      STATE_NAMES.chooseKind,
      STATE_NAMES.distribution.isDone,
      'How long after no answer to distribution check?',
      'Start backing off from distribution checks',
      'How long until the next distribution check?',
      `${STATE_NAMES.distribution.nextCheck} 17 s`,
    ]);
    expect(second.published.map((request) => request.MessageAttributes.outcome.StringValue)).toEqual(['deployed']);
  });

  it('starts counting at 0 in a part an older version handed over without progress.unanswered, instead of failing', async () => {
    // Arrange: part 2 of a watch at check 5 of 6, as the hand-over before this field existed built it
    const fresh = dispatchedInput({}, 'create-distribution.json');
    const input = {
      watch: fresh.watch,
      progress: { check: 5, maxChecks: 6, continueAt: 805, part: 2 },
      status: { value: 'InProgress', domainName: SIMULATED_DOMAIN, eTag: SIMULATED_ETAG },
    };
    // Act
    const run = await runLocally(deployedDefinition(), input, {
      cloudfront: scriptedCloudFront(THROTTLED_CHECK),
      waitMilliseconds: 0,
      enteredTime: ENTERED_TIME,
    });
    // Assert
    expect({ status: run.status, error: run.error }).toEqual({ status: 'FAILED', error: WATCH_ERRORS.timedOut });
    expect(run.statesEntered.slice(0, 3)).toEqual([
      STATE_NAMES.chooseKind,
      STATE_NAMES.countUnanswered,
      STATE_NAMES.chooseKind,
    ]);
    expect(run.published[0]!.Message).toBe(
      [
        'Distribution E2QWRUHAPOMQZL was still InProgress when the watch limit of 4 days ran out. ' +
          'CloudFront has no failed state: check it in the console.',
        '',
        'What changed:  CreateDistribution on distribution E2QWRUHAPOMQZL',
        'Changed by:    arn:aws:iam::123456789012:user/alice',
        'Started:       2026-11-28T09:15:02Z (when the change was made)',
        'Last checked:  2026-11-28T13:50:00Z (status check 6)',
        'Unanswered:    1 of 6 status checks (throttled or failing, after retries)',
        'Domain:        ',
        '',
        'Console: https://us-east-1.console.aws.amazon.com/cloudfront/v4/home?region=us-east-1#/distributions/E2QWRUHAPOMQZL',
        'CloudTrail event ID: 3f1c6a52-8e0b-4d1e-9a53-2f7c1b9e4d01',
        '',
        'Sent by cloudfront-change-notifier.',
      ].join('\n'),
    );
  });

  it('starts a part handed over without progress.backOffSeconds at no back-off, and backs off as after any check without an answer', async () => {
    // Arrange: part 2 of a watch whose check 5 went unanswered, as the hand-over before the back-off and the watch time built it
    const fresh = dispatchedInput({}, 'create-distribution.json');
    const input = {
      watch: fresh.watch,
      progress: { check: 5, maxChecks: 540, continueAt: 805, part: 2, unanswered: 1 },
      status: { value: 'NoAnswer', domainName: '', eTag: '' },
    };
    // Act
    const run = await runLocally(deployedDefinition(), input, {
      cloudfront: scriptedCloudFront([{ status: 'Deployed' }]),
      waitMilliseconds: 0,
    });
    // Assert
    expect(run.statesEntered.slice(0, 8)).toEqual([
      STATE_NAMES.chooseKind,
      STATE_NAMES.startCounting,
      STATE_NAMES.chooseKind,
      STATE_NAMES.distribution.isDone,
      'How long after no answer to distribution check?',
      'Start backing off from distribution checks',
      'How long until the next distribution check?',
      `${STATE_NAMES.distribution.nextCheck} 17 s`,
    ]);
    expect(run.published.map((request) => request.MessageAttributes.outcome.StringValue)).toEqual(['deployed']);
  });
});

describe('the wait after a check without an answer', () => {
  it('applies the budget and hand-over rules first, keeps the back-off between the normal interval and its cap, then lets the schedule pick the wait', () => {
    // Act
    const choice = deployedDefinition().States['How long after no answer to invalidation check?']!;
    // Assert
    expect(choice.Choices).toEqual([
      {
        Variable: '$.progress.check',
        NumericGreaterThanEqualsPath: '$.progress.maxChecks',
        Next: 'Notify invalidation still in progress',
      },
      {
        Variable: '$.progress.check',
        NumericGreaterThanEqualsPath: '$.progress.continueAt',
        Next: 'Hand over to a new execution',
      },
      {
        Variable: '$.progress.backedOffSeconds',
        NumericGreaterThanEquals: 34_560,
        Next: 'Stop backing off from invalidation checks',
      },
      {
        Variable: '$.progress.backOffSeconds',
        NumericLessThan: 60,
        Next: 'Start backing off from invalidation checks',
      },
      {
        Variable: '$.progress.backOffSeconds',
        NumericGreaterThan: 900,
        Next: 'Back off from invalidation checks at most 15 min',
      },
      { Variable: '$.progress.check', NumericLessThan: 24, Next: 'Next invalidation check in 8 s' },
      { Variable: '$.progress.check', NumericLessThan: 81, Next: 'Next invalidation check in 1 min' },
      { Variable: '$.progress.check', NumericLessThan: 111, Next: 'Next invalidation check in 2 min' },
      { Variable: '$.progress.check', NumericLessThan: 141, Next: 'Next invalidation check in 4 min' },
      { Variable: '$.progress.check', NumericLessThan: 171, Next: 'Next invalidation check in 8 min' },
    ]);
    expect(choice.Default).toBe('Next invalidation check in 15 min');
  });

  it('doubles the back-off at the check without an answer, draws its start between one and three normal intervals and its cap within 10 %', () => {
    // Act
    const { States } = deployedDefinition();
    // Assert
    const progress = (name: string) => States[name]!.Parameters as Record<string, unknown>;
    expect((progress(STATE_NAMES.invalidation.noAnswer).progress as Record<string, unknown>)['backOffSeconds.$']).toBe(
      'States.MathAdd($.progress.backOffSeconds, $.progress.backOffSeconds)',
    );
    expect(progress('Start backing off from invalidation checks')['backOffSeconds.$']).toBe(
      'States.MathRandom(60, 180)',
    );
    expect(progress('Back off from invalidation checks at most 15 min')['backOffSeconds.$']).toBe(
      'States.MathRandom(810, 990)',
    );
  });

  it('shrinks the back-off by the normal interval after an answer that does not end the watch, and ends it at that or less', () => {
    // Act
    const { States } = deployedDefinition();
    // Assert
    expect(States[STATE_NAMES.invalidation.isDone]!.Choices).toEqual(
      expect.arrayContaining([
        {
          Variable: '$.status.value',
          StringEquals: 'NoAnswer',
          Next: 'How long after no answer to invalidation check?',
        },
        {
          Variable: '$.progress.backOffSeconds',
          NumericGreaterThan: 60,
          Next: 'Back off less from invalidation checks',
        },
        {
          Variable: '$.progress.backOffSeconds',
          NumericGreaterThan: 0,
          Next: 'Stop backing off from invalidation checks',
        },
      ]),
    );
    expect(
      (States['Back off less from invalidation checks']!.Parameters as Record<string, unknown>)['backOffSeconds.$'],
    ).toBe('States.MathAdd($.progress.backOffSeconds, -60)');
    expect(
      (States['Stop backing off from invalidation checks']!.Parameters as Record<string, unknown>).backOffSeconds,
    ).toBe(0);
  });
});

describe('jitter on the waits', () => {
  /** The wait each "Next … check in" state of a kind sets: a number, or the MathRandom call that draws it. */
  function phaseWaits(definition: AslDefinition, kind: WatchKind): unknown[] {
    return Object.entries(definition.States)
      .filter(([name]) => name.startsWith(STATE_NAMES[kind].nextCheck))
      .map(([, state]) => {
        const parameters = state.Parameters as Record<string, unknown>;
        return parameters['waitSeconds.$'] ?? parameters.waitSeconds;
      });
  }

  it('draws each wait of the default schedule within 10 % of it, in whole seconds, plus the back-off; 8 s has no room and stays 8 s', () => {
    // Act
    const definition = deployedDefinition();
    // Assert
    expect(phaseWaits(definition, 'distribution')).toEqual([
      'States.MathAdd(States.MathRandom(16, 18), $.progress.backOffSeconds)',
      'States.MathAdd(States.MathRandom(54, 66), $.progress.backOffSeconds)',
      'States.MathAdd(States.MathRandom(108, 132), $.progress.backOffSeconds)',
      'States.MathAdd(States.MathRandom(216, 264), $.progress.backOffSeconds)',
      'States.MathAdd(States.MathRandom(432, 528), $.progress.backOffSeconds)',
      'States.MathAdd(States.MathRandom(810, 990), $.progress.backOffSeconds)',
    ]);
    expect(phaseWaits(definition, 'invalidation')).toEqual([
      'States.MathAdd(8, $.progress.backOffSeconds)',
      'States.MathAdd(States.MathRandom(54, 66), $.progress.backOffSeconds)',
      'States.MathAdd(States.MathRandom(108, 132), $.progress.backOffSeconds)',
      'States.MathAdd(States.MathRandom(216, 264), $.progress.backOffSeconds)',
      'States.MathAdd(States.MathRandom(432, 528), $.progress.backOffSeconds)',
      'States.MathAdd(States.MathRandom(810, 990), $.progress.backOffSeconds)',
    ]);
  });

  it('waits exactly as the schedule says, plus the back-off, with checkJitterPercent 0', () => {
    // Act
    const definition = deployedDefinition({ checkJitterPercent: '0' });
    // Assert
    expect(phaseWaits(definition, 'distribution')).toEqual([
      'States.MathAdd(17, $.progress.backOffSeconds)',
      'States.MathAdd(60, $.progress.backOffSeconds)',
      'States.MathAdd(120, $.progress.backOffSeconds)',
      'States.MathAdd(240, $.progress.backOffSeconds)',
      'States.MathAdd(480, $.progress.backOffSeconds)',
      'States.MathAdd(900, $.progress.backOffSeconds)',
    ]);
  });

  it('stretches the execution timeout by the most jitter can add, and by every retry of one part spent', () => {
    // Act
    const withJitter = deployedDefinition();
    const without = deployedDefinition({ checkJitterPercent: '0' });
    // Assert: 4 days, + 10 % of them for jitter, + 10 % for the back-off and one more back-off at its cap of 990 s / 900 s
    // (15 min, + 10 %), + 801 checks of 22 s (1 backoff of 2 s, 2 attempts of 10 s), + 1 h
    expect(withJitter.TimeoutSeconds).toBe(345_600 + 34_560 + 34_560 + 990 + 17_622 + 3_600);
    expect(without.TimeoutSeconds).toBe(345_600 + 34_560 + 900 + 17_622 + 3_600);
  });

  it('with a read budget, stretches the execution timeout by the longest wait for a read slot of each check', () => {
    // Act
    const definition = deployedDefinition({ readBudgetPerSecond: '5' });
    // Assert: as above, + 801 checks of 65 s (one reservation of 5 s, 60 s for the slot)
    expect(definition.TimeoutSeconds).toBe(345_600 + 34_560 + 34_560 + 990 + 17_622 + 52_065 + 3_600);
  });
});

describe('a real Wait state (no wait override, so SecondsPath is evaluated)', () => {
  it("hands the Wait state the schedule's interval, evaluated through SecondsPath, and checks again after it", async () => {
    // Arrange
    const definition = deployedDefinition(EXTREME);
    const input = dispatchedInput(EXTREME, 'create-distribution.json');
    const waits: number[] = [];
    // Act
    const run = await runLocally(definition, input, {
      cloudfront: scriptedCloudFront([IN_PROGRESS, { status: 'Deployed' }]),
      enteredTime: ENTERED_TIME,
      onEvent: (event) => {
        if (event.type === 'StateEntered' && event.stateName === STATE_NAMES.distribution.wait) {
          waits.push((event.input as { progress: { waitSeconds: number } }).progress.waitSeconds);
        }
      },
    });
    // Assert
    expect({ status: run.status, error: run.error }).toEqual({ status: 'SUCCEEDED', error: undefined });
    expect(waits).toEqual([2]);
    expect(run.cloudfrontCalls).toBe(2);
    expect(run.published.map((request) => request.MessageAttributes.outcome.StringValue)).toEqual(['deployed']);
  });
});

describe('staying under the 25,000-event history limit', () => {
  it.each(TENANT_CONTEXTS)(
    'one execution with every retry spent stays under the limit at the extreme settings (every call, tenantStatusCheck $tenantStatusCheck)',
    ({ context }) => {
      // Arrange
      const definition = deployedDefinition({ ...EXTREME, ...context });
      const input = dispatchedInput(EXTREME, 'create-distribution.json');
      const loops = WATCH_KINDS.map((kind) => costliestLoop(definition, STATE_NAMES[kind].getStatus));
      // Act
      const loopsPerExecution = input.progress.continueAt - input.progress.check;
      const executionEvents = 2; // ExecutionStarted and ExecutionSucceeded/Failed
      const worstCase = executionEvents + loopsPerExecution * Math.max(...loops) + costliestStraightPath(definition);
      // Assert
      expect(loops.every((events) => events > 0)).toBe(true);
      expect(loopsPerExecution).toBe(800);
      expect(HISTORY_EVENT_LIMIT).toBe(25_000);
      expect(worstCase, `worst case ${worstCase} events`).toBeLessThan(25_000);
    },
  );

  it('one execution with every retry spent stays under the limit with a read budget before every check', () => {
    // Arrange
    const context = { ...EXTREME, readBudgetPerSecond: '5' };
    const definition = deployedDefinition(context);
    const input = dispatchedInput(context, 'create-distribution.json');
    const loops = WATCH_KINDS.filter((kind) => definition.States[STATE_NAMES[kind].getStatus]).map((kind) =>
      costliestLoop(definition, STATE_NAMES[kind].getStatus),
    );
    // Act
    const loopsPerExecution = input.progress.continueAt - input.progress.check;
    const worstCase = 2 + loopsPerExecution * Math.max(...loops) + costliestStraightPath(definition);
    // Assert
    expect(loops).toHaveLength(2);
    expect(worstCase, `worst case ${worstCase} events`).toBeLessThan(25_000);
  });

  it('such a watch needs more checks than one execution makes, so it really continues', () => {
    // Arrange
    const input = dispatchedInput(EXTREME, 'create-invalidation.json');
    // Act
    const { maxChecks, continueAt } = input.progress;
    // Assert
    expect(maxChecks).toBeGreaterThan(continueAt);
  });
});

describe('continuing a watch in a new execution', () => {
  const definition = () => deployedDefinition(EXTREME);
  const firstPart = (progress: Partial<WatchExecutionInput['progress']>): WatchExecutionInput => {
    const input = dispatchedInput(EXTREME, 'create-distribution.json');
    return { ...input, progress: { ...input.progress, ...progress } };
  };

  it('hands the watch and its progress over to part 2 under a derived, fixed name', async () => {
    // Arrange
    const input = firstPart({ continueAt: 3 });
    const { template } = synthesized(EXTREME);
    const machineName = template.Resources[stateMachineLogicalId(template)]!.Properties!.StateMachineName as string;
    // Act
    const run = await runLocally(definition(), input, {
      cloudfront: scriptedCloudFront([IN_PROGRESS]),
      waitMilliseconds: 0,
    });
    // Assert
    expect(run.status).toBe('SUCCEEDED');
    expect(run.published).toEqual([]);
    expect(run.cloudfrontCalls).toBe(3);
    expect(run.continuations).toHaveLength(1);
    const [continuation] = run.continuations;
    expect(continuation).toEqual({
      StateMachineArn: `arn:aws:states:us-east-1:${FAKE_ACCOUNT}:stateMachine:${machineName}`,
      Name: `${input.watch.executionName}-part2`,
      Input: {
        watch: input.watch,
        progress: {
          check: 3,
          maxChecks: input.progress.maxChecks,
          continueAt: 803,
          part: 2,
          unanswered: 0,
          // The delay the dispatcher saw (1 min) and the first wait; the second wait, before check 3, comes on top.
          waitSeconds: 2,
          elapsedSeconds: 62,
          backOffSeconds: 0,
          backedOffSeconds: 0,
        },
        status: { value: 'InProgress', domainName: SIMULATED_DOMAIN, eTag: SIMULATED_ETAG },
      },
    });
  });

  it('treats a continuation whose name exists (StepFunctions.ExecutionAlreadyExistsException) as handed over: no retry, no failure', async () => {
    // Arrange: the optimized states:startExecution integration names StartExecution's errors "StepFunctions.<Exception>"
    const refused = Object.assign(new Error('Execution Already Exists: part2'), {
      name: 'StepFunctions.ExecutionAlreadyExistsException',
    });
    let attempts = 0;
    // Act
    const run = await runLocally(definition(), firstPart({ continueAt: 3 }), {
      cloudfront: scriptedCloudFront([IN_PROGRESS]),
      waitMilliseconds: 0,
      startExecution: async () => {
        attempts += 1;
        throw refused;
      },
    });
    // Assert
    expect({ status: run.status, error: run.error }).toEqual({ status: 'SUCCEEDED', error: undefined });
    expect(attempts).toBe(1);
    expect(run.statesEntered.at(-1)).toBe('Watch continues in a new execution');
    expect((run.output as { continuation: { Error: string } }).continuation.Error).toBe(
      'StepFunctions.ExecutionAlreadyExistsException',
    );
  });

  it('part 2 keeps counting and ends with exactly one notification', async () => {
    // Arrange
    const first = await runLocally(definition(), firstPart({ continueAt: 3 }), {
      cloudfront: scriptedCloudFront([IN_PROGRESS]),
      waitMilliseconds: 0,
    });
    const secondInput = first.continuations[0]!.Input as WatchExecutionInput;
    // Act
    const second = await runLocally(definition(), secondInput, {
      cloudfront: scriptedCloudFront([IN_PROGRESS, { status: 'Deployed' }]),
      waitMilliseconds: 0,
      enteredTime: ENTERED_TIME,
    });
    // Assert
    expect(second.status).toBe('SUCCEEDED');
    expect(second.continuations).toEqual([]);
    expect(second.published).toHaveLength(1);
    expect(second.published[0]!.Message).toBe(
      [
        'Distribution E2QWRUHAPOMQZL is Deployed: the change is live at every edge location.',
        '',
        'What changed:  CreateDistribution on distribution E2QWRUHAPOMQZL',
        'Changed by:    arn:aws:iam::123456789012:user/alice',
        'Started:       2026-11-28T09:15:02Z (when the change was made)',
        'Confirmed:     2026-11-28T13:50:00Z (status check 5)',
        'Domain:        d111111abcdef8.cloudfront.net',
        '',
        'Console: https://us-east-1.console.aws.amazon.com/cloudfront/v4/home?region=us-east-1#/distributions/E2QWRUHAPOMQZL',
        'CloudTrail event ID: 3f1c6a52-8e0b-4d1e-9a53-2f7c1b9e4d01',
        '',
        'Sent by cloudfront-change-notifier.',
      ].join('\n'),
    );
  });

  it('part 2 honours the carried check budget and times out with one notification', async () => {
    // Arrange
    const first = await runLocally(definition(), firstPart({ continueAt: 3, maxChecks: 5 }), {
      cloudfront: scriptedCloudFront([IN_PROGRESS]),
      waitMilliseconds: 0,
    });
    const secondInput = first.continuations[0]!.Input as WatchExecutionInput;
    // Act
    const second = await runLocally(definition(), secondInput, {
      cloudfront: scriptedCloudFront([IN_PROGRESS]),
      waitMilliseconds: 0,
    });
    // Assert
    expect({ status: second.status, error: second.error }).toEqual({ status: 'FAILED', error: WATCH_ERRORS.timedOut });
    expect(second.cloudfrontCalls).toBe(2);
    expect(second.published.map((request) => request.MessageAttributes.outcome.StringValue)).toEqual(['timed-out']);
  });
});

describe('the notification subjects', () => {
  it('formats the subject of every kind and outcome from the text written out here', () => {
    // Arrange: a stack with the tenant calls holds the states of every kind
    const definition = deployedDefinition(tenantContext('lambda'));
    // Act
    const subjects = Object.fromEntries(
      Object.values(definition.States)
        .filter((state) => state.Resource === SNS_PUBLISH)
        .map((state) => {
          const parameters = state.Parameters as {
            'Subject.$': string;
            MessageAttributes: Record<'kind' | 'outcome', { StringValue: string }>;
          };
          const { kind, outcome } = parameters.MessageAttributes;
          return [`${kind.StringValue}/${outcome.StringValue}`, parameters['Subject.$']];
        }),
    );
    // Assert
    expect(subjects).toEqual({
      'distribution/deployed': "States.Format('CloudFront {} deployed', $.watch.distributionId)",
      'distribution/superseded': "States.Format('CloudFront {} deployed with a newer change', $.watch.distributionId)",
      'distribution/not-found': "States.Format('CloudFront {} not found: watch ended', $.watch.distributionId)",
      'distribution/timed-out':
        "States.Format('CloudFront {} still deploying after {}', $.watch.distributionId, $.watch.watchLimit)",
      'distribution/check-failed':
        "States.Format('CloudFront {} watch failed: status check error', $.watch.distributionId)",
      'invalidation/completed': "States.Format('CloudFront {} invalidation completed', $.watch.distributionId)",
      'invalidation/not-found':
        "States.Format('CloudFront {} invalidation not found: watch ended', $.watch.distributionId)",
      'invalidation/timed-out':
        "States.Format('CloudFront {} invalidation still running after {}', $.watch.distributionId, $.watch.watchLimit)",
      'invalidation/check-failed':
        "States.Format('CloudFront {} invalidation watch failed: status check error', $.watch.distributionId)",
      'tenant/deployed': "States.Format('CloudFront tenant {} deployed', $.watch.tenantId)",
      'tenant/superseded': "States.Format('CloudFront tenant {} deployed with a newer change', $.watch.tenantId)",
      'tenant/not-found': "States.Format('CloudFront tenant {} not found: watch ended', $.watch.tenantId)",
      'tenant/timed-out':
        "States.Format('CloudFront tenant {} still deploying after {}', $.watch.tenantId, $.watch.watchLimit)",
      'tenant/check-failed': "States.Format('CloudFront tenant {} watch failed: status check error', $.watch.tenantId)",
      'tenant-invalidation/completed': "States.Format('CloudFront tenant {} invalidation completed', $.watch.tenantId)",
      'tenant-invalidation/not-found':
        "States.Format('CloudFront tenant {} invalidation not found: watch ended', $.watch.tenantId)",
      'tenant-invalidation/timed-out':
        "States.Format('CloudFront tenant {} invalidation still running after {}', $.watch.tenantId, $.watch.watchLimit)",
      'tenant-invalidation/check-failed':
        "States.Format('CloudFront tenant {} invalidation watch failed: status check error', $.watch.tenantId)",
    });
  });
});

describe('notification safety', () => {
  it('fills the templates only with JSONPath arguments, so no value is ever read as template text', () => {
    // Arrange
    const definition = deployedDefinition();
    const publishes = Object.values(definition.States).filter((state) => state.Resource === SNS_PUBLISH);
    const knownPaths = new Set(Object.values(NOTIFICATION_FIELD_PATHS));
    // Act
    const formats = publishes.flatMap((state) => {
      const parameters = state.Parameters as Record<string, string>;
      return [parameters['Subject.$']!, parameters['Message.$']!];
    });
    // Assert
    expect(formats.length).toBeGreaterThan(0);
    for (const format of formats) {
      const args = /^States\.Format\('(?:[^'\\]|\\.)*'((?:, \$[$\w.]+)*)\)$/.exec(format);
      expect(args, format).not.toBeNull();
      const paths = args![1]!.split(', ').filter((arg) => arg !== '');
      expect(paths.filter((path) => !knownPaths.has(path as never))).toEqual([]);
    }
  });

  it('publishes quotes, braces and newlines from the event literally', async () => {
    // Arrange
    const base = dispatchedInput(EXTREME, 'create-invalidation.json');
    // No backslashes: aws-local-stepfunctions 3.0.0 strips every backslash from an intrinsic's result, values included.
    const changedBy = `arn:aws:sts::${FAKE_ACCOUNT}:assumed-role/Deploy{er}/it's "me" {} ' end\nsecond line`;
    const paths = `2 paths: /images/{id}/*, /it's "quoted" {} {\n}`;
    const input: WatchExecutionInput = { ...base, watch: { ...base.watch, changedBy, paths } };
    // Act
    const run = await runLocally(deployedDefinition(EXTREME), input, {
      cloudfront: scriptedCloudFront([{ status: 'Completed' }]),
      waitMilliseconds: 0,
      enteredTime: ENTERED_TIME,
    });
    // Assert
    expect(run.status).toBe('SUCCEEDED');
    const [published] = run.published;
    expect(published!.Subject).toBe('CloudFront E2QWRUHAPOMQZL invalidation completed');
    expect(published!.Message).toBe(
      [
        'Invalidation I2J0I21PCUYOIK on distribution E2QWRUHAPOMQZL is Completed: the paths are cleared at every edge location.',
        '',
        'What changed:  CreateInvalidation on distribution E2QWRUHAPOMQZL',
        'Invalidation:  I2J0I21PCUYOIK',
        `Paths:         2 paths: /images/{id}/*, /it's "quoted" {} {`,
        '}',
        `Changed by:    arn:aws:sts::123456789012:assumed-role/Deploy{er}/it's "me" {} ' end`,
        'second line',
        'Started:       2026-11-28T13:45:10Z (when the change was made)',
        'Confirmed:     2026-11-28T13:50:00Z (status check 1)',
        '',
        'Console: https://us-east-1.console.aws.amazon.com/cloudfront/v4/home?region=us-east-1#/distributions/E2QWRUHAPOMQZL/invalidations/details/I2J0I21PCUYOIK',
        'CloudTrail event ID: 5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9',
        '',
        'Sent by cloudfront-change-notifier.',
      ].join('\n'),
    );
  });
});

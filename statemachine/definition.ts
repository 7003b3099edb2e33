/**
 * The watch state machine in Amazon States Language, JSONPath only (Step Functions Local knows nothing else).
 * One execution follows one change: check at once, loop check → decide → wait, and end with one notification.
 */
import { AWS_ERRORS, WATCH_ERRORS } from '../domain/errors';
import {
  isRecentStatusCall,
  KINDS,
  NO_ANSWER_STATUS,
  WATCH_KINDS,
  type KindStateNames,
  type Outcome,
  type WatchKind,
} from '../domain/kinds';
import { CHANGE_EVENT, WATCH_METRIC_DATA } from '../domain/change-event';
import { CHAT_FORMAT, notificationTemplate, type CompiledTemplate } from '../domain/notification';
import { WATCH_METRICS } from '../domain/watch-metrics';
import {
  BACK_OFF_BUDGET_SHARE,
  backOffBudgetSeconds,
  backOffRules,
  jitterSeconds,
  longestBackOffSeconds,
  phaseRules,
  type BackOffRules,
  type Schedule,
  type ScheduleKind,
} from '../domain/schedule';
import { CHECKS_PER_EXECUTION, describeDuration } from '../domain/watch-execution';
import { jsonPath, NOTIFICATION_FIELD_PATHS, PATHS } from './paths';
import { endStateNames, readSlotStateNames, STATE_NAMES } from './state-names';

export type AslState = Record<string, unknown>;
export interface AslDefinition {
  readonly Comment: string;
  readonly StartAt: string;
  readonly TimeoutSeconds: number;
  readonly States: Record<string, AslState>;
}

export interface WatchDefinitionProps {
  /** ARN of the topic that receives every notification (may be a CDK token). */
  readonly topicArn: string;
  /** ARN of this state machine, for continuing a long watch in a new execution (may be a CDK token). */
  readonly stateMachineArn: string;
  readonly schedules: Record<ScheduleKind, Schedule>;
  /** How much, in percent, each wait may be shorter or longer than the schedule's (checkJitterPercent); 0: none. */
  readonly checkJitterPercent: number;
  /** The normal interval (pollIntervalSeconds): the first back-off after a check without an answer (BackOffRules). */
  readonly pollIntervalSeconds: number;
  /** The longest a change is watched; the execution timeout backs the check budget up with some margin. */
  readonly retentionSeconds: number;
  /** The kinds of watch the stack starts: the definition holds the states of these kinds only. */
  readonly kinds: readonly WatchKind[];
  /**
   * ARN of the Lambda that reads the status of the kinds whose call is recent (KINDS), which Step Functions'
   * aws-sdk integration may not know yet (may be a CDK token).
   * @default - every kind reads its status with the aws-sdk:cloudfront integration
   */
  readonly statusReaderArn?: string;
  /**
   * Chat channels are subscribed to the topic: each notification carries the chat message besides the email text.
   * @default false - the email text alone
   */
  readonly chat?: boolean;
  /** The stack's name, the Notifier dimension of the watch metrics (may be a CDK token). */
  readonly notifier: string;
  /**
   * The event bus that receives the Change Finished event of every watch (context key eventBusName).
   * @default - no event (context key events=false)
   */
  readonly eventBusName?: string;
  /**
   * ARN of the Lambda that reserves a slot of the read budget all watches share (context key readBudgetPerSecond),
   * which every status check waits for first; it never waits longer than pollIntervalSeconds (may be a CDK token).
   * @default - no read budget: every check reads at once
   */
  readonly readBudgetArn?: string;
}

/** The optimized Lambda integration; its result holds the function's answer under Payload. */
export const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';

/** Retries of a call that must get through (a notification, the next part of a watch): back off with jitter. */
const CALL_RETRY = {
  ErrorEquals: ['States.ALL'],
  IntervalSeconds: 2,
  BackoffRate: 2,
  MaxAttempts: 5,
  MaxDelaySeconds: 30,
  JitterStrategy: 'FULL',
} as const;
/**
 * Retries of a status check: one, for a brief 5xx. What still fails is a check without an answer, and the watch backs
 * off instead (BackOffRules): under an account's rate limit more retries only add calls (npm run bench, burst).
 */
export const STATUS_CHECK_RETRY = { ...CALL_RETRY, MaxAttempts: 1 } as const;
const PUBLISH_RETRY = { ...CALL_RETRY, MaxAttempts: 6 };
/** Retries of a call at the end of a watch that may fail without harm (the event, the metrics): few and short. */
const END_CALL_RETRY = { ...CALL_RETRY, IntervalSeconds: 1, MaxAttempts: 2 } as const;
/** Seconds the execution timeout adds to the watch limit: the check budget always ends a watch first. */
const EXECUTION_TIMEOUT_MARGIN_SECONDS = 3_600;
/** The longest one attempt of a status read may take: the status reader's timeout (an aws-sdk call is assumed quicker, unverified). */
const STATUS_ATTEMPT_SECONDS = 10;

/** The longest one reservation of a read slot may take: the read-budget Lambda's timeout. */
export const READ_SLOT_ATTEMPT_SECONDS = 5;

/** The longest a check waits for its read slot: one reservation (it has no Retry), then the longest slot wait. */
function worstReadSlotSeconds(props: WatchDefinitionProps): number {
  return props.readBudgetArn === undefined ? 0 : READ_SLOT_ATTEMPT_SECONDS + props.pollIntervalSeconds;
}

/** The longest one status check can take when every attempt fails: each attempt, and every backoff at its cap. */
function worstStatusCheckSeconds(): number {
  const { IntervalSeconds, BackoffRate, MaxAttempts, MaxDelaySeconds } = STATUS_CHECK_RETRY;
  let backoff = 0;
  for (let retry = 0; retry < MaxAttempts; retry += 1) {
    backoff += Math.min(IntervalSeconds * BackoffRate ** retry, MaxDelaySeconds);
  }
  return backoff + (MaxAttempts + 1) * STATUS_ATTEMPT_SECONDS;
}

/**
 * The execution timeout, a backstop the check budget always reaches first: the watch limit, stretched by the most
 * jitter can add (every wait at its longest) and by the most a watch backs off (its budget, and the one back-off that
 * may cross it), plus one part's checks each failing through every retry and waiting its longest for a read slot,
 * plus a margin.
 */
function executionTimeoutSeconds(props: WatchDefinitionProps): number {
  const { retentionSeconds, checkJitterPercent, pollIntervalSeconds } = props;
  const longestBackOff = Math.max(
    ...Object.values(props.schedules).map((schedule) =>
      longestBackOffSeconds(backOffRules(schedule, pollIntervalSeconds), checkJitterPercent),
    ),
  );
  return (
    retentionSeconds +
    Math.ceil((retentionSeconds * checkJitterPercent) / 100) +
    backOffBudgetSeconds(retentionSeconds) +
    longestBackOff +
    (CHECKS_PER_EXECUTION + 1) * (worstStatusCheckSeconds() + worstReadSlotSeconds(props)) +
    EXECUTION_TIMEOUT_MARGIN_SECONDS
  );
}

/** Quotes a template for States.Format: its literal text must escape ' { } and backslash. */
function statesFormat(template: CompiledTemplate): string {
  const literal = template.format
    .split('{}')
    .map((part) => part.replace(/[\\'{}]/g, (char) => `\\${char}`))
    .join('{}');
  const args = template.fields.map((field) => NOTIFICATION_FIELD_PATHS[field]);
  return `States.Format('${literal}', ${args.join(', ')})`;
}

/** With chat channels, the Task that publishes after the state `notifyName` wrote the chat message. */
export function publishTaskName(notifyName: string): string {
  if (!notifyName.startsWith('Notify '))
    throw new Error(`"${notifyName}" must start with "Notify " to name its publish Task`);
  return notifyName.replace(/^Notify /, 'Publish ');
}

/** After the notification, sent or not, the watch ends through its outcome's end states (endStates). */
function publishState(props: WatchDefinitionProps, kind: WatchKind, outcome: Outcome): AslState {
  const template = notificationTemplate(kind, outcome);
  const body = statesFormat(template.body);
  const ended = endStateNames(kind).ended(outcome);
  return {
    Type: 'Task',
    Comment: `Sends the "${outcome}" notification; subject, body and attributes come from domain/notification.ts.`,
    Resource: 'arn:aws:states:::sns:publish',
    Parameters: {
      TopicArn: props.topicArn,
      'Subject.$': statesFormat(template.subject),
      // Step Functions sends a JSON object Message as its JSON text (the task token example of
      // https://docs.aws.amazon.com/step-functions/latest/dg/connect-sns.html), so no value needs escaping here.
      ...(props.chat
        ? { MessageStructure: 'json', Message: { 'default.$': body, 'https.$': `States.JsonToString(${PATHS.chat})` } }
        : { 'Message.$': body }),
      MessageAttributes: {
        outcome: { DataType: 'String', StringValue: outcome },
        kind: { DataType: 'String', StringValue: kind },
        [KINDS[kind].idAttribute]: { DataType: 'String', 'StringValue.$': PATHS[KINDS[kind].idAttribute] },
      },
    },
    ResultSelector: { outcome, 'messageId.$': '$.MessageId' },
    ResultPath: PATHS.notification,
    Retry: [PUBLISH_RETRY],
    // A notification that cannot be sent still ends in the event and the metrics; the execution fails after them.
    Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: PATHS.notificationError, Next: ended }],
    Next: ended,
  };
}

/**
 * The states that send a notification, entered at `name`: the publish Task alone, or with chat channels a Pass that
 * writes the chat message as an object first, which the Task turns into JSON text with States.JsonToString, escaped
 * whatever the values hold (States.Format cannot escape a value).
 */
function publishStates(
  props: WatchDefinitionProps,
  kind: WatchKind,
  outcome: Outcome,
  name: string,
): Record<string, AslState> {
  if (!props.chat) return { [name]: publishState(props, kind, outcome) };
  const { subject, chat } = notificationTemplate(kind, outcome);
  return {
    [name]: {
      Type: 'Pass',
      Comment: `Writes the "${outcome}" chat message under chat, in the custom notification format of Amazon Q Developer in chat applications.`,
      Parameters: {
        version: CHAT_FORMAT.version,
        source: CHAT_FORMAT.source,
        content: {
          textType: CHAT_FORMAT.textType,
          'title.$': statesFormat(subject),
          'description.$': statesFormat(chat.description),
          nextSteps: chat.nextSteps,
          keywords: chat.keywords,
        },
      },
      ResultPath: PATHS.chat,
      Next: publishTaskName(name),
    },
    [publishTaskName(name)]: publishState(props, kind, outcome),
  };
}

/** Words for a wait of `waitSeconds` with jitter, e.g. "one check every 60 s (54 to 66 s at random, ...)." */
function describeWait(waitSeconds: number, jitterPercent: number): string {
  const jitter = jitterSeconds(waitSeconds, jitterPercent);
  const spread = ` (${waitSeconds - jitter} to ${waitSeconds + jitter} s at random, so watches started together spread)`;
  return `one check every ${waitSeconds} s${jitter === 0 ? '' : spread}.`;
}

/** The fields of progress a state carries over: a Pass state that rebuilds progress sets the others (`set`). */
const CARRIED_PROGRESS = [
  'check',
  'maxChecks',
  'continueAt',
  'part',
  'unanswered',
  'backOffSeconds',
  'backedOffSeconds',
  'waitSeconds',
  'elapsedSeconds',
] as const;

/** The Parameters of a Pass state that rebuilds progress: every field carried over, but those in `set`. */
function progressParameters(set: Record<string, unknown>): Record<string, unknown> {
  const setFields = new Set(Object.keys(set).map((key) => key.replace(/\.\$$/, '')));
  const carried = CARRIED_PROGRESS.filter((field) => !setFields.has(field)).map((field): [string, string] => [
    `${field}.$`,
    PATHS[field],
  ]);
  return { ...Object.fromEntries(carried), ...set };
}

/**
 * `seconds` with jitter, as an intrinsic function's argument: drawn within jitterSeconds of it, or the number itself.
 * Whether MathRandom's end is inclusive is undocumented (unverified): exclusive, the mean is 0.5 s shorter, never longer.
 */
function jittered(seconds: number, jitterPercent: number): string | number {
  const jitter = jitterSeconds(seconds, jitterPercent);
  return jitter === 0 ? seconds : `States.MathRandom(${seconds - jitter}, ${seconds + jitter})`;
}

/**
 * A Pass state that counts a check and sets the wait before the next one: `waitSeconds` with jitter, plus the back-off.
 * Intrinsic functions nest (https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html).
 */
function nextCheckState(kind: WatchKind, waitSeconds: number, jitterPercent: number, comment: string): AslState {
  return {
    Type: 'Pass',
    Comment: `${comment} Plus progress.backOffSeconds, 0 unless CloudFront left checks unanswered; progress.backedOffSeconds counts it.`,
    Parameters: progressParameters({
      'check.$': `States.MathAdd(${PATHS.check}, 1)`,
      'backedOffSeconds.$': `States.MathAdd(${PATHS.backedOffSeconds}, ${PATHS.backOffSeconds})`,
      // The wait just slept counts towards durationSeconds before the next one is drawn.
      'elapsedSeconds.$': `States.MathAdd(${PATHS.elapsedSeconds}, ${PATHS.waitSeconds})`,
      'waitSeconds.$': `States.MathAdd(${jittered(waitSeconds, jitterPercent)}, ${PATHS.backOffSeconds})`,
    }),
    ResultPath: PATHS.progress,
    Next: STATE_NAMES[kind].wait,
  };
}

/** A Pass state that sets progress.backOffSeconds (an intrinsic function or a number) and goes on to `next`. */
function backOffState(comment: string, backOffSeconds: string | number, next: string): AslState {
  return {
    Type: 'Pass',
    Comment: comment,
    Parameters: progressParameters(
      typeof backOffSeconds === 'number' ? { backOffSeconds } : { 'backOffSeconds.$': backOffSeconds },
    ),
    ResultPath: PATHS.progress,
    Next: next,
  };
}

interface PhaseStates {
  /** The Choice rules that pick a phase's state by the check count, in order; `last` when none matches. */
  readonly rules: AslState[];
  readonly states: Record<string, AslState>;
  readonly last: string;
}

/** The Pass states that count a check and pick the wait before the next one, one per schedule phase. */
function phaseStates(kind: WatchKind, schedule: Schedule, props: WatchDefinitionProps): PhaseStates {
  const names = STATE_NAMES[kind];
  const { checkJitterPercent: jitterPercent } = props;
  const states: Record<string, AslState> = {};
  const rules: AslState[] = [];
  let last = '';
  phaseRules(schedule).forEach((phase, index) => {
    let name = `${names.nextCheck} ${describeDuration(phase.waitSeconds)}`;
    if (states[name]) name = `${name} (phase ${index + 1})`;
    const every = describeWait(phase.waitSeconds, jitterPercent);
    states[name] = nextCheckState(
      kind,
      phase.waitSeconds,
      jitterPercent,
      phase.untilCheck === undefined ? `From here on, ${every}` : `Until check ${phase.untilCheck}, ${every}`,
    );
    if (phase.untilCheck === undefined) {
      last = name;
      return;
    }
    rules.push({ Variable: PATHS.check, NumericLessThan: phase.untilCheck, Next: name });
  });
  return { rules, states, last };
}

/** The names of a kind's back-off states, after the name of its check ("distribution check"). */
function backOffStateNames(kind: WatchKind, backOff: BackOffRules) {
  const { noAnswer } = STATE_NAMES[kind];
  const check = noAnswer.replace(/^No answer to /, '');
  if (check === noAnswer) throw new Error(`"${noAnswer}" does not start with "No answer to "`);
  return {
    afterNoAnswer: `How long after no answer to ${check}?`,
    pickWait: `How long until the next ${check}?`,
    start: `Start backing off from ${check}s`,
    cap: `Back off from ${check}s at most ${describeDuration(backOff.capSeconds)}`,
    shrink: `Back off less from ${check}s`,
    end: `Stop backing off from ${check}s`,
  };
}

/**
 * The Task fields that read a kind's status: the aws-sdk integration, or for a recent call with a status reader the
 * Lambda, which is handed the same parameters and answers with the API's response, so $.status is the same.
 */
function statusRead(props: WatchDefinitionProps, kind: WatchKind): AslState {
  const { call, parameters, answer } = KINDS[kind].statusCall;
  const inputs = Object.fromEntries(
    Object.entries(parameters).map(([name, field]) => [`${name}.$`, jsonPath('watch', field)]),
  );
  const viaLambda = props.statusReaderArn !== undefined && isRecentStatusCall(kind);
  const selected = (prefix: string) =>
    Object.fromEntries(Object.entries(answer).map(([key, path]) => [`${key}.$`, `${prefix}.${path}`]));
  if (!viaLambda) {
    return {
      Comment: `Asks CloudFront for the ${kind} status. Not-found and access denied are final; anything else is retried, then counted as no answer.`,
      Resource: `arn:aws:states:::aws-sdk:cloudfront:${call}`,
      Parameters: inputs,
      ResultSelector: selected('$'),
    };
  }
  return {
    Comment:
      `Asks CloudFront for the ${kind} status through the status-reader Lambda (Step Functions may not know ${call} yet). ` +
      'It throws the errors the aws-sdk integration would: not-found and access denied are final; anything else is retried, then counted as no answer.',
    Resource: LAMBDA_INVOKE,
    Parameters: { FunctionName: props.statusReaderArn, Payload: { kind, parameters: inputs } },
    ResultSelector: selected('$.Payload'),
  };
}

/** The state a kind's status check starts at: its read-slot reservation with a read budget, else the read itself. */
function checkStart(props: WatchDefinitionProps, kind: WatchKind): string {
  return props.readBudgetArn === undefined ? STATE_NAMES[kind].getStatus : readSlotStateNames(kind).reserve;
}

/**
 * With a read budget: reserve the next slot, wait for it if it is not now, then read. A reservation that fails still
 * reads, at once: the budget paces the checks but never stops one.
 */
function readSlotStates(props: WatchDefinitionProps, kind: WatchKind): Record<string, AslState> {
  if (props.readBudgetArn === undefined) return {};
  const { getStatus } = STATE_NAMES[kind];
  const names = readSlotStateNames(kind);
  return {
    [names.reserve]: {
      Type: 'Task',
      Comment:
        `Reserves the next slot of the read budget all watches share and gets the seconds until it, at most ${describeDuration(props.pollIntervalSeconds)} ` +
        '(a slot further out: the watch waits that long and checks anyway). If the reservation fails, the watch checks at once.',
      Resource: LAMBDA_INVOKE,
      Parameters: { FunctionName: props.readBudgetArn },
      ResultSelector: { 'waitSeconds.$': '$.Payload.waitSeconds' },
      ResultPath: PATHS.slot,
      // No Retry: a failed reservation costs one check outside the budget, and a retry's history events (3 a
      // failed attempt) would take 800 checks per execution past the 25,000-event limit.
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: PATHS.slot, Next: getStatus }],
      Next: names.slotNow,
    },
    [names.slotNow]: {
      Type: 'Choice',
      Comment: 'A slot now: check at once. A later one: wait for it first.',
      Choices: [{ Variable: PATHS.slotWaitSeconds, NumericGreaterThan: 0, Next: names.waitForSlot }],
      Default: getStatus,
    },
    [names.waitForSlot]: {
      Type: 'Wait',
      Comment: "Sleeps slot.waitSeconds, until this watch's turn at the read budget, then checks.",
      SecondsPath: PATHS.slotWaitSeconds,
      Next: getStatus,
    },
  };
}

function branchStates(props: WatchDefinitionProps, kind: WatchKind): Record<string, AslState> {
  const names = STATE_NAMES[kind];
  const rules = KINDS[kind];
  const schedule = props.schedules[rules.schedule];
  const phases = phaseStates(kind, schedule, props);
  const backOff = backOffRules(schedule, props.pollIntervalSeconds);
  const backOffNames = backOffStateNames(kind, backOff);
  const { afterNoAnswer } = backOffNames;
  // A schedule of one phase has no rules to pick it by: every back-off state goes straight to it.
  const pickWait = phases.rules.length === 0 ? phases.last : backOffNames.pickWait;
  const jitterPercent = props.checkJitterPercent;
  const budget = backOffBudgetSeconds(props.retentionSeconds);
  // Without jitter the first back-off is exactly the normal interval; with it, it is drawn up to startUpToSeconds.
  const startSpread =
    jitterPercent === 0 || backOff.startUpToSeconds === backOff.startSeconds
      ? backOff.startSeconds
      : `States.MathRandom(${backOff.startSeconds}, ${backOff.startUpToSeconds})`;
  const supersede = rules.supersedable ? supersededStates(props, kind) : undefined;
  return {
    ...readSlotStates(props, kind),
    [names.getStatus]: {
      Type: 'Task',
      ...statusRead(props, kind),
      ResultPath: PATHS.status,
      Retry: [{ ErrorEquals: [...rules.notFoundErrors, AWS_ERRORS.accessDenied], MaxAttempts: 0 }, STATUS_CHECK_RETRY],
      Catch: [
        { ErrorEquals: [...rules.notFoundErrors], ResultPath: PATHS.error, Next: names.notifyNotFound },
        { ErrorEquals: [AWS_ERRORS.accessDenied], ResultPath: PATHS.error, Next: names.notifyCheckFailed },
        { ErrorEquals: ['States.ALL'], ResultPath: PATHS.error, Next: names.noAnswer },
      ],
      Next: names.isDone,
    },
    [names.isDone]: {
      Type: 'Choice',
      Comment:
        `${rules.doneStatus}: notify (${rules.supersedable ? 'superseded if the ETag is not the one the change made' : 'done'}). Else (${rules.inProgressStatus}, or ${NO_ANSWER_STATUS}) the last allowed check (progress.maxChecks): timed out; ` +
        `progress.continueAt reached: new execution; ${NO_ANSWER_STATUS} carried by a continuation: as after no answer; ` +
        'an answer while backing off shrinks the back-off; otherwise the schedule picks the wait before the next check.',
      Choices: [
        ...(supersede ? [supersede.rule] : []),
        { Variable: PATHS.statusValue, StringEquals: rules.doneStatus, Next: names.notifyDone },
        { Variable: PATHS.check, NumericGreaterThanEqualsPath: PATHS.maxChecks, Next: names.notifyTimedOut },
        { Variable: PATHS.check, NumericGreaterThanEqualsPath: PATHS.continueAt, Next: STATE_NAMES.handOver },
        { Variable: PATHS.statusValue, StringEquals: NO_ANSWER_STATUS, Next: afterNoAnswer },
        {
          And: [
            { Variable: PATHS.backedOffSeconds, NumericGreaterThanEquals: budget },
            { Variable: PATHS.backOffSeconds, NumericGreaterThan: 0 },
          ],
          Next: backOffNames.end,
        },
        { Variable: PATHS.backOffSeconds, NumericGreaterThan: backOff.shrinkSeconds, Next: backOffNames.shrink },
        { Variable: PATHS.backOffSeconds, NumericGreaterThan: 0, Next: backOffNames.end },
        ...phases.rules,
      ],
      Default: phases.last,
    },
    [names.noAnswer]: {
      Type: 'Pass',
      Comment:
        'CloudFront gave no answer, even after the retries (throttled or failing; the error is in the input of this state). ' +
        'Waiting may fix that: the check counts in progress.unanswered, and the watch backs off: progress.backOffSeconds, ' +
        'the extra wait before every check, doubles (the next state keeps it between the normal interval and its cap).',
      Parameters: {
        'watch.$': PATHS.watch,
        progress: progressParameters({
          'unanswered.$': `States.MathAdd(${PATHS.unanswered}, 1)`,
          'backOffSeconds.$': `States.MathAdd(${PATHS.backOffSeconds}, ${PATHS.backOffSeconds})`,
        }),
        // An answer with nothing in it, so that a notification that reads one of its fields finds it (empty).
        status: noAnswerStatus(kind),
      },
      Next: afterNoAnswer,
    },
    [afterNoAnswer]: {
      Type: 'Choice',
      Comment:
        `As after ${rules.inProgressStatus}: the last allowed check (progress.maxChecks): timed out; progress.continueAt reached: new execution. ` +
        `Otherwise the schedule's wait plus the back-off, at least ${describeDuration(backOff.startSeconds)} and at most ${describeDuration(backOff.capSeconds)}, so a throttled burst of watches slows down together.`,
      Choices: [
        { Variable: PATHS.check, NumericGreaterThanEqualsPath: PATHS.maxChecks, Next: names.notifyTimedOut },
        { Variable: PATHS.check, NumericGreaterThanEqualsPath: PATHS.continueAt, Next: STATE_NAMES.handOver },
        { Variable: PATHS.backedOffSeconds, NumericGreaterThanEquals: budget, Next: backOffNames.end },
        { Variable: PATHS.backOffSeconds, NumericLessThan: backOff.startSeconds, Next: backOffNames.start },
        { Variable: PATHS.backOffSeconds, NumericGreaterThan: backOff.capSeconds, Next: backOffNames.cap },
        ...phases.rules,
      ],
      Default: phases.last,
    },
    [backOffNames.start]: backOffState(
      `The first back-off, or one that had shrunk below it: at least the normal interval, ${describeDuration(backOff.startSeconds)} more before every check` +
        (startSpread === backOff.startSeconds
          ? '.'
          : `, drawn up to ${describeDuration(backOff.startUpToSeconds)} so that the watches throttled together do not come back together.`),
      startSpread,
      pickWait,
    ),
    [backOffNames.cap]: backOffState(
      `The back-off reached its cap, the schedule's longest wait: ${describeDuration(backOff.capSeconds)} more before every check, with jitter.`,
      jittered(backOff.capSeconds, jitterPercent),
      pickWait,
    ),
    // States.MathAdd adds a negative step in https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html#asl-intrsc-func-math (from a path; a literal one is unverified).
    [backOffNames.shrink]: backOffState(
      `CloudFront answered: the back-off shrinks by ${backOff.shrinkSeconds} s, so the watches that share the account's limit speed up slowly.`,
      `States.MathAdd(${PATHS.backOffSeconds}, -${backOff.shrinkSeconds})`,
      pickWait,
    ),
    [backOffNames.end]: backOffState(
      `CloudFront answered and the back-off is ${backOff.shrinkSeconds} s or less, or the watch has backed off ${describeDuration(budget)} in all ` +
        `(${BACK_OFF_BUDGET_SHARE * 100} % of the watch limit): it ends, the schedule's waits apply again.`,
      0,
      pickWait,
    ),
    ...(pickWait === phases.last
      ? {}
      : {
          [pickWait]: {
            Type: 'Choice',
            Comment: 'The schedule picks the wait before the next check by the check count, as after any answer.',
            Choices: phases.rules,
            Default: phases.last,
          },
        }),
    ...phases.states,
    [names.wait]: {
      Type: 'Wait',
      Comment: `Sleeps progress.waitSeconds, set by the "${names.nextCheck} ..." state just before, then checks again.`,
      SecondsPath: PATHS.waitSeconds,
      Next: checkStart(props, kind),
    },
    ...publishStates(props, kind, rules.doneOutcome, names.notifyDone),
    [names.done]: {
      Type: 'Succeed',
      Comment: 'The output shows the final status and, under notification, what was sent.',
    },
    ...publishStates(props, kind, 'not-found', names.notifyNotFound),
    [names.notFound]: {
      Type: 'Fail',
      Error: rules.notFoundError,
      Cause:
        `CloudFront says the ${kind} does not exist (deleted, or a wrong id), so it can never finish. ` +
        'The not-found notification was sent; the CloudFront error is in the input of this state, under error.',
    },
    ...publishStates(props, kind, 'timed-out', names.notifyTimedOut),
    ...publishStates(props, kind, 'check-failed', names.notifyCheckFailed),
    ...supersede?.states,
  };
}

/** The outcomes a kind can end with, and the state each one ends the execution in. */
function endsOf(kind: WatchKind): Partial<Record<Outcome, string>> {
  const names: KindStateNames = STATE_NAMES[kind];
  return {
    [KINDS[kind].doneOutcome]: names.done,
    ...(names.superseded ? { superseded: names.superseded } : {}),
    'not-found': names.notFound,
    'timed-out': STATE_NAMES.timedOut,
    'check-failed': STATE_NAMES.checkFailed,
  };
}

/** One PutMetricData datum per WATCH_METRIC_DATA entry, its values read from the execution. */
function metricData(notifier: string, kind: WatchKind): AslState[] {
  const dimension = {
    notifier: { Value: notifier },
    kind: { Value: kind },
    outcome: { 'Value.$': PATHS.finishedOutcome },
  };
  const value = {
    [WATCH_METRICS.watchesFinished]: { Value: 1 },
    [WATCH_METRICS.watchDuration]: { 'Value.$': PATHS.finishedDuration },
    [WATCH_METRICS.checksPerWatch]: { 'Value.$': PATHS.finishedChecks },
  };
  return WATCH_METRIC_DATA.map((metric) => ({
    MetricName: metric.name,
    Dimensions: metric.dimensions.map((role) => ({ Name: WATCH_METRICS.dimensions[role], ...dimension[role] })),
    ...value[metric.name],
    Unit: metric.unit,
  }));
}

/**
 * The end of a kind's watch, after its notification: note how it ended, put the Change Finished event (unless events
 * are off), record the watch metrics, then end as the outcome says, or fail if the notification could not be sent.
 * The notification goes first, so neither the event nor the metrics can delay it; each later call is retried briefly
 * and caught, so none of the three can keep another from happening (docs/change-event.md).
 */
function endStates(props: WatchDefinitionProps, kind: WatchKind): Record<string, AslState> {
  const names = endStateNames(kind);
  const ends = endsOf(kind);
  const afterEnded = props.eventBusName === undefined ? names.recordMetrics : names.putChangeEvent;
  const catchAll = (resultPath: string, next: string) => [
    { ErrorEquals: ['States.ALL'], ResultPath: resultPath, Next: next },
  ];
  const ended = Object.fromEntries(
    (Object.keys(ends) as Outcome[]).map((outcome) => [
      names.ended(outcome),
      {
        Type: 'Pass',
        Comment:
          'How the watch ended, for the event and the metrics. durationSeconds: the delay the dispatcher saw plus every ' +
          'wait; the time the checks themselves took is left out (docs/change-event.md).',
        Parameters: {
          outcome,
          'checks.$': PATHS.check,
          'durationSeconds.$': `States.MathAdd(${PATHS.elapsedSeconds}, ${PATHS.waitSeconds})`,
          'finishedAt.$': PATHS.enteredTime,
        },
        ResultPath: PATHS.finished,
        Next: afterEnded,
      },
    ]),
  );
  const event: Record<string, AslState> =
    props.eventBusName === undefined
      ? {}
      : {
          [names.putChangeEvent]: {
            Type: 'Task',
            Comment:
              `Puts the ${CHANGE_EVENT.detailType} event: the watch and how it ended (domain/change-event.ts). ` +
              'Retried briefly; if it still fails, the metrics are recorded and the watch ends all the same.',
            Resource: 'arn:aws:states:::events:putEvents',
            Parameters: {
              Entries: [
                {
                  Source: CHANGE_EVENT.source,
                  DetailType: CHANGE_EVENT.detailType,
                  'Detail.$': `States.JsonMerge(${PATHS.watch}, ${PATHS.finished}, false)`,
                  EventBusName: props.eventBusName,
                },
              ],
            },
            ResultSelector: { 'eventId.$': '$.Entries[0].EventId' },
            ResultPath: PATHS.changeEvent,
            Retry: [END_CALL_RETRY],
            Catch: catchAll(PATHS.changeEvent, names.recordMetrics),
            Next: names.recordMetrics,
          },
        };
  return {
    ...ended,
    ...event,
    [names.recordMetrics]: {
      Type: 'Task',
      Comment:
        `Records the watch metrics (${WATCH_METRIC_DATA.map((metric) => metric.name).join(', ')}) for the dashboard. ` +
        'Retried briefly; if it still fails, the watch ends all the same.',
      Resource: 'arn:aws:states:::aws-sdk:cloudwatch:putMetricData',
      Parameters: { Namespace: WATCH_METRICS.namespace, MetricData: metricData(props.notifier, kind) },
      ResultPath: null,
      Retry: [END_CALL_RETRY],
      Catch: catchAll(PATHS.metricsError, names.howEnded),
      Next: names.howEnded,
    },
    [names.howEnded]: {
      Type: 'Choice',
      Comment:
        'Ends as the outcome says, once the event and the metrics are out; a notification not sent fails the execution.',
      Choices: [
        { Variable: PATHS.notificationError, IsPresent: true, Next: STATE_NAMES.notificationNotSent },
        ...Object.entries(ends).map(([outcome, next]) => ({
          Variable: PATHS.finishedOutcome,
          StringEquals: outcome,
          Next: next,
        })),
      ],
    },
  };
}

/** The status a check without an answer leaves: NO_ANSWER_STATUS, and every other field of the kind's answer empty. */
function noAnswerStatus(kind: WatchKind): Record<string, string> {
  const fields = Object.keys(KINDS[kind].statusCall.answer).filter((key) => key !== 'value');
  return { value: NO_ANSWER_STATUS, ...Object.fromEntries(fields.map((key) => [key, ''])) };
}

/**
 * Deployed, but not with the ETag the change made: a newer change superseded it, and that one is live now. The ETag
 * comparison is a Choice of its own, reached only when the watch has an ETag, so a missing $.watch.eTag is never read.
 */
function supersededStates(
  props: WatchDefinitionProps,
  kind: WatchKind,
): { rule: AslState; states: Record<string, AslState> } {
  const names: KindStateNames = STATE_NAMES[kind];
  if (!names.sameETag || !names.notifySuperseded || !names.superseded)
    throw new Error(`the ${kind} branch has no superseded states`);
  return {
    rule: {
      And: [
        { Variable: PATHS.statusValue, StringEquals: KINDS[kind].doneStatus },
        { Variable: PATHS.watchETag, IsPresent: true },
      ],
      Next: names.sameETag,
    },
    states: {
      [names.sameETag]: {
        Type: 'Choice',
        Comment:
          'The ETag CloudFront reports now is the one this change made: deployed. Another one: a newer change superseded it.',
        Choices: [{ Variable: PATHS.statusETag, StringEqualsPath: PATHS.watchETag, Next: names.notifyDone }],
        Default: names.notifySuperseded,
      },
      ...publishStates(props, kind, 'superseded', names.notifySuperseded),
      [names.superseded]: {
        Type: 'Succeed',
        Comment: 'A newer change is live; its own watch reports it too. status.eTag in the output is the newer ETag.',
      },
    },
  };
}

export function buildWatchDefinition(props: WatchDefinitionProps): AslDefinition {
  const kinds = WATCH_KINDS.filter((kind) => props.kinds.includes(kind));
  if (kinds.length === 0) throw new Error('a watch definition needs at least one kind of watch');
  return {
    Comment:
      'Watches one CloudFront change until it is Deployed/Completed, then notifies. ' +
      'Input: { watch, progress } as built by domain/watch-execution.ts.',
    StartAt: STATE_NAMES.chooseKind,
    TimeoutSeconds: executionTimeoutSeconds(props),
    States: {
      [STATE_NAMES.chooseKind]: {
        Type: 'Choice',
        Comment:
          'A new watch checks at once. A continued one carries the status of its last check and decides on it first, ' +
          'so it waits before its next check as if it had stayed in one execution.',
        Choices: [
          // Step Functions fails a comparison on a missing path with States.Runtime: route it to the clear error first.
          { Not: { Variable: PATHS.kind, IsPresent: true }, Next: STATE_NAMES.invalidInput },
          { Not: { Variable: PATHS.unanswered, IsPresent: true }, Next: STATE_NAMES.countUnanswered },
          { Not: { Variable: PATHS.elapsedSeconds, IsPresent: true }, Next: STATE_NAMES.startCounting },
          { Not: { Variable: PATHS.backedOffSeconds, IsPresent: true }, Next: STATE_NAMES.startBackOff },
          ...kinds.flatMap((kind) => [
            {
              And: [
                { Variable: PATHS.kind, StringEquals: kind },
                { Variable: PATHS.status, IsPresent: true },
              ],
              Next: STATE_NAMES[kind].isDone,
            },
            { Variable: PATHS.kind, StringEquals: kind, Next: checkStart(props, kind) },
          ]),
        ],
        Default: STATE_NAMES.invalidInput,
      },
      [STATE_NAMES.invalidInput]: {
        Type: 'Fail',
        Error: WATCH_ERRORS.invalidInput,
        Cause: `watch.kind must be one of ${kinds.join(', ')} (the kinds the watched events start); executions are started by the dispatcher.`,
      },
      [STATE_NAMES.countUnanswered]: {
        Type: 'Pass',
        Comment:
          'A part started by an older version of this state machine carries no progress.unanswered (nor the fields added ' +
          'after it: elapsedSeconds, waitSeconds, backOffSeconds, backedOffSeconds): all start at 0 here, so no state fails on a missing path.',
        Parameters: progressParameters({
          unanswered: 0,
          waitSeconds: 0,
          elapsedSeconds: 0,
          backOffSeconds: 0,
          backedOffSeconds: 0,
        }),
        ResultPath: PATHS.progress,
        Next: STATE_NAMES.chooseKind,
      },
      [STATE_NAMES.startCounting]: {
        Type: 'Pass',
        Comment:
          'A part started by an older version of this state machine carries no progress.elapsedSeconds: it counts from 0 ' +
          "here, so the Change Finished event's durationSeconds leaves out the parts before (docs/change-event.md).",
        // A version without elapsedSeconds had no back-off either: both start here.
        Parameters: progressParameters({ waitSeconds: 0, elapsedSeconds: 0, backOffSeconds: 0, backedOffSeconds: 0 }),
        ResultPath: PATHS.progress,
        Next: STATE_NAMES.chooseKind,
      },
      [STATE_NAMES.startBackOff]: {
        Type: 'Pass',
        Comment:
          'The dispatcher starts a watch without progress.backOffSeconds and backedOffSeconds, as did older versions of this ' +
          'state machine: the extra wait while CloudFront does not answer, and all of it so far, start at 0 here.',
        Parameters: progressParameters({ backOffSeconds: 0, backedOffSeconds: 0 }),
        ResultPath: PATHS.progress,
        Next: STATE_NAMES.chooseKind,
      },
      ...Object.fromEntries(
        kinds.flatMap((kind) => [
          ...Object.entries(branchStates(props, kind)),
          ...Object.entries(endStates(props, kind)),
        ]),
      ),
      [STATE_NAMES.handOver]: {
        Type: 'Pass',
        Comment: `Every ${CHECKS_PER_EXECUTION} checks the watch moves to a new execution, far below the 25,000-event history limit.`,
        Parameters: progressParameters({
          'continueAt.$': `States.MathAdd(${PATHS.continueAt}, ${CHECKS_PER_EXECUTION})`,
          'part.$': `States.MathAdd(${PATHS.part}, 1)`,
        }),
        ResultPath: PATHS.progress,
        Next: STATE_NAMES.continueWatch,
      },
      [STATE_NAMES.continueWatch]: {
        Type: 'Task',
        Comment: 'Starts the next part of this watch; the name is fixed, so a retried start cannot fork the watch.',
        Resource: 'arn:aws:states:::states:startExecution',
        Parameters: {
          StateMachineArn: props.stateMachineArn,
          'Name.$': `States.Format('{}-part{}', ${PATHS.executionName}, ${PATHS.part})`,
          Input: { 'watch.$': PATHS.watch, 'progress.$': PATHS.progress, 'status.$': PATHS.status },
        },
        ResultSelector: { 'executionArn.$': '$.ExecutionArn' },
        ResultPath: PATHS.continuation,
        Retry: [{ ErrorEquals: [AWS_ERRORS.executionAlreadyExists], MaxAttempts: 0 }, CALL_RETRY],
        Catch: [
          {
            ErrorEquals: [AWS_ERRORS.executionAlreadyExists],
            ResultPath: PATHS.continuation,
            Next: STATE_NAMES.continued,
          },
        ],
        Next: STATE_NAMES.continued,
      },
      [STATE_NAMES.continued]: {
        Type: 'Succeed',
        Comment:
          'continuation.executionArn in the output is the execution that watches on (an Error there: it had already started).',
      },
      [STATE_NAMES.timedOut]: {
        Type: 'Fail',
        Error: WATCH_ERRORS.timedOut,
        Cause:
          'The change was still InProgress at the last allowed status check (progress.maxChecks, from retentionSeconds). ' +
          'The still-in-progress notification was sent. CloudFront has no failed state: look at the change in its console.',
      },
      [STATE_NAMES.notificationNotSent]: {
        Type: 'Fail',
        Comment:
          "SNS refused the notification through every retry; the event and the metrics were still sent. The error is SNS's.",
        ErrorPath: `${PATHS.notificationError}.Error`,
        CausePath: `${PATHS.notificationError}.Cause`,
      },
      [STATE_NAMES.checkFailed]: {
        Type: 'Fail',
        Error: WATCH_ERRORS.checkFailed,
        Cause:
          'CloudFront refused the status check (access denied), which waiting cannot fix. ' +
          'The check-failed notification was sent; the CloudFront error is in the input of this state, under error.',
      },
    },
  };
}

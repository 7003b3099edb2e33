/**
 * What the benchmark reads from the synthesized definition, never from a copy of its own: how a status check
 * retries (Retry), where a check goes once its retries are spent (Catch, then the states that follow), and which
 * states draw a random wait (States.MathRandom), which it seeds. The engine runs the definition and decides whether
 * to retry and where to go; this module only times the retries on the virtual clock, which the engine would
 * otherwise sleep through in real time.
 */
import { KINDS, OUTCOMES, type Outcome, type WatchKind } from '../../domain/kinds';
import type { AslDefinition, AslState } from '../../statemachine/definition';
import { PATHS } from '../../statemachine/paths';

/** One entry of a state's Retry field. */
export interface Retrier {
  readonly ErrorEquals: readonly string[];
  readonly IntervalSeconds?: number;
  readonly BackoffRate?: number;
  readonly MaxAttempts?: number;
  readonly MaxDelaySeconds?: number;
  readonly JitterStrategy?: 'FULL' | 'NONE';
}

interface Catcher {
  readonly ErrorEquals: readonly string[];
  readonly Next: string;
}

/**
 * The defaults of a Retry field's entries: IntervalSeconds 1, BackoffRate 2.0, MaxAttempts 3, no jitter.
 * https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
 */
const RETRY_DEFAULTS = { IntervalSeconds: 1, BackoffRate: 2, MaxAttempts: 3 } as const;

/**
 * Whether an ErrorEquals list catches an error: its name, States.ALL, or in a Task States.TaskFailed (every error but
 * a timeout). https://states-language.net/spec.html#error-names
 */
export function catches(errorEquals: readonly string[], error: string, inTask: boolean): boolean {
  return errorEquals.some(
    (name) =>
      name === error || name === 'States.ALL' || (inTask && name === 'States.TaskFailed' && error !== 'States.Timeout'),
  );
}

/** The first retrier that takes this error, as Step Functions picks it, with its place in the Retry field. */
export function retrierFor(
  state: AslState,
  error: string,
): { readonly index: number; readonly retrier: Retrier } | undefined {
  const retriers = (state.Retry ?? []) as readonly Retrier[];
  const index = retriers.findIndex((retrier) => catches(retrier.ErrorEquals, error, state.Type === 'Task'));
  return index === -1 ? undefined : { index, retrier: retriers[index]! };
}

/** How many times a retrier retries: its MaxAttempts (0 means never). */
export function maxRetries(retrier: Retrier): number {
  return retrier.MaxAttempts ?? RETRY_DEFAULTS.MaxAttempts;
}

/**
 * Seconds before retry number `retry` (1-based): IntervalSeconds x BackoffRate^(retry-1), capped at MaxDelaySeconds;
 * with JitterStrategy FULL a random share of that, between 0 and all of it. `random` draws from [0, 1).
 * https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html#error-handling-retrying-after-an-error
 * and, for FULL, https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_stepfunctions.JitterType.html
 */
export function retryDelaySeconds(retrier: Retrier, retry: number, random: () => number): number {
  const interval = retrier.IntervalSeconds ?? RETRY_DEFAULTS.IntervalSeconds;
  const backoff = retrier.BackoffRate ?? RETRY_DEFAULTS.BackoffRate;
  const delay = Math.min(interval * backoff ** (retry - 1), retrier.MaxDelaySeconds ?? Infinity);
  return retrier.JitterStrategy === 'FULL' ? delay * random() : delay;
}

/** Where a status check goes that still fails with this error after its retries. */
export interface UnansweredRoute {
  /** The retrier that takes the error, as the definition has it; undefined: never retried. */
  readonly retrier?: Retrier;
  /** The state its Catch sends it to; undefined: the execution fails. */
  readonly next?: string;
  /** The status value the states on the way record for the check (a Pass state that sets status.value), if any. */
  readonly status?: string;
  /** The outcomes the watch can be notified of on the way, before any Wait. */
  readonly outcomes: readonly Outcome[];
  /** A Wait can follow: the watch goes on to another check. */
  readonly waitsForNextCheck: boolean;
  /** A state on the way sets progress.backOffSeconds: the watch backs off before its later checks. */
  readonly backsOff: boolean;
}

/**
 * Follows the definition from a kind's status check failing with `error`: through its Catch, then every branch of
 * the states that follow, up to a Wait (the watch checks again later) or a notification (the watch ends with it).
 * A Pass state that records a status value prunes the Choice rules that ask for another one.
 */
export function unansweredRoute(definition: AslDefinition, kind: WatchKind, error: string): UnansweredRoute {
  const name = KINDS[kind].states.getStatus;
  const state = definition.States[name];
  if (!state) throw new Error(`the definition has no state "${name}"`);
  const retrier = retrierFor(state, error)?.retrier;
  const catcher = ((state.Catch ?? []) as readonly Catcher[]).find((candidate) =>
    catches(candidate.ErrorEquals, error, true),
  );
  const outcomes = new Set<Outcome>();
  const recorded = new Set<string>();
  let waitsForNextCheck = false;
  let backsOff = false;
  const seen = new Set<string>();
  const queue: { readonly name: string; readonly status?: string }[] = catcher ? [{ name: catcher.Next }] : [];
  while (queue.length > 0) {
    const current = queue.shift()!;
    const key = JSON.stringify(current);
    if (seen.has(key)) continue;
    seen.add(key);
    const next = definition.States[current.name];
    if (!next) throw new Error(`the definition has no state "${current.name}"`);
    if (next.Type === 'Wait') {
      waitsForNextCheck = true;
      continue;
    }
    const outcome = publishedOutcome(next);
    if (outcome) {
      outcomes.add(outcome);
      continue;
    }
    backsOff ||= setsBackOff(next);
    const status = statusAfter(next, current.status);
    if (status !== undefined) recorded.add(status);
    queue.push(
      ...successors(next, status).map((successor) =>
        status === undefined ? { name: successor } : { name: successor, status },
      ),
    );
  }
  return {
    ...(retrier ? { retrier } : {}),
    ...(catcher ? { next: catcher.Next } : {}),
    ...(recorded.size === 1 ? { status: [...recorded][0]! } : {}),
    outcomes: OUTCOMES.filter((outcome) => outcomes.has(outcome)),
    waitsForNextCheck,
    backsOff,
  };
}

/** Whether a Pass state sets progress.backOffSeconds, in its Parameters or in the progress they build. */
function setsBackOff(state: AslState): boolean {
  if (state.Type !== 'Pass') return false;
  const parameters = (state.Parameters ?? {}) as Record<string, unknown>;
  const fields = state.ResultPath === PATHS.progress ? parameters : ((parameters.progress ?? {}) as object);
  return Object.keys(fields).some((key) => key === 'backOffSeconds' || key === 'backOffSeconds.$');
}

/** The status value known after a state: a Pass state's literal status.value, unknown after one that drops it. */
function statusAfter(state: AslState, before: string | undefined): string | undefined {
  if (state.Type !== 'Pass' || state.ResultPath === null) return before;
  const resultPath = (state.ResultPath as string | undefined) ?? '$';
  if (resultPath !== '$' && resultPath !== PATHS.status) return before;
  const parameters = state.Parameters as Record<string, { value?: unknown } | undefined> | undefined;
  const value = resultPath === '$' ? parameters?.status?.value : (parameters as { value?: unknown } | undefined)?.value;
  return typeof value === 'string' ? value : undefined;
}

function publishedOutcome(state: AslState): Outcome | undefined {
  if (state.Type !== 'Task' || state.Resource !== 'arn:aws:states:::sns:publish') return undefined;
  const attributes = (state.Parameters as { MessageAttributes?: { outcome?: { StringValue?: string } } })
    .MessageAttributes;
  const outcome = attributes?.outcome?.StringValue;
  if (!OUTCOMES.includes(outcome as Outcome)) throw new Error(`a publish state without an outcome: ${outcome}`);
  return outcome as Outcome;
}

interface ChoiceRule {
  readonly Variable?: string;
  readonly StringEquals?: unknown;
  readonly And?: readonly ChoiceRule[];
  readonly Next?: string;
}

/** A rule that asks for another status value than the one recorded can never match. */
function contradicts(rule: ChoiceRule, status: string | undefined): boolean {
  if (status === undefined) return false;
  if (rule.And) return rule.And.some((inner) => contradicts(inner, status));
  return rule.Variable === PATHS.statusValue && typeof rule.StringEquals === 'string' && rule.StringEquals !== status;
}

function successors(state: AslState, status: string | undefined): string[] {
  const next: string[] = [];
  if (typeof state.Next === 'string') next.push(state.Next);
  if (typeof state.Default === 'string') next.push(state.Default);
  for (const choice of (state.Choices ?? []) as readonly ChoiceRule[]) {
    if (choice.Next !== undefined && !contradicts(choice, status)) next.push(choice.Next);
  }
  for (const catcher of (state.Catch ?? []) as readonly Catcher[]) next.push(catcher.Next);
  return next;
}

const MATH_RANDOM = 'States.MathRandom(';

/** Where the benchmark puts a watch's seed for the definition's random waits: a field of every execution input it starts. */
export const RANDOM_SEED_FIELD = 'benchRandomSeed';

/**
 * The seed of every draw: the watch's seed, read from the execution's own input ($$.Execution.Input, which no state
 * can drop, unlike $ that a Pass state rebuilds), plus the number of the check, so each check draws afresh.
 */
export const RANDOM_SEED_EXPRESSION = `States.MathAdd($$.Execution.Input.${RANDOM_SEED_FIELD}, ${PATHS.check})`;

/**
 * A watch's seed for its random waits: the first draw of its random source, as an integer (States.MathRandom's seed).
 * The single-watch simulation and the burst both seed a watch this way.
 */
export function watchRandomSeed(random: () => number): number {
  return Math.floor(random() * 1_000_000_000);
}

/**
 * The definition with every unseeded States.MathRandom(start, end) seeded by `seed` (an expression), so that a random
 * wait is the same on every run; the engine would otherwise seed it with the real time. Also the names of the states
 * that draw one.
 */
export function withSeededRandom(
  definition: AslDefinition,
  seed: string = RANDOM_SEED_EXPRESSION,
): { readonly definition: AslDefinition; readonly randomStates: readonly string[] } {
  const copy = structuredClone(definition) as AslDefinition & { States: Record<string, AslState> };
  const randomStates: string[] = [];
  for (const [name, state] of Object.entries(copy.States)) {
    let seeded = false;
    const rewrite = (value: unknown): unknown => {
      if (typeof value === 'string' && value.includes(MATH_RANDOM)) {
        seeded = true;
        return seedMathRandom(value, seed);
      }
      if (Array.isArray(value)) return value.map(rewrite);
      if (typeof value === 'object' && value !== null)
        return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, rewrite(inner)]));
      return value;
    };
    for (const field of ['Parameters', 'ResultSelector'] as const) {
      if (state[field] !== undefined) state[field] = rewrite(state[field]);
    }
    if (seeded) randomStates.push(name);
  }
  return { definition: copy, randomStates };
}

/** Adds `seed` as the third argument of every States.MathRandom call that has two. */
export function seedMathRandom(expression: string, seed: string): string {
  let result = '';
  let from = 0;
  for (;;) {
    const start = expression.indexOf(MATH_RANDOM, from);
    if (start === -1) return result + expression.slice(from);
    const argsFrom = start + MATH_RANDOM.length;
    const { close, commas } = closingParenthesis(expression, argsFrom);
    // Its own arguments may hold another call: seed those too.
    const args = seedMathRandom(expression.slice(argsFrom, close), seed);
    result += `${expression.slice(from, argsFrom)}${args}${commas === 1 ? `, ${seed}` : ''})`;
    from = close + 1;
  }
}

/** The index of the parenthesis that closes the call whose arguments start at `from`, and its top-level commas. */
function closingParenthesis(expression: string, from: number): { close: number; commas: number } {
  let depth = 0;
  let commas = 0;
  let quoted = false;
  for (let index = from; index < expression.length; index += 1) {
    const char = expression[index]!;
    if (quoted) {
      if (char === '\\') index += 1;
      else if (char === "'") quoted = false;
      continue;
    }
    if (char === "'") quoted = true;
    else if (char === '(') depth += 1;
    else if (char === ',' && depth === 0) commas += 1;
    else if (char === ')') {
      if (depth === 0) return { close: index, commas };
      depth -= 1;
    }
  }
  throw new Error(`no closing parenthesis in ${expression}`);
}

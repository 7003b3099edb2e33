/**
 * The readable story of one watch: timestamped lines as the execution moves, and (on a terminal only) a status line
 * with a spinner that says what is happening right now.
 */
import type { AslDefinition, AslState } from '../../statemachine/definition';
import { valueAt } from '../../domain/cloudtrail';
import { describeDuration } from '../../domain/watch-execution';
import { tasksOf, type LocalEngineEvent } from '../lib/local-engine';
import type { Retrier } from '../lib/mermaid';
import { WATCH_KINDS } from '../../domain/kinds';
import { PATHS } from '../../statemachine/paths';
import { STATE_NAMES } from '../../statemachine/state-names';
import { textOf } from '../lib/text';

export interface Output {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const SPINNER_MILLISECONDS = 100;
const LABEL_COLUMN = 12;
const TEXT_COLUMN = 22;

/** "T+01:30", "T+1:02:03". */
export function clockText(seconds: number): string {
  const whole = Math.max(0, Math.floor(seconds));
  const two = (value: number) => String(value).padStart(2, '0');
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  return hours > 0 ? `T+${hours}:${two(minutes)}:${two(whole % 60)}` : `T+${two(minutes)}:${two(whole % 60)}`;
}

export class Timeline {
  private status: (() => string) | undefined;
  private spinner: ReturnType<typeof setInterval> | undefined;
  private frame = 0;

  constructor(
    private readonly out: Output,
    /** Seconds since the change, on whichever clock the run keeps (virtual or real). */
    readonly elapsed: () => number,
  ) {}

  /** A line stamped with the run's clock. */
  at(label: string, text: string, seconds = this.elapsed()): void {
    this.print(`  ${clockText(seconds).padEnd(LABEL_COLUMN - 2)}${label.padEnd(TEXT_COLUMN - LABEL_COLUMN)}${text}`);
  }

  /** A continuation line under the previous one's text. */
  more(text: string): void {
    this.print(`${' '.repeat(TEXT_COLUMN)}${text}`);
  }

  print(line = ''): void {
    this.clearStatus();
    this.out.write(`${line}\n`);
    this.drawStatus();
  }

  /** Shows what is going on now; a no-op unless the output is a terminal, so logs and pipes get plain lines. */
  showStatus(text: () => string): void {
    if (!this.out.isTTY) return;
    this.status = text;
    this.spinner ??= setInterval(() => {
      this.frame += 1;
      this.clearStatus();
      this.drawStatus();
    }, SPINNER_MILLISECONDS);
    this.spinner.unref();
    this.clearStatus();
    this.drawStatus();
  }

  stop(): void {
    if (this.spinner) clearInterval(this.spinner);
    this.spinner = undefined;
    this.clearStatus();
    this.status = undefined;
  }

  private clearStatus(): void {
    if (this.status && this.out.isTTY) this.out.write('\r\x1b[K');
  }

  private drawStatus(): void {
    if (this.status && this.out.isTTY) this.out.write(`${SPINNER[this.frame % SPINNER.length]} ${this.status()}`);
  }
}

/** Reads a plain "$.a.b" path, the only kind the watch definition uses for the values shown here. */
function readPath(value: unknown, path: string): unknown {
  return valueAt(value, path.replace(/^\$\./, ''));
}

/** Seconds before retry `attempt` (1-based) by the first retrier that catches `errorName`, before jitter. */
export function nominalRetryDelaySeconds(state: AslState, errorName: string, attempt: number): number {
  const retriers = (state.Retry ?? []) as readonly Retrier[];
  const retrier = retriers.find(
    (candidate) => candidate.ErrorEquals.includes(errorName) || candidate.ErrorEquals.includes('States.ALL'),
  );
  if (!retrier) return 0;
  const delay = (retrier.IntervalSeconds ?? 1) * (retrier.BackoffRate ?? 2) ** (attempt - 1);
  return Math.min(delay, retrier.MaxDelaySeconds ?? Number.POSITIVE_INFINITY);
}

/** The status check of every kind of watch: the states whose entries count as checks. */
const CHECK_STATES: ReadonlySet<string> = new Set(WATCH_KINDS.map((kind) => STATE_NAMES[kind].getStatus));
/** The states that count a check without an answer. */
const NO_ANSWER_STATES: ReadonlySet<string> = new Set(WATCH_KINDS.map((kind) => STATE_NAMES[kind].noAnswer));

interface FollowOptions {
  /** Called as a Wait state starts, with its seconds: a virtual clock advances here. */
  readonly onWait?: (seconds: number) => void;
  /** How the status line describes a wait in progress. */
  readonly waitStatus: (seconds: number, check: number) => string;
}

interface ExecutionTally {
  /** Number of the last status check made. */
  checks: number;
}

/** Turns the engine's events into timeline lines; returns the handler for runLocally's onEvent and a tally. */
export function followExecution(definition: AslDefinition, timeline: Timeline, options: FollowOptions) {
  const tasks = tasksOf(definition);
  const tally: ExecutionTally = { checks: 0 };
  let failure: { seconds: number; text: string } | undefined;
  let attempt = 1;
  let caught = false;
  let cause = '';

  const onEvent = (event: LocalEngineEvent): void => {
    const name = event.stateName;
    if (name === undefined) return;
    const state = definition.States[name]!;
    const task = tasks[name];
    if (CHECK_STATES.has(name)) {
      if (event.type === 'StateEntered') {
        tally.checks = Number(readPath(event.input, PATHS.check));
        attempt = 1;
        caught = false;
        timeline.showStatus(() => `${clockText(timeline.elapsed())}  status check ${tally.checks}`);
      } else if (event.type === 'StateExited' && !caught) {
        timeline.at(
          'check',
          `${tally.checks}: ${String(readPath(event.output, PATHS.statusValue))}${eTagNote(event.output)}`,
        );
      } else if (event.type === 'StateFailed') {
        // Printed once the engine says what it does about it (retry or catch), at the time it happened.
        failure = { seconds: timeline.elapsed(), text: `${tally.checks}: ${event.error}` };
        cause = firstLine(event.cause);
      } else if ((event.type === 'StateRetried' || event.type === 'StateCaught') && failure) {
        const what =
          event.type === 'StateRetried'
            ? `retry ${attempt} after a backoff`
            : attempt > 1
              ? 'retries used up'
              : 'final, not retried';
        timeline.at('check', `${failure.text} (${what})`, failure.seconds);
        timeline.more(cause);
        if (event.type === 'StateRetried') attempt += 1;
        caught = event.type === 'StateCaught';
        failure = undefined;
      }
      return;
    }
    if (NO_ANSWER_STATES.has(name) && event.type === 'StateExited') {
      const unanswered = String(readPath(event.output, PATHS.unanswered));
      timeline.at('check', `${tally.checks}: no answer; ${unanswered} unanswered so far, the watch goes on`);
      return;
    }
    if (event.type !== 'StateEntered') return;
    if (state.Type === 'Wait') {
      const seconds = Number(state.Seconds ?? readPath(event.input, String(state.SecondsPath)));
      const backOff = Number(readPath(event.input, PATHS.backOffSeconds) ?? 0);
      const backingOff = backOff > 0 ? ` (${describeDuration(backOff)} of it backing off after unanswered checks)` : '';
      timeline.at('wait', `${describeDuration(seconds)} before check ${tally.checks + 1}${backingOff}`);
      options.onWait?.(seconds);
      timeline.showStatus(() => options.waitStatus(seconds, tally.checks + 1));
    } else if (task === 'publish') {
      const attributes = (state.Parameters as { MessageAttributes?: { outcome?: { StringValue?: string } } })
        .MessageAttributes;
      timeline.at('notify', `publish the "${attributes?.outcome?.StringValue ?? 'unknown'}" notification to SNS`);
    } else if (task === 'putEvents') {
      timeline.at('finished', 'put the Change Finished event on EventBridge');
    } else if (task === 'putMetricData') {
      timeline.at('metrics', 'record the watch metrics in CloudWatch');
    } else if (task === 'startExecution') {
      timeline.at('continue', 'check limit of this execution reached: the watch moves to a new execution');
    }
  };
  return { onEvent, tally };
}

/** Names the ETag CloudFront reports when it is not the one the watched change made: a newer change is in. */
function eTagNote(output: unknown): string {
  const current = readPath(output, PATHS.statusETag);
  const made = readPath(output, PATHS.watchETag);
  return current !== undefined && made !== undefined && current !== made
    ? ` with ETag ${textOf(current)}, not ${textOf(made)} of this change`
    : '';
}

function firstLine(cause: unknown): string {
  const text = typeof cause === 'string' ? cause : JSON.stringify(cause);
  const line = (text ?? '').split('\n')[0]!;
  return line.length > 100 ? `${line.slice(0, 97)}...` : line;
}

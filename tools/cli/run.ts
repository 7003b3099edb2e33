/**
 * `npm start` in process: parse the arguments, replay a change (or watch a live one), print the story and the
 * notification, and return the exit code. Everything it touches comes in through `io`, so tests drive it directly.
 */
import { relative } from 'node:path';
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { ConfigError, readConfig, type NotifierConfig } from '../../infra/config';
import { secondsUntilCheck, type Schedule } from '../../domain/schedule';
import { scheduleFor } from '../../domain/settings';
import { buildWatchExecution, describeDuration, type WatchExecution } from '../../domain/watch-execution';
import { type Watch } from '../../domain/cloudtrail';
import type { AslDefinition } from '../../statemachine/definition';
import { chatPreview, printNotification } from '../lib/notification-print';
import {
  runLocally,
  type CloudFrontAnswerer,
  type LocalRunResult,
  type PublishRequest,
  type PutEventsRequest,
} from '../lib/local-engine';
import { synthNotifier, watchDefinition, watchSettingsOf } from '../lib/synth';
import { VirtualClock } from '../lib/virtual-clock';
import { parseArguments, usage, UsageError, type StartOptions } from './args';
import { prepareApp, replayDispatcher, type PreparedApp } from './dispatcher-replay';
import { DEFAULT_EVENT_FILE, loadReplayEvent, optInHint, retimeReplayEvent } from './event-input';
import { liveCloudFront, liveWatch, requireCredentials } from './live';
import { simulatedCloudFront, TIMEOUT_SCENARIO_RETENTION_SECONDS } from './scenarios';
import { clockText, followExecution, nominalRetryDelaySeconds, Timeline, type Output } from './timeline';
import { KINDS, statusOperation, type Outcome } from '../../domain/kinds';
import { STATE_NAMES } from '../../statemachine/state-names';

/** Real milliseconds a simulated Wait (or retry backoff) takes: long enough to watch, short enough to stay fast. */
const DEFAULT_PAUSE_MILLISECONDS = 250;
/** A replay with many checks shortens each pause so that the waits take about this long in all. */
const REPLAY_WAITS_MILLISECONDS = 3_000;

export interface RunIo {
  readonly stdout: Output;
  readonly stderr: Output;
  /** Real milliseconds per simulated Wait and retry. Keep it at 1 or more: the virtual clock moves between timers. */
  readonly pauseMilliseconds?: number;
  /** Synthesizes the app with its Lambda bundle (tests share one per context). */
  readonly prepare?: (context: Record<string, string>) => PreparedApp;
  /** --live: the clients to use (tests pass mocked ones). @default real clients */
  readonly cloudFront?: CloudFrontClient;
  readonly sns?: (region: string) => SNSClient;
  /** --live: real milliseconds per Wait and retry instead of the definition's. @default the definition's */
  readonly liveWaitMilliseconds?: number;
}

type ReplayOptions = Extract<StartOptions, { mode: 'replay' }>;
type LiveOptions = Extract<StartOptions, { mode: 'live' }>;

export async function run(argv: readonly string[], io: RunIo): Promise<number> {
  try {
    const options = parseArguments(argv);
    if (options.mode === 'help') {
      io.stdout.write(usage());
      return 0;
    }
    return options.mode === 'live' ? await runLive(options, io) : await runReplay(options, io);
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError) {
      io.stderr.write(`npm start: ${error.message}\n`);
      if (error instanceof UsageError && error.showUsage) io.stderr.write(`\n${usage()}`);
      return 2;
    }
    io.stderr.write(`npm start failed: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}

function configFrom(context: Record<string, string>): NotifierConfig {
  const config = readConfig((key) => context[key]);
  if (config.mode !== 'stepfunctions') {
    throw new UsageError(
      `npm start replays the stepfunctions mode; -c mode=${config.mode} has no state machine to run`,
    );
  }
  return config;
}

/** "one every 1 min", or "every 18 s at first, then 1 min, 2 min, 15 min". */
function describeIntervals(schedule: Schedule): string {
  const waits = schedule.map((phase) => describeDuration(phase.waitSeconds));
  return waits.length === 1 ? `one every ${waits[0]}` : `every ${waits[0]} at first, then ${waits.slice(1).join(', ')}`;
}

/** How many checks the simulated change takes: the first one at or after its finish, within the budget. */
function checksUntil(schedule: Schedule, seconds: number, maxChecks: number): number {
  let check = 1;
  while (check < maxChecks && secondsUntilCheck(schedule, check) < seconds) check += 1;
  return check;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function seconds(milliseconds: number): string {
  return `${(milliseconds / 1000).toFixed(1)} s`;
}

/** "distribution E2…", "distribution tenant dt_…", or "invalidation I2… of" either. */
function watchedTarget(watch: Watch): string {
  const owner = watch.tenantId ? `distribution tenant ${watch.tenantId}` : `distribution ${watch.distributionId}`;
  return watch.invalidationId ? `invalidation ${watch.invalidationId} of ${owner}` : owner;
}

function printEvent(timeline: Timeline, watch: Watch): void {
  timeline.at('event', `${watch.change} on ${watchedTarget(watch)}`, 0);
  timeline.more(`event ID ${watch.eventId}`);
  timeline.more(`by ${watch.changedBy}`);
}

async function runReplay(options: ReplayOptions, io: RunIo): Promise<number> {
  const startedAt = Date.now();
  const context = { ...options.context };
  const shortened = options.scenario === 'timeout' && context.retentionSeconds === undefined;
  if (shortened) context.retentionSeconds = String(TIMEOUT_SCENARIO_RETENTION_SECONDS);
  const config = configFrom(context);
  const file = options.eventFile ?? DEFAULT_EVENT_FILE;
  const recorded = loadReplayEvent(file, config.watch);

  // Simulated time starts at the event, which is retimed right before dispatching; nothing moves the clock before.
  let clock = new VirtualClock(Date.now());
  const timeline = new Timeline(io.stdout, () => clock.now);
  timeline.print(
    `Replaying a CloudFront change on this machine (scenario "${options.scenario}"): no AWS account, nothing leaves 127.0.0.1.`,
  );
  timeline.print(
    `  event file   ${relative(process.cwd(), file) || file} (${recorded.form}${recorded.form === 'CloudTrail record' ? ', wrapped as EventBridge delivers it' : ''})`,
  );
  if (shortened) {
    const usual = describeDuration(readConfig(() => undefined).watch.retentionSeconds);
    timeline.print(
      `  watch limit  shortened to ${describeDuration(TIMEOUT_SCENARIO_RETENTION_SECONDS)} for this scenario (-c retentionSeconds=${TIMEOUT_SCENARIO_RETENTION_SECONDS}); the default is ${usual}`,
    );
  }
  timeline.showStatus(() => 'synthesizing the app and bundling the dispatcher');
  let prepared: PreparedApp | undefined;
  try {
    prepared = (io.prepare ?? prepareApp)(context);
    timeline.print(
      `  app          synthesized with the dispatcher bundled by esbuild (${seconds(Date.now() - startedAt)})`,
    );
    const event = retimeReplayEvent(recorded, config.watch, new Date());
    clock = new VirtualClock(Date.parse(event.watch.startedAt));
    timeline.print(
      `  event time   recorded ${recorded.watch.startedAt}, replayed as ${event.watch.startedAt} (T+00:00)`,
    );
    timeline.print();
    printEvent(timeline, event.watch);

    timeline.showStatus(() => 'running the dispatcher Lambda');
    const dispatch = await replayDispatcher(prepared, JSON.stringify(event.envelope));
    const failures = dispatch.response.batchItemFailures;
    if (failures.length > 0 || dispatch.starts.length !== 1) {
      throw new Error(
        `the dispatcher did not start one watch (item failures: ${failures.length}, executions started: ${dispatch.starts.length}); ` +
          'POWERTOOLS_LOG_LEVEL=INFO npm start shows its log lines',
      );
    }
    const start = dispatch.starts[0]!;
    const execution: WatchExecution = { name: start.name, input: JSON.parse(start.input) as WatchExecution['input'] };
    const schedule = scheduleFor(prepared.settings)(KINDS[event.watch.kind].schedule);
    const { maxChecks } = execution.input.progress;
    timeline.at('dispatch', `the bundled dispatcher Lambda started execution ${execution.name}`);
    timeline.more(
      `budget: up to ${plural(maxChecks, 'check')} within ${execution.input.watch.watchLimit}, ${describeIntervals(schedule)}`,
    );
    const expectedWaits =
      (options.scenario === 'timeout' ? maxChecks : checksUntil(schedule, options.finishAfterSeconds, maxChecks)) - 1;
    const pause =
      io.pauseMilliseconds ??
      Math.max(
        1,
        Math.min(DEFAULT_PAUSE_MILLISECONDS, Math.floor(REPLAY_WAITS_MILLISECONDS / Math.max(1, expectedWaits))),
      );
    const finish =
      options.scenario === 'timeout'
        ? 'never finishes'
        : `finishes after ${describeDuration(options.finishAfterSeconds)}`;
    timeline.at('simulate', `CloudFront ${finish}; each simulated wait takes ${pause} ms here`);

    const { definition } = prepared;
    const checkState = STATE_NAMES[event.watch.kind].getStatus;
    const cloudfront = simulatedCloudFront({
      scenario: options.scenario,
      finishAfterSeconds: options.finishAfterSeconds,
      clock,
      retryDelaySeconds: (error, attempt) => nominalRetryDelaySeconds(definition.States[checkState]!, error, attempt),
    });
    const result = await watch(definition, execution, timeline, {
      cloudfront,
      waitMilliseconds: pause,
      retryMilliseconds: pause,
      enteredTime: () => clock.iso(),
      onWait: (waitSeconds) => clock.advance(waitSeconds),
      waitStatus: (waitSeconds, check) =>
        `${clockText(clock.now)}  skipping ${describeDuration(waitSeconds)} of simulated time before check ${check}`,
    });
    printOutcome(timeline, result, `${describeDuration(clock.now)} simulated in ${seconds(Date.now() - startedAt)}`);
    printNotifications(io.stdout, result.result, 'SNS would receive (topic of the synthesized stack)');
    printChangeEvents(io.stdout, result.result.changeEvents);
    return 0;
  } finally {
    timeline.stop();
    if (!io.prepare) prepared?.dispose();
  }
}

interface WatchRun {
  readonly result: LocalRunResult;
  readonly checks: number;
  readonly executions: number;
}

interface WatchOptions {
  readonly cloudfront: CloudFrontAnswerer;
  readonly waitMilliseconds?: number;
  readonly retryMilliseconds: number | 'as-defined';
  readonly enteredTime: () => string;
  readonly onWait?: (seconds: number) => void;
  readonly waitStatus: (seconds: number, check: number) => string;
  readonly publish?: (request: PublishRequest) => Promise<{ MessageId: string }>;
}

/** Runs the execution, and each continuation it hands over to, as Step Functions would run them one after another. */
async function watch(
  definition: AslDefinition,
  first: WatchExecution,
  timeline: Timeline,
  options: WatchOptions,
): Promise<WatchRun> {
  const follower = followExecution(definition, timeline, options);
  let execution = first;
  for (let executions = 1; ; executions += 1) {
    const result = await runLocally(definition, execution.input, {
      cloudfront: options.cloudfront,
      ...(options.waitMilliseconds === undefined ? {} : { waitMilliseconds: options.waitMilliseconds }),
      retryMilliseconds: options.retryMilliseconds,
      enteredTime: options.enteredTime,
      executionName: execution.name,
      onEvent: follower.onEvent,
      ...(options.publish ? { publish: options.publish } : {}),
    });
    const next = result.continuations[0];
    if (!next) return { result, checks: follower.tally.checks, executions };
    timeline.at('continue', `execution "${next.Name}" takes over`);
    execution = { name: next.Name, input: next.Input as WatchExecution['input'] };
  }
}

function printOutcome(timeline: Timeline, run: WatchRun, duration: string): void {
  timeline.stop();
  const { result } = run;
  const finalState = result.statesEntered.at(-1) ?? 'none';
  const verdict =
    result.status === 'SUCCEEDED' ? `SUCCEEDED in "${finalState}"` : `FAILED with ${result.error} in "${finalState}"`;
  timeline.at('outcome', verdict);
  const executions = run.executions > 1 ? ` in ${run.executions} executions` : '';
  timeline.more(
    `${plural(run.checks, 'status check')}, ${plural(result.cloudfrontCalls, 'CloudFront call')}${executions}; ${duration}`,
  );
}

/**
 * The exact Publish requests of the run, or why there is none. Without chat channels the one notification of a run
 * also shows what chat would show, filled from what the execution held when it published (its last output).
 */
function printNotifications(
  out: Output,
  run: Pick<LocalRunResult, 'published' | 'publishedAt' | 'lastOutput'>,
  heading: string,
  published: readonly PublishRequest[] = run.published,
): void {
  if (published.length === 0) {
    out.write('\nNo notification: the watch continues in a new execution.\n');
    return;
  }
  const [only] = published;
  const outcome = (only?.MessageAttributes.outcome?.StringValue ?? '') as Outcome;
  const preview =
    published.length === 1 && only!.MessageStructure === undefined
      ? chatPreview(run.lastOutput, run.publishedAt[0]!, outcome)
      : undefined;
  for (const request of published) printNotification(out, heading, request, preview);
}

/** The Change Finished events of the run, as EventBridge would receive them; none with events=false. */
function printChangeEvents(out: Output, requests: readonly PutEventsRequest[]): void {
  for (const entry of requests.flatMap((request) => request.Entries)) {
    out.write(`\nEventBridge would receive (bus ${entry.EventBusName}):\n${JSON.stringify(entry, null, 2)}\n`);
  }
}

async function runLive(options: LiveOptions, io: RunIo): Promise<number> {
  // A bad context value is a usage error, found before any call.
  configFrom(options.context);
  // One attempt per call: the retries a live run shows are the definition's Retry policy, not the SDK's own.
  const cloudFrontClient = io.cloudFront ?? new CloudFrontClient({ region: 'us-east-1', maxAttempts: 1 });
  await requireCredentials(cloudFrontClient);
  const topicArn = options.publishTopicArn;
  const sns = topicArn
    ? (io.sns ?? ((region: string) => new SNSClient({ region })))(topicArn.split(':')[3]!)
    : undefined;
  if (sns) await requireCredentials(sns);

  const { template } = synthNotifier(options.context);
  const definition = watchDefinition(template);
  const settings = watchSettingsOf(template);
  const startedAt = Date.now();
  const watchOf = liveWatch(options, new Date(startedAt));
  if (!settings.watchedEvents.includes(watchOf.change)) {
    throw new UsageError(
      `this stack does not watch ${watchOf.kind} changes, so its state machine cannot check one${optInHint(watchOf.change, settings.watchedEvents)}`,
    );
  }
  const execution = buildWatchExecution(
    watchOf,
    { retentionSeconds: settings.retentionSeconds, schedule: scheduleFor(settings) },
    new Date(startedAt),
  );

  const elapsed = () => (Date.now() - startedAt) / 1000;
  const timeline = new Timeline(io.stdout, elapsed);
  timeline.print(
    'Watching a real CloudFront change: the synthesized definition runs on this machine and calls the CloudFront API',
  );
  timeline.print(
    `(${statusOperation(watchOf.kind)} only) with your credentials. ${topicArn ? `The notification goes to ${topicArn}.` : 'Nothing is published (add --publish TOPIC_ARN).'}`,
  );
  timeline.print();
  timeline.at('watch', watchedTarget(watchOf), 0);
  timeline.at(
    'start',
    `execution "${execution.name}" (local): up to ${execution.input.progress.maxChecks} checks within ${execution.input.watch.watchLimit}, ` +
      describeIntervals(scheduleFor(settings)(KINDS[watchOf.kind].schedule)),
    0,
  );
  let waitEndsAt = 0;
  const messageIds: string[] = [];
  try {
    const result = await watch(definition, execution, timeline, {
      cloudfront: liveCloudFront(cloudFrontClient),
      ...(io.liveWaitMilliseconds === undefined ? {} : { waitMilliseconds: io.liveWaitMilliseconds }),
      retryMilliseconds: io.liveWaitMilliseconds ?? 'as-defined',
      enteredTime: () => new Date().toISOString(),
      onWait: (waitSeconds) => {
        waitEndsAt = Date.now() + waitSeconds * 1000;
      },
      waitStatus: (_seconds, check) =>
        `${clockText(elapsed())}  check ${check} in ${describeDuration(Math.max(0, (waitEndsAt - Date.now()) / 1000))} (Ctrl-C stops watching)`,
      publish: async (request) => {
        if (!sns || !topicArn) return { MessageId: 'not-published' };
        const response = await sns.send(new PublishCommand({ ...request, TopicArn: topicArn }));
        messageIds.push(response.MessageId ?? 'without a message id');
        return { MessageId: response.MessageId ?? '' };
      },
    });
    printOutcome(timeline, result, `${seconds(Date.now() - startedAt)}`);
    const published = result.result.published.map((request) => ({
      ...request,
      TopicArn: topicArn ?? request.TopicArn,
    }));
    const heading = topicArn
      ? `Published to SNS as message ${messageIds.join(', ')}`
      : 'SNS would receive (not published: no --publish)';
    printNotifications(io.stdout, result.result, heading, published);
    return 0;
  } finally {
    timeline.stop();
  }
}

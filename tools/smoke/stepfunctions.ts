/**
 * Mode stepfunctions: start one execution of the deployed state machine with the input the dispatcher would build,
 * follow it until it ends, and report its outcome and the notification it sent.
 */
import {
  DescribeExecutionCommand,
  StartExecutionCommand,
  type DescribeExecutionCommandOutput,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { describeDuration } from '../../domain/watch-execution';
import type { AslDefinition } from '../../statemachine/definition';
import { clockText, followExecution, Timeline, type Output } from '../cli/timeline';
import { printNotification } from '../lib/notification-print';
import { executionArn as executionArnOf, tasksOf, type LocalEngineEvent, type TaskKind } from '../lib/local-engine';
import { executionHistory } from '../sfn-local/runner';
import { CannotStart, describeError, isAccessDenied, type Caller, type DeployedSettings } from './deployment';
import { smokeEvent, smokeEventId, smokeExecution, watchOf, type SmokeTarget } from './event';
import { ExecutionHistoryReader, type PublishedNotification } from './history';
import { PASSING_OUTCOMES, type SmokeResult } from './report';
import { WATCH_ERRORS } from '../../domain/errors';

/** DescribeExecution and GetExecutionHistory every 3 s: a Deployed distribution's watch ends within seconds. */
export const POLL_MILLISECONDS = 3_000;

export interface SmokeRun {
  /** Where the human-readable story goes. */
  readonly out: Output;
  readonly caller: Caller;
  readonly outputs: Readonly<Record<string, string>>;
  readonly deployed: DeployedSettings;
  readonly target: SmokeTarget;
  readonly timeoutSeconds: number;
  readonly now: () => Date;
  readonly sleep: (milliseconds: number) => Promise<void>;
  /** Six hex digits that make the event id unique. */
  readonly random: () => string;
}

/** The execution's page in the Step Functions console; unverified: the console's URL scheme is no API and may change. */
export function executionConsoleUrl(executionArn: string): string {
  return `https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1#/v2/executions/details/${executionArn}`;
}

/** "distribution E2…" or "invalidation I2… of distribution E2…". */
export function targetText(target: SmokeTarget): string {
  return target.invalidationId === undefined
    ? `distribution ${target.distributionId}`
    : `invalidation ${target.invalidationId} of distribution ${target.distributionId}`;
}

function firstLine(text: string | undefined, limit = 200): string {
  const line = (text ?? '').split('\n')[0]!;
  return line.length > limit ? `${line.slice(0, limit - 3)}...` : line;
}

/** The timeline of `npm start`, fed by the history; a definition this checkout cannot follow gets plain state lines. */
function follow(
  definition: AslDefinition | undefined,
  timeline: Timeline,
): { tasks: Record<string, TaskKind>; onEvent: (event: LocalEngineEvent) => void } {
  const waitStatus = (seconds: number, check: number) =>
    `${clockText(timeline.elapsed())}  check ${check} in about ${describeDuration(seconds)} (Ctrl-C stops following, not the watch)`;
  try {
    if (!definition) throw new Error('no definition');
    return { tasks: tasksOf(definition), onEvent: followExecution(definition, timeline, { waitStatus }).onEvent };
  } catch {
    return {
      tasks: {},
      onEvent: (event) => event.type === 'StateEntered' && timeline.at('state', event.stateName ?? ''),
    };
  }
}

function startFailure(error: unknown, stateMachineArn: string): string {
  if (isAccessDenied(error)) {
    return `you may not start executions of ${stateMachineArn} (states:StartExecution: ${describeError(error)}); docs/smoke.md lists the permissions the smoke test needs.`;
  }
  return `could not start an execution of ${stateMachineArn} (states:StartExecution: ${describeError(error)}).`;
}

export async function smokeStepFunctions(run: SmokeRun, sfn: SFNClient): Promise<SmokeResult> {
  const startedAt = run.now();
  const eventId = smokeEventId(startedAt, run.random());
  const watch = watchOf(smokeEvent(run.target, run.caller, eventId, startedAt), run.deployed.settings);
  const execution = smokeExecution(watch, run.deployed.settings, startedAt);
  const stateMachineArn = run.outputs.StateMachineArn!;
  run.out.write(`  execution    ${execution.name}\n`);
  run.out.write(
    `  budget       up to ${execution.input.progress.maxChecks} checks within ${execution.input.watch.watchLimit}, as the dispatcher would start it\n`,
  );

  let started;
  try {
    started = await sfn.send(
      new StartExecutionCommand({ stateMachineArn, name: execution.name, input: JSON.stringify(execution.input) }),
    );
  } catch (error) {
    throw new CannotStart(startFailure(error, stateMachineArn));
  }
  const executionArn = started.executionArn ?? executionArnOf(stateMachineArn, execution.name);
  const consoleUrl = executionConsoleUrl(executionArn);
  const base = { mode: 'stepfunctions' as const, eventId, executionArn, consoleUrl };
  const startDate = started.startDate ?? startedAt;

  let clock = 0;
  const timeline = new Timeline(run.out, () => clock);
  const follower = follow(run.deployed.definition, timeline);
  const reader = new ExecutionHistoryReader(follower.tasks, (event, at) => {
    if (at) clock = Math.max(0, (at.getTime() - startDate.getTime()) / 1000);
    follower.onEvent(event);
  });
  timeline.print();
  timeline.at('start', `${targetText(run.target)}: execution started as ${run.caller.arn}`, 0);
  timeline.more(`event ID ${eventId}`);

  const deadline = startedAt.getTime() + run.timeoutSeconds * 1000;
  let description: DescribeExecutionCommandOutput;
  let rereads = 0;
  try {
    for (;;) {
      // Describe first, then read the history, so the history of an execution seen ended should hold its end.
      description = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      reader.read(await executionHistory(sfn, executionArn));
      // Unverified that it always does (both reads may be eventually consistent): without its end event it is read once more.
      if (description.status !== 'RUNNING' && (reader.ended || rereads++ > 0)) break;
      if (run.now().getTime() >= deadline) break;
      timeline.showStatus(
        () => `${clockText(clock)}  waiting for the execution (${describeDuration(run.timeoutSeconds)} at most)`,
      );
      await run.sleep(POLL_MILLISECONDS);
    }
  } catch (error) {
    timeline.stop();
    run.out.write(`\nConsole: ${consoleUrl}\n`);
    return {
      ...base,
      exitCode: 1,
      reason: `could not follow the execution (${describeError(error)}); it runs on, see the console link`,
    };
  }
  timeline.stop();

  const status = description.status ?? 'UNKNOWN';
  const stopped = description.stopDate ? (description.stopDate.getTime() - startDate.getTime()) / 1000 : clock;
  const where = reader.state ? ` in "${reader.state}"` : '';
  const ended = `${status}${description.error ? ` with ${description.error}` : ''}${where}`;
  timeline.at(
    'outcome',
    status === 'RUNNING' ? `still RUNNING after ${describeDuration(run.timeoutSeconds)}` : ended,
    stopped,
  );

  const notification = reader.notifications.at(-1);
  // The output's notification (ResultSelector of the publish states) also proves SNS took it.
  const outputMessageId = parseOutput(description.output)?.notification?.messageId;
  if (notification && notification.messageId === undefined && outputMessageId) notification.messageId = outputMessageId;
  if (notification) {
    const heading = notification.messageId
      ? `Notification sent to SNS (message ${notification.messageId})`
      : 'Notification the execution tried to publish (SNS did not accept it)';
    printNotification(run.out, heading, {
      TopicArn: notification.topicArn,
      Subject: notification.subject,
      Message: notification.message,
      ...(notification.messageStructure ? { MessageStructure: notification.messageStructure } : {}),
      MessageAttributes: notification.messageAttributes,
    });
  } else {
    run.out.write('\nNo notification was published.\n');
  }
  run.out.write(`\nConsole: ${consoleUrl}\n`);
  return { ...base, ...verdict(description, reader, run), ...(notification ? { notification } : {}) };
}

/** Exit code and reason from status, output, error and cause: https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeExecution.html */
function verdict(
  description: DescribeExecutionCommandOutput,
  reader: ExecutionHistoryReader,
  run: SmokeRun,
): Pick<SmokeResult, 'exitCode' | 'reason' | 'outcome'> {
  const output = parseOutput(description.output);
  const sent: PublishedNotification | undefined = reader.notifications
    .filter((item) => item.messageId !== undefined)
    .at(-1);
  const outcome = output?.notification?.outcome ?? sent?.outcome;
  const target = targetText(run.target);
  const notified = sent ? `; the "${sent.outcome}" notification was sent` : '';
  switch (description.status) {
    case 'SUCCEEDED': {
      if (output?.continuation) {
        return {
          exitCode: 1,
          reason: `the watch of ${target} moved on to a new execution before it ended (${JSON.stringify(output.continuation)})`,
        };
      }
      const messageId = output?.notification?.messageId ?? sent?.messageId;
      if (outcome && PASSING_OUTCOMES.has(outcome) && messageId) {
        const superseded = outcome === 'superseded' ? ' (a newer change is live; the stack itself works)' : '';
        return {
          exitCode: 0,
          outcome,
          reason:
            `the watch of ${target} ended "${outcome}" and its notification was sent (SNS message ${messageId})${superseded}: ` +
            'the deployed state machine, its role, the CloudFront status check, KMS and SNS work',
        };
      }
      return {
        exitCode: 1,
        ...(outcome ? { outcome } : {}),
        reason: `the execution succeeded but sent no "deployed" or "completed" notification (outcome ${outcome ?? 'unknown'})`,
      };
    }
    case 'FAILED':
      return {
        exitCode: 1,
        ...(outcome ? { outcome } : {}),
        reason: `${failureReason(description, reader, target)}${notified}`,
      };
    case 'RUNNING':
      return {
        exitCode: 1,
        reason:
          `the watch of ${target} had not ended after ${describeDuration(run.timeoutSeconds)} (--timeout). The execution runs on and notifies ` +
          `when it ends; stop it with: aws stepfunctions stop-execution --execution-arn ${description.executionArn ?? '<arn>'}`,
      };
    default:
      return {
        exitCode: 1,
        reason: `the execution ended ${description.status ?? 'UNKNOWN'}${description.error ? ` with ${description.error}` : ''}${notified}`,
      };
  }
}

/** Why a FAILED watch failed, in the words of the errors the definition ends with (WATCH_ERRORS in domain/errors.ts). */
function failureReason(
  description: DescribeExecutionCommandOutput,
  reader: ExecutionHistoryReader,
  target: string,
): string {
  const error = description.error ?? 'unknown error';
  const checkError = reader.lastCheckError
    ? ` (${reader.lastCheckError.error}: ${firstLine(reader.lastCheckError.cause)})`
    : '';
  switch (error) {
    case WATCH_ERRORS.distributionNotFound:
    case WATCH_ERRORS.invalidationNotFound:
    case WATCH_ERRORS.tenantNotFound:
      return `not found: CloudFront says ${target} does not exist${checkError}; check the id`;
    case WATCH_ERRORS.checkFailed:
      return `check failed: the deployed state machine could not read ${target}${checkError}`;
    case WATCH_ERRORS.timedOut:
      return `timed out: ${target} was still InProgress at the last allowed status check`;
    case WATCH_ERRORS.invalidInput:
      return `the deployed state machine refused the smoke input (${error}: ${firstLine(description.cause)}); is it older than this checkout?`;
    default:
      if (reader.lastPublishError) {
        return `the notification could not be published (${reader.lastPublishError.error}: ${firstLine(reader.lastPublishError.cause)}): check the topic, its KMS key and the state machine role`;
      }
      return `the execution failed with ${error}: ${firstLine(description.cause)}`;
  }
}

interface ExecutionOutput {
  readonly notification?: { readonly outcome?: string; readonly messageId?: string };
  readonly continuation?: unknown;
}

function parseOutput(output: string | undefined): ExecutionOutput | undefined {
  try {
    return output === undefined ? undefined : (JSON.parse(output) as ExecutionOutput);
  } catch {
    return undefined;
  }
}

/**
 * Reads a real execution's history as the events the `npm start` timeline follows (tools/cli/timeline.ts), so the
 * deployed execution prints the same story a local replay does, and collects the notifications it published.
 * Event types and details: https://docs.aws.amazon.com/step-functions/latest/apireference/API_HistoryEvent.html
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { LocalEngineEvent, TaskKind } from '../lib/local-engine';

export interface PublishedNotification {
  readonly topicArn: string;
  readonly subject: string;
  readonly message: string;
  /** 'json' with chat channels: message holds the email text and the chat message. */
  readonly messageStructure?: string;
  readonly outcome: string;
  readonly messageAttributes: Record<string, unknown>;
  /** Set once SNS accepted it (TaskSucceeded). */
  messageId?: string;
}

/** The error of the last failed status check attempt: what a check-failed watch names as the reason. */
export interface CheckError {
  readonly error: string;
  readonly cause: string;
}

/** Task outcomes that end an attempt without a result: a Retry or a Catch of the state decides what follows. */
const FAILED_TASK_EVENTS: Record<string, (event: HistoryEvent) => { error?: string; cause?: string } | undefined> = {
  TaskFailed: (event) => event.taskFailedEventDetails,
  TaskTimedOut: (event) => event.taskTimedOutEventDetails,
  TaskStartFailed: (event) => event.taskStartFailedEventDetails,
  TaskSubmitFailed: (event) => event.taskSubmitFailedEventDetails,
};

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Feeds history events, each once, to `onEvent` as the local engine names them: StateEntered and StateExited with
 * parsed input and output, StateFailed for a failed attempt, then StateRetried when the same Task is scheduled again
 * or StateCaught when the execution moves on (the history has no event of its own for either).
 */
export class ExecutionHistoryReader {
  readonly notifications: PublishedNotification[] = [];
  lastCheckError: CheckError | undefined;
  /** The error of the last failed publish attempt: SNS (or the topic's KMS key) refused the notification. */
  lastPublishError: CheckError | undefined;
  private lastId = 0;
  /** The state entered last: where an ended execution ended. */
  state: string | undefined;
  /** Whether the history's end event (ExecutionSucceeded, ExecutionFailed, ...) has been read. */
  ended = false;
  private failedAttempt = false;

  constructor(
    /** Tasks of the deployed definition by what they call (tasksOf). */
    private readonly tasks: Readonly<Record<string, TaskKind>>,
    private readonly onEvent: (event: LocalEngineEvent, at: Date | undefined) => void,
  ) {}

  /** Reads every event not read yet; GetExecutionHistory numbers them from 1 in order. */
  read(events: readonly HistoryEvent[]): void {
    for (const event of events) {
      const id = event.id ?? 0;
      if (id <= this.lastId) continue;
      this.lastId = id;
      this.handle(event);
    }
  }

  private settleFailure(type: 'StateRetried' | 'StateCaught', at: Date | undefined): void {
    if (!this.failedAttempt) return;
    this.failedAttempt = false;
    this.onEvent({ type, ...(this.state ? { stateName: this.state } : {}) }, at);
  }

  private handle(event: HistoryEvent): void {
    const type = event.type ?? '';
    const at = event.timestamp;
    if (type.endsWith('StateEntered')) {
      this.settleFailure('StateCaught', at);
      const details = event.stateEnteredEventDetails;
      this.state = details?.name;
      this.onEvent({ type: 'StateEntered', stateName: details?.name ?? '', input: parseJson(details?.input) }, at);
    } else if (type.endsWith('StateExited')) {
      this.settleFailure('StateCaught', at);
      const details = event.stateExitedEventDetails;
      this.onEvent({ type: 'StateExited', stateName: details?.name ?? '', output: parseJson(details?.output) }, at);
    } else if (type === 'TaskScheduled') {
      const retry = this.failedAttempt;
      this.settleFailure('StateRetried', at);
      const details = event.taskScheduledEventDetails;
      // Unverified: the values sns and publish for arn:aws:states:::sns:publish; the definition's task kind comes first.
      const isPublish =
        (this.state !== undefined && this.tasks[this.state] === 'publish') ||
        (details?.resourceType === 'sns' && details.resource === 'publish');
      // A retried publish is the same notification again, not a second one.
      if (isPublish && retry && this.notifications.at(-1)?.messageId === undefined) this.notifications.pop();
      if (isPublish) this.notifications.push(publishedNotification(details?.parameters));
    } else if (type === 'TaskSucceeded') {
      const details = event.taskSucceededEventDetails;
      const pending = this.notifications.at(-1);
      const isPublish =
        (this.state !== undefined && this.tasks[this.state] === 'publish') || details?.resourceType === 'sns';
      if (pending && pending.messageId === undefined && isPublish) {
        const output = parseJson(details?.output) as { MessageId?: string } | undefined;
        pending.messageId = output?.MessageId ?? 'unknown';
      }
    } else if (FAILED_TASK_EVENTS[type]) {
      const details = FAILED_TASK_EVENTS[type](event) ?? {};
      const failure = { error: details.error ?? type, cause: details.cause ?? '' };
      const kind = this.state === undefined ? undefined : this.tasks[this.state];
      if (kind === 'publish') this.lastPublishError = failure;
      else if (kind !== undefined && kind !== 'startExecution') this.lastCheckError = failure;
      this.failedAttempt = true;
      this.onEvent(
        {
          type: 'StateFailed',
          ...(this.state ? { stateName: this.state } : {}),
          error: failure.error,
          cause: failure.cause,
        },
        at,
      );
    } else if (type.startsWith('Execution') && type !== 'ExecutionStarted') {
      this.settleFailure('StateCaught', at);
      this.ended = true;
    }
  }
}

/**
 * The Publish request as the Task sent it: TaskScheduled's parameters, "the JSON data passed to the resource"
 * (https://docs.aws.amazon.com/step-functions/latest/apireference/API_TaskScheduledEventDetails.html).
 */
function publishedNotification(parameters: string | undefined): PublishedNotification {
  const request = (parseJson(parameters) ?? {}) as {
    TopicArn?: string;
    Subject?: string;
    Message?: unknown;
    MessageStructure?: string;
    MessageAttributes?: Record<string, { StringValue?: string }>;
  };
  const { Message } = request;
  return {
    topicArn: request.TopicArn ?? 'unknown',
    subject: request.Subject ?? '',
    // With chat channels the Task passes Message as an object, which Step Functions sends as its JSON text.
    message: Message === undefined ? '' : typeof Message === 'string' ? Message : JSON.stringify(Message),
    ...(request.MessageStructure ? { messageStructure: request.MessageStructure } : {}),
    outcome: request.MessageAttributes?.outcome?.StringValue ?? 'unknown',
    messageAttributes: request.MessageAttributes ?? {},
  };
}

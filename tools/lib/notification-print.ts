/** How `npm start` and `npm run smoke` print a notification: the exact Publish request, as SNS gets it. */
import type { Output } from '../cli/timeline';
import type { WatchKind, Outcome } from '../../domain/kinds';
import { renderChatNotification, type ChatNotification, type NotificationValues } from '../../domain/notification';
import { NOTIFICATION_FIELD_PATHS, PATHS } from '../../statemachine/paths';

const RULE = '-'.repeat(100);

/** The fields of an SNS Publish request that make the notification. */
export interface NotificationRequest {
  readonly TopicArn: string;
  readonly Subject: string;
  readonly Message: string;
  /** 'json' with chat channels: Message holds the email text under default and the chat message under https. */
  readonly MessageStructure?: string;
  readonly MessageAttributes: unknown;
}

/** The title, description and next steps of a chat message, indented under a heading. */
function printChat(out: Output, heading: string, chat: ChatNotification): void {
  const { title, description, nextSteps } = chat.content;
  out.write(`${heading}:\n`);
  out.write(`  ${title}\n${description.replace(/^/gm, '  ')}\n`);
  for (const step of nextSteps) out.write(`  Next: ${step}\n`);
}

/**
 * Subject, message attributes and body between two rules, under a heading that says what happened to it. With chat
 * channels, the email text and then what chat shows; without, the email text and, given a `preview`, what chat would show.
 */
export function printNotification(
  out: Output,
  heading: string,
  request: NotificationRequest,
  preview?: ChatNotification,
): void {
  out.write(`\n${heading}:\n${RULE}\n`);
  out.write(`TopicArn:          ${request.TopicArn}\n`);
  out.write(`Subject:           ${request.Subject}\n`);
  out.write(`MessageAttributes: ${JSON.stringify(request.MessageAttributes)}\n`);
  if (request.MessageStructure === 'json') {
    const { default: email, https } = JSON.parse(request.Message) as { default: string; https: string };
    out.write('MessageStructure:  json (email gets default, the chat channels https)\n');
    out.write(`Message (default):\n${email}\n\n`);
    printChat(out, 'Chat (https), as Slack and Microsoft Teams show it', JSON.parse(https) as ChatNotification);
  } else {
    out.write(`Message:\n${request.Message}\n`);
    if (preview) {
      out.write('\n');
      printChat(out, 'Chat would show (with slackChannels or teamsChannels)', preview);
    }
  }
  out.write(`${RULE}\n`);
}

/** The value at a JSONPath of the definition ($.a.b), or the time given for $$.State.EnteredTime. */
function valueAt(state: unknown, path: string, enteredTime: string): unknown {
  if (path === PATHS.enteredTime) return enteredTime;
  return path
    .slice(2)
    .split('.')
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], state);
}

/**
 * What chat would show for a notification the execution published: its texts filled from the execution's data at
 * the publish state, read through the same JSONPaths as the state machine's.
 */
export function chatPreview(state: unknown, enteredTime: string, outcome: Outcome): ChatNotification {
  const values = Object.fromEntries(
    Object.entries(NOTIFICATION_FIELD_PATHS).map(([field, path]) => [field, valueAt(state, path, enteredTime) ?? '']),
  ) as unknown as NotificationValues;
  const kind = (state as { watch: { kind: WatchKind } }).watch.kind;
  return renderChatNotification(kind, outcome, values);
}

/** How `npm start` and `npm run smoke` print a notification: the exact Publish request, as SNS gets it. */
import type { Output } from '../cli/timeline';

const RULE = '-'.repeat(100);

/** The fields of an SNS Publish request that make the notification. */
export interface NotificationRequest {
  readonly TopicArn: string;
  readonly Subject: string;
  readonly Message: string;
  readonly MessageAttributes: unknown;
}

/** Subject, message attributes and body between two rules, under a heading that says what happened to it. */
export function printNotification(out: Output, heading: string, request: NotificationRequest): void {
  out.write(`\n${heading}:\n${RULE}\n`);
  out.write(`TopicArn:          ${request.TopicArn}\n`);
  out.write(`Subject:           ${request.Subject}\n`);
  out.write(`MessageAttributes: ${JSON.stringify(request.MessageAttributes)}\n`);
  out.write(`Message:\n${request.Message}\n${RULE}\n`);
}

/**
 * The messages of the sqs-retry checker's log lines: `npm run smoke` follows a watch by them, and an alarm counts
 * the unanswered checks by one of them.
 */
export const CHECKER_LOG_MESSAGES = {
  ended: 'Watch ended; notification sent',
  skipped: 'Event skipped',
  notDone: 'Change not done yet',
  noAnswer: 'CloudFront gave no answer; the change is checked again at the next scheduled check',
  publishFailed: 'Could not publish the notification; the message comes back and the change is checked again',
  eventFailed: 'Could not put the Change Finished event; the watch goes on without it',
} as const;

/**
 * The one source of truth for what a person receives. The state machine fills these templates with States.Format
 * (statemachine/ maps each field to a JSONPath); code fills them with renderNotification. Both read the same text.
 */
import type { WatchKind } from './cloudtrail';

export const OUTCOMES = ['deployed', 'completed', 'not-found', 'timed-out', 'check-failed'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** Values a template can name as {field}. */
export interface NotificationValues {
  readonly distributionId: string;
  readonly invalidationId: string;
  readonly change: string;
  readonly changedBy: string;
  readonly startedAt: string;
  readonly paths: string;
  readonly consoleUrl: string;
  readonly eventId: string;
  readonly watchLimit: string;
  readonly checks: number;
  readonly endedAt: string;
  readonly domainName: string;
  readonly errorName: string;
  readonly errorCause: string;
}
export type NotificationField = keyof NotificationValues;

/** SNS refuses subjects of 100 characters or more. */
export const MAX_SUBJECT_LENGTH = 99;

interface NotificationText {
  readonly subject: string;
  readonly body: readonly string[];
}

const FOOTER = ['', 'Console: {consoleUrl}', 'CloudTrail event ID: {eventId}', '', 'Sent by cloudfront-change-notifier.'];
const DISTRIBUTION_FACTS = [
  'What changed:  {change} on distribution {distributionId}',
  'Changed by:    {changedBy}',
  'Started:       {startedAt} (CloudTrail event time)',
];
const INVALIDATION_FACTS = [
  'What changed:  {change} on distribution {distributionId}',
  'Invalidation:  {invalidationId}',
  'Paths:         {paths}',
  'Changed by:    {changedBy}',
  'Started:       {startedAt} (CloudTrail event time)',
];

const TEXTS: Record<WatchKind, Record<Outcome, NotificationText | undefined>> = {
  distribution: {
    deployed: {
      subject: 'CloudFront {distributionId} deployed',
      body: [
        'Distribution {distributionId} is Deployed: the change is live at every edge location.',
        '',
        ...DISTRIBUTION_FACTS,
        'Confirmed:     {endedAt} (status check {checks})',
        'Domain:        {domainName}',
        ...FOOTER,
      ],
    },
    completed: undefined,
    'not-found': {
      subject: 'CloudFront {distributionId} not found: watch ended',
      body: [
        'Distribution {distributionId} no longer exists, so this change will never report Deployed. The watch has ended.',
        '',
        ...DISTRIBUTION_FACTS,
        'Found missing: {endedAt} (status check {checks})',
        'Error:         {errorName}',
        ...FOOTER,
      ],
    },
    'timed-out': {
      subject: 'CloudFront {distributionId} still deploying after {watchLimit}',
      body: [
        'Distribution {distributionId} was still InProgress when the watch limit of {watchLimit} ran out. ' +
          'CloudFront has no failed state: check the distribution in the console.',
        '',
        ...DISTRIBUTION_FACTS,
        'Last checked:  {endedAt} (status check {checks})',
        'Domain:        {domainName}',
        ...FOOTER,
      ],
    },
    'check-failed': {
      subject: 'CloudFront {distributionId} watch failed: status check error',
      body: [
        'The status of distribution {distributionId} could not be read, even after retries, so the watch has stopped. ' +
          'The change itself may still finish.',
        '',
        ...DISTRIBUTION_FACTS,
        'Failed at:     {endedAt} (status check {checks})',
        'Error:         {errorName}',
        'Cause:         {errorCause}',
        ...FOOTER,
      ],
    },
  },
  invalidation: {
    deployed: undefined,
    completed: {
      subject: 'CloudFront {distributionId} invalidation completed',
      body: [
        'Invalidation {invalidationId} on distribution {distributionId} is Completed: the paths are cleared at every edge location.',
        '',
        ...INVALIDATION_FACTS,
        'Confirmed:     {endedAt} (status check {checks})',
        ...FOOTER,
      ],
    },
    'not-found': {
      subject: 'CloudFront {distributionId} invalidation not found: watch ended',
      body: [
        'Invalidation {invalidationId} on distribution {distributionId} does not exist (or its distribution is gone), ' +
          'so it will never report Completed. The watch has ended.',
        '',
        ...INVALIDATION_FACTS,
        'Found missing: {endedAt} (status check {checks})',
        'Error:         {errorName}',
        ...FOOTER,
      ],
    },
    'timed-out': {
      subject: 'CloudFront {distributionId} invalidation still in progress after {watchLimit}',
      body: [
        'Invalidation {invalidationId} on distribution {distributionId} was still InProgress when the watch limit of ' +
          '{watchLimit} ran out. CloudFront has no failed state: check the invalidation in the console.',
        '',
        ...INVALIDATION_FACTS,
        'Last checked:  {endedAt} (status check {checks})',
        ...FOOTER,
      ],
    },
    'check-failed': {
      subject: 'CloudFront {distributionId} invalidation watch failed: status check error',
      body: [
        'The status of invalidation {invalidationId} on distribution {distributionId} could not be read, even after ' +
          'retries, so the watch has stopped. The invalidation itself may still complete.',
        '',
        ...INVALIDATION_FACTS,
        'Failed at:     {endedAt} (status check {checks})',
        'Error:         {errorName}',
        'Cause:         {errorCause}',
        ...FOOTER,
      ],
    },
  },
};

/** A template with positional {} placeholders (the States.Format form) and the fields that fill them, in order. */
export interface CompiledTemplate {
  readonly format: string;
  readonly fields: readonly NotificationField[];
}

export interface CompiledNotification {
  readonly subject: CompiledTemplate;
  readonly body: CompiledTemplate;
}

const PLACEHOLDER = /\{([A-Za-z]+)\}/g;

function compile(template: string): CompiledTemplate {
  const fields: NotificationField[] = [];
  const format = template.replace(PLACEHOLDER, (_match, field: string) => {
    fields.push(field as NotificationField);
    return '{}';
  });
  return { format, fields };
}

/** The outcomes a kind of watch can end with. */
export function outcomesFor(kind: WatchKind): Outcome[] {
  return OUTCOMES.filter((outcome) => TEXTS[kind][outcome] !== undefined);
}

export function notificationTemplate(kind: WatchKind, outcome: Outcome): CompiledNotification {
  const text = TEXTS[kind][outcome];
  if (text === undefined) throw new Error(`a ${kind} watch never ends with outcome ${outcome}`);
  return { subject: compile(text.subject), body: compile(text.body.join('\n')) };
}

export function fillTemplate(template: CompiledTemplate, values: NotificationValues): string {
  let index = 0;
  return template.format.replace(/\{\}/g, () => String(values[template.fields[index++]!]));
}

export interface Notification {
  readonly subject: string;
  readonly message: string;
  readonly attributes: { readonly outcome: Outcome; readonly kind: WatchKind; readonly distributionId: string };
}

/** What SNS receives for a watch that ended with this outcome. */
export function renderNotification(kind: WatchKind, outcome: Outcome, values: NotificationValues): Notification {
  const template = notificationTemplate(kind, outcome);
  return {
    subject: fillTemplate(template.subject, values),
    message: fillTemplate(template.body, values),
    attributes: { outcome, kind, distributionId: values.distributionId },
  };
}

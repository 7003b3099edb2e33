/**
 * The one source of truth for what a person receives. The state machine fills these templates with States.Format
 * (statemachine/ maps each field to a JSONPath); code fills them with renderNotification. Both read the same text.
 * Each text has two forms: the email (subject and body) and the chat message, which Amazon Q Developer in chat
 * applications shows in Slack or Microsoft Teams (title: the subject; description: the essentials and the console link).
 */
import { KINDS, OUTCOMES, type KindDefinition, type Outcome, type WatchKind } from './kinds';

/** Values a template can name as {field}. */
export interface NotificationValues {
  readonly distributionId: string;
  readonly invalidationId: string;
  readonly tenantId: string;
  /** The ETag the watched change produced, and the one CloudFront reports now: they differ for a superseded change. */
  readonly eTag: string;
  readonly currentETag: string;
  readonly change: string;
  readonly changedBy: string;
  readonly startedAt: string;
  readonly paths: string;
  readonly consoleUrl: string;
  readonly eventId: string;
  readonly watchLimit: string;
  readonly checks: number;
  /**
   * Status checks that got no answer (throttled or failing, after retries): a count in mode stepfunctions; in mode
   * sqs-retry, which cannot carry a count across redeliveries, a lower bound in words ("1 or more").
   */
  readonly unanswered: number | string;
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
  /** The description of the chat message: a few lines, the console link last. */
  readonly chat: readonly string[];
  /** Literal hints the chat message lists under the description; none when nothing is left to do. */
  readonly nextSteps: readonly string[];
}

const FOOTER = [
  '',
  'Console: {consoleUrl}',
  'CloudTrail event ID: {eventId}',
  '',
  'Sent by cloudfront-change-notifier.',
];
/** The lines that say what changed, who changed it and when; `target` names what the change was made on. */
function facts(target: string, invalidation: boolean): string[] {
  return [
    `What changed:  {change} on ${target}`,
    ...(invalidation ? ['Invalidation:  {invalidationId}', 'Paths:         {paths}'] : []),
    'Changed by:    {changedBy}',
    'Started:       {startedAt} (when the change was made)',
  ];
}
/** The last line of every chat description. */
const CHAT_CONSOLE = 'Console: {consoleUrl}';
const CHAT_CHANGE = '{change} by {changedBy}, started {startedAt}.';
const CHAT_CONFIRMED = 'Confirmed {endedAt} (status check {checks}).';
const CHAT_NOT_FOUND = 'Found missing {endedAt} (status check {checks}): {errorName}.';
const CHAT_CHECK_FAILED = 'Failed {endedAt} (status check {checks}): {errorName}.';
const CHAT_TIMED_OUT = 'Last checked {endedAt}: {unanswered} of {checks} status checks unanswered.';
const TIMED_OUT_STEPS = ['CloudFront has no failed state: look at the change in the CloudFront console.'];
const CHECK_FAILED_STEPS = [
  'Read the error in the email, or in the execution; the notifier may lack a read permission.',
];

const DISTRIBUTION = 'distribution {distributionId}';
const TENANT = 'distribution tenant {tenantId}';

const CONFIRMED_LINE = 'Confirmed:     {endedAt} (status check {checks})';
const NOT_FOUND_LINES = ['Found missing: {endedAt} (status check {checks})', 'Error:         {errorName}'];
const CHECK_FAILED_LINES = [
  'Failed at:     {endedAt} (status check {checks})',
  'Error:         {errorName}',
  'Cause:         {errorCause}',
];
const SUPERSEDED_LINES = [CONFIRMED_LINE, 'ETag now:      {currentETag} (this change made {eTag})'];
const TIMED_OUT_LINES = [
  'Last checked:  {endedAt} (status check {checks})',
  'Unanswered:    {unanswered} of {checks} status checks (throttled or failing, after retries)',
];

/** What a deployable resource (a distribution or a tenant) says for each outcome; `what` names it in a sentence. */
function deploymentTexts(what: string, subjectName: string, facts: readonly string[], extra: readonly string[]) {
  return {
    deployed: {
      subject: `CloudFront ${subjectName} deployed`,
      body: [
        `${what} is Deployed: the change is live at every edge location.`,
        '',
        ...facts,
        CONFIRMED_LINE,
        ...extra,
        ...FOOTER,
      ],
      chat: [
        `${what} is Deployed: the change is live at every edge location.`,
        CHAT_CHANGE,
        CHAT_CONFIRMED,
        CHAT_CONSOLE,
      ],
      nextSteps: [],
    },
    completed: undefined,
    superseded: {
      subject: `CloudFront ${subjectName} deployed with a newer change`,
      chat: [
        `${what} is Deployed with a newer change than this one: a later change superseded it and is live.`,
        CHAT_CHANGE,
        'ETag now {currentETag}; this change made {eTag}.',
        CHAT_CONSOLE,
      ],
      nextSteps: [],
      body: [
        `${what} is Deployed, but with a newer configuration than this change made: a later change superseded it ` +
          'and is now live at every edge location. A later change is made from the configuration before it, so this ' +
          "change's settings are live too unless the later change undid them. The later change may also be to " +
          'something it uses, such as a cache or response headers policy.',
        '',
        ...facts,
        ...SUPERSEDED_LINES,
        ...FOOTER,
      ],
    },
    'not-found': {
      subject: `CloudFront ${subjectName} not found: watch ended`,
      chat: [`${what} no longer exists: the watch has ended.`, CHAT_CHANGE, CHAT_NOT_FOUND, CHAT_CONSOLE],
      nextSteps: [],
      body: [
        `${what} no longer exists, so this change will never report Deployed. The watch has ended.`,
        '',
        ...facts,
        ...NOT_FOUND_LINES,
        ...FOOTER,
      ],
    },
    'timed-out': {
      subject: `CloudFront ${subjectName} still deploying after {watchLimit}`,
      chat: [`${what} was still InProgress when the watch limit ran out.`, CHAT_CHANGE, CHAT_TIMED_OUT, CHAT_CONSOLE],
      nextSteps: TIMED_OUT_STEPS,
      body: [
        `${what} was still InProgress when the watch limit of {watchLimit} ran out. ` +
          'CloudFront has no failed state: check it in the console.',
        '',
        ...facts,
        ...TIMED_OUT_LINES,
        ...extra,
        ...FOOTER,
      ],
    },
    'check-failed': {
      subject: `CloudFront ${subjectName} watch failed: status check error`,
      chat: [
        `The status of ${what.charAt(0).toLowerCase()}${what.slice(1)} could not be read: the watch has stopped.`,
        CHAT_CHANGE,
        CHAT_CHECK_FAILED,
        CHAT_CONSOLE,
      ],
      nextSteps: CHECK_FAILED_STEPS,
      body: [
        `The status of ${what.charAt(0).toLowerCase()}${what.slice(1)} could not be read: CloudFront refused the status ` +
          'check, and waiting cannot change that, so the watch has stopped. The change itself may still finish.',
        '',
        ...facts,
        ...CHECK_FAILED_LINES,
        ...FOOTER,
      ],
    },
  } satisfies Record<Outcome, NotificationText | undefined>;
}

/** What an invalidation says for each outcome; `of` names what it clears, `parent` what that is, in a word. */
function invalidationTexts(of: string, parent: string, subjectName: string, facts: readonly string[]) {
  return {
    deployed: undefined,
    completed: {
      subject: `CloudFront ${subjectName} invalidation completed`,
      chat: [
        `Invalidation {invalidationId} on ${of} is Completed: the paths are cleared at every edge location.`,
        CHAT_CHANGE,
        CHAT_CONFIRMED,
        CHAT_CONSOLE,
      ],
      nextSteps: [],
      body: [
        `Invalidation {invalidationId} on ${of} is Completed: the paths are cleared at every edge location.`,
        '',
        ...facts,
        CONFIRMED_LINE,
        ...FOOTER,
      ],
    },
    superseded: undefined,
    'not-found': {
      subject: `CloudFront ${subjectName} invalidation not found: watch ended`,
      chat: [
        `Invalidation {invalidationId} on ${of} does not exist: the watch has ended.`,
        CHAT_CHANGE,
        CHAT_NOT_FOUND,
        CHAT_CONSOLE,
      ],
      nextSteps: [],
      body: [
        `Invalidation {invalidationId} on ${of} does not exist (or its ${parent} is gone), ` +
          'so it will never report Completed. The watch has ended.',
        '',
        ...facts,
        ...NOT_FOUND_LINES,
        ...FOOTER,
      ],
    },
    'timed-out': {
      // "still running" keeps the tenant subject under the SNS limit with the longest ids.
      subject: `CloudFront ${subjectName} invalidation still running after {watchLimit}`,
      chat: [
        `Invalidation {invalidationId} on ${of} was still InProgress when the watch limit ran out.`,
        CHAT_CHANGE,
        CHAT_TIMED_OUT,
        CHAT_CONSOLE,
      ],
      nextSteps: TIMED_OUT_STEPS,
      body: [
        `Invalidation {invalidationId} on ${of} was still InProgress when the watch limit of ` +
          '{watchLimit} ran out. CloudFront has no failed state: check the invalidation in the console.',
        '',
        ...facts,
        ...TIMED_OUT_LINES,
        ...FOOTER,
      ],
    },
    'check-failed': {
      subject: `CloudFront ${subjectName} invalidation watch failed: status check error`,
      chat: [
        `The status of invalidation {invalidationId} on ${of} could not be read: the watch has stopped.`,
        CHAT_CHANGE,
        CHAT_CHECK_FAILED,
        CHAT_CONSOLE,
      ],
      nextSteps: CHECK_FAILED_STEPS,
      body: [
        `The status of invalidation {invalidationId} on ${of} could not be read: CloudFront refused the status ` +
          'check, and waiting cannot change that, so the watch has stopped. The invalidation itself may still complete.',
        '',
        ...facts,
        ...CHECK_FAILED_LINES,
        ...FOOTER,
      ],
    },
  } satisfies Record<Outcome, NotificationText | undefined>;
}

const TEXTS: Record<WatchKind, Record<Outcome, NotificationText | undefined>> = {
  distribution: deploymentTexts('Distribution {distributionId}', '{distributionId}', facts(DISTRIBUTION, false), [
    'Domain:        {domainName}',
  ]),
  invalidation: invalidationTexts(DISTRIBUTION, 'distribution', '{distributionId}', facts(DISTRIBUTION, true)),
  tenant: deploymentTexts('Distribution tenant {tenantId}', 'tenant {tenantId}', facts(TENANT, false), []),
  'tenant-invalidation': invalidationTexts(TENANT, 'tenant', 'tenant {tenantId}', facts(TENANT, true)),
};

/** A template with positional {} placeholders (the States.Format form) and the fields that fill them, in order. */
export interface CompiledTemplate {
  readonly format: string;
  readonly fields: readonly NotificationField[];
}

/** What the chat message adds to the subject, its title: the description, and the literal lists. */
export interface CompiledChat {
  readonly description: CompiledTemplate;
  readonly nextSteps: readonly string[];
  readonly keywords: readonly string[];
}

export interface CompiledNotification {
  readonly subject: CompiledTemplate;
  readonly body: CompiledTemplate;
  readonly chat: CompiledChat;
}

/**
 * The fixed fields of the custom notification format of Amazon Q Developer in chat applications, which shows a
 * message in a channel only in this format (version 1.0, source custom; client-markdown is the only textType):
 * https://docs.aws.amazon.com/chatbot/latest/adminguide/custom-notifs.html
 */
export const CHAT_FORMAT = { version: '1.0', source: 'custom', textType: 'client-markdown' } as const;

/** A chat message in the custom notification format, its fields in the order the state machine writes them. */
export interface ChatNotification {
  readonly version: typeof CHAT_FORMAT.version;
  readonly source: typeof CHAT_FORMAT.source;
  readonly content: {
    readonly textType: typeof CHAT_FORMAT.textType;
    readonly title: string;
    readonly description: string;
    readonly nextSteps: readonly string[];
    readonly keywords: readonly string[];
  };
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
  return {
    subject: compile(text.subject),
    body: compile(text.body.join('\n')),
    // Chat users filter and search on these; they are literal, so no value can break the message.
    chat: {
      description: compile(text.chat.join('\n')),
      nextSteps: text.nextSteps,
      keywords: ['CloudFront', kind, outcome],
    },
  };
}

export function fillTemplate(template: CompiledTemplate, values: NotificationValues): string {
  let index = 0;
  return template.format.replace(/\{\}/g, () => String(values[template.fields[index++]!]));
}

type AttributeId = KindDefinition['idAttribute'];

export interface Notification {
  readonly subject: string;
  readonly message: string;
  /** Subscribers filter on these: distributionId for distributions and their invalidations, tenantId for tenants. */
  readonly attributes: { readonly outcome: Outcome; readonly kind: WatchKind } & Partial<Record<AttributeId, string>>;
}

/** What SNS receives for a watch that ended with this outcome. */
export function renderNotification(kind: WatchKind, outcome: Outcome, values: NotificationValues): Notification {
  const template = notificationTemplate(kind, outcome);
  return {
    subject: fillTemplate(template.subject, values),
    message: fillTemplate(template.body, values),
    attributes: { outcome, kind, [KINDS[kind].idAttribute]: values[KINDS[kind].idAttribute] },
  };
}

/** What chat channels show for a watch that ended with this outcome: the subject as title, a short description. */
export function renderChatNotification(
  kind: WatchKind,
  outcome: Outcome,
  values: NotificationValues,
): ChatNotification {
  const template = notificationTemplate(kind, outcome);
  return {
    version: CHAT_FORMAT.version,
    source: CHAT_FORMAT.source,
    content: {
      textType: CHAT_FORMAT.textType,
      title: fillTemplate(template.subject, values),
      description: fillTemplate(template.chat.description, values),
      nextSteps: template.chat.nextSteps,
      keywords: template.chat.keywords,
    },
  };
}

/** The Message and MessageStructure of the SNS Publish request. */
export interface PublishedMessage {
  readonly message: string;
  readonly messageStructure?: 'json';
}

/**
 * The email text alone, or with chat channels one message per protocol (MessageStructure json): `default`, the email
 * text, for email and every other protocol; `https`, the chat message, for the HTTPS subscription through which Amazon
 * Q Developer in chat applications receives the topic (unverified: its endpoint, https://global.sns-api.chatbot.amazonaws.com,
 * is what public stacks subscribe; AWS documents no protocol). https://docs.aws.amazon.com/sns/latest/api/API_Publish.html
 */
export function publishedMessage(notification: Notification, chat?: ChatNotification): PublishedMessage {
  if (chat === undefined) return { message: notification.message };
  return {
    message: JSON.stringify({ default: notification.message, https: JSON.stringify(chat) }),
    messageStructure: 'json',
  };
}

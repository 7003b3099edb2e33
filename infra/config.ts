/**
 * The notifier's configuration, read once from CDK context (cdk.json or `-c key=value`) and validated before any
 * construct exists. Every error names the key, the value and what is allowed. CONFIG_SPEC describes each key once:
 * readConfig takes its defaults, bounds and allowed values from there, and `npm run docs:config` writes it out as
 * docs/configuration.md.
 */
import { DEFAULT_WATCHED_EVENTS, RESOURCE_ID_PATTERN, SUPPORTED_EVENT_NAMES } from '../domain/cloudtrail';
import {
  longestRetentionThatFits,
  longestWaitSeconds,
  MAX_WAIT_AFTER_CHECK_SECONDS,
  NOTIFY_RETRY_RECEIVES,
  notifyRoomSeconds,
  SQS_MAX_RECEIVE_COUNT,
  SQS_MAX_VISIBILITY_TIMEOUT_SECONDS,
  SQS_RETRY_CHECKER_TIMEOUT_SECONDS,
  sqsRetryMaxReceiveCount,
} from '../domain/receive-budget';
import { describeDuration } from '../domain/watch-execution';
import {
  completeScheduleSettings,
  DEFAULT_CHECK_JITTER_PERCENT,
  SCHEDULE_DEFAULTS,
  type ScheduleSettings,
} from '../domain/schedule';
import type { WatchSettings } from '../domain/settings';
import { CHANGE_EVENT } from '../domain/change-event';

export const MODES = ['stepfunctions', 'sqs-retry'] as const;
export type Mode = (typeof MODES)[number];

/**
 * How the state machine reads a tenant's status: `lambda` (a small Lambda with the SDK v3 client, which deploys
 * whatever Step Functions knows) or `sdk` (the native aws-sdk:cloudfront integration, once Step Functions accepts
 * getDistributionTenant and getInvalidationForDistributionTenant: `npm run preflight` asks it).
 */
export const TENANT_STATUS_CHECKS = ['lambda', 'sdk'] as const;
export type TenantStatusCheck = (typeof TENANT_STATUS_CHECKS)[number];

/** The dispatcher's timeout; SQS visibility must be at least six times longer (AWS guidance for Lambda sources). */
export const DISPATCHER_TIMEOUT_SECONDS = 30;
/** SQS keeps a message 14 days at most, so no watch can be longer. */
const MAX_RETENTION_SECONDS = 1_209_600;
/** Fastest fast-phase interval: every check is a CloudFront API call, and many watches share one account's rate. */
const MIN_FAST_POLL_SECONDS = 2;
/** Longest interval the growing phase may reach. */
const MAX_POLL_INTERVAL_SECONDS = 86_400;

/** The longest interval between two sweeps: a day. */
const MAX_SWEEP_INTERVAL_MINUTES = 1_440;

/** The retention periods CloudWatch Logs accepts (PutRetentionPolicy), in days. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;
export const LOG_REMOVAL_POLICIES = ['retain', 'destroy'] as const;
export type LogRemovalPolicy = (typeof LOG_REMOVAL_POLICIES)[number];

/** A Slack channel of a workspace authorised in the Amazon Q Developer in chat applications console. */
export interface SlackChannel {
  readonly workspaceId: string;
  readonly channelId: string;
}

/** A Microsoft Teams channel of a team authorised in the Amazon Q Developer in chat applications console. */
export interface TeamsChannel {
  readonly tenantId: string;
  readonly teamId: string;
  readonly channelId: string;
}

/** Who hears of a finished change. */
export interface NotificationsConfig {
  /** An email subscription each; none leaves subscribing to the topic to the user. */
  readonly emails: readonly string[];
  /** A chat channel configuration each, subscribed to the topic. */
  readonly slackChannels: readonly SlackChannel[];
  readonly teamsChannels: readonly TeamsChannel[];
}

/** What is watched, for how long and how often: the settings every status checker is handed as they are. */
export interface WatchConfig extends WatchSettings {
  /** Empty means every distribution. */
  readonly distributionIds: readonly string[];
  /** The polling schedule, every setting resolved, pollIntervalSeconds among them. */
  readonly schedule: Required<ScheduleSettings>;
}

/** The buffer queue between EventBridge and the Lambda that consumes it. */
export interface CaptureConfig {
  readonly receiveWaitSeconds: number;
  /** At least six times the consuming Lambda's timeout. */
  readonly visibilityTimeoutSeconds: number;
}

/** The Change Finished event every watch puts on an event bus when it ends. */
export interface ChangeEventsConfig {
  readonly enabled: boolean;
  /** The name of the bus, in the stack's account and Region. */
  readonly busName: string;
}

/** CloudWatch alarms on the notifier's own health. */
export interface AlarmsConfig {
  readonly enabled: boolean;
  /** Empty means alarms go to the notification topic. */
  readonly emails: readonly string[];
}

/** The CloudWatch dashboard of what the notifier sees. */
export interface DashboardConfig {
  readonly enabled: boolean;
}

/** A multi-Region CloudTrail trail for accounts that have none. */
export interface TrailConfig {
  readonly enabled: boolean;
  /** Days the trail's log files are kept in its bucket. */
  readonly retentionDays: number;
}

/** Mode stepfunctions: the read slots all watches share, handed out in turn before each status check. */
export interface ReadBudgetConfig {
  /** Status checks a second across all watches; 0 turns the budget off. */
  readonly perSecond: number;
}

/** The reconciliation sweep: what it finds InProgress that no watch follows gets one. */
export interface SweepConfig {
  /** Minutes between sweeps; 0 turns the sweep off. */
  readonly intervalMinutes: number;
}

/** Every log group of the stack: the execution log and the Lambda logs. */
export interface LogsConfig {
  /** One of LOG_RETENTION_DAYS. */
  readonly retentionDays: number;
  /** What happens to the log groups when the stack is deleted. */
  readonly removalPolicy: LogRemovalPolicy;
}

/** The configuration, grouped by concern so that the stack hands each construct the group it needs. */
export interface NotifierConfig {
  /** The watch engine. */
  readonly mode: Mode;
  /** Mode stepfunctions with a tenant call watched: how the state machine reads a tenant's status. */
  readonly tenantStatusCheck: TenantStatusCheck;
  readonly notifications: NotificationsConfig;
  readonly watch: WatchConfig;
  readonly capture: CaptureConfig;
  readonly alarms: AlarmsConfig;
  readonly dashboard: DashboardConfig;
  readonly trail: TrailConfig;
  readonly sweep: SweepConfig;
  readonly readBudget: ReadBudgetConfig;
  readonly logs: LogsConfig;
  readonly events: ChangeEventsConfig;
}

/** The sections of the configuration reference, in its order, each with a heading and a sentence. */
export const CONFIG_SECTIONS = {
  notifications: { title: 'Notifications', summary: 'Who hears of a finished change.' },
  mode: { title: 'Mode', summary: 'Which engine follows a change to its end.' },
  watch: { title: 'What is watched', summary: 'Which changes start a watch, and how long a watch may last.' },
  schedule: {
    title: 'Schedule',
    summary:
      'How often a change is checked: densely while it is likely to finish (the fast phase), then every ' +
      '`pollIntervalSeconds`, then less and less often as the watch ages (growth).',
  },
  capture: { title: 'Buffer queue', summary: 'The SQS queue between EventBridge and the Lambda that consumes it.' },
  sweep: {
    title: 'Reconciliation sweep',
    summary:
      'A schedule that looks for CloudFront changes InProgress that no watch follows, because their CloudTrail event ' +
      'never reached the notifier, and starts their watch.',
  },
  alarms: { title: 'Alarms', summary: "CloudWatch alarms on the notifier's own health." },
  dashboard: { title: 'Dashboard', summary: 'A CloudWatch dashboard of what the notifier sees.' },
  trail: { title: 'CloudTrail trail', summary: 'A trail for an account that has none.' },
  logs: { title: 'Logs', summary: 'The execution log of the state machine and the log of each Lambda function.' },
  events: {
    title: 'Change Finished event',
    summary: 'The EventBridge event every watch puts when it ends ([change-event.md](change-event.md)).',
  },
} as const;
export type ConfigSection = keyof typeof CONFIG_SECTIONS;

/** A default or a bound that follows from other keys or the mode: readConfig works it out, the reference shows this text. */
export interface Derived {
  readonly derived: string;
}

interface KeySpecBase {
  readonly section: ConfigSection;
  /** What the key does: one paragraph of the reference. */
  readonly description: string;
  /** Public AWS pages behind the description's claims about AWS. */
  readonly sources?: readonly string[];
}

export interface IntegerKeySpec extends KeySpecBase {
  readonly type: 'integer';
  readonly default: number | Derived;
  readonly min: number | Derived;
  readonly max: number | Derived;
  /** A limit besides min and max, for the reference. */
  readonly alsoLimited?: string;
}

export interface FlagKeySpec extends KeySpecBase {
  readonly type: 'flag';
  readonly default: boolean;
}

export interface ChoiceKeySpec<T extends string | number = string | number> extends KeySpecBase {
  readonly type: 'choice';
  readonly values: readonly T[];
  readonly default: T;
}

export interface ListKeySpec extends KeySpecBase {
  readonly type: 'list';
  /** The default as the reference shows it; readConfig's own default is the empty list unless the key says otherwise. */
  readonly default: string;
  /** What is allowed: the text of the error and of the reference. */
  readonly allowed: string;
}

/** One word of text, checked against a pattern. */
export interface TextKeySpec extends KeySpecBase {
  readonly type: 'text';
  readonly default: string;
  readonly pattern: RegExp;
  /** What is allowed: the text of the error and of the reference. */
  readonly allowed: string;
}

export type KeySpec = IntegerKeySpec | FlagKeySpec | ChoiceKeySpec | ListKeySpec | TextKeySpec;

const integerKey = (spec: Omit<IntegerKeySpec, 'type'>): IntegerKeySpec => ({ type: 'integer', ...spec });
const flagKey = (spec: Omit<FlagKeySpec, 'type'>): FlagKeySpec => ({ type: 'flag', ...spec });
const listKey = (spec: Omit<ListKeySpec, 'type'>): ListKeySpec => ({ type: 'list', ...spec });
const textKey = (spec: Omit<TextKeySpec, 'type'>): TextKeySpec => ({ type: 'text', ...spec });
function choiceKey<T extends string | number>(
  values: readonly T[],
  fallback: NoInfer<T>,
  spec: KeySpecBase,
): ChoiceKeySpec<T> {
  return { type: 'choice', values, default: fallback, ...spec };
}

const EMAILS_ALLOWED = 'email addresses, comma-separated or as a JSON array';

/**
 * The id shapes AWS::Chatbot::SlackChannelConfiguration accepts: SlackWorkspaceId ^[0-9A-Z]{1,255}$, SlackChannelId
 * ^[A-Za-z0-9]+$ (https://docs.aws.amazon.com/chatbot/latest/APIReference/API_SlackChannelConfiguration.html).
 */
const SLACK_CHANNEL = /^([0-9A-Z]{1,255})\/([A-Za-z0-9]{1,255})$/;
/**
 * AWS::Chatbot::MicrosoftTeamsChannelConfiguration: TeamsChannelId is the channel id as Teams copies it, URL-encoded,
 * with %3a and %40 (https://docs.aws.amazon.com/chatbot/latest/APIReference/API_TeamsChannelConfiguration.html); the
 * tenant and team ids are UUIDs (unverified: read from the console's examples, not from a published pattern).
 */
const TEAMS_CHANNEL =
  /^([0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12})\/([0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12})\/([\w=+/.,-]*%3[aA][\w=+/.,-]*%40[\w=+/.,-]*)$/;
const CHAT_SOURCES = [
  'https://docs.aws.amazon.com/chatbot/latest/adminguide/custom-notifs.html',
  'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-chatbot-slackchannelconfiguration.html',
  'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-chatbot-microsoftteamschannelconfiguration.html',
];
/** The least visibilityTimeoutSeconds of the modes: six times the timeout of each one's consuming Lambda. */
const MINIMUM_VISIBILITY_TEXT = [
  ...new Set([6 * DISPATCHER_TIMEOUT_SECONDS, 6 * SQS_RETRY_CHECKER_TIMEOUT_SECONDS]),
].join(' or ');
/** The longest watch mode sqs-retry allows with the default schedule. */
const SQS_RETRY_DEFAULT_LONGEST = longestRetentionThatFits(completeScheduleSettings({ pollIntervalSeconds: 60 }));

/**
 * Every context key the notifier reads, in the order the unknown-key error lists them. The reference groups them by
 * section, in this order within each.
 */
export const CONFIG_SPEC = {
  notificationEmails: listKey({
    section: 'notifications',
    default: 'none',
    allowed: EMAILS_ALLOWED,
    description:
      'Each address gets an email subscription to the notification topic; AWS first sends it a confirmation mail. ' +
      'Without any, subscribe to the topic yourself: its ARN is the `TopicArn` output.',
    sources: ['https://docs.aws.amazon.com/sns/latest/dg/sns-email-notifications.html'],
  }),
  slackChannels: listKey({
    section: 'notifications',
    default: 'none',
    allowed:
      'WORKSPACE_ID/CHANNEL_ID pairs (such as T07EA123LEP/C07EZ1ABC23: a workspace id of capital letters and digits, ' +
      'a channel id of letters and digits), comma-separated or as a JSON array',
    description:
      'Slack channels that get each notification through Amazon Q Developer in chat applications (formerly AWS ' +
      'Chatbot), as a short message: the subject, what happened and the console link. Authorise the workspace in its ' +
      'console first; the stack then creates one channel configuration per channel, subscribed to the notification ' +
      'topic, with a role that grants nothing and the read-only CloudFront guardrail. With a chat channel each ' +
      'notification carries one text per protocol: email and every other protocol keep the email text, HTTPS ' +
      'subscriptions get the chat message ([notifications.md](notifications.md#chat)).',
    sources: CHAT_SOURCES,
  }),
  teamsChannels: listKey({
    section: 'notifications',
    default: 'none',
    allowed:
      'TENANT_ID/TEAM_ID/CHANNEL_ID triples (tenant and team ids are UUIDs, the channel id is as Teams copies it, ' +
      'such as 19%3ab6ef35dc342d56ba5654e6fc6d25a071%40thread.tacv2), comma-separated or as a JSON array',
    description:
      'Microsoft Teams channels that get each notification through Amazon Q Developer in chat applications, as ' +
      '`slackChannels` does for Slack. Authorise the team in its console first.',
    sources: CHAT_SOURCES,
  }),
  pollIntervalSeconds: integerKey({
    section: 'schedule',
    default: 60,
    min: 5,
    max: 3_600,
    description: 'Seconds between status checks in the normal phase, after the fast phase and before growth.',
  }),
  retentionSeconds: integerKey({
    section: 'watch',
    default: 345_600,
    min: 60,
    max: MAX_RETENTION_SECONDS,
    alsoLimited:
      `in mode \`sqs-retry\`, what fits into ${SQS_MAX_RECEIVE_COUNT.toLocaleString('en-US')} receives ` +
      `(${SQS_RETRY_DEFAULT_LONGEST} with the default schedule) and more than ${NOTIFY_RETRY_RECEIVES} visibility timeouts`,
    description:
      'The longest a change is watched, counted from its CloudTrail event time, and the retention of the buffer queue. ' +
      'A change still in progress then gets a "still in progress" notification instead of silence.',
    sources: ['https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html'],
  }),
  receiveWaitSeconds: integerKey({
    section: 'capture',
    default: 20,
    min: 0,
    max: 20,
    description: 'SQS long polling of the buffer queue: how long a receive waits for a message to arrive.',
    sources: [
      'https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-short-and-long-polling.html',
    ],
  }),
  visibilityTimeoutSeconds: integerKey({
    section: 'capture',
    default: { derived: `${MINIMUM_VISIBILITY_TEXT} (6 times the consuming Lambda's timeout)` },
    min: { derived: MINIMUM_VISIBILITY_TEXT },
    max: SQS_MAX_VISIBILITY_TIMEOUT_SECONDS,
    description:
      "The buffer queue's visibility timeout: the delay before a failed delivery is retried (a failed dispatch, or in " +
      '`sqs-retry` a failed check run or notification), not the polling interval. At least 6 times the timeout of the Lambda ' +
      `that reads the queue: the dispatcher's (${DISPATCHER_TIMEOUT_SECONDS} s), or in \`sqs-retry\` the status check's ` +
      `(${SQS_RETRY_CHECKER_TIMEOUT_SECONDS} s).`,
    sources: [
      'https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html',
      'https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html',
    ],
  }),
  watchedEvents: listKey({
    section: 'watch',
    default: DEFAULT_WATCHED_EVENTS.join(', '),
    allowed: `one or more of ${SUPPORTED_EVENT_NAMES.join(', ')}`,
    description:
      'The CloudTrail event names that start a watch. They also decide which states the workflow holds and which status ' +
      'reads the IAM policies allow. The tenant calls (CreateDistributionTenant, UpdateDistributionTenant, ' +
      'CreateInvalidationForDistributionTenant) are opt-in: Step Functions may not know their status reads yet.',
  }),
  distributionIds: listKey({
    section: 'watch',
    default: 'none: every distribution of the account',
    allowed: 'CloudFront distribution ids (such as E2QWRUHAPOMQZL), comma-separated or as a JSON array',
    description:
      'Watch only the changes that name one of these distributions or tenants. The capture rule filters on them while its ' +
      "event pattern stays within EventBridge's 2,048 characters (otherwise the consuming Lambda drops the others), and " +
      'the IAM read permission for distributions names them, up to 50 ids. The list travels in the consuming ' +
      "Lambda's WATCH_SETTINGS variable, within Lambda's 4 KB environment quota: about 135 to 165 ids of 14 characters by mode; a longer " +
      'list fails the synth with the maximum for your ids and settings.',
    sources: [
      'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html',
      'https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html',
    ],
  }),
  mode: choiceKey(MODES, 'stepfunctions', {
    section: 'mode',
    description:
      '`stepfunctions` starts one Step Functions Standard execution per change, which checks the status in a loop and ' +
      'publishes the notification. `sqs-retry` keeps the older design: a Lambda checks each buffered change once per SQS ' +
      'delivery and lets SQS bring the message back until the change is done. [modes.md](modes.md) compares them.',
  }),
  tenantStatusCheck: choiceKey(TENANT_STATUS_CHECKS, 'lambda', {
    section: 'mode',
    description:
      "With a tenant call watched in mode `stepfunctions`: how the state machine reads a tenant's status. `lambda` " +
      'invokes a small status-reader Lambda that calls CloudFront with the SDK v3 client, so the stack deploys whether or ' +
      'not Step Functions knows the tenant actions; `sdk` uses the native `aws-sdk:cloudfront` integration and drops the ' +
      'Lambda, once `npm run preflight` finds that Step Functions accepts it. Mode `sqs-retry` reads tenants in its ' +
      'status check either way.',
  }),
  alarms: flagKey({
    section: 'alarms',
    default: true,
    description:
      "CloudWatch alarms on the notifier's own health: the dead-letter queue, the buffer backlog, failed, timed-out " +
      "and aborted executions, and the consuming Lambda's errors and throttles. [operations.md](operations.md) says " +
      'what each one means and what to do.',
  }),
  alarmEmails: listKey({
    section: 'alarms',
    default: 'none: alarms go to the notification topic',
    allowed: EMAILS_ALLOWED,
    description:
      'Addresses for alarms only: they get an alarm topic of their own (output `AlarmTopicArn`), encrypted with the ' +
      'same key. Set it when subscriptions filter on the `outcome` message attribute, which alarm messages lack.',
  }),
  dashboard: flagKey({
    section: 'dashboard',
    default: true,
    description:
      'A CloudWatch dashboard named after the stack (output `DashboardUrl`): watches started, in progress and finished ' +
      'by outcome, the time from the API call to done and the checks per watch over the last day and week, the ' +
      "dead-letter queue and the alarms' states: the figures to tune the schedule from. " +
      '[dashboard.md](dashboard.md) says how to read it. A dashboard costs a monthly fee beyond the free tier, and ' +
      'each metric it adds from the logs is a custom metric.',
    sources: ['https://aws.amazon.com/cloudwatch/pricing/'],
  }),
  createTrail: flagKey({
    section: 'trail',
    default: false,
    description:
      'Create a multi-Region CloudTrail trail of all management events, with an encrypted bucket that is kept when the ' +
      'stack is deleted, for an account that has none: without a trail EventBridge never hears of a CloudFront change. ' +
      'Leave it off when the account has a trail: every further trail is billed per event.',
    sources: [
      'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail.html',
      'https://aws.amazon.com/cloudtrail/pricing/',
    ],
  }),
  trailRetentionDays: integerKey({
    section: 'trail',
    default: 365,
    min: 1,
    max: 3_653,
    description: "Days the trail's bucket keeps each log file before its lifecycle rule deletes it.",
  }),
  sweepIntervalMinutes: integerKey({
    section: 'sweep',
    default: 5,
    min: 0,
    max: MAX_SWEEP_INTERVAL_MINUTES,
    description:
      'Minutes between two reconciliation sweeps; `0` turns the sweep off. Each sweep lists the distributions (and, with ' +
      'tenant calls watched, the tenants), lists the InProgress invalidations of up to 100 distributions, and starts a watch of each ' +
      'change that has been InProgress for more than 2 minutes without one, so a lost CloudTrail event costs at most about ' +
      'one interval of lag. Its notification says the sweep found the change; the alarm `ChangesMissedByCapture` counts ' +
      'these. [operations.md](operations.md#the-reconciliation-sweep) says what each sweep costs.',
    sources: ['https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html'],
  }),
  logRetentionDays: choiceKey(LOG_RETENTION_DAYS, 90, {
    section: 'logs',
    description: 'Days the execution log and the Lambda logs are kept: a retention period CloudWatch Logs accepts.',
    sources: ['https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html'],
  }),
  logRemovalPolicy: choiceKey(LOG_REMOVAL_POLICIES, 'retain', {
    section: 'logs',
    description:
      '`retain` keeps the log groups when the stack is deleted, so the record of what the notifier did outlives it; ' +
      '`destroy` deletes them, for test stacks.',
  }),
  distributionFastPollSeconds: integerKey({
    section: 'schedule',
    default: { derived: `min(${SCHEDULE_DEFAULTS.distributionFastPollSeconds}, \`pollIntervalSeconds\`)` },
    min: MIN_FAST_POLL_SECONDS,
    max: { derived: '`pollIntervalSeconds`' },
    description:
      'Seconds between the checks of a distribution or tenant in the fast phase, right after the change, while a ' +
      'deployment is most likely to finish.',
  }),
  invalidationFastPollSeconds: integerKey({
    section: 'schedule',
    default: { derived: `min(${SCHEDULE_DEFAULTS.invalidationFastPollSeconds}, \`pollIntervalSeconds\`)` },
    min: MIN_FAST_POLL_SECONDS,
    max: { derived: '`pollIntervalSeconds`' },
    description: 'Seconds between the checks of an invalidation in the fast phase, right after the change.',
  }),
  distributionFastPhaseSeconds: integerKey({
    section: 'schedule',
    default: { derived: `min(${SCHEDULE_DEFAULTS.distributionFastPhaseSeconds}, \`growthAfterSeconds\`)` },
    min: 0,
    max: { derived: '`growthAfterSeconds`' },
    description: 'How long the fast phase of a distribution or tenant watch lasts; 0 skips it.',
  }),
  invalidationFastPhaseSeconds: integerKey({
    section: 'schedule',
    default: { derived: `min(${SCHEDULE_DEFAULTS.invalidationFastPhaseSeconds}, \`growthAfterSeconds\`)` },
    min: 0,
    max: { derived: '`growthAfterSeconds`' },
    description: 'How long the fast phase of an invalidation watch lasts; 0 skips it.',
  }),
  growthAfterSeconds: integerKey({
    section: 'schedule',
    default: SCHEDULE_DEFAULTS.growthAfterSeconds,
    min: 0,
    max: MAX_RETENTION_SECONDS,
    description:
      "From this age of a watch on, the interval doubles each time the watch's age doubles, up to " +
      "`maxPollIntervalSeconds`: a stuck 14-day watch stays cheap and far below Step Functions' 25,000-event history limit.",
    sources: ['https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html'],
  }),
  maxPollIntervalSeconds: integerKey({
    section: 'schedule',
    default: { derived: `max(${SCHEDULE_DEFAULTS.maxPollIntervalSeconds}, \`pollIntervalSeconds\`)` },
    min: { derived: '`pollIntervalSeconds`' },
    max: MAX_POLL_INTERVAL_SECONDS,
    alsoLimited: `in mode \`sqs-retry\`, at most ${MAX_WAIT_AFTER_CHECK_SECONDS}`,
    description: 'The longest interval growth reaches; equal to `pollIntervalSeconds`, it turns growth off.',
  }),
  checkJitterPercent: integerKey({
    section: 'schedule',
    default: DEFAULT_CHECK_JITTER_PERCENT,
    min: 0,
    max: 50,
    description:
      'Each wait between two status checks is drawn at random from the whole seconds within this percentage of the ' +
      "schedule's interval (rounded down: with 10, a 17 s wait is 16 to 18 s, an 8 s wait stays 8 s), so that watches " +
      "started together, by a CI pipeline or a Terraform apply, do not check in lockstep against the account's CloudFront " +
      'rate limit. The draw is symmetric, so the mean wait and the check budget stay those of the schedule; 0 turns it off. ' +
      'The execution timeout, a backstop, grows by this share of `retentionSeconds`; in mode `sqs-retry` a wait that ' +
      "jitter would carry past SQS's 12 hours is cut to them.",
  }),
  readBudgetPerSecond: integerKey({
    section: 'schedule',
    default: 0,
    min: 0,
    max: 100,
    alsoLimited: 'in mode `sqs-retry`, 0 only',
    description:
      'A read budget all watches share (mode `stepfunctions`): before each status check a watch reserves the next ' +
      'free read slot, and the slots come this many a second, in turn, so a burst of watches takes turns at the ' +
      "account's CloudFront read limit instead of each backing off on its own. A watch waits for its slot at most " +
      '`pollIntervalSeconds`, then checks anyway; if the reservation fails, it checks at once. Each check costs one ' +
      'more Lambda invocation, one DynamoDB read and write, and 3 more state transitions ' +
      '([operations.md](operations.md#a-shared-read-budget)). 0 turns it off: no table, no function, no extra states.',
  }),
  events: flagKey({
    section: 'events',
    default: true,
    description:
      'Every watch, in both modes, puts one `CloudFront Change Finished` event on the event bus `eventBusName` when it ' +
      'ends, after its notification, for EventBridge rules to act on; `false` leaves the event and its permission out.',
    sources: ['https://docs.aws.amazon.com/step-functions/latest/dg/connect-eventbridge.html'],
  }),
  eventBusName: textKey({
    section: 'events',
    default: CHANGE_EVENT.defaultBusName,
    pattern: /^[.\-_A-Za-z0-9]{1,256}$/,
    allowed: "the name of an event bus in the stack's account and Region: 1 to 256 of A-Z a-z 0-9 . - _",
    description:
      "The event bus that receives the Change Finished event; `default` is the account's default bus. The workflow may " +
      'put events on this bus only.',
    sources: ['https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateEventBus.html'],
  }),
} satisfies Record<string, KeySpec>;

export type ConfigKey = keyof typeof CONFIG_SPEC;
export const CONFIG_KEYS = Object.keys(CONFIG_SPEC) as readonly ConfigKey[];

/** Keys the CDK CLI itself keeps in cdk.context.json (`cdk acknowledge`, `cdk cli-telemetry`) and hands every app. */
const CDK_CLI_KEYS = ['acknowledged-issue-numbers', 'cli-telemetry'];

const isCdkKey = (key: string): boolean =>
  key.includes(':') || key.startsWith('@') || key.startsWith('aws-cdk') || CDK_CLI_KEYS.includes(key);

export class ConfigError extends Error {
  constructor(key: string, value: unknown, allowed: string) {
    super(`Invalid context value for "${key}": ${JSON.stringify(value)}. Allowed: ${allowed}.`);
    this.name = 'ConfigError';
  }
}

/** Reads one context key; the CDK hands `-c` values over as strings and cdk.json values as JSON. */
export type ContextReader = (key: string) => unknown;

const EMAIL = /^[^\s@,;"<>]+@[^\s@,;"<>]+\.[^\s@,;"<>]+$/;

/** The keys whose spec is of this kind. */
type KeysOf<Spec> = { [K in ConfigKey]: (typeof CONFIG_SPEC)[K] extends Spec ? K : never }[ConfigKey];
type IntegerKey = KeysOf<IntegerKeySpec>;
type ChoiceKey = KeysOf<ChoiceKeySpec>;
type ListKey = KeysOf<ListKeySpec>;

/** What readConfig works out for a key whose default or bounds are derived; `bounds` says where they come from. */
interface Resolved {
  readonly fallback?: number;
  readonly min?: number;
  readonly max?: number;
  readonly bounds?: string;
}

const fixed = (
  value: number | Derived | undefined,
  resolved: number | undefined,
  key: string,
  what: string,
): number => {
  const number = resolved ?? (typeof value === 'number' ? value : undefined);
  if (number === undefined) throw new Error(`readConfig: the ${what} of ${key} is derived and was not worked out`);
  return number;
};

function integer(read: ContextReader, key: IntegerKey, resolved: Resolved = {}): number {
  const spec: IntegerKeySpec = CONFIG_SPEC[key];
  const fallback = fixed(spec.default, resolved.fallback, key, 'default');
  const min = fixed(spec.min, resolved.min, key, 'minimum');
  const max = fixed(spec.max, resolved.max, key, 'maximum');
  const raw = read(key);
  if (raw === undefined || raw === null || raw === '') return fallback;
  const value = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(value) || value < min || value > max) {
    const { bounds } = resolved;
    throw new ConfigError(key, raw, `a whole number from ${min} to ${max}${bounds ? ` (${bounds})` : ''}`);
  }
  return value;
}

function flag(read: ContextReader, key: KeysOf<FlagKeySpec>): boolean {
  const raw = read(key);
  if (raw === undefined || raw === null || raw === '') return CONFIG_SPEC[key].default;
  if (raw === true || raw === 'true') return true;
  if (raw === false || raw === 'false') return false;
  throw new ConfigError(key, raw, 'true or false');
}

/** The values a choice key allows. */
type ChoiceOf<K extends ChoiceKey> = (typeof CONFIG_SPEC)[K] extends ChoiceKeySpec<infer T> ? T : never;

function oneOf<K extends ChoiceKey>(read: ContextReader, key: K): ChoiceOf<K> {
  // Each choice key's spec lists values of its own type only, which TypeScript cannot follow through CONFIG_SPEC[key].
  const spec = CONFIG_SPEC[key] as ChoiceKeySpec<ChoiceOf<K>>;
  const raw = read(key);
  if (raw === undefined || raw === null || raw === '') return spec.default;
  const given = (typeof raw === 'string' ? raw : JSON.stringify(raw)).trim();
  const value = spec.values.find((candidate) => String(candidate) === given);
  if (value === undefined) throw new ConfigError(key, raw, `one of ${spec.values.join(', ')}`);
  return value;
}

/** A list given as a JSON array, a JSON array in a string, or a comma-separated string. */
function list(read: ContextReader, key: ListKey): string[] | undefined {
  const { allowed } = CONFIG_SPEC[key];
  const raw = read(key);
  if (raw === undefined || raw === null || raw === '') return undefined;
  let items: unknown = raw;
  if (typeof raw === 'string') {
    const text = raw.trim();
    if (text.startsWith('[')) {
      try {
        items = JSON.parse(text);
      } catch {
        throw new ConfigError(key, raw, allowed);
      }
    } else {
      items = text.split(',');
    }
  }
  if (!Array.isArray(items) || items.some((item) => typeof item !== 'string')) {
    throw new ConfigError(key, raw, allowed);
  }
  const trimmed = items.map((item: string) => item.trim()).filter((item) => item.length > 0);
  return [...new Set(trimmed)];
}

function text(read: ContextReader, key: KeysOf<TextKeySpec>): string {
  const spec: TextKeySpec = CONFIG_SPEC[key];
  const raw = read(key);
  if (raw === undefined || raw === null || raw === '') return spec.default;
  if (typeof raw !== 'string' || !spec.pattern.test(raw.trim())) throw new ConfigError(key, raw, spec.allowed);
  return raw.trim();
}

/** Addresses for an email subscription, each checked on its own so the error names the one that is wrong. */
function emails(read: ContextReader, key: 'notificationEmails' | 'alarmEmails'): string[] {
  const addresses = list(read, key) ?? [];
  const bad = addresses.find((address) => !EMAIL.test(address));
  if (bad !== undefined) throw new ConfigError(key, bad, CONFIG_SPEC[key].allowed);
  return addresses;
}

/** Chat channels in the key's id format, each checked on its own so the error names the one that is wrong. */
function chatChannels(read: ContextReader, key: 'slackChannels' | 'teamsChannels', format: RegExp): RegExpExecArray[] {
  return (list(read, key) ?? []).map((channel) => {
    const match = format.exec(channel);
    if (match === null) throw new ConfigError(key, channel, CONFIG_SPEC[key].allowed);
    return match;
  });
}

/** Refuses a context key that is neither the notifier's nor the CDK's: a mistyped key would silently keep its default. */
export function checkContextKeys(context: Readonly<Record<string, unknown>>): void {
  const unknown = Object.keys(context).find(
    (key) => !isCdkKey(key) && !(CONFIG_KEYS as readonly string[]).includes(key),
  );
  if (unknown === undefined) return;
  throw new ConfigError(
    unknown,
    context[unknown],
    `no such key; the notifier reads ${CONFIG_KEYS.join(', ')}, and the CDK's own keys contain ":" or start with "@" or "aws-cdk"`,
  );
}

export function readConfig(read: ContextReader): NotifierConfig {
  return checkReadBudget(checkReceiveBudget(readKeys(read)));
}

/** Mode sqs-retry has no workflow to wait for a read slot in: its checks come when SQS hands a message back. */
function checkReadBudget(config: NotifierConfig): NotifierConfig {
  if (config.mode === 'stepfunctions' || config.readBudget.perSecond === 0) return config;
  throw new ConfigError(
    'readBudgetPerSecond',
    config.readBudget.perSecond,
    '0 with mode "sqs-retry": a read budget needs mode "stepfunctions"',
  );
}

/** Mode sqs-retry makes one SQS receive per status check, and SQS moves a message to the DLQ after 1,000 at most. */
function checkReceiveBudget(config: NotifierConfig): NotifierConfig {
  if (config.mode !== 'sqs-retry') return config;
  const { schedule, retentionSeconds } = config.watch;
  const { visibilityTimeoutSeconds } = config.capture;
  if (sqsRetryMaxReceiveCount({ retentionSeconds, schedule }) > SQS_MAX_RECEIVE_COUNT) {
    const longest = longestRetentionThatFits(schedule);
    throw new ConfigError(
      'retentionSeconds',
      retentionSeconds,
      `at most ${longest} (${describeDuration(longest)}) with mode "sqs-retry" and pollIntervalSeconds ${schedule.pollIntervalSeconds}: ` +
        `each status check is one SQS receive, and SQS moves a message to the dead-letter queue after ${SQS_MAX_RECEIVE_COUNT.toLocaleString('en-US')} ` +
        'receives at most (maxReceiveCount); raise pollIntervalSeconds or maxPollIntervalSeconds, shorten retentionSeconds, or use mode "stepfunctions"',
    );
  }
  if (longestWaitSeconds(schedule) > MAX_WAIT_AFTER_CHECK_SECONDS) {
    throw new ConfigError(
      'maxPollIntervalSeconds',
      schedule.maxPollIntervalSeconds,
      `at most ${MAX_WAIT_AFTER_CHECK_SECONDS} with mode "sqs-retry": the wait before the next check is the message's ` +
        `visibility timeout, which SQS caps at ${SQS_MAX_VISIBILITY_TIMEOUT_SECONDS} s counted from the receive, and a check ` +
        `runs up to ${SQS_MAX_VISIBILITY_TIMEOUT_SECONDS - MAX_WAIT_AFTER_CHECK_SECONDS} s after its receive`,
    );
  }
  const notifyRoom = notifyRoomSeconds(visibilityTimeoutSeconds);
  if (retentionSeconds <= notifyRoom) {
    throw new ConfigError(
      'retentionSeconds',
      retentionSeconds,
      `more than ${notifyRoom} with mode "sqs-retry" and visibilityTimeoutSeconds ${visibilityTimeoutSeconds}: ` +
        `the last ${NOTIFY_RETRY_RECEIVES} visibility timeouts before a message expires are kept for retrying its notification`,
    );
  }
  return config;
}

/** Reads every key, in an order that decides which of several bad values an error names first. */
function readKeys(read: ContextReader): NotifierConfig {
  const mode = oneOf(read, 'mode');
  const notificationEmails = emails(read, 'notificationEmails');
  const alarmEmails = emails(read, 'alarmEmails');
  const slackChannels = chatChannels(read, 'slackChannels', SLACK_CHANNEL).map(([, workspaceId, channelId]) => ({
    workspaceId: workspaceId!,
    channelId: channelId!,
  }));
  const teamsChannels = chatChannels(read, 'teamsChannels', TEAMS_CHANNEL).map(([, tenantId, teamId, channelId]) => ({
    tenantId: tenantId!,
    teamId: teamId!,
    channelId: channelId!,
  }));

  const watchedEvents = list(read, 'watchedEvents') ?? [...DEFAULT_WATCHED_EVENTS];
  const badEvent = watchedEvents.find((name) => !(SUPPORTED_EVENT_NAMES as readonly string[]).includes(name));
  if (badEvent !== undefined || watchedEvents.length === 0) {
    throw new ConfigError('watchedEvents', badEvent ?? read('watchedEvents'), CONFIG_SPEC.watchedEvents.allowed);
  }

  const distributionIds = list(read, 'distributionIds') ?? [];
  const badId = distributionIds.find((id) => !RESOURCE_ID_PATTERN.test(id));
  if (badId !== undefined) throw new ConfigError('distributionIds', badId, CONFIG_SPEC.distributionIds.allowed);

  const pollIntervalSeconds = integer(read, 'pollIntervalSeconds');
  const tenantStatusCheck = oneOf(read, 'tenantStatusCheck');
  const retentionSeconds = integer(read, 'retentionSeconds');
  const receiveWaitSeconds = integer(read, 'receiveWaitSeconds');
  const minimumVisibility = 6 * (mode === 'sqs-retry' ? SQS_RETRY_CHECKER_TIMEOUT_SECONDS : DISPATCHER_TIMEOUT_SECONDS);
  const visibilityTimeoutSeconds = integer(read, 'visibilityTimeoutSeconds', {
    fallback: minimumVisibility,
    min: minimumVisibility,
  });
  const alarms = flag(read, 'alarms');
  const dashboard = flag(read, 'dashboard');
  const createTrail = flag(read, 'createTrail');
  const trailRetentionDays = integer(read, 'trailRetentionDays');
  const sweepIntervalMinutes = integer(read, 'sweepIntervalMinutes');
  const logRetentionDays = oneOf(read, 'logRetentionDays');
  const logRemovalPolicy = oneOf(read, 'logRemovalPolicy');
  const schedule = readSchedule(read, pollIntervalSeconds);
  const events = { enabled: flag(read, 'events'), busName: text(read, 'eventBusName') };
  const readBudgetPerSecond = integer(read, 'readBudgetPerSecond');

  return {
    mode,
    tenantStatusCheck,
    notifications: { emails: notificationEmails, slackChannels, teamsChannels },
    // In this order: the dispatcher's WATCH_SETTINGS variable is this object as JSON.
    watch: { watchedEvents, distributionIds, retentionSeconds, schedule },
    capture: { receiveWaitSeconds, visibilityTimeoutSeconds },
    alarms: { enabled: alarms, emails: alarmEmails },
    dashboard: { enabled: dashboard },
    trail: { enabled: createTrail, retentionDays: trailRetentionDays },
    sweep: { intervalMinutes: sweepIntervalMinutes },
    readBudget: { perSecond: readBudgetPerSecond },
    logs: { retentionDays: logRetentionDays, removalPolicy: logRemovalPolicy },
    events,
  };
}

/** The schedule keys, each checked against the keys it depends on; defaults follow pollIntervalSeconds and growthAfterSeconds. */
function readSchedule(read: ContextReader, pollIntervalSeconds: number): Required<ScheduleSettings> {
  const growthAfterSeconds = integer(read, 'growthAfterSeconds');
  const defaults = completeScheduleSettings({ pollIntervalSeconds, growthAfterSeconds });
  const fastPoll = (key: 'distributionFastPollSeconds' | 'invalidationFastPollSeconds') =>
    integer(read, key, {
      fallback: defaults[key],
      max: pollIntervalSeconds,
      bounds: `at most pollIntervalSeconds, ${pollIntervalSeconds}`,
    });
  const fastPhase = (key: 'distributionFastPhaseSeconds' | 'invalidationFastPhaseSeconds') =>
    integer(read, key, {
      fallback: defaults[key],
      max: growthAfterSeconds,
      bounds: `0 skips the fast phase; at most growthAfterSeconds, ${growthAfterSeconds}`,
    });
  return {
    pollIntervalSeconds,
    distributionFastPollSeconds: fastPoll('distributionFastPollSeconds'),
    invalidationFastPollSeconds: fastPoll('invalidationFastPollSeconds'),
    distributionFastPhaseSeconds: fastPhase('distributionFastPhaseSeconds'),
    invalidationFastPhaseSeconds: fastPhase('invalidationFastPhaseSeconds'),
    growthAfterSeconds,
    maxPollIntervalSeconds: integer(read, 'maxPollIntervalSeconds', {
      fallback: defaults.maxPollIntervalSeconds,
      min: pollIntervalSeconds,
      bounds: `at least pollIntervalSeconds, ${pollIntervalSeconds}, which turns growth off`,
    }),
    checkJitterPercent: integer(read, 'checkJitterPercent'),
  };
}

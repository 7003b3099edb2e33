/**
 * The configurations the compliance tests sweep: every mode with its defaults, trail on and off, alarms on and off. The
 * ones with both switched on also set alarmEmails and distributionIds, so every optional resource is synthesized at least once.
 * The tenant calls are opt-in, so each mode is swept once more with every call watched, in both ways of reading a tenant;
 * the read budget is opt-in too, and swept once.
 */
import { SUPPORTED_EVENT_NAMES } from '../../domain/cloudtrail';
import { MODES, TENANT_STATUS_CHECKS } from '../../infra/config';
import { CHAT_CONTEXT } from '../../tools/scenarios/contexts';

export type Context = Record<string, string>;

export const ALARM_EMAILS = ['platform-alarms@example.com'];
export const DISTRIBUTION_IDS = ['E2QWRUHAPOMQZL'];

export interface Configuration {
  readonly name: string;
  readonly context: Context;
}

const EVERY_CALL = SUPPORTED_EVENT_NAMES.join(',');

const WITH_TENANTS: readonly Configuration[] = [
  ...TENANT_STATUS_CHECKS.map((check) => ({
    name: `mode=stepfunctions every call tenantStatusCheck=${check}`,
    context: { mode: 'stepfunctions', watchedEvents: EVERY_CALL, tenantStatusCheck: check },
  })),
  { name: 'mode=sqs-retry every call', context: { mode: 'sqs-retry', watchedEvents: EVERY_CALL } },
];

const DEFAULTS: readonly Configuration[] = MODES.flatMap((mode) =>
  [false, true].flatMap((createTrail) =>
    [true, false].map((alarms) => {
      const everything = createTrail && alarms;
      return {
        name: `mode=${mode} createTrail=${createTrail} alarms=${alarms}${everything ? ' alarmEmails distributionIds' : ''}`,
        context: {
          mode,
          createTrail: String(createTrail),
          alarms: String(alarms),
          ...(everything ? { alarmEmails: ALARM_EMAILS.join(','), distributionIds: DISTRIBUTION_IDS.join(',') } : {}),
        },
      };
    }),
  ),
);

/** Chat channels add their configurations and role, in each mode. */
const WITH_CHAT: readonly Configuration[] = MODES.map((mode) => ({
  name: `mode=${mode} slackChannels teamsChannels`,
  context: { mode, ...CHAT_CONTEXT },
}));

/** The read budget adds its table, its Lambda and the grants between them (mode stepfunctions only). */
const WITH_READ_BUDGET: readonly Configuration[] = [
  { name: 'mode=stepfunctions readBudgetPerSecond=5', context: { mode: 'stepfunctions', readBudgetPerSecond: '5' } },
];

export const CONFIGURATIONS: readonly Configuration[] = [
  ...DEFAULTS,
  ...WITH_TENANTS,
  ...WITH_CHAT,
  ...WITH_READ_BUDGET,
];

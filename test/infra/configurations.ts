/**
 * The configurations the compliance tests sweep: every mode with its defaults, trail on and off, alarms on and off. The
 * ones with both switched on also set alarmEmails and distributionIds, so every optional resource is synthesized at least once.
 */
import { MODES } from '../../infra/config';

export type Context = Record<string, string>;

export const ALARM_EMAILS = ['platform-alarms@example.com'];
export const DISTRIBUTION_IDS = ['E2QWRUHAPOMQZL'];

export interface Configuration {
  readonly name: string;
  readonly context: Context;
}

export const CONFIGURATIONS: readonly Configuration[] = MODES.flatMap((mode) =>
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

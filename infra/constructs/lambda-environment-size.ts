/**
 * Lambda's 4 KB quota on a function's environment, checked at synth: past it the deploy fails. Only distributionIds
 * grows without bound, so the error says how many ids of the longest given length fit.
 */
import { StringConcat, Tokenization } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { WATCH_SETTINGS_ENV, type WatchSettings } from '../../domain/settings';
import { ConfigError } from '../config';

/** Lambda's quota: all of a function's variables, measured as one JSON object of keys and values, at most 4 KB. */
export const LAMBDA_ENVIRONMENT_MAX_BYTES = 4_096;
/**
 * What a value known only at deploy (an ARN, a queue URL) is counted as: queue and state machine names stop at 80
 * characters, and a generated topic name with a 128-character stack name still gives an ARN of about 200.
 */
export const DEPLOY_TIME_VALUE_CHARACTERS = 256;

/** The bytes Lambda measures for these variables, each deploy-time part counted at DEPLOY_TIME_VALUE_CHARACTERS. */
function lambdaEnvironmentBytes(variables: Readonly<Record<string, string>>): number {
  const atDeploy = (value: string): string =>
    Tokenization.reverseString(value)
      .mapTokens({ mapToken: () => 'x'.repeat(DEPLOY_TIME_VALUE_CHARACTERS) })
      .join(new StringConcat()) as string;
  const deployed = Object.fromEntries(Object.entries(variables).map(([key, value]) => [key, atDeploy(value)]));
  return Buffer.byteLength(JSON.stringify(deployed), 'utf8');
}

/**
 * Throws a ConfigError naming distributionIds when `environment`, the whole environment of the function `owner`
 * whose WATCH_SETTINGS_ENV carries `settings`, would pass Lambda's quota.
 */
export function checkEnvironmentSize(
  owner: IConstruct,
  environment: Readonly<Record<string, string>>,
  settings: WatchSettings,
): void {
  const bytes = lambdaEnvironmentBytes(environment);
  if (bytes <= LAMBDA_ENVIRONMENT_MAX_BYTES) return;
  const ids = settings.distributionIds;
  const longest = ids.reduce((found, id) => (id.length > found.length ? id : found), '');
  const withIds = (count: number) =>
    lambdaEnvironmentBytes({
      ...environment,
      [WATCH_SETTINGS_ENV]: JSON.stringify({
        ...settings,
        distributionIds: Array.from({ length: count }, () => longest),
      }),
    });
  const maximum = Math.max(0, 1 + Math.floor((LAMBDA_ENVIRONMENT_MAX_BYTES - withIds(1)) / (withIds(2) - withIds(1))));
  throw new ConfigError(
    'distributionIds',
    `${ids.slice(0, 3).join(',')},… (${ids.length} ids)`,
    `at most ${maximum} ids of ${longest.length} characters with these watchedEvents, schedule and mode: the list travels ` +
      `in the ${WATCH_SETTINGS_ENV} variable of ${owner.node.path}, whose environment would measure ${bytes} bytes ` +
      `(each ARN or URL counted as ${DEPLOY_TIME_VALUE_CHARACTERS} characters), and Lambda allows ${LAMBDA_ENVIRONMENT_MAX_BYTES}; ` +
      'list fewer ids, or none to watch every distribution',
  );
}

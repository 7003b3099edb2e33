import { ConfigError, readConfig, type NotifierConfig } from '../../infra/config';

/** Reads a context map the way the CDK hands it over: `-c` values as strings, cdk.json values as JSON. */
export function configFrom(context: Record<string, unknown>): NotifierConfig {
  return readConfig((key) => context[key]);
}

/** The ConfigError a context map is refused with; fails the test when readConfig accepts it. */
export function configErrorFrom(context: Record<string, unknown>): ConfigError {
  try {
    configFrom(context);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`readConfig accepted ${JSON.stringify(context)}`);
}

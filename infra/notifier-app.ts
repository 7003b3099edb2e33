import type { App } from 'aws-cdk-lib';
import { checkContextKeys, readConfig } from './config';
import { NotifierStack, REQUIRED_REGION } from './notifier-stack';

/** The stack's name, which `cdk deploy` deploys and the smoke test looks up. */
export const STACK_NAME = 'CloudFrontChangeNotifier';

export interface NotifierEnvironment {
  readonly account?: string;
  /** @default REQUIRED_REGION, the only Region the stack accepts */
  readonly region?: string;
}

/**
 * The app's wiring, the same for `cdk deploy` (infra/app.ts) and every in-process synth (tools/lib/synth.ts): the
 * context is checked key by key and read into the config before the stack exists.
 */
export function addNotifierStack(app: App, environment: NotifierEnvironment = {}): NotifierStack {
  checkContextKeys(app.node.getAllContext() as Record<string, unknown>);
  const config = readConfig((key) => app.node.tryGetContext(key));
  return new NotifierStack(app, STACK_NAME, {
    description: 'Notifies when CloudFront distribution deployments and invalidations are really done',
    env: { account: environment.account, region: environment.region ?? REQUIRED_REGION },
    config,
  });
}

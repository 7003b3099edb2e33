/**
 * Synthesizes the notifier app in process and reads the deployed state machine definition out of the template:
 * the one helper that tests, the local runner, the benchmark and the generators all use, so none of them keeps a
 * hand-made copy of the workflow.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { addNotifierStack } from '../../infra/notifier-app';
import { REQUIRED_REGION, type NotifierStack } from '../../infra/notifier-stack';
import { parseWatchSettings, WATCH_SETTINGS_ENV, type WatchSettings } from '../../domain/settings';
import type { AslDefinition } from '../../statemachine/definition';
import { PROJECT_DIR } from './cdk-context';

export const FAKE_ACCOUNT = '123456789012';
export const FAKE_PARTITION = 'aws';

export type CfnTemplate = { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };

export interface SynthOptions {
  /** Bundle the Lambda code with esbuild (needed only to run the bundle). @default false */
  readonly bundle?: boolean;
  readonly region?: string;
  /** Where the cloud assembly goes; a bundle that imports node_modules must live inside the project. @default a temp dir */
  readonly outdir?: string;
}

export interface SynthResult {
  readonly app: App;
  readonly stack: NotifierStack;
  readonly template: CfnTemplate;
}

/** The feature flags cdk.json gives `cdk deploy`, so what the tests and tools synthesize is what deploys. */
const FEATURE_FLAGS: Record<string, unknown> = Object.fromEntries(
  Object.entries(
    (JSON.parse(readFileSync(join(PROJECT_DIR, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> })
      .context ?? {},
  ).filter(([key]) => key.startsWith('@')),
);

export function synthNotifier(context: Record<string, unknown> = {}, options: SynthOptions = {}): SynthResult {
  const app = new App({
    ...(options.outdir ? { outdir: options.outdir } : {}),
    context: { ...FEATURE_FLAGS, ...context, ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }) },
  });
  const stack = addNotifierStack(app, { account: FAKE_ACCOUNT, region: options.region });
  const template = app.synth().getStackByName(stack.stackName).template as CfnTemplate;
  return { app, stack, template };
}

/** A stand-in ARN for a resource of the template, stable across runs. */
export function fakeArn(template: CfnTemplate, logicalId: string): string {
  const resource = template.Resources[logicalId];
  if (!resource) throw new Error(`no resource ${logicalId} in the template`);
  const service = resource.Type.split('::')[1]!.toLowerCase();
  // The resource part of each ARN format the definition holds: arn:aws:states:...:stateMachine:NAME, ...:function:NAME.
  const resourcePrefix: Record<string, string> = { stepfunctions: 'stateMachine:', lambda: 'function:' };
  const name = `${resourcePrefix[service] ?? ''}${logicalId}`;
  return `arn:${FAKE_PARTITION}:${service === 'stepfunctions' ? 'states' : service}:${REQUIRED_REGION}:${FAKE_ACCOUNT}:${name}`;
}

/** Resolves the intrinsics CDK puts into a DefinitionString: Fn::Join, Ref and Fn::GetAtt ...Arn. */
export function resolveIntrinsics(value: unknown, template: CfnTemplate): unknown {
  if (Array.isArray(value)) return value.map((item) => resolveIntrinsics(item, template));
  if (typeof value !== 'object' || value === null) return value;
  const object = value as Record<string, unknown>;
  if ('Fn::Join' in object) {
    const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
    return parts.map((part) => resolveIntrinsics(part, template)).join(separator);
  }
  if ('Ref' in object) {
    const ref = object.Ref as string;
    const pseudo: Record<string, string> = {
      'AWS::Partition': FAKE_PARTITION,
      'AWS::Region': REQUIRED_REGION,
      'AWS::AccountId': FAKE_ACCOUNT,
      'AWS::URLSuffix': 'amazonaws.com',
    };
    return pseudo[ref] ?? fakeArn(template, ref);
  }
  if ('Fn::GetAtt' in object) {
    const [logicalId, attribute] = object['Fn::GetAtt'] as [string, string];
    if (attribute !== 'Arn') throw new Error(`cannot resolve Fn::GetAtt ${logicalId}.${attribute}`);
    return fakeArn(template, logicalId);
  }
  return Object.fromEntries(Object.entries(object).map(([key, inner]) => [key, resolveIntrinsics(inner, template)]));
}

export function stateMachineLogicalId(template: CfnTemplate): string {
  const ids = Object.keys(template.Resources).filter(
    (id) => template.Resources[id]!.Type === 'AWS::StepFunctions::StateMachine',
  );
  if (ids.length !== 1) throw new Error(`expected one state machine in the template, found ${ids.length}`);
  return ids[0]!;
}

/** The state machine definition exactly as deployed, with stand-in ARNs. A fresh object on every call. */
export function watchDefinition(template: CfnTemplate): AslDefinition {
  const properties = template.Resources[stateMachineLogicalId(template)]!.Properties!;
  const definitionString = resolveIntrinsics(properties.DefinitionString, template) as string;
  return JSON.parse(definitionString) as AslDefinition;
}

/**
 * The settings the stack hands its running code (the dispatcher, or the status check in mode sqs-retry), read back
 * from the template as that function reads them, rather than derived from the context a second time.
 */
export function watchSettingsOf(template: CfnTemplate): WatchSettings {
  const values = Object.values(template.Resources)
    .filter((resource) => resource.Type === 'AWS::Lambda::Function')
    .map(
      (resource) =>
        (resource.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables?.[
          WATCH_SETTINGS_ENV
        ],
    )
    .filter((value) => value !== undefined);
  // The consumer of the buffer queue and the sweeper get the same settings.
  const distinct = [...new Set(values)];
  if (distinct.length !== 1 || typeof distinct[0] !== 'string') {
    throw new Error(
      `expected one literal ${WATCH_SETTINGS_ENV} in the template's functions, found ${distinct.length} different ones`,
    );
  }
  return parseWatchSettings(distinct[0]);
}

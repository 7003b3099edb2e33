/**
 * Runs the dispatcher exactly as Lambda would: the esbuild bundle from the synthesized cloud assembly, its
 * environment from the template, one SQS record. Its SFNClient talks to a loopback fake; nothing reaches AWS.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { randomUUID } from 'node:crypto';
import { AssetManifestArtifact } from 'aws-cdk-lib/cx-api';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { AslDefinition } from '../../statemachine/definition';
import { WATCH_SETTINGS_ENV, type WatchSettings, DISPATCHER_ENV } from '../../domain/settings';
import {
  fakeArn,
  resolveIntrinsics,
  synthNotifier,
  watchDefinition,
  watchSettingsOf,
  type CfnTemplate,
} from '../lib/synth';
import { lambdaContext, sqsEvent } from '../lib/lambda-event';
import { startFakeStepFunctions, type RecordedStart } from './fake-step-functions';

/** The bundle imports @aws-sdk/* from node_modules (Lambda provides it), so it must sit inside the project. */
const ASSEMBLY_ROOT = fileURLToPath(new URL('../../node_modules/.cache/cloudfront-change-notifier/', import.meta.url));
/** An assembly this old belongs to a run that was interrupted before it could clean up. */
const STALE_ASSEMBLY_MILLISECONDS = 3_600_000;
const FAKE_CREDENTIALS = {
  AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
};

export interface PreparedApp {
  readonly template: CfnTemplate;
  readonly definition: AslDefinition;
  readonly settings: WatchSettings;
  readonly dispatcher: DispatcherFunction;
  /** Removes the cloud assembly written for this run. */
  dispose(): void;
}

interface DispatcherFunction {
  readonly logicalId: string;
  readonly bundlePath: string;
  readonly environment: Record<string, string>;
  readonly queueArn: string;
}

/** Synthesizes the app with the Lambda code bundled, into a fresh directory under node_modules/.cache. */
export function prepareApp(context: Record<string, unknown>): PreparedApp {
  mkdirSync(ASSEMBLY_ROOT, { recursive: true });
  for (const entry of readdirSync(ASSEMBLY_ROOT)) {
    const path = join(ASSEMBLY_ROOT, entry);
    const modified = statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? Date.now();
    if (Date.now() - modified > STALE_ASSEMBLY_MILLISECONDS) rmSync(path, { recursive: true, force: true });
  }
  const outdir = mkdtempSync(join(ASSEMBLY_ROOT, 'start-'));
  try {
    const { app, template } = synthNotifier(context, { bundle: true, outdir });
    const assembly = app.synth();
    const files: Record<string, { source: { path?: string } }> = {};
    for (const artifact of assembly.artifacts) {
      if (AssetManifestArtifact.isAssetManifestArtifact(artifact)) Object.assign(files, artifact.contents.files ?? {});
    }
    const dispatcher = findDispatcher(template, (hash) => {
      const path = files[hash]?.source.path;
      if (path === undefined) throw new Error(`the cloud assembly has no asset ${hash}`);
      return join(resolve(assembly.directory, path), 'index.mjs');
    });
    return {
      template,
      definition: watchDefinition(template),
      settings: watchSettingsOf(template),
      dispatcher,
      dispose: () => rmSync(outdir, { recursive: true, force: true }),
    };
  } catch (error) {
    rmSync(outdir, { recursive: true, force: true });
    throw error;
  }
}

/** The dispatcher is the function that consumes the buffer queue with the state machine ARN and the watch settings. */
function dispatcherResource(template: CfnTemplate): {
  logicalId: string;
  properties: Record<string, unknown>;
  environment: Record<string, string>;
} {
  // The sweeper gets the same two variables but reads no queue.
  const consumers = new Set(
    Object.values(template.Resources)
      .filter((resource) => resource.Type === 'AWS::Lambda::EventSourceMapping')
      .map((mapping) => (mapping.Properties?.FunctionName as { Ref?: string } | undefined)?.Ref),
  );
  const candidates = Object.entries(template.Resources).filter(([logicalId, resource]) => {
    const variables = (resource.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)
      ?.Variables;
    return (
      resource.Type === 'AWS::Lambda::Function' &&
      consumers.has(logicalId) &&
      variables?.[DISPATCHER_ENV.stateMachineArn] !== undefined &&
      variables[WATCH_SETTINGS_ENV] !== undefined
    );
  });
  if (candidates.length !== 1)
    throw new Error(`expected one dispatcher function in the template, found ${candidates.length}`);
  const [logicalId, resource] = candidates[0]!;
  const properties = resource.Properties!;
  const environment = resolveIntrinsics(
    (properties.Environment as { Variables: unknown }).Variables,
    template,
  ) as Record<string, string>;
  return { logicalId, properties, environment };
}

function findDispatcher(template: CfnTemplate, bundleOf: (hash: string) => string): DispatcherFunction {
  const { logicalId, properties, environment } = dispatcherResource(template);
  const s3Key = (properties.Code as { S3Key?: unknown }).S3Key;
  if (typeof s3Key !== 'string')
    throw new Error(`the dispatcher's code is not a file asset: ${JSON.stringify(properties.Code)}`);
  const mapping = Object.entries(template.Resources).find(
    ([, candidate]) =>
      candidate.Type === 'AWS::Lambda::EventSourceMapping' &&
      JSON.stringify(candidate.Properties?.FunctionName ?? '').includes(logicalId),
  );
  const queueArn = mapping
    ? (resolveIntrinsics(mapping[1].Properties!.EventSourceArn, template) as string)
    : fakeArn(template, logicalId);
  return { logicalId, bundlePath: bundleOf(s3Key.replace(/\.zip$/, '')), environment, queueArn };
}

export interface DispatchReplay {
  readonly response: SQSBatchResponse;
  /** The StartExecution calls the dispatcher made; one for a watched event. */
  readonly starts: readonly RecordedStart[];
}

let imports = 0;

/** Sends one EventBridge event through the bundled handler as a batch of one SQS record. */
export async function replayDispatcher(prepared: PreparedApp, eventBody: string): Promise<DispatchReplay> {
  const fake = await startFakeStepFunctions();
  try {
    const environment: Record<string, string | undefined> = {
      ...prepared.dispatcher.environment,
      ...FAKE_CREDENTIALS,
      // The timeline tells the story; the function's JSON log lines would drown it unless asked for.
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'SILENT',
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_ENDPOINT_URL: fake.endpoint,
      AWS_ENDPOINT_URL_SFN: fake.endpoint,
      AWS_EC2_METADATA_DISABLED: 'true',
      // The bundle runs on the Lambda runtime's Node (NotifierFunction); the SDK's notice about the local Node version does not apply to it.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      // A profile would take precedence over the fake keys, and this switch would ignore the loopback endpoint.
      AWS_PROFILE: undefined,
      AWS_SESSION_TOKEN: undefined,
      AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: undefined,
      AWS_LAMBDA_FUNCTION_NAME: prepared.dispatcher.logicalId,
    };
    const response = await withEnvironment(environment, async () => {
      // A fresh module instance per replay: the handler builds its client (and reads the endpoint) at load time.
      imports += 1;
      const module = (await import(`${pathToFileURL(prepared.dispatcher.bundlePath).href}?replay=${imports}`)) as {
        handler: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
      };
      return module.handler(
        sqsEvent({ messageId: randomUUID(), body: eventBody, queueArn: prepared.dispatcher.queueArn }),
        lambdaContext(prepared.dispatcher.logicalId),
      );
    });
    return { response, starts: [...fake.starts] };
  } finally {
    await fake.close();
  }
}

async function withEnvironment<T>(values: Record<string, string | undefined>, action: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(values).map((key) => [key, process.env[key]]));
  const apply = (entries: Record<string, string | undefined>) => {
    for (const [key, value] of Object.entries(entries)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
  apply(values);
  try {
    return await action();
  } finally {
    apply(saved);
  }
}

/** The command line of `npm start`: what to replay, or what to watch live. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { RESOURCE_ID_PATTERN } from '../../domain/cloudtrail';
import { CONTEXT_OPTION, contextPairs } from '../lib/cdk-context';
import { UsageError } from '../lib/usage-error';
import { DEFAULT_SCENARIO, SCENARIO_NAMES, SCENARIOS, type ScenarioName } from './scenarios';

export { UsageError };

export const DEFAULT_FINISH_AFTER_SECONDS = 90;

export type StartOptions =
  | { readonly mode: 'help' }
  | {
      readonly mode: 'replay';
      readonly eventFile?: string;
      readonly scenario: ScenarioName;
      readonly finishAfterSeconds: number;
      readonly context: Record<string, string>;
    }
  | ({
      readonly mode: 'live';
      readonly invalidationId?: string;
      readonly publishTopicArn?: string;
      readonly context: Record<string, string>;
    } & LiveTarget);

/** What a live run watches (or whose invalidation): a distribution or a distribution tenant, never both. */
export type LiveTarget =
  | { readonly distributionId: string; readonly tenantId?: never }
  | { readonly tenantId: string; readonly distributionId?: never };

const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;
const REPLAY_ONLY = ['event', 'scenario', 'finish-after'] as const;
const LIVE_ONLY = ['distribution', 'tenant', 'invalidation', 'publish'] as const;

export function usage(): string {
  const scenarios = SCENARIO_NAMES.map((name) => `  ${name.padEnd(14)} ${SCENARIOS[name]}`).join('\n');
  return `Usage:
  npm start [-- [--event FILE] [--scenario NAME] [--finish-after DURATION] [-c KEY=VALUE]...]
  npm start -- --live (--distribution ID | --tenant ID) [--invalidation ID] [--publish TOPIC_ARN] [-c KEY=VALUE]...

Replays a CloudFront change end to end on this machine, without AWS: synthesizes the app, sends a CloudTrail event
through the bundled dispatcher Lambda, runs the execution it starts in aws-local-stepfunctions against a simulated
CloudFront in compressed time, and prints the timeline and the exact SNS notification.

Options:
  --event FILE             CloudTrail event to replay: an EventBridge event or a bare CloudTrail record
                           (default: tools/fixtures/events/update-distribution.json); its time is moved to now
  --scenario NAME          what the simulated CloudFront does (default: ${DEFAULT_SCENARIO})
  --finish-after DURATION  simulated time until the change is done: 90s, 5m, 1h, 1m30s or seconds (default: 90s)
  -c, --context KEY=VALUE  CDK context for the synthesized app, as with cdk deploy (e.g. -c pollIntervalSeconds=30)
  --live                   watch a real change instead: the same definition, run locally, calling the real
                           CloudFront API (read-only) with your AWS credentials, waiting in real time
  --distribution ID        (--live) the distribution to watch until Deployed
  --tenant ID              (--live) the distribution tenant to watch until Deployed, instead of a distribution
  --invalidation ID        (--live) watch this invalidation of the distribution (or tenant) until Completed
  --publish TOPIC_ARN      (--live) really publish the notification to this SNS topic; otherwise it is only printed
  -h, --help               this text

Scenarios:
${scenarios}

Exit codes: 0 the run finished (whatever the outcome), 1 something broke, 2 bad arguments or event file.
`;
}

/** "90s", "5m", "1h", "1m30s" or plain seconds ("45"). */
export function parseDuration(text: string): number | undefined {
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s?)?$/.exec(text.trim());
  if (!match || text.trim() === '' || match.slice(1).every((part) => part === undefined)) return undefined;
  const [hours, minutes, seconds] = match.slice(1).map((part) => Number(part ?? 0)) as [number, number, number];
  return hours * 3600 + minutes * 60 + seconds;
}

/**
 * The options of one command, strictly (no positionals, no unknown option); what node:util parseArgs refuses is a
 * UsageError that shows the usage text.
 */
export function parseOptions<const O extends NonNullable<ParseArgsConfig['options']>>(
  argv: readonly string[],
  options: O,
) {
  try {
    return parseArgs({ args: [...argv], strict: true, allowPositionals: false, options }).values;
  } catch (error) {
    throw new UsageError((error as Error).message, true);
  }
}

function liveTarget(distribution: string | undefined, tenant: string | undefined): LiveTarget {
  if (distribution !== undefined && tenant !== undefined)
    throw new UsageError('--live watches --distribution or --tenant, not both', true);
  if (tenant !== undefined) return { tenantId: tenant };
  if (distribution !== undefined) return { distributionId: distribution };
  throw new UsageError(
    '--live needs --distribution ID or --tenant ID (the distribution or distribution tenant to watch)',
    true,
  );
}

export function parseArguments(argv: readonly string[]): StartOptions {
  const values = parseOptions(argv, {
    event: { type: 'string' },
    scenario: { type: 'string' },
    'finish-after': { type: 'string' },
    context: CONTEXT_OPTION,
    live: { type: 'boolean' },
    distribution: { type: 'string' },
    tenant: { type: 'string' },
    invalidation: { type: 'string' },
    publish: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return { mode: 'help' };
  const context = contextPairs(values.context);

  if (values.live) {
    const misplaced = REPLAY_ONLY.find((name) => values[name] !== undefined);
    if (misplaced)
      throw new UsageError(`--${misplaced} replays a simulated change and cannot be combined with --live`, true);
    const target = liveTarget(values.distribution, values.tenant);
    const ids = [
      ['--distribution', values.distribution],
      ['--tenant', values.tenant],
      ['--invalidation', values.invalidation],
    ] as const;
    for (const [flag, id] of ids) {
      if (id !== undefined && !RESOURCE_ID_PATTERN.test(id))
        throw new UsageError(`${flag} "${id}" is not a CloudFront id`);
    }
    if (values.publish !== undefined && !TOPIC_ARN.test(values.publish)) {
      throw new UsageError(`--publish "${values.publish}" is not an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME)`);
    }
    return {
      mode: 'live',
      ...target,
      ...(values.invalidation === undefined ? {} : { invalidationId: values.invalidation }),
      ...(values.publish === undefined ? {} : { publishTopicArn: values.publish }),
      context,
    };
  }

  const liveFlag = LIVE_ONLY.find((name) => values[name] !== undefined);
  if (liveFlag) throw new UsageError(`--${liveFlag} watches a real change and needs --live`, true);
  const scenario = values.scenario ?? DEFAULT_SCENARIO;
  if (!(SCENARIO_NAMES as readonly string[]).includes(scenario)) {
    throw new UsageError(`unknown scenario "${scenario}"; choose one of ${SCENARIO_NAMES.join(', ')}`, true);
  }
  let finishAfterSeconds = DEFAULT_FINISH_AFTER_SECONDS;
  if (values['finish-after'] !== undefined) {
    const parsed = parseDuration(values['finish-after']);
    if (parsed === undefined)
      throw new UsageError(`--finish-after "${values['finish-after']}" is not a duration such as 90s, 5m or 45`);
    finishAfterSeconds = parsed;
  }
  return {
    mode: 'replay',
    ...(values.event === undefined ? {} : { eventFile: values.event }),
    scenario: scenario as ScenarioName,
    finishAfterSeconds,
    context,
  };
}

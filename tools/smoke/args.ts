/** The command line of `npm run smoke`: which distribution (or invalidation of it) the deployed stack should watch. */
import { RESOURCE_ID_PATTERN } from '../../domain/cloudtrail';
import { STACK_NAME } from '../../infra/notifier-app';
import { parseDuration, parseOptions, UsageError } from '../cli/args';
import { CONTEXT_OPTION, contextPairs } from '../lib/cdk-context';

/** Long enough for a distribution that is mid-deployment to finish; a Deployed one ends after one check. */
export const DEFAULT_TIMEOUT_SECONDS = 600;

export type SmokeOptions =
  | { readonly mode: 'help' }
  | {
      readonly mode: 'smoke';
      readonly distributionId: string;
      readonly invalidationId?: string;
      /** Used only when the deployed template cannot be read and the app is synthesized instead. */
      readonly context: Record<string, string>;
      readonly timeoutSeconds: number;
      readonly json: boolean;
    };

export function smokeUsage(): string {
  return `Usage:
  npm run smoke -- --distribution ID [--invalidation ID] [--timeout DURATION] [--json] [-c KEY=VALUE]...

Proves the deployed ${STACK_NAME} stack (us-east-1) end to end with your AWS credentials. Nothing in
CloudFront is changed: the stack is asked to watch a distribution (or one of its invalidations) as if it had just
been changed, and its notification goes out to the topic's subscribers, marked as a smoke test.

  mode stepfunctions  starts one execution of the deployed state machine with the input the dispatcher would build,
                      follows its history and prints the timeline, the outcome and the notification it sent
  mode sqs-retry      sends the CloudTrail event the capture rule would forward to the buffer queue and waits for the
                      sqs-retry checker to log "Watch ended; notification sent" for it

Options:
  --distribution ID        the distribution to watch until Deployed (one that is Deployed finishes after one check)
  --invalidation ID        watch this invalidation of the distribution until Completed instead
  --timeout DURATION       how long to follow the watch: 90s, 5m, 1h, 1m30s or seconds (default: 10m)
  --json                   print one JSON summary on stdout; the timeline goes to stderr
  -c, --context KEY=VALUE  CDK context the stack was deployed with; used only if the deployed template cannot be
                           read (cloudformation:GetTemplate denied), on top of cdk.json, cdk.context.json and
                           ~/.cdk.json
  -h, --help               this text

Exit codes: 0 the watch ended deployed (or completed, or superseded) and its notification was sent;
1 it ended otherwise (not found, check failed, timed out) or did not end within --timeout;
2 it could not start (bad arguments, no credentials, stack not deployed, not allowed to start it).
See docs/smoke.md.
`;
}

export function parseSmokeArguments(argv: readonly string[]): SmokeOptions {
  const values = parseOptions(argv, {
    distribution: { type: 'string' },
    invalidation: { type: 'string' },
    timeout: { type: 'string' },
    json: { type: 'boolean' },
    context: CONTEXT_OPTION,
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return { mode: 'help' };
  if (values.distribution === undefined)
    throw new UsageError('--distribution ID is required: the distribution the deployed stack should watch', true);
  for (const [flag, id] of [
    ['--distribution', values.distribution],
    ['--invalidation', values.invalidation],
  ] as const) {
    if (id !== undefined && !RESOURCE_ID_PATTERN.test(id))
      throw new UsageError(`${flag} "${id}" is not a CloudFront id`);
  }
  let timeoutSeconds = DEFAULT_TIMEOUT_SECONDS;
  if (values.timeout !== undefined) {
    const parsed = parseDuration(values.timeout);
    if (parsed === undefined || parsed <= 0)
      throw new UsageError(`--timeout "${values.timeout}" is not a duration such as 90s, 5m or 600`);
    timeoutSeconds = parsed;
  }
  return {
    mode: 'smoke',
    distributionId: values.distribution,
    ...(values.invalidation === undefined ? {} : { invalidationId: values.invalidation }),
    context: contextPairs(values.context),
    timeoutSeconds,
    json: values.json ?? false,
  };
}

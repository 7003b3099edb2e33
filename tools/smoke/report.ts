/** What a smoke run found, as an exit code, a verdict line and (with --json) one JSON object. */
import type { Output } from '../cli/timeline';
import type { DeployedMode } from './deployment';
import type { PublishedNotification } from './history';

export type ExitCode = 0 | 1 | 2;

export interface SmokeResult {
  /** 0 the watch ended deployed, completed or superseded with its notification sent; 1 it ended otherwise; 2 it could not start. */
  readonly exitCode: ExitCode;
  readonly reason: string;
  readonly mode?: DeployedMode;
  readonly outcome?: string;
  readonly eventId?: string;
  readonly executionArn?: string;
  readonly consoleUrl?: string;
  readonly notification?: PublishedNotification;
  /** Mode sqs-retry: where the status check logged the watch. */
  readonly logGroupName?: string;
}

/**
 * The outcomes that prove the stack works end to end. Superseded counts: the deployed role read the distribution,
 * CloudFront answered Deployed and SNS took the notification; only the ETag was a newer change's. (A smoke watch has no
 * ETag of its own, so it is never superseded in practice.)
 */
export const PASSING_OUTCOMES: ReadonlySet<string> = new Set(['deployed', 'completed', 'superseded']);

export function printVerdict(out: Output, result: SmokeResult): void {
  const label = result.exitCode === 0 ? 'PASS' : result.exitCode === 1 ? 'FAIL' : 'NOT STARTED';
  out.write(`\n${label}: ${result.reason}\n`);
}

/** One JSON object for scripts and CI: the same facts as the human output, without the timeline. */
export function jsonSummary(result: SmokeResult): string {
  const verdict = result.exitCode === 0 ? 'passed' : result.exitCode === 1 ? 'failed' : 'not-started';
  const { exitCode, reason, ...details } = result;
  return `${JSON.stringify({ result: verdict, exitCode, reason, ...details }, null, 2)}\n`;
}

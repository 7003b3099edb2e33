/** The preflight results as lines for a person or as one JSON document for a script: the same content either way. */
import type { Mode } from '../../infra/config';
import { REQUIRED_REGION } from '../../infra/notifier-stack';
import type { CheckResult, Finding, Identity, Status } from './checks';

export interface PreflightReport {
  readonly stackName: string;
  readonly mode: Mode;
  readonly identity: Identity;
  readonly checks: readonly CheckResult[];
}

/** Could not run: no credentials, or a context the app refuses. */
export interface PreflightError {
  readonly error: string;
  readonly fix?: string;
}

export type ExitCode = 0 | 1 | 2;

export function exitCodeOf(report: PreflightReport): ExitCode {
  return report.checks.some((check) => check.status === 'fail') ? 1 : 0;
}

function summary(checks: readonly CheckResult[]): Record<Status, number> {
  const counts: Record<Status, number> = { pass: 0, warn: 0, fail: 0 };
  for (const check of checks) counts[check.status] += 1;
  return counts;
}

const LABEL: Record<Status, string> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL' };
const ID_WIDTH = 12;
const DETAIL_INDENT = ' '.repeat(6 + ID_WIDTH + 1);

function sentence(finding: Finding): string {
  if (!finding.fix) return finding.found;
  return `${finding.found}${/[.!?]$/.test(finding.found) ? '' : '.'} Fix: ${finding.fix}`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

export function renderText(report: PreflightReport): string {
  const lines = [
    `Preflight of ${report.stackName} (mode ${report.mode}) for account ${report.identity.account} in ${REQUIRED_REGION}: read-only calls with your credentials`,
    '',
  ];
  for (const check of report.checks) {
    lines.push(`${LABEL[check.status]}  ${check.id.padEnd(ID_WIDTH)} ${sentence(check)}`);
    for (const detail of check.details) lines.push(`${DETAIL_INDENT}${detail.status.padEnd(4)}  ${sentence(detail)}`);
  }
  const counts = summary(report.checks);
  const code = exitCodeOf(report);
  lines.push(
    '',
    `${plural(counts.fail, 'failure')}, ${plural(counts.warn, 'warning')}, ${counts.pass} passed: exit ${code}` +
      (code === 0
        ? counts.warn > 0
          ? ' (it should work; read the warnings)'
          : ' (it should work)'
        : ' (fix the failures before cdk deploy)'),
  );
  return `${lines.join('\n')}\n`;
}

function findingJson(finding: Finding): Record<string, unknown> {
  return { status: finding.status, found: finding.found, ...(finding.fix ? { fix: finding.fix } : {}) };
}

export function renderJson(report: PreflightReport): string {
  const document = {
    exitCode: exitCodeOf(report),
    region: REQUIRED_REGION,
    stackName: report.stackName,
    mode: report.mode,
    account: report.identity.account,
    principalArn: report.identity.principalArn,
    summary: summary(report.checks),
    checks: report.checks.map((check) => ({
      id: check.id,
      ...findingJson(check),
      details: check.details.map(findingJson),
    })),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

export function renderErrorText(failure: PreflightError): string {
  return `npm run preflight could not run: ${failure.error}\n${failure.fix ? `${failure.fix}\n` : ''}`;
}

export function renderErrorJson(failure: PreflightError): string {
  return `${JSON.stringify({ exitCode: 2, region: REQUIRED_REGION, error: failure.error, ...(failure.fix ? { fix: failure.fix } : {}), checks: [] }, null, 2)}\n`;
}

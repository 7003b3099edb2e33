/** Pieces common to the smoke tests: the watched distribution and its caller, a run on a fake clock, and the deployed stack. */
import {
  DescribeStacksCommand,
  GetTemplateCommand,
  type Output as StackOutput,
  type StackStatus,
} from '@aws-sdk/client-cloudformation';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { STACK_NAME } from '../../infra/notifier-app';
import type { CfnTemplate } from '../../tools/lib/synth';
import { runSmoke, type SmokeIo } from '../../tools/smoke/smoke';
import { cloudFormation, resetAwsMocks, sts } from './aws-mocks';
import { captured } from './support';

export const ACCOUNT = '123456789012';
export const DISTRIBUTION = 'E2QWRUHAPOMQZL';
export const CALLER = `arn:aws:iam::${ACCOUNT}:user/alice`;
export const TOPIC = `arn:aws:sns:us-east-1:${ACCOUNT}:CloudFrontChangeNotifier-NotificationsTopic`;
export const NOW = '2027-03-01T08:00:00Z';
/** The event id of every run: NOW, and the fake random digits a1b2c3. */
export const EVENT_ID = 'smoke-20270301T080000Z-a1b2c3';

/** `npm run smoke` with captured output, and a fake clock that the fake sleep moves on. */
export async function smoke(argv: string[], overrides: Partial<SmokeIo> = {}) {
  let now = Date.parse(NOW);
  const sleeps: number[] = [];
  const stdout = captured();
  const stderr = captured();
  const io: SmokeIo = {
    stdout,
    stderr,
    now: () => new Date(now),
    sleep: async (milliseconds: number) => {
      sleeps.push(milliseconds);
      now += milliseconds;
    },
    random: () => 'a1b2c3',
    ...overrides,
  };
  const code = await runSmoke(argv, io);
  return { code, stdout: stdout.text, stderr: stderr.text, sleeps };
}

/** Every mock forgotten, and STS answering for CALLER: the set-up before each smoke test. */
export function resetWithCaller(): void {
  resetAwsMocks();
  sts.on(GetCallerIdentityCommand).resolves({ Arn: CALLER, Account: ACCOUNT, UserId: 'AIDAEXAMPLEUSER' });
}

/** CloudFormation describes the stack with these outputs and status, and hands out `template` as deployed. */
export function stackDeployed(template: CfnTemplate, outputs: StackOutput[], status: StackStatus): void {
  cloudFormation.on(DescribeStacksCommand).resolves({
    Stacks: [{ StackName: STACK_NAME, StackStatus: status, CreationTime: new Date(NOW), Outputs: outputs }],
  });
  cloudFormation.on(GetTemplateCommand).resolves({ TemplateBody: JSON.stringify(template) });
}

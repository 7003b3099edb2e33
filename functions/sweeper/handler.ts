import { Logger } from '@aws-lambda-powertools/logger';
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { setTimeout } from 'node:timers/promises';
import { parseWatchSettings, SWEEP_ENV, WATCH_SETTINGS_ENV } from '../../domain/settings';
import { sweepIntervalOf } from '../../domain/sweep';
import { requireEnv } from '../commons/lambda-env';
import { sweep, type SweepTarget } from './sweep';

/** The SDK's standard retry absorbs a throttle or two in place; what still fails waits for the next sweep. */
const clientConfig = { maxAttempts: 3 };
const logger = new Logger();
const settings = parseWatchSettings(process.env[WATCH_SETTINGS_ENV]);
const cloudfront = new CloudFrontClient(clientConfig);
// Exactly one of the two targets is configured, by the mode the stack was deployed in.
const target: SweepTarget = process.env[SWEEP_ENV.stateMachineArn]
  ? { mode: 'stepfunctions', sfn: new SFNClient(clientConfig), stateMachineArn: requireEnv(SWEEP_ENV.stateMachineArn) }
  : {
      mode: 'sqs-retry',
      sqs: new SQSClient(clientConfig),
      queueUrl: requireEnv(SWEEP_ENV.queueUrl),
      logs: new CloudWatchLogsClient(clientConfig),
      checkerLogGroupName: requireEnv(SWEEP_ENV.checkerLogGroupName),
    };

/** Thrown after the sweep went as far as it could, so the invocation counts as failed and SweepErrors alarms. */
class SweepIncomplete extends Error {
  override name = 'SweepIncomplete';
}

/** Thrown for an invocation that is not the schedule's: it would not know whose turn it is. */
class NotASweepInvocation extends Error {
  override name = 'NotASweepInvocation';
}

export const handler = async (event: unknown, context: Context): Promise<void> => {
  logger.addContext(context);
  const intervalMinutes = sweepIntervalOf(event);
  if (intervalMinutes === undefined) {
    throw new NotASweepInvocation(
      `expected the schedule's input {"intervalMinutes": <minutes>}, got ${JSON.stringify(event)}`,
    );
  }
  const report = await sweep({
    cloudfront,
    target,
    logger,
    settings,
    intervalMinutes,
    now: () => new Date(),
    pause: (milliseconds) => setTimeout(milliseconds),
  });
  if (report.failures.length > 0) {
    logger.error('Sweep incomplete: some calls failed; the next sweep tries again', { failures: report.failures });
    throw new SweepIncomplete(report.failures.join('; '));
  }
};

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { secondsUntilCheck } from '../../domain/schedule';
import { scheduleFor } from '../../domain/settings';
import { run } from '../../tools/cli/run';
import { TIMEOUT_SCENARIO_RETENTION_SECONDS } from '../../tools/cli/scenarios';
import { disposeApps, notificationText, sharedPrepare, testIo, withoutTimestamps } from './support';
import { EVERY_CALL } from '../support/definition';

const fixture = (name: string) => fileURLToPath(new URL(`../../tools/fixtures/events/${name}`, import.meta.url));
const directory = mkdtempSync(join(tmpdir(), 'start-replay-'));
/** Waits exactly as the schedule says, so the times below can be spelled out. */
const NO_JITTER = ['-c', 'checkJitterPercent=0'];

afterAll(() => {
  disposeApps();
  rmSync(directory, { recursive: true, force: true });
});

async function start(argv: string[]) {
  const io = testIo();
  const code = await run(argv, io);
  return { code, stdout: io.stdout.text, stderr: io.stderr.text };
}

/**
 * Subject, attributes and message: what a subscriber sees. The topic's ARN carries a generated logical id, and the
 * number of the last check follows the schedule, which the tests below check against the deployed one.
 */
function notification(stdout: string): string {
  return withoutTimestamps(notificationText(stdout))
    .replace(/\(status check \d+\)/g, '(status check <n>)')
    .split('\n')
    .filter((line) => !line.startsWith('TopicArn:'))
    .join('\n');
}

function timeAt(stdout: string, label: string): number {
  const match = new RegExp(`^${label}:\\s+(\\S+)`, 'm').exec(stdout);
  if (!match) throw new Error(`no "${label}" line in\n${stdout}`);
  return Date.parse(match[1]!);
}

describe('npm start replays a change end to end', () => {
  it.each(['deployed', 'not-found', 'timeout', 'superseded', 'throttling', 'access-denied'])(
    'scenario %s: prints the notification SNS would receive',
    async (scenario) => {
      // Act
      const result = await start(['--scenario', scenario]);
      // Assert
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(notification(result.stdout)).toMatchSnapshot();
    },
  );

  it('with a chat channel: prints the email text SNS sends by default and the chat message it sends over HTTPS', async () => {
    // Arrange
    const argv = ['-c', 'slackChannels=T07EA123LEP/C07EZ1ABC23'];
    // Act
    const result = await start(argv);
    // Assert
    expect(result.code).toBe(0);
    const shown = notification(result.stdout).split('\n');
    expect(shown).toContain('MessageStructure:  json (email gets default, the chat channels https)');
    expect(shown).toContain('Message (default):');
    expect(shown.slice(shown.indexOf('Chat (https), as Slack and Microsoft Teams show it:'))).toEqual([
      'Chat (https), as Slack and Microsoft Teams show it:',
      '  CloudFront E2QWRUHAPOMQZL deployed',
      '  Distribution E2QWRUHAPOMQZL is Deployed: the change is live at every edge location.',
      '  UpdateDistribution by arn:aws:sts::123456789012:assumed-role/cfn-exec-role/AWSCloudFormation via cloudformation.amazonaws.com, started <time>.',
      '  Confirmed <time> (status check <n>).',
      '  Console: https://us-east-1.console.aws.amazon.com/cloudfront/v4/home?region=us-east-1#/distributions/E2QWRUHAPOMQZL',
    ]);
  });

  it('prints the Change Finished event EventBridge would receive, its duration counted in simulated time', async () => {
    // Act
    const { stdout } = await start(['--finish-after', '3m', ...NO_JITTER]);
    // Assert
    const printed = stdout.split('EventBridge would receive (bus default):\n')[1]!;
    const entry = JSON.parse(printed) as { Source: string; DetailType: string; Detail: Record<string, unknown> };
    expect(entry.Source).toBe('cloudfront-change-notifier');
    expect(entry.DetailType).toBe('CloudFront Change Finished');
    expect(entry.Detail).toMatchObject({ outcome: 'deployed', kind: 'distribution', change: 'UpdateDistribution' });
    // Confirmed 187 s after Started; the count starts from the dispatcher's delay, rounded to whole seconds
    expect(timeAt(stdout, 'Confirmed') - timeAt(stdout, 'Started')).toBe(187_000);
    expect(entry.Detail.durationSeconds).toBeGreaterThanOrEqual(187);
    expect(entry.Detail.durationSeconds).toBeLessThanOrEqual(188);
  });

  it('tells the story in order: event, execution started, checks with waits between them, notification, Change Finished event, metrics, outcome', async () => {
    // Arrange: the default schedule checks every 17 s at first; the first check after the default 90 s is check 7
    const checks = [
      /T\+00:00 +check +1: InProgress/,
      /T\+00:00 +wait +17 s before check 2/,
      /T\+00:17 +check +2: InProgress/,
      /T\+00:17 +wait +17 s before check 3/,
      /T\+00:34 +check +3: InProgress/,
      /T\+00:34 +wait +17 s before check 4/,
      /T\+00:51 +check +4: InProgress/,
      /T\+00:51 +wait +17 s before check 5/,
      /T\+01:08 +check +5: InProgress/,
      /T\+01:08 +wait +17 s before check 6/,
      /T\+01:25 +check +6: InProgress/,
      /T\+01:25 +wait +17 s before check 7/,
      /T\+01:42 +check +7: Deployed/,
    ];
    // Act
    const { stdout } = await start(NO_JITTER);
    // Assert
    const story = [
      /T\+00:00 +event +UpdateDistribution on distribution E2QWRUHAPOMQZL\n +event ID c4d2e1f0-5a6b-4c7d-8e9f-a0b1c2d3e4f5\n +by arn:aws:sts::123456789012:assumed-role\/cfn-exec-role\/AWSCloudFormation via cloudformation\.amazonaws\.com/,
      /T\+00:00 +dispatch +the bundled dispatcher Lambda started execution E2QWRUHAPOMQZL-deploy-E2QWRUHEXAMPLE/,
      ...checks,
      /T\+01:42 +notify +publish the "deployed" notification to SNS/,
      /T\+01:42 +finished +put the Change Finished event on EventBridge/,
      /T\+01:42 +metrics +record the watch metrics in CloudWatch/,
      /T\+01:42 +outcome +SUCCEEDED in "Change is deployed"/,
    ];
    let rest = stdout;
    for (const step of story) {
      const match = step.exec(rest);
      expect(match, `${step} after the previous step`).not.toBeNull();
      rest = rest.slice(match!.index + match![0].length);
    }
  });

  it('stamps the notification with the simulated clock: confirmed at the first check after --finish-after', async () => {
    // Act: checks 11 and 12 come at 170 s and 187 s
    const { stdout } = await start(['--finish-after', '3m', ...NO_JITTER]);
    // Assert
    expect(stdout).toMatch(/T\+03:07 +check +12: Deployed/);
    expect(stdout).toMatch(/\(status check 12\)/);
    expect(timeAt(stdout, 'Confirmed') - timeAt(stdout, 'Started')).toBe(187_000);
  });

  it('reports an invalidation as completed', async () => {
    // Act
    const { code, stdout } = await start(['--event', fixture('create-invalidation.json'), '--finish-after', '0']);
    // Assert
    expect(code).toBe(0);
    expect(stdout).toMatch(/check +1: Completed/);
    expect(notification(stdout)).toMatch(/^Subject: +CloudFront E2QWRUHAPOMQZL invalidation completed$/m);
  });

  it('refuses a tenant event the default stack does not watch, and names the -c that watches it', async () => {
    // Act
    const { code, stderr } = await start(['--event', fixture('update-distribution-tenant.json')]);
    // Assert
    expect(code).toBe(2);
    expect(stderr).toContain(
      'is not a watched call: UpdateDistributionTenant is not a watched event (it is not in watchedEvents; watch it too with -c watchedEvents=',
    );
    expect(stderr).toContain(',CreateInvalidation,UpdateDistributionTenant)');
  });

  it('counts the checks of a tenant invalidation and names the tenant it belongs to', async () => {
    // Act
    const { code, stdout } = await start([
      '--event',
      fixture('create-invalidation-for-distribution-tenant.json'),
      '--finish-after',
      '0',
      '-c',
      `watchedEvents=${EVERY_CALL.watchedEvents}`,
    ]);
    // Assert
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /event +CreateInvalidationForDistributionTenant on invalidation I2TENANTINVAL1 of distribution tenant dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB/,
    );
    expect(stdout).toMatch(/check +1: Completed/);
    expect(stdout).toMatch(
      /outcome +SUCCEEDED in "Tenant invalidation is completed"\n +1 status check, 1 CloudFront call;/,
    );
  });

  it('shows the newer ETag on the check that ends a superseded tenant change', async () => {
    // Act
    const { code, stdout } = await start([
      '--event',
      fixture('update-distribution-tenant.json'),
      '--scenario',
      'superseded',
      '--finish-after',
      '0',
      '-c',
      `watchedEvents=${EVERY_CALL.watchedEvents}`,
    ]);
    // Assert
    expect(code).toBe(0);
    expect(stdout).toMatch(/check +1: Deployed with ETag E3NEWERCHANGE1, not E2QWRUHEXAMPLE of this change/);
    expect(stdout).toMatch(
      /outcome +SUCCEEDED in "Tenant change is superseded by a newer one"\n +1 status check, 1 CloudFront call;/,
    );
  });

  it('sends the same notification for a bare CloudTrail record as for its EventBridge event', async () => {
    // Arrange
    const event = JSON.parse(readFileSync(fixture('create-invalidation.json'), 'utf8')) as { detail: unknown };
    const bare = join(directory, 'record.json');
    writeFileSync(bare, JSON.stringify(event.detail));
    // Act
    const fromRecord = await start(['--event', bare]);
    const fromEnvelope = await start(['--event', fixture('create-invalidation.json')]);
    // Assert
    expect(fromRecord.stdout).toContain('(CloudTrail record, wrapped as EventBridge delivers it)');
    expect(notification(fromRecord.stdout)).toBe(notification(fromEnvelope.stdout));
  });

  it('retries throttled checks with the backoff of the synthesized definition, on the simulated clock', async () => {
    // Act
    const { stdout } = await start(['--scenario', 'throttling', '--finish-after', '0']);
    // Assert
    const retries = stdout.match(/check +1: CloudFront\.CloudFrontException \(retry \d after a backoff\)/g);
    expect(retries).toHaveLength(1);
    // A backoff of 2 s (IntervalSeconds 2) before the second call answers
    expect(stdout).toMatch(/T\+00:02 +check +1: Deployed/);
    expect(stdout).toMatch(/2 CloudFront calls/);
  });

  it('goes on after a check throttled through all its retries, and confirms at the next check', async () => {
    // Act: a backoff of 2 s, then the fast 17 s plus a back-off of the normal interval, 1 min
    const { stdout } = await start(['--scenario', 'no-answer', '--finish-after', '0', ...NO_JITTER]);
    // Assert
    expect(stdout).toMatch(/T\+00:02 +check +1: CloudFront\.CloudFrontException \(retries used up\)/);
    expect(stdout).toMatch(/T\+00:02 +check +1: no answer; 1 unanswered so far, the watch goes on/);
    expect(stdout).toMatch(
      /T\+00:02 +wait +1 min 17 s before check 2 \(1 min of it backing off after unanswered checks\)/,
    );
    expect(stdout).toMatch(/T\+01:19 +check +2: Deployed/);
    expect(stdout).toMatch(/2 status checks, 3 CloudFront calls/);
  });

  it('keeps the timeout scenario clear of check times, so its budget does not depend on how long the replay took', () => {
    // Arrange: the dispatcher counts the limit from the event time, a second or so before it runs.
    const margin = 3;
    const settings = sharedPrepare({ retentionSeconds: String(TIMEOUT_SCENARIO_RETENTION_SECONDS) }).settings;
    // Act
    const closeCalls = (['distribution', 'invalidation'] as const).flatMap((kind) =>
      Array.from({ length: 100 }, (_, index) => secondsUntilCheck(scheduleFor(settings)(kind), index + 1))
        .filter(
          (seconds) =>
            seconds > TIMEOUT_SCENARIO_RETENTION_SECONDS - margin && seconds <= TIMEOUT_SCENARIO_RETENTION_SECONDS,
        )
        .map((seconds) => `${kind} check at ${seconds} s`),
    );
    // Assert
    expect(closeCalls, 'move TIMEOUT_SCENARIO_RETENTION_SECONDS away from these checks').toEqual([]);
  });

  it('times out after the shortened watch limit and says that it was shortened', async () => {
    // Act: 250 s hold 15 checks 17 s apart (the 15th at 238 s; jitter moves it, the budget stays 15 checks)
    const { stdout } = await start(['--scenario', 'timeout']);
    // Assert
    expect(stdout).toMatch(/watch limit +shortened to 4 min 10 s for this scenario \(-c retentionSeconds=250\)/);
    expect(stdout).toMatch(/T\+0\d:\d\d +check +15: InProgress/);
    expect(stdout).not.toMatch(/check +16:/);
    expect(stdout).toMatch(/outcome +FAILED with WatchTimedOut in "Watch timed out"/);
  });
});

describe('npm start refuses what it cannot replay', () => {
  it.each([
    ['a missing event file', () => ['--event', join(directory, 'absent.json')], /^npm start: event file not found: /],
    [
      'an event file that is not JSON',
      () => ['--event', writeTo('bad.json', 'not json')],
      /^npm start: event file .* is not JSON: /,
    ],
    [
      'an event of another service',
      () => [
        '--event',
        writeTo(
          's3.json',
          JSON.stringify({ source: 'aws.s3', 'detail-type': 'AWS API Call via CloudTrail', detail: {} }),
        ),
      ],
      /^npm start: event file .* is not a CloudFront CloudTrail event: /,
    ],
    [
      'a failed call',
      () => ['--event', fixture('update-distribution-access-denied.json')],
      /^npm start: event file .* is not a watched call: the call failed/,
    ],
    [
      'a call that is not watched',
      () => ['--event', fixture('delete-distribution.json')],
      /^npm start: event file .* is not a watched call: DeleteDistribution/,
    ],
    [
      'an invalid context value',
      () => ['-c', 'pollIntervalSeconds=1'],
      /^npm start: Invalid context value for "pollIntervalSeconds": "1"/,
    ],
  ])('%s: one line on stderr, exit code 2', async (_what, argv, message) => {
    // Act
    const result = await start(argv());
    // Assert
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stdout).toBe('');
  });

  it('answers an unknown flag with the usage text and exit code 2', async () => {
    // Act
    const result = await start(['--scenerio', 'timeout']);
    // Assert
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^npm start: Unknown option '--scenerio'/);
    expect(result.stderr).toContain('Usage:');
  });

  it('prints the usage text for --help and exits 0', async () => {
    // Act
    const result = await start(['--help']);
    // Assert
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('--scenario NAME');
  });
});

function writeTo(name: string, content: string): string {
  const path = join(directory, name);
  writeFileSync(path, content);
  return path;
}

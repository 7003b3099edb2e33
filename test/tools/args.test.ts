import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseArguments, parseDuration, usage, UsageError } from '../../tools/cli/args';
import { contextPairs, deployContext } from '../../tools/lib/cdk-context';

function usageError(argv: string[]): UsageError {
  try {
    parseArguments(argv);
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error(`parseArguments(${argv.join(' ')}) did not fail`);
}

describe('npm start arguments', () => {
  it('replays the default scenario with the default finish time when given nothing', () => {
    // Act
    const options = parseArguments([]);
    // Assert
    expect(options).toEqual({
      mode: 'replay',
      scenario: 'deployed',
      finishAfterSeconds: 90,
      context: {},
    });
  });

  it('reads the event file, scenario, finish time and repeated context values', () => {
    // Act
    const options = parseArguments([
      '--event',
      'e.json',
      '--scenario',
      'throttling',
      '--finish-after',
      '5m',
      '-c',
      'a=1',
      '--context',
      'b=x=y',
    ]);
    // Assert
    expect(options).toEqual({
      mode: 'replay',
      eventFile: 'e.json',
      scenario: 'throttling',
      finishAfterSeconds: 300,
      context: { a: '1', b: 'x=y' },
    });
  });

  it.each([
    ['90s', 90],
    ['5m', 300],
    ['45', 45],
    ['1h', 3600],
    ['1m30s', 90],
    ['0', 0],
  ])('reads the duration %s as %i seconds', (text, seconds) => {
    // Act / Assert
    expect(parseDuration(text)).toBe(seconds);
  });

  it.each(['', 'soon', '5x', '-5', '1.5m', 'm'])('refuses the duration "%s"', (text) => {
    // Act / Assert
    expect(parseDuration(text)).toBeUndefined();
  });

  it('reads a live watch of an invalidation with a topic to publish to', () => {
    // Act
    const options = parseArguments([
      '--live',
      '--distribution',
      'E2QWRUHAPOMQZL',
      '--invalidation',
      'I2J0I21PCUYOIK',
      '--publish',
      'arn:aws:sns:eu-west-1:123456789012:ops',
    ]);
    // Assert
    expect(options).toEqual({
      mode: 'live',
      distributionId: 'E2QWRUHAPOMQZL',
      invalidationId: 'I2J0I21PCUYOIK',
      publishTopicArn: 'arn:aws:sns:eu-west-1:123456789012:ops',
      context: {},
    });
  });

  it.each([
    [['--live', '--tenant', 'dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB'], { tenantId: 'dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB' }],
    [
      ['--live', '--tenant', 'dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB', '--invalidation', 'I2J0I21PCUYOIK'],
      { tenantId: 'dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB', invalidationId: 'I2J0I21PCUYOIK' },
    ],
  ])('reads a live watch of a distribution tenant from %j', (argv, target) => {
    // Act
    const options = parseArguments(argv);
    // Assert
    expect(options).toEqual({ mode: 'live', ...target, context: {} });
  });

  it.each([
    [['--bogus'], /Unknown option '--bogus'/, true],
    [['stray'], /positional/, true],
    [['--event'], /argument missing/, true],
    [
      ['--scenario', 'meteor'],
      /unknown scenario "meteor"; choose one of deployed, not-found, timeout, superseded, throttling, no-answer, access-denied/,
      true,
    ],
    [['--finish-after', 'later'], /--finish-after "later" is not a duration/, false],
    [['-c', 'novalue'], /--context expects KEY=VALUE/, false],
    [['--live'], /--live needs --distribution ID or --tenant ID/, true],
    [
      ['--live', '--distribution', 'E1', '--tenant', 'dt_1'],
      /--live watches --distribution or --tenant, not both/,
      true,
    ],
    [['--live', '--invalidation', 'I1'], /--live needs --distribution ID or --tenant ID/, true],
    [['--tenant', 'dt_1'], /--tenant watches a real change and needs --live/, true],
    [['--live', '--tenant', 'dt/1'], /--tenant "dt\/1" is not a CloudFront id/, false],
    [['--distribution', 'E1'], /--distribution watches a real change and needs --live/, true],
    [
      ['--live', '--distribution', 'E1', '--event', 'x.json'],
      /--event replays a simulated change and cannot be combined with --live/,
      true,
    ],
    [['--live', '--distribution', 'not an id'], /is not a CloudFront id/, false],
    [['--live', '--distribution', 'E1', '--publish', 'my-topic'], /is not an SNS topic ARN/, false],
  ])('refuses %j', (argv, message, showUsage) => {
    // Act
    const error = usageError(argv);
    // Assert
    expect(error.message).toMatch(message);
    expect(error.showUsage).toBe(showUsage);
  });

  it('answers --help and -h with the usage text', () => {
    // Act / Assert
    expect(parseArguments(['--help'])).toEqual({ mode: 'help' });
    expect(parseArguments(['-h'])).toEqual({ mode: 'help' });
  });

  it('lists every scenario in the usage text', () => {
    // Act
    const text = usage();
    // Assert
    for (const name of ['deployed', 'not-found', 'timeout', 'superseded', 'throttling', 'access-denied']) {
      expect(text).toMatch(new RegExp(`^  ${name} `, 'm'));
    }
  });
});

describe('-c KEY=VALUE of every command (npm start, npm run preflight, npm run smoke)', () => {
  it('splits each pair at the first "=", the last of a repeated key winning', () => {
    // Act
    const context = contextPairs(['a=1', 'b=x=y', 'c=', 'a=2']);
    // Assert
    expect(context).toEqual({ a: '2', b: 'x=y', c: '' });
  });

  it.each([['novalue'], ['=value']])('refuses %j, without the usage text', (value) => {
    // Act
    const error = (() => {
      try {
        contextPairs([value]);
      } catch (thrown) {
        return thrown;
      }
      throw new Error(`contextPairs(["${value}"]) did not fail`);
    })();
    // Assert
    expect(error).toBeInstanceOf(UsageError);
    expect(error).toMatchObject({ message: `--context expects KEY=VALUE, got "${value}"`, showUsage: false });
  });
});

describe('the context cdk deploy would hand the app (npm run preflight, npm run smoke)', () => {
  let project: string;
  let home: string;
  beforeEach(() => {
    project = mkdtempSync(join(tmpdir(), 'cdk-context-project-'));
    home = mkdtempSync(join(tmpdir(), 'cdk-context-home-'));
  });
  afterEach(() => {
    rmSync(project, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  });

  it('looks a key up in -c, then cdk.json, then cdk.context.json, then ~/.cdk.json, as the CDK CLI does', () => {
    // Arrange
    writeFileSync(
      join(home, '.cdk.json'),
      JSON.stringify({ context: { alarms: false, mode: 'sqs-retry', trailRetentionDays: 30 } }),
    );
    writeFileSync(
      join(project, 'cdk.context.json'),
      JSON.stringify({ mode: 'stepfunctions', pollIntervalSeconds: 30, trailRetentionDays: 90 }),
    );
    writeFileSync(
      join(project, 'cdk.json'),
      JSON.stringify({ app: 'npx tsx infra/app.ts', context: { pollIntervalSeconds: 45, createTrail: true } }),
    );
    // Act
    const context = deployContext({ createTrail: 'false' }, { projectDir: project, homeDir: home });
    // Assert
    expect(context).toEqual({
      alarms: false,
      mode: 'stepfunctions',
      trailRetentionDays: 90,
      pollIntervalSeconds: 45,
      createTrail: 'false',
    });
  });

  it('does without the files that do not exist', () => {
    // Act
    const context = deployContext({}, { projectDir: project, homeDir: home });
    // Assert
    expect(context).toEqual({});
  });

  it('says which file is not valid JSON', () => {
    // Arrange
    writeFileSync(join(project, 'cdk.context.json'), '{ "mode": ');
    // Act / Assert
    expect(() => deployContext({}, { projectDir: project, homeDir: home })).toThrow(
      `the CDK context file ${join(project, 'cdk.context.json')} is not valid JSON`,
    );
  });
});

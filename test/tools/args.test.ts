import { describe, expect, it } from 'vitest';
import { DEFAULT_FINISH_AFTER_SECONDS, parseArguments, parseDuration, usage, UsageError } from '../../tools/cli/args';
import { SCENARIO_NAMES } from '../../tools/cli/scenarios';

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
    expect(options).toEqual({ mode: 'replay', scenario: 'deployed', finishAfterSeconds: DEFAULT_FINISH_AFTER_SECONDS, context: {} });
  });

  it('reads the event file, scenario, finish time and repeated context values', () => {
    // Act
    const options = parseArguments(['--event', 'e.json', '--scenario', 'throttling', '--finish-after', '5m', '-c', 'a=1', '--context', 'b=x=y']);
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
    [['--scenario', 'meteor'], /unknown scenario "meteor"; choose one of deployed, not-found, timeout, superseded, throttling, access-denied/, true],
    [['--finish-after', 'later'], /--finish-after "later" is not a duration/, false],
    [['-c', 'novalue'], /--context expects KEY=VALUE/, false],
    [['--live'], /--live needs --distribution ID or --tenant ID/, true],
    [['--live', '--distribution', 'E1', '--tenant', 'dt_1'], /--live watches --distribution or --tenant, not both/, true],
    [['--live', '--invalidation', 'I1'], /--live needs --distribution ID or --tenant ID/, true],
    [['--tenant', 'dt_1'], /--tenant watches a real change and needs --live/, true],
    [['--live', '--tenant', 'dt/1'], /--tenant "dt\/1" is not a CloudFront id/, false],
    [['--distribution', 'E1'], /--distribution watches a real change and needs --live/, true],
    [['--live', '--distribution', 'E1', '--event', 'x.json'], /--event replays a simulated change and cannot be combined with --live/, true],
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
    for (const name of SCENARIO_NAMES) expect(text).toMatch(new RegExp(`^  ${name} `, 'm'));
  });
});

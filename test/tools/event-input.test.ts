import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SUPPORTED_EVENT_NAMES, parseEventBridgeEvent } from '../../domain/cloudtrail';
import { UsageError } from '../../tools/cli/args';
import { DEFAULT_EVENT_FILE, loadReplayEvent, retimeReplayEvent } from '../../tools/cli/event-input';

const fixture = (name: string) => fileURLToPath(new URL(`../../tools/fixtures/events/${name}`, import.meta.url));
const directory = mkdtempSync(join(tmpdir(), 'start-events-'));
const OPTIONS = { watchedEvents: SUPPORTED_EVENT_NAMES };
const NOW = new Date('2027-03-01T08:00:00.250Z');

function file(name: string, content: string): string {
  const path = join(directory, name);
  writeFileSync(path, content);
  return path;
}

function recordOf(name: string): Record<string, unknown> {
  return (JSON.parse(readFileSync(fixture(name), 'utf8')) as { detail: Record<string, unknown> }).detail;
}

function failure(path: string): string {
  try {
    loadReplayEvent(path, OPTIONS);
  } catch (error) {
    if (error instanceof UsageError) return error.message;
    throw error;
  }
  throw new Error(`${path} was accepted`);
}

afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('the event npm start replays', () => {
  it('takes an EventBridge event as it is', () => {
    // Act
    const event = loadReplayEvent(fixture('update-distribution.json'), OPTIONS);
    // Assert
    expect(event.form).toBe('EventBridge event');
    expect(event.watch).toMatchObject({
      change: 'UpdateDistribution',
      distributionId: 'E2QWRUHAPOMQZL',
      startedAt: '2026-11-28T11:30:00Z',
    });
  });

  it('moves the event to the moment of the replay, in the envelope and in the record', () => {
    // Arrange
    const event = loadReplayEvent(fixture('update-distribution.json'), OPTIONS);
    // Act
    const retimed = retimeReplayEvent(event, OPTIONS, NOW);
    // Assert
    expect(retimed.watch).toEqual({ ...event.watch, startedAt: '2027-03-01T08:00:00Z' });
    expect(retimed.envelope).toMatchObject({
      time: '2027-03-01T08:00:00Z',
      detail: { eventTime: '2027-03-01T08:00:00Z' },
    });
    expect(event.envelope).toMatchObject({ time: '2026-11-28T11:30:00Z' });
  });

  it('uses the bundled UpdateDistribution sample by default', () => {
    // Act
    const event = loadReplayEvent(DEFAULT_EVENT_FILE, OPTIONS);
    // Assert
    expect(event.watch.change).toBe('UpdateDistribution');
  });

  it('wraps a bare CloudTrail record into the envelope EventBridge delivers, which the dispatcher parser accepts', () => {
    // Arrange
    const path = file('record.json', JSON.stringify(recordOf('create-invalidation.json')));
    // Act
    const event = loadReplayEvent(path, OPTIONS);
    // Assert
    expect(event.form).toBe('CloudTrail record');
    expect(event.envelope).toMatchObject({
      source: 'aws.cloudfront',
      'detail-type': 'AWS API Call via CloudTrail',
      account: '123456789012',
    });
    const reparsed = parseEventBridgeEvent(event.envelope, OPTIONS);
    expect(reparsed).toEqual({ type: 'watch', watch: event.watch });
    expect(event.watch).toMatchObject({ kind: 'invalidation', invalidationId: 'I2J0I21PCUYOIK' });
  });

  it('gives both forms of the same change the same watch', () => {
    // Arrange
    const bare = file('bare.json', JSON.stringify(recordOf('update-distribution.json')));
    // Act
    const fromRecord = loadReplayEvent(bare, OPTIONS).watch;
    const fromEnvelope = loadReplayEvent(fixture('update-distribution.json'), OPTIONS).watch;
    // Assert
    expect(fromRecord).toEqual(fromEnvelope);
  });

  it('accepts a CloudTrail log file with exactly one record', () => {
    // Arrange
    const path = file('log.json', JSON.stringify({ Records: [recordOf('create-distribution.json')] }));
    // Act
    const event = loadReplayEvent(path, OPTIONS);
    // Assert
    expect(event.watch.change).toBe('CreateDistribution');
  });

  it.each([
    ['a missing file', () => join(directory, 'nothing-here.json'), /^event file not found: .*nothing-here\.json$/],
    ['a file that is not JSON', () => file('broken.json', '{"detail": '), /is not JSON: /],
    [
      'JSON that is not an object',
      () => file('list.json', '[1, 2]'),
      /is not a CloudFront CloudTrail event: expected a JSON object/,
    ],
    [
      'an event of another service',
      () =>
        file('s3.json', JSON.stringify({ source: 'aws.s3', 'detail-type': 'AWS API Call via CloudTrail', detail: {} })),
      /is not a CloudFront CloudTrail event: .*source="aws\.s3"/,
    ],
    [
      'a record of another service',
      () =>
        file(
          's3-record.json',
          JSON.stringify({ ...recordOf('update-distribution.json'), eventSource: 's3.amazonaws.com' }),
        ),
      /is not a CloudFront CloudTrail event: eventSource is "s3\.amazonaws\.com"/,
    ],
    [
      'a failed call',
      () => fixture('update-distribution-access-denied.json'),
      /is not a watched call: the call failed \("AccessDenied"\)/,
    ],
    [
      'a call that is not watched',
      () => fixture('delete-distribution.json'),
      /is not a watched call: DeleteDistribution is not a watched event/,
    ],
    [
      'a log file with several records',
      () =>
        file(
          'two.json',
          JSON.stringify({ Records: [recordOf('create-distribution.json'), recordOf('create-distribution.json')] }),
        ),
      /holds 2 CloudTrail records/,
    ],
  ])('refuses %s with one line', (_what, path, message) => {
    // Act
    const text = failure(path());
    // Assert
    expect(text).toMatch(message);
    expect(text).not.toContain('\n');
  });

  it('applies the configured event names: a call left out of watchedEvents is not watched', () => {
    // Act
    const message = (() => {
      try {
        loadReplayEvent(fixture('update-distribution.json'), { watchedEvents: ['CreateInvalidation'] });
        return 'accepted';
      } catch (error) {
        return (error as Error).message;
      }
    })();
    // Assert
    expect(message).toMatch(/is not a watched call: UpdateDistribution is not a watched event/);
  });
});

import { describe, expect, it } from 'vitest';
import type { WatchKind } from '../../functions/shared/cloudtrail';
import {
  fillTemplate,
  MAX_SUBJECT_LENGTH,
  notificationTemplate,
  OUTCOMES,
  outcomesFor,
  renderNotification,
  type NotificationValues,
} from '../../functions/shared/notification';
import { consoleUrl, describeDuration } from '../../functions/shared/watch-execution';

const KINDS: readonly WatchKind[] = ['distribution', 'invalidation'];
const PAIRS = KINDS.flatMap((kind) => outcomesFor(kind).map((outcome) => ({ kind, outcome })));
const IMPOSSIBLE_PAIRS = KINDS.flatMap((kind) =>
  OUTCOMES.filter((outcome) => !outcomesFor(kind).includes(outcome)).map((outcome) => ({ kind, outcome })),
);
/** The retention range that config validation accepts (infra/config.ts). */
const RETENTION_RANGE = { min: 60, max: 1_209_600 };

/** The longest text describeDuration gives for any retention the config accepts. */
const LONGEST_WATCH_LIMIT = (() => {
  let longest = '';
  for (let seconds = RETENTION_RANGE.min; seconds <= RETENTION_RANGE.max; seconds += 1) {
    const text = describeDuration(seconds);
    if (text.length > longest.length) longest = text;
  }
  return longest;
})();

function sampleValues(overrides: Partial<NotificationValues> = {}): NotificationValues {
  const distributionId = 'E2QWRUHAPOMQZL';
  const invalidationId = 'I2J0I21PCUYOIK';
  return {
    distributionId,
    invalidationId,
    tenantId: 'dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB',
    eTag: 'E2QWRUHEXAMPLE',
    currentETag: 'E3NEWERCHANGE1',
    change: 'UpdateDistribution',
    changedBy: 'arn:aws:iam::123456789012:user/alice',
    startedAt: '2026-11-28T11:30:00Z',
    paths: '3 paths: /index.html, /assets/*, /en/about.html',
    consoleUrl: consoleUrl({ distributionId, invalidationId }),
    eventId: 'c4d2e1f0-5a6b-4c7d-8e9f-a0b1c2d3e4f5',
    watchLimit: '4 days',
    checks: 7,
    endedAt: '2026-11-28T11:36:10Z',
    domainName: 'd111111abcdef8.cloudfront.net',
    errorName: 'CloudFront.NoSuchDistributionException',
    errorCause: 'The specified distribution does not exist.',
    ...overrides,
  };
}

describe('outcomesFor', () => {
  it('lists what each kind of watch can end with', () => {
    expect(outcomesFor('distribution')).toEqual(['deployed', 'not-found', 'timed-out', 'check-failed']);
    expect(outcomesFor('invalidation')).toEqual(['completed', 'not-found', 'timed-out', 'check-failed']);
  });
});

describe.each(PAIRS)('the $kind / $outcome notification', ({ kind, outcome }) => {
  it(`has a subject of at most ${MAX_SUBJECT_LENGTH} printable ASCII characters, even with the longest values`, () => {
    // Arrange
    const values = sampleValues({
      distributionId: 'E'.repeat(32),
      invalidationId: 'I'.repeat(32),
      watchLimit: LONGEST_WATCH_LIMIT,
      checks: 241_921,
    });
    // Act
    const { subject } = renderNotification(kind, outcome, values);
    // Assert
    expect(subject.length).toBeLessThanOrEqual(MAX_SUBJECT_LENGTH);
    expect(subject).toMatch(/^[\x20-\x7E]+$/);
    expect(subject).toContain(values.distributionId);
  });

  it('tells in its body what changed, who changed it, when it started and ended, and links the console', () => {
    // Arrange
    const values = sampleValues();
    // Act
    const { message } = renderNotification(kind, outcome, values);
    // Assert
    for (const field of ['change', 'distributionId', 'changedBy', 'startedAt', 'endedAt', 'consoleUrl', 'eventId'] as const) {
      expect(message, field).toContain(values[field]);
    }
    if (kind === 'invalidation') {
      expect(message).toContain(values.invalidationId);
      expect(message).toContain(values.paths);
    }
  });

  it('leaves no placeholder unfilled', () => {
    // Act
    const { subject, message } = renderNotification(kind, outcome, sampleValues());
    // Assert
    expect(`${subject}\n${message}`).not.toMatch(/[{}]|undefined/);
  });

  it('carries the outcome, kind and distribution id as filterable attributes', () => {
    // Act
    const { attributes } = renderNotification(kind, outcome, sampleValues());
    // Assert
    expect(attributes).toEqual({ outcome, kind, distributionId: 'E2QWRUHAPOMQZL' });
  });
});

describe('notificationTemplate', () => {
  it.each(PAIRS)('compiles $kind / $outcome into one field per {} placeholder', ({ kind, outcome }) => {
    // Act
    const { subject, body } = notificationTemplate(kind, outcome);
    // Assert
    for (const template of [subject, body]) {
      expect(template.format.match(/\{\}/g) ?? []).toHaveLength(template.fields.length);
      expect(template.format).not.toMatch(/\{[A-Za-z]+\}/);
    }
  });

  it.each(IMPOSSIBLE_PAIRS)('refuses $kind / $outcome, which no watch ends with', ({ kind, outcome }) => {
    expect(() => notificationTemplate(kind, outcome)).toThrow(`a ${kind} watch never ends with outcome ${outcome}`);
    expect(() => renderNotification(kind, outcome, sampleValues())).toThrow();
  });

  it('has impossible pairs to refuse: a distribution never "completes" and an invalidation never "deploys"', () => {
    expect(IMPOSSIBLE_PAIRS).toEqual([
      { kind: 'distribution', outcome: 'completed' },
      { kind: 'invalidation', outcome: 'deployed' },
    ]);
  });
});

describe('fillTemplate', () => {
  it('inserts values with braces, quotes, backslashes and replacement patterns exactly as given', () => {
    // Arrange
    const tricky = `arn:aws:iam::1:user/{} "o'neil" \\n C:\\path $& $1 $$ {distributionId}`;
    const template = notificationTemplate('distribution', 'check-failed').body;
    const values = sampleValues({ changedBy: tricky, errorCause: '{}{}' });
    // Act
    const message = fillTemplate(template, values);
    // Assert
    expect(message).toContain(`Changed by:    ${tricky}\n`);
    expect(message).toContain('Cause:         {}{}\n');
    expect(message).toContain(`Console: ${values.consoleUrl}\n`);
    expect(message).toContain(`CloudTrail event ID: ${values.eventId}`);
  });

  it('fills positional placeholders in field order, repeating a field where the template repeats it', () => {
    // Arrange
    const template = { format: '{} then {} then {} again', fields: ['distributionId', 'checks', 'distributionId'] as const };
    // Act
    const text = fillTemplate(template, sampleValues({ checks: 3 }));
    // Assert
    expect(text).toBe('E2QWRUHAPOMQZL then 3 then E2QWRUHAPOMQZL again');
  });
});

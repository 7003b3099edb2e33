import { describe, expect, it } from 'vitest';
import {
  fillTemplate,
  MAX_SUBJECT_LENGTH,
  notificationTemplate,
  outcomesFor,
  publishedMessage,
  renderChatNotification,
  renderNotification,
  type NotificationValues,
} from '../../domain/notification';
import { describeDuration } from '../../domain/watch-execution';
import { WATCH_KINDS, type WatchKind, OUTCOMES, type Outcome } from '../../domain/kinds';

const KINDS = WATCH_KINDS;
/** The id a subscriber filters on and reads in the subject: a tenant watch may not know its distribution. */
const ID_FIELD = {
  distribution: 'distributionId',
  invalidation: 'distributionId',
  tenant: 'tenantId',
  'tenant-invalidation': 'tenantId',
} as const satisfies Record<WatchKind, keyof NotificationValues>;
const INVALIDATION_KINDS: readonly WatchKind[] = ['invalidation', 'tenant-invalidation'];
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

const CONSOLE_URL =
  'https://us-east-1.console.aws.amazon.com/cloudfront/v4/home?region=us-east-1#/distributions/E2QWRUHAPOMQZL' +
  '/invalidations/details/I2J0I21PCUYOIK';

function sampleValues(overrides: Partial<NotificationValues> = {}): NotificationValues {
  return {
    distributionId: 'E2QWRUHAPOMQZL',
    invalidationId: 'I2J0I21PCUYOIK',
    tenantId: 'dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB',
    eTag: 'E2QWRUHEXAMPLE',
    currentETag: 'E3NEWERCHANGE1',
    change: 'UpdateDistribution',
    changedBy: 'arn:aws:iam::123456789012:user/alice',
    startedAt: '2026-11-28T11:30:00Z',
    paths: '3 paths: /index.html, /assets/*, /en/about.html',
    consoleUrl: CONSOLE_URL,
    eventId: 'c4d2e1f0-5a6b-4c7d-8e9f-a0b1c2d3e4f5',
    watchLimit: '4 days',
    checks: 7,
    unanswered: 2,
    endedAt: '2026-11-28T11:36:10Z',
    domainName: 'd111111abcdef8.cloudfront.net',
    errorName: 'CloudFront.NoSuchDistributionException',
    errorCause: 'The specified distribution does not exist.',
    ...overrides,
  };
}

/** The lines of every body, with sampleValues, that say who made the change and when. */
const CHANGED_BY = [
  'Changed by:    arn:aws:iam::123456789012:user/alice',
  'Started:       2026-11-28T11:30:00Z (when the change was made)',
];
/** The lines that end every body, with sampleValues. */
const FOOTER = [
  '',
  `Console: ${CONSOLE_URL}`,
  'CloudTrail event ID: c4d2e1f0-5a6b-4c7d-8e9f-a0b1c2d3e4f5',
  '',
  'Sent by cloudfront-change-notifier.',
];
/** What a person receives for each kind of watch and outcome, with sampleValues: written out, never rendered. */
const EXPECTED_TEXTS: Partial<
  Record<`${WatchKind}/${Outcome}`, { readonly subject: string; readonly body: readonly string[] }>
> = {
  'distribution/deployed': {
    subject: 'CloudFront E2QWRUHAPOMQZL deployed',
    body: [
      'Distribution E2QWRUHAPOMQZL is Deployed: the change is live at every edge location.',
      '',
      'What changed:  UpdateDistribution on distribution E2QWRUHAPOMQZL',
      ...CHANGED_BY,
      'Confirmed:     2026-11-28T11:36:10Z (status check 7)',
      'Domain:        d111111abcdef8.cloudfront.net',
      ...FOOTER,
    ],
  },
  'distribution/superseded': {
    subject: 'CloudFront E2QWRUHAPOMQZL deployed with a newer change',
    body: [
      'Distribution E2QWRUHAPOMQZL is Deployed, but with a newer configuration than this change made: ' +
        'a later change superseded it and is now live at every edge location. A later change is made ' +
        "from the configuration before it, so this change's settings are live too unless the later " +
        'change undid them. The later change may also be to something it uses, such as a cache or ' +
        'response headers policy.',
      '',
      'What changed:  UpdateDistribution on distribution E2QWRUHAPOMQZL',
      ...CHANGED_BY,
      'Confirmed:     2026-11-28T11:36:10Z (status check 7)',
      'ETag now:      E3NEWERCHANGE1 (this change made E2QWRUHEXAMPLE)',
      ...FOOTER,
    ],
  },
  'distribution/not-found': {
    subject: 'CloudFront E2QWRUHAPOMQZL not found: watch ended',
    body: [
      'Distribution E2QWRUHAPOMQZL no longer exists, so this change will never report Deployed. The ' +
        'watch has ended.',
      '',
      'What changed:  UpdateDistribution on distribution E2QWRUHAPOMQZL',
      ...CHANGED_BY,
      'Found missing: 2026-11-28T11:36:10Z (status check 7)',
      'Error:         CloudFront.NoSuchDistributionException',
      ...FOOTER,
    ],
  },
  'distribution/timed-out': {
    subject: 'CloudFront E2QWRUHAPOMQZL still deploying after 4 days',
    body: [
      'Distribution E2QWRUHAPOMQZL was still InProgress when the watch limit of 4 days ran out. ' +
        'CloudFront has no failed state: check it in the console.',
      '',
      'What changed:  UpdateDistribution on distribution E2QWRUHAPOMQZL',
      ...CHANGED_BY,
      'Last checked:  2026-11-28T11:36:10Z (status check 7)',
      'Unanswered:    2 of 7 status checks (throttled or failing, after retries)',
      'Domain:        d111111abcdef8.cloudfront.net',
      ...FOOTER,
    ],
  },
  'distribution/check-failed': {
    subject: 'CloudFront E2QWRUHAPOMQZL watch failed: status check error',
    body: [
      'The status of distribution E2QWRUHAPOMQZL could not be read: CloudFront refused the status check, ' +
        'and waiting cannot change that, so the watch has stopped. The change itself may still finish.',
      '',
      'What changed:  UpdateDistribution on distribution E2QWRUHAPOMQZL',
      ...CHANGED_BY,
      'Failed at:     2026-11-28T11:36:10Z (status check 7)',
      'Error:         CloudFront.NoSuchDistributionException',
      'Cause:         The specified distribution does not exist.',
      ...FOOTER,
    ],
  },
  'invalidation/completed': {
    subject: 'CloudFront E2QWRUHAPOMQZL invalidation completed',
    body: [
      'Invalidation I2J0I21PCUYOIK on distribution E2QWRUHAPOMQZL is Completed: the paths are cleared ' +
        'at every edge location.',
      '',
      'What changed:  UpdateDistribution on distribution E2QWRUHAPOMQZL',
      'Invalidation:  I2J0I21PCUYOIK',
      'Paths:         3 paths: /index.html, /assets/*, /en/about.html',
      ...CHANGED_BY,
      'Confirmed:     2026-11-28T11:36:10Z (status check 7)',
      ...FOOTER,
    ],
  },
  'invalidation/not-found': {
    subject: 'CloudFront E2QWRUHAPOMQZL invalidation not found: watch ended',
    body: [
      'Invalidation I2J0I21PCUYOIK on distribution E2QWRUHAPOMQZL does not exist (or its distribution ' +
        'is gone), so it will never report Completed. The watch has ended.',
      '',
      'What changed:  UpdateDistribution on distribution E2QWRUHAPOMQZL',
      'Invalidation:  I2J0I21PCUYOIK',
      'Paths:         3 paths: /index.html, /assets/*, /en/about.html',
      ...CHANGED_BY,
      'Found missing: 2026-11-28T11:36:10Z (status check 7)',
      'Error:         CloudFront.NoSuchDistributionException',
      ...FOOTER,
    ],
  },
  'invalidation/timed-out': {
    subject: 'CloudFront E2QWRUHAPOMQZL invalidation still running after 4 days',
    body: [
      'Invalidation I2J0I21PCUYOIK on distribution E2QWRUHAPOMQZL was still InProgress when the watch ' +
        'limit of 4 days ran out. CloudFront has no failed state: check the invalidation in the console.',
      '',
      'What changed:  UpdateDistribution on distribution E2QWRUHAPOMQZL',
      'Invalidation:  I2J0I21PCUYOIK',
      'Paths:         3 paths: /index.html, /assets/*, /en/about.html',
      ...CHANGED_BY,
      'Last checked:  2026-11-28T11:36:10Z (status check 7)',
      'Unanswered:    2 of 7 status checks (throttled or failing, after retries)',
      ...FOOTER,
    ],
  },
  'invalidation/check-failed': {
    subject: 'CloudFront E2QWRUHAPOMQZL invalidation watch failed: status check error',
    body: [
      'The status of invalidation I2J0I21PCUYOIK on distribution E2QWRUHAPOMQZL could not be read: ' +
        'CloudFront refused the status check, and waiting cannot change that, so the watch has stopped. ' +
        'The invalidation itself may still complete.',
      '',
      'What changed:  UpdateDistribution on distribution E2QWRUHAPOMQZL',
      'Invalidation:  I2J0I21PCUYOIK',
      'Paths:         3 paths: /index.html, /assets/*, /en/about.html',
      ...CHANGED_BY,
      'Failed at:     2026-11-28T11:36:10Z (status check 7)',
      'Error:         CloudFront.NoSuchDistributionException',
      'Cause:         The specified distribution does not exist.',
      ...FOOTER,
    ],
  },
  'tenant/deployed': {
    subject: 'CloudFront tenant dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB deployed',
    body: [
      'Distribution tenant dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB is Deployed: the change is live at every ' + 'edge location.',
      '',
      'What changed:  UpdateDistribution on distribution tenant dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB',
      ...CHANGED_BY,
      'Confirmed:     2026-11-28T11:36:10Z (status check 7)',
      ...FOOTER,
    ],
  },
  'tenant/superseded': {
    subject: 'CloudFront tenant dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB deployed with a newer change',
    body: [
      'Distribution tenant dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB is Deployed, but with a newer configuration ' +
        'than this change made: a later change superseded it and is now live at every edge location. A ' +
        "later change is made from the configuration before it, so this change's settings are live too " +
        'unless the later change undid them. The later change may also be to something it uses, such as ' +
        'a cache or response headers policy.',
      '',
      'What changed:  UpdateDistribution on distribution tenant dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB',
      ...CHANGED_BY,
      'Confirmed:     2026-11-28T11:36:10Z (status check 7)',
      'ETag now:      E3NEWERCHANGE1 (this change made E2QWRUHEXAMPLE)',
      ...FOOTER,
    ],
  },
  'tenant/not-found': {
    subject: 'CloudFront tenant dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB not found: watch ended',
    body: [
      'Distribution tenant dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB no longer exists, so this change will never ' +
        'report Deployed. The watch has ended.',
      '',
      'What changed:  UpdateDistribution on distribution tenant dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB',
      ...CHANGED_BY,
      'Found missing: 2026-11-28T11:36:10Z (status check 7)',
      'Error:         CloudFront.NoSuchDistributionException',
      ...FOOTER,
    ],
  },
  'tenant/timed-out': {
    subject: 'CloudFront tenant dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB still deploying after 4 days',
    body: [
      'Distribution tenant dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB was still InProgress when the watch limit of ' +
        '4 days ran out. CloudFront has no failed state: check it in the console.',
      '',
      'What changed:  UpdateDistribution on distribution tenant dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB',
      ...CHANGED_BY,
      'Last checked:  2026-11-28T11:36:10Z (status check 7)',
      'Unanswered:    2 of 7 status checks (throttled or failing, after retries)',
      ...FOOTER,
    ],
  },
  'tenant/check-failed': {
    subject: 'CloudFront tenant dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB watch failed: status check error',
    body: [
      'The status of distribution tenant dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB could not be read: CloudFront ' +
        'refused the status check, and waiting cannot change that, so the watch has stopped. The change ' +
        'itself may still finish.',
      '',
      'What changed:  UpdateDistribution on distribution tenant dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB',
      ...CHANGED_BY,
      'Failed at:     2026-11-28T11:36:10Z (status check 7)',
      'Error:         CloudFront.NoSuchDistributionException',
      'Cause:         The specified distribution does not exist.',
      ...FOOTER,
    ],
  },
  'tenant-invalidation/completed': {
    subject: 'CloudFront tenant dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB invalidation completed',
    body: [
      'Invalidation I2J0I21PCUYOIK on distribution tenant dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB is Completed: ' +
        'the paths are cleared at every edge location.',
      '',
      'What changed:  UpdateDistribution on distribution tenant dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB',
      'Invalidation:  I2J0I21PCUYOIK',
      'Paths:         3 paths: /index.html, /assets/*, /en/about.html',
      ...CHANGED_BY,
      'Confirmed:     2026-11-28T11:36:10Z (status check 7)',
      ...FOOTER,
    ],
  },
  'tenant-invalidation/not-found': {
    subject: 'CloudFront tenant dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB invalidation not found: watch ended',
    body: [
      'Invalidation I2J0I21PCUYOIK on distribution tenant dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB does not ' +
        'exist (or its tenant is gone), so it will never report Completed. The watch has ended.',
      '',
      'What changed:  UpdateDistribution on distribution tenant dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB',
      'Invalidation:  I2J0I21PCUYOIK',
      'Paths:         3 paths: /index.html, /assets/*, /en/about.html',
      ...CHANGED_BY,
      'Found missing: 2026-11-28T11:36:10Z (status check 7)',
      'Error:         CloudFront.NoSuchDistributionException',
      ...FOOTER,
    ],
  },
  'tenant-invalidation/timed-out': {
    subject: 'CloudFront tenant dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB invalidation still running after 4 days',
    body: [
      'Invalidation I2J0I21PCUYOIK on distribution tenant dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB was still ' +
        'InProgress when the watch limit of 4 days ran out. CloudFront has no failed state: check the ' +
        'invalidation in the console.',
      '',
      'What changed:  UpdateDistribution on distribution tenant dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB',
      'Invalidation:  I2J0I21PCUYOIK',
      'Paths:         3 paths: /index.html, /assets/*, /en/about.html',
      ...CHANGED_BY,
      'Last checked:  2026-11-28T11:36:10Z (status check 7)',
      'Unanswered:    2 of 7 status checks (throttled or failing, after retries)',
      ...FOOTER,
    ],
  },
  'tenant-invalidation/check-failed': {
    subject: 'CloudFront tenant dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB invalidation watch failed: status check error',
    body: [
      'The status of invalidation I2J0I21PCUYOIK on distribution tenant dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB ' +
        'could not be read: CloudFront refused the status check, and waiting cannot change that, so the ' +
        'watch has stopped. The invalidation itself may still complete.',
      '',
      'What changed:  UpdateDistribution on distribution tenant dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB',
      'Invalidation:  I2J0I21PCUYOIK',
      'Paths:         3 paths: /index.html, /assets/*, /en/about.html',
      ...CHANGED_BY,
      'Failed at:     2026-11-28T11:36:10Z (status check 7)',
      'Error:         CloudFront.NoSuchDistributionException',
      'Cause:         The specified distribution does not exist.',
      ...FOOTER,
    ],
  },
};

/** Every kind of watch with every outcome it can end with. */
const PAIRS = Object.keys(EXPECTED_TEXTS).map((key) => {
  const [kind, outcome] = key.split('/') as [WatchKind, Outcome];
  return { kind, outcome };
});

describe('what a person receives', () => {
  it.each(PAIRS)('$kind / $outcome: subject and body word for word', ({ kind, outcome }) => {
    // Arrange
    const expected = EXPECTED_TEXTS[`${kind}/${outcome}`]!;
    // Act
    const { subject, message } = renderNotification(kind, outcome, sampleValues());
    // Assert
    expect(subject).toBe(expected.subject);
    expect(message).toBe(expected.body.join('\n'));
  });

  it('has a text written out here for every outcome of every kind', () => {
    // Act
    const pairs = KINDS.flatMap((kind) => outcomesFor(kind).map((outcome) => `${kind}/${outcome}`));
    // Assert
    expect(pairs).toEqual(Object.keys(EXPECTED_TEXTS));
    expect(pairs).toHaveLength(18);
  });
});

describe('outcomesFor', () => {
  it('lists what each kind of watch can end with', () => {
    expect(outcomesFor('distribution')).toEqual(['deployed', 'superseded', 'not-found', 'timed-out', 'check-failed']);
    expect(outcomesFor('invalidation')).toEqual(['completed', 'not-found', 'timed-out', 'check-failed']);
    expect(outcomesFor('tenant')).toEqual(['deployed', 'superseded', 'not-found', 'timed-out', 'check-failed']);
    expect(outcomesFor('tenant-invalidation')).toEqual(['completed', 'not-found', 'timed-out', 'check-failed']);
  });
});

describe.each(PAIRS)('the $kind / $outcome notification', ({ kind, outcome }) => {
  it(`has a subject of at most ${MAX_SUBJECT_LENGTH} printable ASCII characters, even with the longest values`, () => {
    // Arrange: every id as long as RESOURCE_ID_PATTERN allows
    const values = sampleValues({
      distributionId: 'E'.repeat(32),
      invalidationId: 'I'.repeat(32),
      tenantId: 'T'.repeat(32),
      eTag: 'A'.repeat(32),
      currentETag: 'B'.repeat(32),
      watchLimit: LONGEST_WATCH_LIMIT,
      checks: 241_921,
    });
    // Act
    const { subject } = renderNotification(kind, outcome, values);
    // Assert
    expect(subject.length, subject).toBeLessThanOrEqual(MAX_SUBJECT_LENGTH);
    expect(subject).toMatch(/^[\x20-\x7E]+$/);
    expect(subject).toContain(values[ID_FIELD[kind]]);
  });

  it('tells in its body what changed, who changed it, when it started and ended, and links the console', () => {
    // Arrange
    const values = sampleValues();
    // Act
    const { message } = renderNotification(kind, outcome, values);
    // Assert
    for (const field of [
      'change',
      ID_FIELD[kind],
      'changedBy',
      'startedAt',
      'endedAt',
      'consoleUrl',
      'eventId',
    ] as const) {
      expect(message, field).toContain(values[field]);
    }
    if (INVALIDATION_KINDS.includes(kind)) {
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

  it(`carries the outcome, kind and ${ID_FIELD[kind]} as filterable attributes, and no other id`, () => {
    // Arrange
    const values = sampleValues();
    // Act
    const { attributes } = renderNotification(kind, outcome, values);
    // Assert
    expect(attributes).toEqual({ outcome, kind, [ID_FIELD[kind]]: values[ID_FIELD[kind]] });
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

  it('has impossible pairs to refuse: nothing deploying "completes", and an invalidation never "deploys" nor is superseded', () => {
    expect(IMPOSSIBLE_PAIRS).toEqual([
      { kind: 'distribution', outcome: 'completed' },
      { kind: 'invalidation', outcome: 'deployed' },
      { kind: 'invalidation', outcome: 'superseded' },
      { kind: 'tenant', outcome: 'completed' },
      { kind: 'tenant-invalidation', outcome: 'deployed' },
      { kind: 'tenant-invalidation', outcome: 'superseded' },
    ]);
  });
});

describe('tenant notifications', () => {
  it.each(['tenant', 'tenant-invalidation'] as const)(
    'a %s notification carries a tenantId attribute and no distributionId, even when the distribution is known',
    (kind) => {
      // Arrange
      const values = sampleValues({ distributionId: 'E1MULTITENANT1' });
      // Act
      const { attributes } = renderNotification(kind, outcomesFor(kind)[0]!, values);
      // Assert
      expect(attributes).toHaveProperty('tenantId', 'dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB');
      expect(attributes).not.toHaveProperty('distributionId');
    },
  );

  it('names the tenant, not a distribution, in the subject of a tenant invalidation', () => {
    // Act
    const { subject } = renderNotification('tenant-invalidation', 'completed', sampleValues({ distributionId: '' }));
    // Assert
    expect(subject).toBe('CloudFront tenant dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB invalidation completed');
  });
});

describe('the superseded notification', () => {
  it.each(['distribution', 'tenant'] as const)(
    'shows both ETags of a superseded %s: the one CloudFront reports and the change’s',
    (kind) => {
      // Arrange
      const values = sampleValues({ eTag: 'E2QWRUHEXAMPLE', currentETag: 'E3NEWERCHANGE1' });
      // Act
      const { subject, message } = renderNotification(kind, 'superseded', values);
      // Assert
      expect(message).toContain('ETag now:      E3NEWERCHANGE1 (this change made E2QWRUHEXAMPLE)');
      expect(subject).toContain('deployed with a newer change');
    },
  );
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
    const template = {
      format: '{} then {} then {} again',
      fields: ['distributionId', 'checks', 'distributionId'] as const,
    };
    // Act
    const text = fillTemplate(template, sampleValues({ checks: 3 }));
    // Assert
    expect(text).toBe('E2QWRUHAPOMQZL then 3 then E2QWRUHAPOMQZL again');
  });
});

/** What chat shows, with sampleValues: the description's lines and the next steps, written out. */
const CHANGE_LINE = 'UpdateDistribution by arn:aws:iam::123456789012:user/alice, started 2026-11-28T11:30:00Z.';
const CONSOLE_LINE = `Console: ${CONSOLE_URL}`;
const EXPECTED_CHAT = [
  {
    kind: 'distribution',
    outcome: 'deployed',
    title: 'CloudFront E2QWRUHAPOMQZL deployed',
    description: [
      'Distribution E2QWRUHAPOMQZL is Deployed: the change is live at every edge location.',
      CHANGE_LINE,
      'Confirmed 2026-11-28T11:36:10Z (status check 7).',
      CONSOLE_LINE,
    ],
    nextSteps: [],
  },
  {
    kind: 'distribution',
    outcome: 'superseded',
    title: 'CloudFront E2QWRUHAPOMQZL deployed with a newer change',
    description: [
      'Distribution E2QWRUHAPOMQZL is Deployed with a newer change than this one: a later change superseded it and is live.',
      CHANGE_LINE,
      'ETag now E3NEWERCHANGE1; this change made E2QWRUHEXAMPLE.',
      CONSOLE_LINE,
    ],
    nextSteps: [],
  },
  {
    kind: 'distribution',
    outcome: 'timed-out',
    title: 'CloudFront E2QWRUHAPOMQZL still deploying after 4 days',
    description: [
      'Distribution E2QWRUHAPOMQZL was still InProgress when the watch limit ran out.',
      CHANGE_LINE,
      'Last checked 2026-11-28T11:36:10Z: 2 of 7 status checks unanswered.',
      CONSOLE_LINE,
    ],
    nextSteps: ['CloudFront has no failed state: look at the change in the CloudFront console.'],
  },
  {
    kind: 'invalidation',
    outcome: 'completed',
    title: 'CloudFront E2QWRUHAPOMQZL invalidation completed',
    description: [
      'Invalidation I2J0I21PCUYOIK on distribution E2QWRUHAPOMQZL is Completed: the paths are cleared at every edge location.',
      CHANGE_LINE,
      'Confirmed 2026-11-28T11:36:10Z (status check 7).',
      CONSOLE_LINE,
    ],
    nextSteps: [],
  },
  {
    kind: 'tenant',
    outcome: 'check-failed',
    title: 'CloudFront tenant dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB watch failed: status check error',
    description: [
      'The status of distribution tenant dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB could not be read: the watch has stopped.',
      CHANGE_LINE,
      'Failed 2026-11-28T11:36:10Z (status check 7): CloudFront.NoSuchDistributionException.',
      CONSOLE_LINE,
    ],
    nextSteps: ['Read the error in the email, or in the execution; the notifier may lack a read permission.'],
  },
  {
    kind: 'tenant-invalidation',
    outcome: 'not-found',
    title: 'CloudFront tenant dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB invalidation not found: watch ended',
    description: [
      'Invalidation I2J0I21PCUYOIK on distribution tenant dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB does not exist: the watch has ended.',
      CHANGE_LINE,
      'Found missing 2026-11-28T11:36:10Z (status check 7): CloudFront.NoSuchDistributionException.',
      CONSOLE_LINE,
    ],
    nextSteps: [],
  },
] as const;

describe('what a chat channel shows', () => {
  it.each(EXPECTED_CHAT)(
    '$kind / $outcome: the custom notification word for word',
    ({ kind, outcome, title, description, nextSteps }) => {
      // Arrange
      const values = sampleValues();
      // Act
      const chat = renderChatNotification(kind, outcome, values);
      // Assert
      expect(chat).toEqual({
        version: '1.0',
        source: 'custom',
        content: {
          textType: 'client-markdown',
          title,
          description: description.join('\n'),
          nextSteps,
          keywords: ['CloudFront', kind, outcome],
        },
      });
    },
  );

  it.each(PAIRS)(
    '$kind / $outcome: titled with the email subject, short, and ending with the console link',
    ({ kind, outcome }) => {
      // Arrange
      const values = sampleValues();
      // Act
      const { content } = renderChatNotification(kind, outcome, values);
      // Assert
      expect(content.title).toBe(renderNotification(kind, outcome, values).subject);
      const lines = content.description.split('\n');
      expect(lines).toHaveLength(4);
      expect(lines.at(-1)).toBe(CONSOLE_LINE);
      expect(content.description).not.toMatch(/\{[A-Za-z]*\}/);
    },
  );
});

describe('publishedMessage', () => {
  it('is the email text alone, with no MessageStructure, without chat channels', () => {
    // Arrange
    const notification = renderNotification('distribution', 'deployed', sampleValues());
    // Act
    const published = publishedMessage(notification);
    // Assert
    expect(published).toEqual({ message: notification.message });
  });

  it('carries the email text word for word by default and the chat message for HTTPS, whatever the values hold', () => {
    // Arrange
    const tricky = `ops "on call" {team} C:\\path\\ {} \\n 'x'\nsecond line`;
    const values = sampleValues({ changedBy: tricky });
    const notification = renderNotification('distribution', 'deployed', values);
    const chat = renderChatNotification('distribution', 'deployed', values);
    // Act
    const published = publishedMessage(notification, chat);
    // Assert
    expect(published.messageStructure).toBe('json');
    const parsed = JSON.parse(published.message) as { default: string; https: string };
    expect(Object.keys(parsed)).toEqual(['default', 'https']);
    expect(parsed.default).toBe(notification.message);
    expect(parsed.default).toContain(`Changed by:    ${tricky}\n`);
    const shown = JSON.parse(parsed.https) as { content: { description: string } };
    expect(shown.content.description.split('\n').slice(1, 3)).toEqual([
      `UpdateDistribution by ops "on call" {team} C:\\path\\ {} \\n 'x'`,
      'second line, started 2026-11-28T11:30:00Z.',
    ]);
  });
});

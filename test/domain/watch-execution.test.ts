import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sweptWatch } from '../../domain/cloudtrail';
import { checkBudget, type Schedule, type ScheduleKind } from '../../domain/schedule';
import {
  buildWatchExecution,
  CHECKS_PER_EXECUTION,
  consoleUrl,
  describeDuration,
  eventExecutionName,
  executionName,
  type ExecutionSettings,
} from '../../domain/watch-execution';
import { fixtureBody, fixtureWatch, watchOf } from '../../tools/scenarios/fixtures';

const NAME_PATTERN = /^[A-Za-z0-9_-]{1,72}$/;
/** Step Functions' limit on execution names. */
const MAX_STEP_FUNCTIONS_NAME = 80;
/** The extremes that config validation accepts (infra/config.ts): the most checks a watch can ever get. */
const SHORTEST_POLL_SECONDS = 5;
const LONGEST_RETENTION_SECONDS = 1_209_600;
const TENANT_ID = 'dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB';

function everyMinute(retentionSeconds: number): ExecutionSettings {
  return { retentionSeconds, schedule: () => [{ waitSeconds: 60 }] };
}

function secondsAfter(isoTime: string, seconds: number): Date {
  return new Date(Date.parse(isoTime) + seconds * 1000);
}

describe('executionName', () => {
  it('reads "<distribution>-deploy-<ETag>" for a change whose record holds the ETag it produced', () => {
    // Arrange
    const watch = fixtureWatch('update-distribution.json');
    // Act
    const name = executionName(watch);
    // Assert
    expect(name).toBe('E2QWRUHAPOMQZL-deploy-E2QWRUHEXAMPLE');
  });

  it('reads "<distribution>-invalidate-<invalidation id>" for an invalidation', () => {
    // Arrange
    const watch = fixtureWatch('create-invalidation.json');
    // Act
    const name = executionName(watch);
    // Assert
    expect(name).toBe('E2QWRUHAPOMQZL-invalidate-I2J0I21PCUYOIK');
  });

  it('reads "<distribution>-<action>-<event id>" for a change whose record has no ETag (AssociateAlias)', () => {
    // Arrange
    const watch = fixtureWatch('associate-alias.json');
    // Act
    const name = executionName(watch);
    // Assert
    expect(name).toBe(`E1TARGETEXAMPL-alias-${watch.eventId}`);
  });

  it('gives the sweep the name of the event-started watch of the same change, so Step Functions refuses the second', () => {
    // Arrange: what ListDistributions shows of the change while it is InProgress
    const fromEvent = fixtureWatch('update-distribution.json');
    const fromSweep = sweptWatch({
      kind: 'distribution',
      distributionId: 'E2QWRUHAPOMQZL',
      eTag: 'E2QWRUHEXAMPLE',
      startedAt: '2026-11-28T11:30:00Z',
      foundAt: '2026-11-28T14:00:00Z',
    });
    // Act
    const names = [executionName(fromEvent), executionName(fromSweep)];
    // Assert
    expect(names).toEqual(['E2QWRUHAPOMQZL-deploy-E2QWRUHEXAMPLE', 'E2QWRUHAPOMQZL-deploy-E2QWRUHEXAMPLE']);
  });

  it('gives the sweep the name of the event-started watch of the same invalidation and tenant change', () => {
    // Arrange
    const invalidation = fixtureWatch('create-invalidation.json');
    const tenant = fixtureWatch('update-distribution-tenant.json');
    // Act
    const swept = [
      executionName(
        sweptWatch({
          kind: 'invalidation',
          distributionId: 'E2QWRUHAPOMQZL',
          invalidationId: 'I2J0I21PCUYOIK',
          startedAt: '2026-11-28T13:45:10Z',
          foundAt: '2026-11-28T14:00:00Z',
        }),
      ),
      executionName(
        sweptWatch({
          kind: 'tenant',
          distributionId: 'E1MULTITENANT1',
          tenantId: TENANT_ID,
          eTag: 'E2QWRUHEXAMPLE',
          startedAt: '2026-11-28T12:00:00Z',
          foundAt: '2026-11-28T14:00:00Z',
        }),
      ),
    ];
    // Assert
    expect(swept).toEqual([executionName(invalidation), executionName(tenant)]);
    expect(swept).toEqual(['E2QWRUHAPOMQZL-invalidate-I2J0I21PCUYOIK', `${TENANT_ID}-deploy-E2QWRUHEXAMPLE`]);
  });

  it('starts the name of a tenant watch with the tenant id, not its multi-tenant distribution', () => {
    // Arrange
    const watch = fixtureWatch('update-distribution-tenant.json');
    // Act
    const name = executionName(watch);
    // Assert
    expect(name).toBe(`${TENANT_ID}-deploy-E2QWRUHEXAMPLE`);
    expect(name).not.toContain(watch.distributionId);
  });

  it('names a tenant invalidation, which has no distribution id, after its tenant', () => {
    // Arrange
    const watch = fixtureWatch('create-invalidation-for-distribution-tenant.json');
    // Act
    const name = executionName(watch);
    // Assert
    expect(name).toBe(`${TENANT_ID}-invalidate-${watch.invalidationId}`);
  });

  it('gives a redelivery of the same CloudTrail event the same name, whatever its envelope, so it cannot start a second watch', () => {
    // Arrange: EventBridge delivered the record again, in an envelope of its own
    const original = JSON.parse(fixtureBody('associate-alias.json')) as Record<string, unknown>;
    const redelivery = {
      ...original,
      id: '0f9e8d7c-6b5a-4f3e-8d2c-1b0a9f8e7d6c',
      time: '2026-11-28T13:47:31Z',
    };
    // Act
    const names = [original, redelivery].map((event) => executionName(watchOf(JSON.stringify(event))));
    // Assert
    expect(names[1]).toBe(names[0]);
  });

  it('gives keyless events that differ only in their id different names', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.uuid(), (a, b) => {
        fc.pre(a !== b);
        const watch = fixtureWatch('associate-alias.json');
        expect(executionName({ ...watch, eventId: a })).not.toBe(executionName({ ...watch, eventId: b }));
      }),
    );
  });

  it('always yields 1..72 characters of A-Za-z0-9-_, so "-partN" still fits in 80', () => {
    // Arrange: any id the parser accepts (RESOURCE_ID_PATTERN, the eventID pattern), any action, with or without a key
    const watchIds = fc.record(
      {
        distributionId: fc.stringMatching(/^[A-Za-z0-9_-]{0,32}$/),
        tenantId: fc.stringMatching(/^[A-Za-z0-9_-]{1,32}$/),
        invalidationId: fc.stringMatching(/^[A-Za-z0-9_-]{1,32}$/),
        eTag: fc.stringMatching(/^[A-Za-z0-9_-]{1,32}$/),
        eventId: fc.stringMatching(/^[A-Za-z0-9-]{1,64}$/),
        action: fc.constantFrom('create', 'update', 'copy', 'promote', 'alias', 'invalidate'),
      },
      { requiredKeys: ['distributionId', 'eventId', 'action'] },
    );
    const { eTag: _eTag, ...base } = fixtureWatch('create-distribution.json');
    fc.assert(
      fc.property(watchIds, (ids) => {
        // Act
        const name = executionName({ ...base, ...ids });
        // Assert
        expect(name).toMatch(NAME_PATTERN);
        expect(name.endsWith(ids.invalidationId ?? ids.eTag ?? ids.eventId)).toBe(true);
        expect(`${name}-part999`.length).toBeLessThanOrEqual(MAX_STEP_FUNCTIONS_NAME);
      }),
    );
  });

  it('keeps the whole event id and cuts the resource id when both ids are as long as allowed', () => {
    // Arrange
    const watch = {
      ...fixtureWatch('associate-alias.json'),
      distributionId: 'D'.repeat(32),
      eventId: 'e'.repeat(64),
    };
    // Act
    const name = executionName(watch);
    // Assert
    expect(name).toBe(`${'D'.repeat(7)}-${'e'.repeat(64)}`);
  });

  it('names a watch after its event alone for eventExecutionName, whatever keys it has (npm run smoke)', () => {
    // Arrange
    const watch = fixtureWatch('create-invalidation.json');
    // Act
    const name = eventExecutionName(watch);
    // Assert
    expect(name).toBe('E2QWRUHAPOMQZL-invalidate-5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9');
  });

  it('leaves room for the highest part number the most frequent polling over the longest retention can reach', () => {
    // Arrange
    const schedule: Schedule = [{ waitSeconds: SHORTEST_POLL_SECONDS }];
    const maxChecks = checkBudget(schedule, LONGEST_RETENTION_SECONDS);
    const lastPart = Math.ceil(maxChecks / CHECKS_PER_EXECUTION);
    const longest = executionName({
      ...fixtureWatch('associate-alias.json'),
      distributionId: 'D'.repeat(32),
      eventId: 'e'.repeat(64),
    });
    // Act
    const lastName = `${longest}-part${lastPart}`;
    // Assert
    expect(lastName.length).toBeLessThanOrEqual(MAX_STEP_FUNCTIONS_NAME);
  });
});

describe('consoleUrl', () => {
  it('links a distribution to its page in the us-east-1 console', () => {
    expect(consoleUrl({ distributionId: 'E2QWRUHAPOMQZL' })).toBe(
      'https://us-east-1.console.aws.amazon.com/cloudfront/v4/home?region=us-east-1#/distributions/E2QWRUHAPOMQZL',
    );
  });

  it('links an invalidation to its details page under the distribution', () => {
    expect(consoleUrl({ distributionId: 'E2QWRUHAPOMQZL', invalidationId: 'I2J0I21PCUYOIK' })).toBe(
      'https://us-east-1.console.aws.amazon.com/cloudfront/v4/home?region=us-east-1#/distributions/E2QWRUHAPOMQZL' +
        '/invalidations/details/I2J0I21PCUYOIK',
    );
  });
});

describe('consoleUrl of tenant watches', () => {
  it('links a tenant to its own page, whatever its distribution', () => {
    expect(consoleUrl({ distributionId: 'E1MULTITENANT1', tenantId: TENANT_ID })).toBe(
      `https://us-east-1.console.aws.amazon.com/cloudfront/v4/home?region=us-east-1#/distribution-tenants/${TENANT_ID}`,
    );
  });

  it('links a tenant invalidation to its details page under the tenant', () => {
    // Arrange
    const watch = fixtureWatch('create-invalidation-for-distribution-tenant.json');
    // Act
    const url = consoleUrl(watch);
    // Assert
    expect(url).toBe(
      `https://us-east-1.console.aws.amazon.com/cloudfront/v4/home?region=us-east-1#/distribution-tenants/${TENANT_ID}` +
        '/invalidations/details/I2TENANTINVAL1',
    );
  });
});

describe('describeDuration', () => {
  it.each([
    [0, '0 s'],
    [1, '1 s'],
    [90, '1 min 30 s'],
    [3_600, '1 h'],
    [9_000, '2 h 30 min'],
    [86_400, '1 day'],
    [345_600, '4 days'],
    [90_061, '1 day 1 h'],
    [1_209_599, '13 days 23 h'],
    [1_209_600, '14 days'],
    [59.6, '1 min'],
  ])('%d s reads "%s"', (seconds, text) => {
    expect(describeDuration(seconds)).toBe(text);
  });
});

describe('buildWatchExecution', () => {
  it('builds the input the state machine reads for a distribution watch', () => {
    // Arrange
    const watch = fixtureWatch('update-distribution.json');
    // Act
    const execution = buildWatchExecution(watch, everyMinute(345_600), secondsAfter(watch.startedAt, 30));
    // Assert
    expect(execution).toEqual({
      name: 'E2QWRUHAPOMQZL-deploy-E2QWRUHEXAMPLE',
      input: {
        watch: {
          kind: 'distribution',
          change: 'UpdateDistribution',
          distributionId: 'E2QWRUHAPOMQZL',
          eTag: 'E2QWRUHEXAMPLE',
          eventId: 'c4d2e1f0-5a6b-4c7d-8e9f-a0b1c2d3e4f5',
          startedAt: '2026-11-28T11:30:00Z',
          changedBy:
            'arn:aws:sts::123456789012:assumed-role/cfn-exec-role/AWSCloudFormation via cloudformation.amazonaws.com',
          consoleUrl:
            'https://us-east-1.console.aws.amazon.com/cloudfront/v4/home?region=us-east-1#/distributions/E2QWRUHAPOMQZL',
          watchLimit: '4 days',
          executionName: 'E2QWRUHAPOMQZL-deploy-E2QWRUHEXAMPLE',
        },
        // 345,570 s left at one check a minute: the first check now, then 5,759 more; 800 checks per execution.
        // The change was made 30 s before the watch starts: durationSeconds counts from there.
        progress: {
          check: 1,
          maxChecks: 5_760,
          continueAt: 801,
          part: 1,
          unanswered: 0,
          waitSeconds: 0,
          elapsedSeconds: 30,
        },
      },
    });
  });

  it('carries the invalidation id and the described paths for an invalidation watch', () => {
    // Arrange
    const watch = fixtureWatch('create-invalidation.json');
    // Act
    const { input } = buildWatchExecution(watch, everyMinute(3_600), secondsAfter(watch.startedAt, 0));
    // Assert
    expect(input.watch).toMatchObject({
      kind: 'invalidation',
      change: 'CreateInvalidation',
      distributionId: 'E2QWRUHAPOMQZL',
      invalidationId: 'I2J0I21PCUYOIK',
      paths: '3 paths: /index.html, /assets/*, /en/about.html',
      consoleUrl:
        'https://us-east-1.console.aws.amazon.com/cloudfront/v4/home?region=us-east-1#/distributions/E2QWRUHAPOMQZL' +
        '/invalidations/details/I2J0I21PCUYOIK',
      watchLimit: '1 h',
    });
  });

  it('says the paths are not in the record when CloudTrail left them out', () => {
    // Arrange
    const { paths: _omitted, ...watch } = fixtureWatch('create-invalidation.json');
    // Act
    const { input } = buildWatchExecution(watch, everyMinute(3_600), secondsAfter(watch.startedAt, 0));
    // Assert
    expect(input.watch.paths).toBe('not in the CloudTrail record');
  });

  it('serialises to JSON that carries the CloudTrail event id', () => {
    // Arrange
    const watch = fixtureWatch('create-distribution.json');
    // Act
    const json = JSON.parse(
      JSON.stringify(buildWatchExecution(watch, everyMinute(600), secondsAfter(watch.startedAt, 5)).input),
    );
    // Assert
    expect(json.watch.eventId).toBe(watch.eventId);
  });

  it('counts the budget from eventTime: an event delivered late gets fewer checks', () => {
    // Arrange
    const watch = fixtureWatch('create-distribution.json');
    const settings = everyMinute(3_600);
    // Act
    const onTime = buildWatchExecution(watch, settings, secondsAfter(watch.startedAt, 0)).input.progress.maxChecks;
    const late = buildWatchExecution(watch, settings, secondsAfter(watch.startedAt, 1_800)).input.progress.maxChecks;
    // Assert
    expect(onTime).toBe(61);
    expect(late).toBe(31);
  });

  it('gives an event older than the retention a single check', () => {
    // Arrange
    const watch = fixtureWatch('create-distribution.json');
    // Act
    const execution = buildWatchExecution(watch, everyMinute(3_600), secondsAfter(watch.startedAt, 7_200));
    // Assert
    expect(execution.input.progress.maxChecks).toBe(1);
  });

  it('treats an eventTime in the future (clock skew) as now, not as extra time', () => {
    // Arrange
    const watch = fixtureWatch('create-distribution.json');
    // Act
    const execution = buildWatchExecution(watch, everyMinute(3_600), secondsAfter(watch.startedAt, -600));
    // Assert
    expect(execution.input.progress.maxChecks).toBe(61);
  });

  it('carries the tenant id and the eTag of a tenant watch next to its distribution', () => {
    // Arrange
    const watch = fixtureWatch('create-distribution-tenant.json');
    // Act
    const { input } = buildWatchExecution(watch, everyMinute(3_600), secondsAfter(watch.startedAt, 0));
    // Assert
    expect(input.watch).toMatchObject({
      kind: 'tenant',
      change: 'CreateDistributionTenant',
      distributionId: 'E1MULTITENANT1',
      tenantId: TENANT_ID,
      eTag: 'E3TENANTETAG01',
      consoleUrl: `https://us-east-1.console.aws.amazon.com/cloudfront/v4/home?region=us-east-1#/distribution-tenants/${TENANT_ID}`,
    });
    expect(input.watch).not.toHaveProperty('invalidationId');
    expect(input.watch).not.toHaveProperty('paths');
  });

  it('carries the tenant, invalidation id and paths of a tenant invalidation, and no eTag', () => {
    // Arrange
    const watch = fixtureWatch('create-invalidation-for-distribution-tenant.json');
    // Act
    const { input } = buildWatchExecution(watch, everyMinute(3_600), secondsAfter(watch.startedAt, 0));
    // Assert
    expect(input.watch).toMatchObject({
      kind: 'tenant-invalidation',
      distributionId: '',
      tenantId: TENANT_ID,
      invalidationId: 'I2TENANTINVAL1',
      paths: '2 paths: /shop/*, /index.html',
    });
    expect(input.watch).not.toHaveProperty('eTag');
  });

  it.each(['associate-alias.json', 'create-invalidation.json'])(
    'leaves tenantId and eTag out of the input of %s, which has neither',
    (file) => {
      // Arrange
      const watch = fixtureWatch(file);
      // Act
      const { input } = buildWatchExecution(watch, everyMinute(3_600), secondsAfter(watch.startedAt, 0));
      // Assert
      expect(input.watch).not.toHaveProperty('tenantId');
      expect(input.watch).not.toHaveProperty('eTag');
    },
  );

  it.each([
    { file: 'create-distribution-tenant.json', scheduleKind: 'distribution', checks: 3 },
    { file: 'update-distribution-tenant.json', scheduleKind: 'distribution', checks: 3 },
    { file: 'create-invalidation-for-distribution-tenant.json', scheduleKind: 'invalidation', checks: 31 },
  ] as const)('gives $file the budget of the $scheduleKind schedule', ({ file, scheduleKind, checks }) => {
    // Arrange
    const watch = fixtureWatch(file);
    const asked: ScheduleKind[] = [];
    const settings: ExecutionSettings = {
      retentionSeconds: 600,
      schedule: (scheduleKind) => {
        asked.push(scheduleKind);
        return scheduleKind === 'invalidation' ? [{ waitSeconds: 20 }] : [{ waitSeconds: 300 }];
      },
    };
    // Act
    const execution = buildWatchExecution(watch, settings, secondsAfter(watch.startedAt, 0));
    // Assert
    expect(asked).toEqual([scheduleKind]);
    expect(execution.input.progress.maxChecks).toBe(checks);
  });

  it('asks the schedule of the watch’s own kind', () => {
    // Arrange
    const watch = fixtureWatch('create-invalidation.json');
    const settings: ExecutionSettings = {
      retentionSeconds: 600,
      schedule: (kind) => (kind === 'invalidation' ? [{ waitSeconds: 20 }] : [{ waitSeconds: 300 }]),
    };
    // Act
    const execution = buildWatchExecution(watch, settings, secondsAfter(watch.startedAt, 0));
    // Assert
    expect(execution.input.progress.maxChecks).toBe(31);
  });
});

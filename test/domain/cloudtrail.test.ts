import { describe, expect, it } from 'vitest';
import {
  KEYLESS_CALLS,
  SUPPORTED_EVENT_NAMES,
  describePaths,
  sweepEventBody,
  parseCloudTrailRecord,
  parseEventBridgeBody,
  parseEventBridgeEvent,
  type ParseOptions,
  type ParseResult,
  type Watch,
} from '../../domain/cloudtrail';
import { fixtureBody } from '../../tools/scenarios/fixtures';

const ALL: ParseOptions = { watchedEvents: SUPPORTED_EVENT_NAMES };

// Parsed afresh on every call, so a test may change its copy freely.
type EventObject = Record<string, any>;
function fixtureEvent(file: string): EventObject {
  return JSON.parse(fixtureBody(file)) as EventObject;
}

function expectWatch(result: ParseResult): Watch {
  expect(result.type, JSON.stringify(result)).toBe('watch');
  return (result as Extract<ParseResult, { type: 'watch' }>).watch;
}

function expectReason(result: ParseResult, type: 'skip' | 'invalid'): string {
  expect(result.type, JSON.stringify(result)).toBe(type);
  return (result as Extract<ParseResult, { type: 'skip' | 'invalid' }>).reason;
}

describe('parseEventBridgeBody on the recorded-shape fixtures', () => {
  it.each([
    {
      file: 'create-distribution.json',
      expected: {
        kind: 'distribution',
        change: 'CreateDistribution',
        action: 'create',
        distributionId: 'E2QWRUHAPOMQZL',
        eTag: 'E2QWRUHEXAMPLE',
        eventId: '3f1c6a52-8e0b-4d1e-9a53-2f7c1b9e4d01',
        startedAt: '2026-11-28T09:15:02Z',
        changedBy: 'arn:aws:iam::123456789012:user/alice',
      },
    },
    {
      file: 'create-distribution-with-tags.json',
      expected: {
        kind: 'distribution',
        change: 'CreateDistributionWithTags',
        action: 'create',
        distributionId: 'E1KX7NS0V9EXMP',
        eTag: 'E1YHLMZQ8EXAMP',
        eventId: 'b7a0f3de-1c2d-4e5f-8a9b-0c1d2e3f4a52',
        startedAt: '2026-11-28T10:02:40Z',
        changedBy: 'arn:aws:iam::123456789012:user/alice',
      },
    },
    {
      file: 'update-distribution.json',
      expected: {
        kind: 'distribution',
        change: 'UpdateDistribution',
        action: 'update',
        distributionId: 'E2QWRUHAPOMQZL',
        eTag: 'E2QWRUHEXAMPLE',
        eventId: 'c4d2e1f0-5a6b-4c7d-8e9f-a0b1c2d3e4f5',
        startedAt: '2026-11-28T11:30:00Z',
        changedBy:
          'arn:aws:sts::123456789012:assumed-role/cfn-exec-role/AWSCloudFormation via cloudformation.amazonaws.com',
      },
    },
    {
      file: 'copy-distribution.json',
      expected: {
        kind: 'distribution',
        change: 'CopyDistribution',
        action: 'copy',
        distributionId: 'E3STAGINGEXAMP',
        eTag: 'E2STAGEETAG001',
        eventId: 'd9e8f7a6-b5c4-4d3e-a2f1-0e9d8c7b6a53',
        startedAt: '2026-11-28T12:00:00Z',
        changedBy: 'arn:aws:iam::123456789012:user/alice',
      },
    },
    {
      file: 'create-invalidation.json',
      expected: {
        kind: 'invalidation',
        change: 'CreateInvalidation',
        action: 'invalidate',
        distributionId: 'E2QWRUHAPOMQZL',
        invalidationId: 'I2J0I21PCUYOIK',
        paths: ['/index.html', '/assets/*', '/en/about.html'],
        eventId: '5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9',
        startedAt: '2026-11-28T13:45:10Z',
        changedBy: 'arn:aws:iam::123456789012:user/alice',
      },
    },
    {
      file: 'update-distribution-with-staging-config.json',
      expected: {
        kind: 'distribution',
        change: 'UpdateDistributionWithStagingConfig',
        action: 'promote',
        distributionId: 'E2QWRUHAPOMQZL',
        eTag: 'E2QWRUHEXAMPLE',
        eventId: 'e1f2a3b4-c5d6-4e7f-8a9b-c0d1e2f3a4b1',
        startedAt: '2026-11-28T12:30:00Z',
        changedBy: 'arn:aws:sts::123456789012:assumed-role/web-deployer/bob',
      },
    },
    {
      file: 'associate-alias.json',
      expected: {
        kind: 'distribution',
        change: 'AssociateAlias',
        action: 'alias',
        distributionId: 'E1TARGETEXAMPL',
        eventId: 'e1f2a3b4-c5d6-4e7f-8a9b-c0d1e2f3a4b2',
        startedAt: '2026-11-28T12:40:00Z',
        changedBy: 'arn:aws:iam::123456789012:user/alice',
      },
    },
    {
      file: 'create-distribution-tenant.json',
      expected: {
        kind: 'tenant',
        change: 'CreateDistributionTenant',
        action: 'create',
        distributionId: 'E1MULTITENANT1',
        tenantId: 'dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB',
        eTag: 'E3TENANTETAG01',
        eventId: 'e1f2a3b4-c5d6-4e7f-8a9b-c0d1e2f3a4b3',
        startedAt: '2026-11-28T14:00:00Z',
        changedBy: 'arn:aws:iam::123456789012:user/alice',
      },
    },
    {
      file: 'update-distribution-tenant.json',
      expected: {
        kind: 'tenant',
        change: 'UpdateDistributionTenant',
        action: 'update',
        distributionId: 'E1MULTITENANT1',
        tenantId: 'dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB',
        eTag: 'E2QWRUHEXAMPLE',
        eventId: 'e1f2a3b4-c5d6-4e7f-8a9b-c0d1e2f3a4b4',
        startedAt: '2026-11-28T14:20:00Z',
        changedBy: 'arn:aws:iam::123456789012:user/ci-terraform',
      },
    },
    {
      file: 'create-invalidation-for-distribution-tenant.json',
      expected: {
        kind: 'tenant-invalidation',
        change: 'CreateInvalidationForDistributionTenant',
        action: 'invalidate',
        distributionId: '',
        tenantId: 'dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB',
        invalidationId: 'I2TENANTINVAL1',
        paths: ['/shop/*', '/index.html'],
        eventId: 'e1f2a3b4-c5d6-4e7f-8a9b-c0d1e2f3a4b5',
        startedAt: '2026-11-28T14:35:00Z',
        changedBy: 'arn:aws:iam::123456789012:user/alice',
      },
    },
  ])('$file becomes a $expected.kind watch', ({ file, expected }) => {
    // Arrange
    const body = fixtureBody(file);
    // Act
    const result = parseEventBridgeBody(body, ALL);
    // Assert
    expect(expectWatch(result)).toEqual(expected);
  });

  it('takes the UpdateDistribution id from requestParameters.id when the response names another', () => {
    // Arrange
    const event = fixtureEvent('update-distribution.json');
    event.detail.responseElements.distribution.id = 'EOTHERRESPONSE';
    // Act
    const watch = expectWatch(parseEventBridgeEvent(event, ALL));
    // Assert
    expect(watch.distributionId).toBe('E2QWRUHAPOMQZL');
  });

  it('falls back to responseElements.distribution.id when UpdateDistribution lacks requestParameters.id', () => {
    // Arrange
    const event = fixtureEvent('update-distribution.json');
    delete event.detail.requestParameters.id;
    event.detail.responseElements.distribution.id = 'EFALLBACK12345';
    // Act
    const watch = expectWatch(parseEventBridgeEvent(event, ALL));
    // Assert
    expect(watch.distributionId).toBe('EFALLBACK12345');
  });

  it('reads invalidation paths from the response when the request was left out', () => {
    // Arrange
    const event = fixtureEvent('create-invalidation.json');
    event.detail.requestParameters = { distributionId: 'E2QWRUHAPOMQZL' };
    // Act
    const watch = expectWatch(parseEventBridgeEvent(event, ALL));
    // Assert
    expect(watch.paths).toEqual(['/assets/*', '/en/about.html', '/index.html']);
  });

  it('leaves paths out when neither request nor response lists them', () => {
    // Arrange
    const event = fixtureEvent('create-invalidation.json');
    delete event.detail.requestParameters.invalidationBatch;
    delete event.detail.responseElements.invalidation.invalidationBatch;
    // Act
    const watch = expectWatch(parseEventBridgeEvent(event, ALL));
    // Assert
    expect(watch).not.toHaveProperty('paths');
  });

  it('normalises an eventTime with milliseconds and an offset to UTC ISO 8601', () => {
    // Arrange
    const event = fixtureEvent('create-distribution.json');
    event.detail.eventTime = '2026-11-28T10:15:02.250+01:00';
    // Act
    const watch = expectWatch(parseEventBridgeEvent(event, ALL));
    // Assert
    expect(watch.startedAt).toBe('2026-11-28T09:15:02.250Z');
  });
});

describe('tenant calls and ETags', () => {
  const TENANT_ID = 'dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB';

  it('reports a CreateDistributionTenant record without a tenant id as invalid and names the path', () => {
    // Arrange
    const event = fixtureEvent('create-distribution-tenant.json');
    delete event.detail.responseElements.distributionTenant.id;
    // Act
    const reason = expectReason(parseEventBridgeEvent(event, ALL), 'invalid');
    // Assert
    expect(reason).toBe(
      'CreateDistributionTenant has no tenant id at responseElements.distributionTenant.id (the record may be truncated)',
    );
  });

  it('names both tenant id paths when an UpdateDistributionTenant record has neither', () => {
    // Arrange
    const event = fixtureEvent('update-distribution-tenant.json');
    delete event.detail.requestParameters.id;
    event.detail.responseElements = null;
    // Act
    const reason = expectReason(parseEventBridgeEvent(event, ALL), 'invalid');
    // Assert
    expect(reason).toContain('no tenant id at requestParameters.id or responseElements.distributionTenant.id');
  });

  it('reports a tenant invalidation whose tenant id is not a CloudFront id', () => {
    // Arrange
    const event = fixtureEvent('create-invalidation-for-distribution-tenant.json');
    event.detail.requestParameters.id = 'dt_shop/../other';
    // Act
    const reason = expectReason(parseEventBridgeEvent(event, ALL), 'invalid');
    // Assert
    expect(reason).toMatch(/^tenant id .* is not a CloudFront id$/);
  });

  it('takes the parent distribution from the response when the request does not name it', () => {
    // Arrange
    const event = fixtureEvent('create-distribution-tenant.json');
    delete event.detail.requestParameters.distributionId;
    event.detail.responseElements.distributionTenant.distributionId = 'E1FROMRESPONSE';
    // Act
    const watch = expectWatch(parseEventBridgeEvent(event, ALL));
    // Assert
    expect(watch.distributionId).toBe('E1FROMRESPONSE');
  });

  it.each([
    { label: 'malformed', value: 'E1MULTI TENANT/..' },
    { label: 'not a string', value: 42 },
  ])('ignores a $label parent distribution id and still watches the tenant', ({ value }) => {
    // Arrange
    const event = fixtureEvent('create-distribution-tenant.json');
    event.detail.requestParameters.distributionId = value;
    delete event.detail.responseElements.distributionTenant.distributionId;
    // Act
    const watch = expectWatch(parseEventBridgeEvent(event, ALL));
    // Assert
    expect(watch).toMatchObject({ kind: 'tenant', tenantId: TENANT_ID, distributionId: '' });
  });

  it.each([
    { label: 'a weak validator', value: 'W/"E2QWRUHEXAMPLE"' },
    { label: 'of 33 characters', value: 'E'.repeat(33) },
    { label: 'with a newline', value: 'E2QWRUHEXAMPLE\n' },
  ])('drops an eTag that is $label and keeps the watch', ({ value }) => {
    // Arrange
    const event = fixtureEvent('update-distribution.json');
    event.detail.responseElements.eTag = value;
    // Act
    const watch = expectWatch(parseEventBridgeEvent(event, ALL));
    // Assert
    expect(watch).not.toHaveProperty('eTag');
    expect(watch.distributionId).toBe('E2QWRUHAPOMQZL');
  });

  it('leaves eTag out when the response has none', () => {
    // Arrange
    const event = fixtureEvent('create-distribution-tenant.json');
    delete event.detail.responseElements.eTag;
    // Act
    const watch = expectWatch(parseEventBridgeEvent(event, ALL));
    // Assert
    expect(watch).not.toHaveProperty('eTag');
  });

  it('never reads an eTag for an invalidation, even when the record carries one', () => {
    // Arrange
    const event = fixtureEvent('create-invalidation-for-distribution-tenant.json');
    event.detail.responseElements.eTag = 'E2QWRUHEXAMPLE';
    // Act
    const watch = expectWatch(parseEventBridgeEvent(event, ALL));
    // Assert
    expect(watch).not.toHaveProperty('eTag');
  });
});

describe('events that are skipped: logged, never retried', () => {
  it('skips a call refused by IAM (errorCode, date-suffixed name) and says it failed', () => {
    // Arrange
    const body = fixtureBody('update-distribution-access-denied.json');
    // Act
    const result = parseEventBridgeBody(body, ALL);
    // Assert
    expect(result).toEqual({
      type: 'skip',
      reason: expect.stringContaining('AccessDenied'),
      eventName: 'UpdateDistribution2020_05_31',
      eventId: '8b9c0d1e-2f3a-4b4c-8d5e-6f7a8b9c0d1e',
    });
  });

  it('skips a failed call of a watched name whose responseElements is null', () => {
    // Arrange
    const event = fixtureEvent('create-distribution-without-response.json');
    event.detail.errorCode = 'InvalidArgument';
    // Act
    const reason = expectReason(parseEventBridgeEvent(event, ALL), 'skip');
    // Assert
    expect(reason).toMatch(/call failed.*InvalidArgument/);
  });

  it('skips a date-suffixed name even without an errorCode', () => {
    // Arrange
    const event = fixtureEvent('update-distribution.json');
    event.detail.eventName = 'UpdateDistribution2020_05_31';
    // Act
    const reason = expectReason(parseEventBridgeEvent(event, ALL), 'skip');
    // Assert
    expect(reason).toContain('date suffix');
  });

  it('skips DeleteDistribution: there is nothing to wait for', () => {
    // Arrange
    const body = fixtureBody('delete-distribution.json');
    // Act
    const result = parseEventBridgeBody(body, ALL);
    // Assert
    expect(result).toEqual({
      type: 'skip',
      reason: 'DeleteDistribution is not a watched event',
      eventName: 'DeleteDistribution',
      eventId: '4d5e6f7a-8b9c-4d0e-a1f2-3a4b5c6d7e8f',
    });
  });

  it('skips DeleteDistribution even when watchedEvents names it: the parser has no id paths for it', () => {
    // Arrange
    const body = fixtureBody('delete-distribution.json');
    // Act
    const reason = expectReason(parseEventBridgeBody(body, { watchedEvents: ['DeleteDistribution'] }), 'skip');
    // Assert
    expect(reason).toContain('not a watched event');
  });

  it('skips a supported event that watchedEvents leaves out and watches the ones it keeps', () => {
    // Arrange
    const onlyInvalidations: ParseOptions = { watchedEvents: ['CreateInvalidation'] };
    // Act
    const update = parseEventBridgeBody(fixtureBody('update-distribution.json'), onlyInvalidations);
    const invalidation = parseEventBridgeBody(fixtureBody('create-invalidation.json'), onlyInvalidations);
    // Assert
    expect(expectReason(update, 'skip')).toBe('UpdateDistribution is not a watched event');
    expect(expectWatch(invalidation).kind).toBe('invalidation');
  });
});

describe('messages that are not usable events: invalid, kept for the dead-letter queue', () => {
  it('names the missing path when a CreateDistribution record has no responseElements', () => {
    // Arrange
    const body = fixtureBody('create-distribution-without-response.json');
    // Act
    const reason = expectReason(parseEventBridgeBody(body, ALL), 'invalid');
    // Assert
    expect(reason).toContain('responseElements.distribution.id');
    expect(reason).toContain('CreateDistribution');
  });

  it('names the invalidation id path when a CreateInvalidation record has no responseElements', () => {
    // Arrange
    const event = fixtureEvent('create-invalidation.json');
    event.detail.responseElements = null;
    // Act
    const reason = expectReason(parseEventBridgeEvent(event, ALL), 'invalid');
    // Assert
    expect(reason).toContain('responseElements.invalidation.id');
  });

  it('names the distribution id path when a CreateInvalidation request lacks distributionId', () => {
    // Arrange
    const event = fixtureEvent('create-invalidation.json');
    delete event.detail.requestParameters.distributionId;
    // Act
    const reason = expectReason(parseEventBridgeEvent(event, ALL), 'invalid');
    // Assert
    expect(reason).toContain('requestParameters.distributionId');
  });

  it.each([
    { label: 'plain text', body: 'hello' },
    { label: 'truncated JSON', body: fixtureBody('create-distribution.json').slice(0, 200) },
    { label: 'an empty body', body: '' },
  ])('reports $label as not JSON', ({ body }) => {
    // Act
    const reason = expectReason(parseEventBridgeBody(body, ALL), 'invalid');
    // Assert
    expect(reason).toMatch(/^message body is not JSON \(.+\)$/);
  });

  it.each([
    { label: 'null', body: 'null' },
    { label: 'an array', body: '[1,2]' },
    { label: 'a string', body: '"CreateDistribution"' },
    { label: 'a number', body: '42' },
  ])('reports JSON that is $label as not an EventBridge event', ({ body }) => {
    // Act
    const reason = expectReason(parseEventBridgeBody(body, ALL), 'invalid');
    // Assert
    expect(reason).toContain(`expected an EventBridge event object, got ${body}`);
  });

  it.each([
    { label: 'another source', change: (event: EventObject) => (event.source = 'aws.s3'), mention: '"aws.s3"' },
    {
      label: 'another detail-type',
      change: (event: EventObject) => (event['detail-type'] = 'Scheduled Event'),
      mention: '"Scheduled Event"',
    },
    { label: 'no source', change: (event: EventObject) => delete event.source, mention: 'source=undefined' },
  ])('reports an event with $label as not a CloudFront CloudTrail event', ({ change, mention }) => {
    // Arrange
    const event = fixtureEvent('create-distribution.json');
    change(event);
    // Act
    const reason = expectReason(parseEventBridgeEvent(event, ALL), 'invalid');
    // Assert
    expect(reason).toContain('not a CloudFront "AWS API Call via CloudTrail" event');
    expect(reason).toContain(mention);
  });

  it.each([
    { label: 'missing', detail: undefined },
    { label: 'null', detail: null },
    { label: 'a string', detail: 'CreateDistribution' },
  ])('reports a detail that is $label', ({ detail }) => {
    // Arrange
    const event = fixtureEvent('create-distribution.json');
    event.detail = detail;
    // Act
    const reason = expectReason(parseEventBridgeEvent(event, ALL), 'invalid');
    // Assert
    expect(reason).toContain('the CloudTrail record is missing or not an object');
  });

  it('reports a record from another service', () => {
    // Arrange
    const event = fixtureEvent('create-distribution.json');
    event.detail.eventSource = 's3.amazonaws.com';
    // Act
    const reason = expectReason(parseEventBridgeEvent(event, ALL), 'invalid');
    // Assert
    expect(reason).toBe('eventSource is "s3.amazonaws.com", not cloudfront.amazonaws.com');
  });

  it.each([
    { label: 'missing', value: undefined },
    { label: 'empty', value: '' },
    { label: 'not a string', value: 7 },
  ])('reports an eventName that is $label', ({ value }) => {
    // Arrange
    const event = fixtureEvent('create-distribution.json');
    event.detail.eventName = value;
    // Act
    const reason = expectReason(parseEventBridgeEvent(event, ALL), 'invalid');
    // Assert
    expect(reason).toContain('eventName is missing or not a string');
  });

  it.each([
    { label: 'missing', value: undefined },
    { label: 'with spaces', value: 'not an id' },
    { label: 'with a slash', value: '3f1c6a52/8e0b' },
    { label: 'longer than 64 characters', value: 'a'.repeat(65) },
  ])('reports an eventID that is $label', ({ value }) => {
    // Arrange
    const event = fixtureEvent('create-distribution.json');
    event.detail.eventID = value;
    // Act
    const reason = expectReason(parseEventBridgeEvent(event, ALL), 'invalid');
    // Assert
    expect(reason).toContain('eventID is missing or malformed');
  });

  it.each([
    { label: 'missing', value: undefined },
    { label: 'not a date', value: 'yesterday' },
    { label: 'a number', value: 1764321302 },
  ])('reports an eventTime that is $label', ({ value }) => {
    // Arrange
    const event = fixtureEvent('create-distribution.json');
    event.detail.eventTime = value;
    // Act
    const reason = expectReason(parseEventBridgeEvent(event, ALL), 'invalid');
    // Assert
    expect(reason).toContain('eventTime is missing or not a timestamp');
  });

  it.each([
    { label: 'with a space', value: 'E1KX7 NS0V9' },
    { label: 'with a slash', value: 'E1KX7/../x' },
    { label: 'of 33 characters', value: 'E'.repeat(33) },
  ])('reports a distribution id $label', ({ value }) => {
    // Arrange
    const event = fixtureEvent('create-distribution.json');
    event.detail.responseElements.distribution.id = value;
    // Act
    const reason = expectReason(parseEventBridgeEvent(event, ALL), 'invalid');
    // Assert
    expect(reason).toContain('is not a CloudFront id');
  });

  it('reports an invalidation id that is not a CloudFront id', () => {
    // Arrange
    const event = fixtureEvent('create-invalidation.json');
    event.detail.responseElements.invalidation.id = 'I2J0I21PCUYOIK\n';
    // Act
    const reason = expectReason(parseEventBridgeEvent(event, ALL), 'invalid');
    // Assert
    expect(reason).toContain('invalidation id');
    expect(reason).toContain('is not a CloudFront id');
  });

  it('shortens a long offending value in the reason', () => {
    // Arrange
    const event = fixtureEvent('create-distribution.json');
    event.detail.eventSource = 'x'.repeat(500);
    // Act
    const reason = expectReason(parseEventBridgeEvent(event, ALL), 'invalid');
    // Assert
    expect(reason.length).toBeLessThan(120);
    expect(reason).toContain('...');
  });
});

describe('the distributionIds filter', () => {
  it.each([
    {
      field: 'requestParameters.id',
      file: 'update-distribution.json',
      wanted: 'E2QWRUHAPOMQZL',
      prepare: (event: EventObject) => (event.detail.responseElements.distribution.id = 'EUNRELATED0001'),
    },
    {
      field: 'requestParameters.distributionId',
      file: 'create-invalidation.json',
      wanted: 'E2QWRUHAPOMQZL',
      prepare: () => {},
    },
    {
      field: 'requestParameters.primaryDistributionId',
      file: 'copy-distribution.json',
      wanted: 'E2QWRUHAPOMQZL',
      prepare: () => {},
    },
    {
      field: 'responseElements.distribution.id',
      file: 'create-distribution-with-tags.json',
      wanted: 'E1KX7NS0V9EXMP',
      prepare: () => {},
    },
  ])('watches a change whose $field is listed', ({ file, wanted, prepare }) => {
    // Arrange
    const event = fixtureEvent(file);
    prepare(event);
    // Act
    const result = parseEventBridgeEvent(event, {
      watchedEvents: SUPPORTED_EVENT_NAMES,
      distributionIds: ['EOTHER', wanted],
    });
    // Assert
    expect(result.type).toBe('watch');
  });

  it.each([
    {
      call: 'CreateDistributionTenant by its parent distribution',
      file: 'create-distribution-tenant.json',
      wanted: 'E1MULTITENANT1',
    },
    {
      call: 'UpdateDistributionTenant by the parent named only in its response',
      file: 'update-distribution-tenant.json',
      wanted: 'E1MULTITENANT1',
    },
    {
      call: 'UpdateDistributionTenant by its tenant id',
      file: 'update-distribution-tenant.json',
      wanted: 'dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB',
    },
    {
      call: 'CreateInvalidationForDistributionTenant by its tenant id',
      file: 'create-invalidation-for-distribution-tenant.json',
      wanted: 'dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB',
    },
    {
      call: 'UpdateDistributionWithStagingConfig by its primary id',
      file: 'update-distribution-with-staging-config.json',
      wanted: 'E2QWRUHAPOMQZL',
    },
    { call: 'AssociateAlias by its target id', file: 'associate-alias.json', wanted: 'E1TARGETEXAMPL' },
  ])('selects $call', ({ file, wanted }) => {
    // Arrange
    const body = fixtureBody(file);
    // Act
    const result = parseEventBridgeBody(body, {
      watchedEvents: SUPPORTED_EVENT_NAMES,
      distributionIds: ['EOTHER', wanted],
    });
    // Assert
    expect(result.type, JSON.stringify(result)).toBe('watch');
  });

  it('selects a staging promotion by its primary id, which is what deploys, and not by its staging id alone', () => {
    // Arrange
    const body = fixtureBody('update-distribution-with-staging-config.json');
    // Act
    const byPrimary = parseEventBridgeBody(body, {
      watchedEvents: SUPPORTED_EVENT_NAMES,
      distributionIds: ['E2QWRUHAPOMQZL'],
    });
    const byStaging = parseEventBridgeBody(body, {
      watchedEvents: SUPPORTED_EVENT_NAMES,
      distributionIds: ['E3STAGINGEXAMP'],
    });
    // Assert
    expect(expectWatch(byPrimary).distributionId).toBe('E2QWRUHAPOMQZL');
    expect(expectReason(byStaging, 'skip')).toBe('distribution E2QWRUHAPOMQZL is not in distributionIds');
  });

  it.each([
    'create-distribution-tenant.json',
    'update-distribution-tenant.json',
    'create-invalidation-for-distribution-tenant.json',
  ])('skips %s when neither its tenant nor its distribution is listed, naming the tenant', (file) => {
    // Arrange
    const body = fixtureBody(file);
    // Act
    const result = parseEventBridgeBody(body, {
      watchedEvents: SUPPORTED_EVENT_NAMES,
      distributionIds: ['ENOTLISTED0001'],
    });
    // Assert
    expect(expectReason(result, 'skip')).toBe('tenant dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB is not in distributionIds');
  });

  it('watches the new staging distribution of a copy whose primary is listed', () => {
    // Arrange
    const body = fixtureBody('copy-distribution.json');
    // Act
    const watch = expectWatch(
      parseEventBridgeBody(body, { watchedEvents: SUPPORTED_EVENT_NAMES, distributionIds: ['E2QWRUHAPOMQZL'] }),
    );
    // Assert
    expect(watch.distributionId).toBe('E3STAGINGEXAMP');
  });

  it.each([
    'create-distribution.json',
    'update-distribution.json',
    'copy-distribution.json',
    'create-invalidation.json',
    'update-distribution-with-staging-config.json',
    'associate-alias.json',
  ])('skips %s when none of its distribution ids is listed', (file) => {
    // Arrange
    const body = fixtureBody(file);
    // Act
    const result = parseEventBridgeBody(body, {
      watchedEvents: SUPPORTED_EVENT_NAMES,
      distributionIds: ['ENOTLISTED0001'],
    });
    // Assert
    expect(expectReason(result, 'skip')).toMatch(/^distribution \S+ is not in distributionIds$/);
  });

  it('treats an empty distributionIds list as "all distributions"', () => {
    // Arrange
    const body = fixtureBody('create-distribution.json');
    // Act
    const result = parseEventBridgeBody(body, { watchedEvents: SUPPORTED_EVENT_NAMES, distributionIds: [] });
    // Assert
    expect(result.type).toBe('watch');
  });
});

describe('who made the change', () => {
  it('names the calling service after the ARN when the change was invoked on a caller’s behalf', () => {
    // Arrange
    const event = fixtureEvent('create-invalidation.json');
    event.detail.userIdentity.invokedBy = 'cloudformation.amazonaws.com';
    // Act
    const watch = expectWatch(parseEventBridgeEvent(event, ALL));
    // Assert
    expect(watch.changedBy).toBe('arn:aws:iam::123456789012:user/alice via cloudformation.amazonaws.com');
  });

  it('falls back to the principal id, then the identity type, when there is no ARN', () => {
    // Arrange
    const withPrincipal = fixtureEvent('create-distribution.json');
    delete withPrincipal.detail.userIdentity.arn;
    const typeOnly = fixtureEvent('create-distribution.json');
    typeOnly.detail.userIdentity = { type: 'AWSService', invokedBy: 'cloudfront.amazonaws.com' };
    // Act
    const principal = expectWatch(parseEventBridgeEvent(withPrincipal, ALL)).changedBy;
    const service = expectWatch(parseEventBridgeEvent(typeOnly, ALL)).changedBy;
    // Assert
    expect(principal).toBe('AIDAEXAMPLEPRINCIPAL1');
    expect(service).toBe('AWSService via cloudfront.amazonaws.com');
  });

  it('says "an unknown caller" when the record has no userIdentity', () => {
    // Arrange
    const event = fixtureEvent('create-distribution.json');
    delete event.detail.userIdentity;
    // Act
    const watch = expectWatch(parseEventBridgeEvent(event, ALL));
    // Assert
    expect(watch.changedBy).toBe('an unknown caller');
  });
});

describe('parseCloudTrailRecord', () => {
  it('parses a bare CloudTrail record exactly as the same record inside its EventBridge envelope', () => {
    // Arrange
    const event = fixtureEvent('create-invalidation.json');
    // Act
    const bare = parseCloudTrailRecord(event.detail, ALL);
    const wrapped = parseEventBridgeEvent(event, ALL);
    // Assert
    expect(expectWatch(bare)).toEqual(expectWatch(wrapped));
  });

  it('does not accept an EventBridge envelope in place of the record', () => {
    // Arrange
    const event = fixtureEvent('create-distribution.json');
    // Act
    const reason = expectReason(parseCloudTrailRecord(event, ALL), 'invalid');
    // Assert
    expect(reason).toContain('eventSource is undefined');
  });
});

describe('describePaths', () => {
  it('says when the record did not carry the paths', () => {
    expect(describePaths(undefined)).toBe('not in the CloudTrail record');
  });

  it('says "none" for an empty list', () => {
    expect(describePaths([])).toBe('none');
  });

  it('uses the singular for one path', () => {
    expect(describePaths(['/index.html'])).toBe('1 path: /index.html');
  });

  it('lists exactly 10 paths without a remainder', () => {
    // Arrange
    const paths = Array.from({ length: 10 }, (_, index) => `/p${index}`);
    // Act
    const text = describePaths(paths);
    // Assert
    expect(text).toBe('10 paths: /p0, /p1, /p2, /p3, /p4, /p5, /p6, /p7, /p8, /p9');
  });

  it('shows the first 10 of a longer list and counts the rest', () => {
    // Arrange
    const paths = Array.from({ length: 25 }, (_, index) => `/p${index}`);
    // Act
    const text = describePaths(paths);
    // Assert
    expect(text).toBe('25 paths: /p0, /p1, /p2, /p3, /p4, /p5, /p6, /p7, /p8, /p9 and 15 more');
  });
});

describe('a change the reconciliation sweep puts on the buffer queue (mode sqs-retry)', () => {
  const SWEPT_DISTRIBUTION = {
    kind: 'distribution',
    distributionId: 'E2QWRUHAPOMQZL',
    eTag: 'E3SWEPTCHANGE1',
    startedAt: '2026-11-28T11:30:00.000Z',
    foundAt: '2026-11-28T11:40:00.000Z',
  } as const;

  it('reads back as the watch of the change, saying the sweep found it and who made it is unknown', () => {
    // Arrange
    const body = sweepEventBody(SWEPT_DISTRIBUTION);
    // Act
    const result = parseEventBridgeBody(body, ALL);
    // Assert
    expect(expectWatch(result)).toEqual({
      kind: 'distribution',
      change: 'a change found InProgress by the reconciliation sweep',
      action: 'sweep',
      eventId: 'none (found by the reconciliation sweep at 2026-11-28T11:40:00Z)',
      startedAt: '2026-11-28T11:30:00Z',
      distributionId: 'E2QWRUHAPOMQZL',
      eTag: 'E3SWEPTCHANGE1',
      changedBy: 'unknown (no CloudTrail event)',
    });
  });

  it('reads an invalidation and a tenant with the ids their status calls need', () => {
    // Arrange
    const bodies = [
      sweepEventBody({
        kind: 'invalidation',
        distributionId: 'E2QWRUHAPOMQZL',
        invalidationId: 'I2J0I21PCUYOIK',
        startedAt: '2026-11-28T13:45:10Z',
        foundAt: '2026-11-28T14:00:00Z',
      }),
      sweepEventBody({
        kind: 'tenant',
        distributionId: 'E1MULTITENANT1',
        tenantId: 'dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB',
        eTag: 'E3TENANTETAG01',
        startedAt: '2026-11-28T12:00:00Z',
        foundAt: '2026-11-28T14:00:00Z',
      }),
    ];
    // Act
    const watches = bodies.map((body) => expectWatch(parseEventBridgeBody(body, ALL)));
    // Assert
    expect(
      watches.map(({ kind, distributionId, invalidationId, tenantId, eTag }) => ({
        kind,
        distributionId,
        invalidationId,
        tenantId,
        eTag,
      })),
    ).toEqual([
      {
        kind: 'invalidation',
        distributionId: 'E2QWRUHAPOMQZL',
        invalidationId: 'I2J0I21PCUYOIK',
        tenantId: undefined,
        eTag: undefined,
      },
      {
        kind: 'tenant',
        distributionId: 'E1MULTITENANT1',
        invalidationId: undefined,
        tenantId: 'dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB',
        eTag: 'E3TENANTETAG01',
      },
    ]);
  });

  it('is skipped when its kind is no longer watched or its distribution is not in distributionIds', () => {
    // Arrange
    const body = sweepEventBody(SWEPT_DISTRIBUTION);
    // Act
    const reasons = [
      expectReason(parseEventBridgeBody(body, { watchedEvents: ['CreateInvalidation'] }), 'skip'),
      expectReason(parseEventBridgeBody(body, { ...ALL, distributionIds: ['E1OTHERDISTRO1'] }), 'skip'),
    ];
    // Assert
    expect(reasons).toEqual([
      'distribution changes are not watched',
      'distribution E2QWRUHAPOMQZL is not in distributionIds',
    ]);
  });

  it.each([
    { detail: { ...SWEPT_DISTRIBUTION, kind: 'origin' }, reason: 'the swept change has no kind of watch: "origin"' },
    {
      detail: { ...SWEPT_DISTRIBUTION, distributionId: 'E2/../1' },
      reason: 'the swept distribution change has no distributionId: "E2/../1"',
    },
    {
      detail: {
        kind: 'invalidation',
        distributionId: 'E2QWRUHAPOMQZL',
        startedAt: '2026-11-28T13:45:10Z',
        foundAt: '2026-11-28T14:00:00Z',
      },
      reason: 'the swept invalidation change has no invalidationId: undefined',
    },
    {
      detail: { ...SWEPT_DISTRIBUTION, startedAt: 'yesterday' },
      reason: 'the swept change has no startedAt timestamp: "yesterday"',
    },
    { detail: 'E2QWRUHAPOMQZL', reason: 'the swept change is not an object: "E2QWRUHAPOMQZL"' },
  ])('is invalid when it is malformed: $reason', ({ detail, reason }) => {
    // Arrange
    const body = JSON.stringify({
      source: 'cloudfront-change-notifier',
      'detail-type': 'CloudFront change found by the reconciliation sweep',
      detail,
    });
    // Act
    const result = parseEventBridgeBody(body, ALL);
    // Assert
    expect(expectReason(result, 'invalid')).toBe(reason);
  });
});

describe('KEYLESS_CALLS', () => {
  it('lists the deploying calls whose record has no ETag: only AssociateAlias', () => {
    expect(KEYLESS_CALLS).toEqual(['AssociateAlias']);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Watch,
  parseEventBridgeBody,
  parseEventBridgeEvent,
  RESOURCE_ID_PATTERN,
  SUPPORTED_EVENT_NAMES,
  type ParseOptions,
  type ParseResult,
} from '../../../domain/cloudtrail';
import { fixtureBody } from '../../../tools/scenarios/fixtures';

const OPTIONS: ParseOptions = { watchedEvents: SUPPORTED_EVENT_NAMES };
const NUM_RUNS = 300;
const WATCHED_FIXTURES = [
  'create-distribution.json',
  'update-distribution.json',
  'create-invalidation.json',
  'copy-distribution.json',
  'update-distribution-with-staging-config.json',
  'associate-alias.json',
  'create-distribution-tenant.json',
  'update-distribution-tenant.json',
  'create-invalidation-for-distribution-tenant.json',
];
const ALL_FIXTURES = [
  ...WATCHED_FIXTURES,
  'delete-distribution.json',
  'update-distribution-access-denied.json',
  'create-distribution-without-response.json',
];

type JsonObject = Record<string, unknown>;

function fixture(file: string): JsonObject {
  return JSON.parse(fixtureBody(file)) as JsonObject;
}

/** A parse result that is one of the three documented shapes, and a watch only with ids the pattern accepts. */
function expectWellFormed(result: ParseResult): void {
  expect(['watch', 'skip', 'invalid']).toContain(result.type);
  if (result.type === 'watch') {
    const { watch } = result;
    expect(SUPPORTED_EVENT_NAMES).toContain(watch.change);
    if (isTenantKind(watch) && watch.distributionId === '') expect(watch.tenantId).toMatch(RESOURCE_ID_PATTERN);
    else expect(watch.distributionId).toMatch(RESOURCE_ID_PATTERN);
    if (isTenantKind(watch)) expect(watch.tenantId).toMatch(RESOURCE_ID_PATTERN);
    if (watch.kind.endsWith('invalidation')) expect(watch.invalidationId).toMatch(RESOURCE_ID_PATTERN);
    if (watch.eTag !== undefined) expect(watch.eTag).toMatch(RESOURCE_ID_PATTERN);
    expect(watch.eventId).toMatch(/^[A-Za-z0-9-]{1,64}$/);
    expect(Number.isNaN(Date.parse(watch.startedAt))).toBe(false);
    expect(typeof watch.changedBy).toBe('string');
    for (const path of watch.paths ?? []) expect(typeof path).toBe('string');
  } else {
    expect(result.reason.length).toBeGreaterThan(0);
  }
}

/** Tenant watches name their multi-tenant distribution only when the record does: '' otherwise, by design. */
function isTenantKind(watch: Watch): boolean {
  return watch.kind === 'tenant' || watch.kind === 'tenant-invalidation';
}

/** What a watch took from the record: a tenant's empty distributionId is the parser's "not named", not record data. */
function recordValues(watch: Watch): unknown[] {
  return Object.entries(watch)
    .filter(([key, value]) => !(key === 'distributionId' && value === '' && isTenantKind(watch)))
    .map(([, value]) => value);
}

function setAt(root: JsonObject, dottedPath: string, value: unknown): JsonObject {
  const copy = structuredClone(root);
  const keys = dottedPath.split('.');
  let current: JsonObject = copy;
  for (const key of keys.slice(0, -1)) {
    if (typeof current[key] !== 'object' || current[key] === null || Array.isArray(current[key])) current[key] = {};
    current = current[key] as JsonObject;
  }
  current[keys.at(-1)!] = value;
  return copy;
}

/** Anything JSON can hold that is not a non-empty string: what a required string field must never accept. */
const notAString = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.double({ noNaN: true }),
  fc.integer(),
  fc.array(fc.jsonValue(), { maxLength: 3 }),
  fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 3 }),
  fc.constant(''),
);
/** Strings full of what ids must not contain: unicode, control characters, separators. */
const hostileString = fc.string({
  unit: fc.oneof(
    fc.constantFrom('\u0000', '\n', '\r', '\t', '\u2028', '\u202e', '"', '{', '}', '/', ' ', '\\', '.'),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
  ),
  minLength: 1,
  maxLength: 40,
});
/** An id field's value: often well-formed, so that records of every watched call reach the end of the parser. */
const anyId = fc.oneof(fc.stringMatching(RESOURCE_ID_PATTERN), hostileString, fc.jsonValue());
/** Fields of the record the parser reads; every id field of every watched call is among them. */
const READ_FIELDS = [
  'detail',
  'detail.eventSource',
  'detail.eventName',
  'detail.eventID',
  'detail.eventTime',
  'detail.requestParameters',
  'detail.responseElements',
  'detail.userIdentity',
  'detail.requestParameters.id',
  'detail.requestParameters.distributionId',
  'detail.requestParameters.targetDistributionId',
  'detail.responseElements.distribution',
  'detail.responseElements.distribution.id',
  'detail.responseElements.distributionTenant',
  'detail.responseElements.distributionTenant.id',
  'detail.responseElements.distributionTenant.distributionId',
  'detail.responseElements.eTag',
  'detail.responseElements.invalidation',
  'detail.responseElements.invalidation.id',
  'detail.requestParameters.invalidationBatch.paths.items',
  'detail.userIdentity.arn',
] as const;
/** The id fields that decide which distribution, tenant or invalidation gets watched. */
const ID_FIELDS = READ_FIELDS.filter((field) => /\.(id|[a-z]*DistributionId|distributionId)$/.test(field));
/** Where a tenant call names its multi-tenant distribution: shown when well-formed, never a reason to refuse. */
const TENANT_PARENT_FIELDS = [
  'detail.requestParameters.distributionId',
  'detail.responseElements.distributionTenant.distributionId',
];

describe('the CloudTrail parser under arbitrary input', () => {
  it('never throws and always answers watch, skip or invalid for any string body', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (body) => {
        expectWellFormed(parseEventBridgeBody(body, OPTIONS));
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('never watches arbitrary JSON, of any type at the top level', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const result = parseEventBridgeBody(JSON.stringify(value), OPTIONS);
        expectWellFormed(result);
        expect(result.type).toBe('invalid');
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('never throws for arbitrary values, including ones JSON cannot hold', () => {
    fc.assert(
      fc.property(
        fc.anything({
          withBigInt: true,
          withMap: true,
          withSet: true,
          withDate: true,
          withTypedArray: true,
          withNullPrototype: true,
        }),
        (value) => {
          expectWellFormed(parseEventBridgeEvent(value, OPTIONS));
          expectWellFormed(
            parseEventBridgeEvent(
              { source: 'aws.cloudfront', 'detail-type': 'AWS API Call via CloudTrail', detail: value },
              OPTIONS,
            ),
          );
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  it('never throws for an arbitrary CloudTrail record inside a correct envelope, and watches only well-formed ones', () => {
    const envelope = fixture('create-invalidation.json');
    const record = fc.record(
      {
        eventSource: fc.oneof(fc.constant('cloudfront.amazonaws.com'), fc.jsonValue()),
        eventName: fc.oneof(
          fc.constantFrom(...SUPPORTED_EVENT_NAMES, 'DeleteDistribution', 'CreateInvalidation2020_05_31'),
          fc.jsonValue(),
        ),
        eventID: fc.oneof(fc.uuid(), hostileString, fc.jsonValue()),
        eventTime: fc.oneof(fc.constant('2026-11-28T13:45:10Z'), fc.jsonValue()),
        errorCode: fc.oneof(fc.constant(undefined), fc.constant(null), fc.jsonValue()),
        requestParameters: fc.oneof(
          fc.jsonValue(),
          fc.record(
            { id: anyId, distributionId: anyId, targetDistributionId: anyId, stagingDistributionId: anyId },
            { requiredKeys: [] },
          ),
        ),
        responseElements: fc.oneof(
          fc.jsonValue(),
          fc.record(
            {
              eTag: anyId,
              distribution: fc.record({ id: anyId }),
              distributionTenant: fc.record({ id: anyId, distributionId: anyId }, { requiredKeys: [] }),
              invalidation: fc.record({ id: anyId }),
            },
            { requiredKeys: [] },
          ),
        ),
        userIdentity: fc.jsonValue(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(record, (detail) => {
        expectWellFormed(parseEventBridgeEvent({ ...envelope, detail }, OPTIONS));
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it.each(WATCHED_FIXTURES)(
    '%s: an unexpected type at any field the parser reads never yields a watch with that value',
    (file) => {
      const event = fixture(file);
      fc.assert(
        fc.property(fc.constantFrom(...READ_FIELDS), notAString, (field, value) => {
          const result = parseEventBridgeEvent(setAt(event, field, value), OPTIONS);
          expectWellFormed(result);
          if (result.type === 'watch') expect(recordValues(result.watch)).not.toContain(value);
        }),
        { numRuns: NUM_RUNS },
      );
    },
  );

  it.each(WATCHED_FIXTURES)(
    '%s: a hostile string in an id field is invalid, or is ignored for a field this call does not read',
    (file) => {
      const event = fixture(file);
      const original = parseEventBridgeEvent(event, OPTIONS);
      if (original.type !== 'watch') throw new Error(`${file} is not a watch: ${original.type}`);
      const seen = { invalid: 0, ignored: 0 };
      fc.assert(
        fc.property(
          fc.constantFrom(...ID_FIELDS),
          hostileString.filter((text) => !RESOURCE_ID_PATTERN.test(text)),
          (field, id) => {
            const result = parseEventBridgeEvent(setAt(event, field, id), OPTIONS);
            expectWellFormed(result);
            if (result.type === 'invalid') {
              seen.invalid += 1;
              expect(result.reason).toMatch(/^[a-z]+ id .* is not a CloudFront id$/s);
              return;
            }
            // Not invalid, so never skipped: the field is one this call never takes its ids from, or a tenant's parent.
            seen.ignored += 1;
            if (result.type !== 'watch')
              throw new Error(`a hostile ${field} made ${file} a ${result.type}: ${result.reason}`);
            if (isTenantKind(result.watch) && TENANT_PARENT_FIELDS.includes(field)) {
              expect({ ...result.watch, distributionId: original.watch.distributionId }).toEqual(original.watch);
              expect(['', original.watch.distributionId]).toContain(result.watch.distributionId);
            } else {
              expect(result.watch).toEqual(original.watch);
            }
          },
        ),
        { numRuns: NUM_RUNS },
      );
      // Every watched call reads one of these fields and ignores another: both halves of the claim were checked.
      expect(seen.invalid).toBeGreaterThan(0);
      expect(seen.ignored).toBeGreaterThan(0);
    },
  );

  it.each(ALL_FIXTURES)('%s: removing or breaking a required field never yields a watch', (file) => {
    const event = fixture(file);
    const required = [
      'detail',
      'source',
      'detail-type',
      'detail.eventSource',
      'detail.eventName',
      'detail.eventID',
      'detail.eventTime',
    ] as const;
    fc.assert(
      fc.property(
        fc.constantFrom(...required),
        fc.oneof(
          fc.constant(undefined),
          notAString,
          hostileString.filter((text) => !/^[A-Za-z0-9-]+$/.test(text)),
        ),
        (field, value) => {
          const result = parseEventBridgeEvent(setAt(event, field, value), OPTIONS);
          expectWellFormed(result);
          expect(result.type).not.toBe('watch');
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  it('keeps unicode and control characters in invalidation paths as data, never as a reason to fail', () => {
    const event = fixture('create-invalidation.json');
    fc.assert(
      fc.property(fc.array(hostileString, { maxLength: 20 }), (paths) => {
        const result = parseEventBridgeEvent(
          setAt(event, 'detail.requestParameters.invalidationBatch.paths.items', paths),
          OPTIONS,
        );
        expect(result.type).toBe('watch');
        if (result.type === 'watch') expect(result.watch.paths).toEqual(paths);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('parses huge bodies: 256 KB of text, and an invalidation with thousands of long paths', () => {
    // Arrange
    const junk = 'x'.repeat(256 * 1024);
    const paths = Array.from({ length: 3000 }, (_, index) => `/${index}/${'p'.repeat(80)}`);
    const huge = JSON.stringify(
      setAt(fixture('create-invalidation.json'), 'detail.requestParameters.invalidationBatch.paths.items', paths),
    );
    // Act
    const results = [
      parseEventBridgeBody(junk, OPTIONS),
      parseEventBridgeBody(JSON.stringify(junk), OPTIONS),
      parseEventBridgeBody(`{"detail":${'['.repeat(5000)}`, OPTIONS),
      parseEventBridgeBody(huge, OPTIONS),
    ];
    // Assert
    expect(huge.length).toBeGreaterThan(256 * 1024);
    expect(results.map((result) => result.type)).toEqual(['invalid', 'invalid', 'invalid', 'watch']);
    for (const result of results) expectWellFormed(result);
    const reasons = results.flatMap((result) => (result.type === 'invalid' ? [result.reason] : []));
    for (const reason of reasons) expect(reason.length).toBeLessThan(200);
  });
});

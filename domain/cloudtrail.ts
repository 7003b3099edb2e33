/**
 * Turns an "AWS API Call via CloudTrail" event for CloudFront into a watch: the change to follow until it is done.
 * Pure: no clients, no clock, no logging. Every way an event can be unusable has its own reason string.
 */

import { isRecentStatusCall, WATCH_KINDS, type WatchKind } from './kinds';

export const EVENT_SOURCE = 'aws.cloudfront';
export const DETAIL_TYPE = 'AWS API Call via CloudTrail';
export const CLOUDTRAIL_EVENT_SOURCE = 'cloudfront.amazonaws.com';

/**
 * Where each watched call keeps the ids. CreateDistribution, UpdateDistribution and CreateInvalidation are read as
 * recorded in real CloudTrail records (tools/fixtures/events); the others follow the API's request and response
 * shapes (https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_Operations.html), which CloudTrail records
 * in camelCase. No recorded sample confirms those, so they are marked unverified and parsed defensively.
 */
interface EventShape {
  readonly kind: WatchKind;
  /** Short verb a person recognises in an execution name. */
  readonly action: string;
  /** Dotted paths inside the CloudTrail detail, tried in order, of each id the watch needs. */
  readonly distributionIdPaths?: readonly string[];
  readonly tenantIdPaths?: readonly string[];
  /** A tenant's multi-tenant distribution: shown, never checked, so it is optional. */
  readonly parentIdPaths?: readonly string[];
  readonly invalidationIdPaths?: readonly string[];
  /** Where the record keeps the ETag the call produced: another ETag later means a newer change superseded this one. */
  readonly eTagPaths?: readonly string[];
}

const RESPONSE_ETAG = ['responseElements.eTag'];
/** Unverified field names: the tenant calls are from 2025 and no recorded sample exists yet. */
const TENANT_PARENT_PATHS = ['requestParameters.distributionId', 'responseElements.distributionTenant.distributionId'];

const EVENT_SHAPES = {
  CreateDistribution: {
    kind: 'distribution',
    action: 'create',
    distributionIdPaths: ['responseElements.distribution.id'],
    eTagPaths: RESPONSE_ETAG,
  },
  CreateDistributionWithTags: {
    kind: 'distribution',
    action: 'create',
    distributionIdPaths: ['responseElements.distribution.id'],
    eTagPaths: RESPONSE_ETAG,
  },
  UpdateDistribution: {
    kind: 'distribution',
    action: 'update',
    distributionIdPaths: ['requestParameters.id', 'responseElements.distribution.id'],
    eTagPaths: RESPONSE_ETAG,
  },
  // Unverified field names: the response names the new staging distribution, which is what deploys.
  CopyDistribution: {
    kind: 'distribution',
    action: 'copy',
    distributionIdPaths: ['responseElements.distribution.id'],
    eTagPaths: RESPONSE_ETAG,
  },
  // Unverified field names: the staging configuration is copied onto the primary, which is what deploys.
  UpdateDistributionWithStagingConfig: {
    kind: 'distribution',
    action: 'promote',
    distributionIdPaths: ['requestParameters.id', 'responseElements.distribution.id'],
    eTagPaths: RESPONSE_ETAG,
  },
  // The alias moves to the target distribution, which redeploys; the API answers with an empty body, so no ETag.
  AssociateAlias: {
    kind: 'distribution',
    action: 'alias',
    distributionIdPaths: ['requestParameters.targetDistributionId'],
  },
  CreateInvalidation: {
    kind: 'invalidation',
    action: 'invalidate',
    distributionIdPaths: ['requestParameters.distributionId'],
    invalidationIdPaths: ['responseElements.invalidation.id'],
  },
  CreateDistributionTenant: {
    kind: 'tenant',
    action: 'create',
    parentIdPaths: TENANT_PARENT_PATHS,
    tenantIdPaths: ['responseElements.distributionTenant.id'],
    eTagPaths: RESPONSE_ETAG,
  },
  UpdateDistributionTenant: {
    kind: 'tenant',
    action: 'update',
    parentIdPaths: TENANT_PARENT_PATHS,
    tenantIdPaths: ['requestParameters.id', 'responseElements.distributionTenant.id'],
    eTagPaths: RESPONSE_ETAG,
  },
  // The response holds only the invalidation: the tenant's distribution is not in the record.
  CreateInvalidationForDistributionTenant: {
    kind: 'tenant-invalidation',
    action: 'invalidate',
    tenantIdPaths: ['requestParameters.id'],
    invalidationIdPaths: ['responseElements.invalidation.id'],
  },
} as const satisfies Record<string, EventShape>;

export type WatchedEventName = keyof typeof EVENT_SHAPES;
export const SUPPORTED_EVENT_NAMES = Object.keys(EVENT_SHAPES) as readonly WatchedEventName[];
/**
 * Watched unless watchedEvents says otherwise: every call whose watch reads its status with a call Step Functions
 * knows; the tenant calls are opt-in because their status calls are recent (KINDS in kinds.ts).
 */
export const DEFAULT_WATCHED_EVENTS: readonly WatchedEventName[] = SUPPORTED_EVENT_NAMES.filter(
  (name) => !isRecentStatusCall(EVENT_SHAPES[name].kind),
);

/**
 * The calls whose record carries no ETag although they deploy a distribution: their watch is named after the event
 * (domain/watch-execution.ts), so the sweep looks for those watches by the resource instead.
 */
export const KEYLESS_CALLS: readonly WatchedEventName[] = SUPPORTED_EVENT_NAMES.filter((name) => {
  const shape: EventShape = EVENT_SHAPES[name];
  return shape.eTagPaths === undefined && shape.invalidationIdPaths === undefined;
});

/** The kind and action a watched call gives its watch, for tools that build a watch without a recorded event. */
export function watchedCall(change: WatchedEventName): {
  kind: WatchKind;
  change: WatchedEventName;
  action: string;
} {
  const { kind, action } = EVENT_SHAPES[change];
  return { kind, change, action };
}

/** The kinds of watch these event names start, in WATCH_KINDS order; names that are not watched calls start none. */
export function watchKindsOf(eventNames: readonly string[]): WatchKind[] {
  const kinds = new Set(
    eventNames
      .filter((name) => Object.hasOwn(EVENT_SHAPES, name))
      .map((name) => EVENT_SHAPES[name as WatchedEventName].kind),
  );
  return WATCH_KINDS.filter((kind) => kinds.has(kind));
}

/** CloudFront ids are short upper-case alphanumerics; the bound keeps notification subjects under 100 characters. */
export const RESOURCE_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
const DATE_SUFFIXED_NAME = /^[A-Za-z]+\d{4}_\d{2}_\d{2}$/;
const MAX_PATHS_SHOWN = 10;
/** Longest path or caller name shown: keeps every notification and execution input far below the 256 KB limits. */
const MAX_TEXT_SHOWN = 512;

export interface Watch {
  readonly kind: WatchKind;
  /** The CloudFront call that made the change (CloudTrail's eventName), or SWEPT.change when the sweep found it. */
  readonly change: WatchedEventName | typeof SWEPT.change;
  readonly action: string;
  readonly eventId: string;
  /** ISO 8601, CloudTrail's eventTime: the watch limit counts from here. */
  readonly startedAt: string;
  /** For tenant watches the multi-tenant distribution when the record names it, else the empty string. */
  readonly distributionId: string;
  readonly tenantId?: string;
  readonly invalidationId?: string;
  /** The ETag the call produced, when the record has it. */
  readonly eTag?: string;
  /** Invalidation paths from the request, when the record has them. */
  readonly paths?: readonly string[];
  /** Who made the change: the caller's ARN, and the service that called on their behalf when there was one. */
  readonly changedBy: string;
}

export type ParseResult =
  | { readonly type: 'watch'; readonly watch: Watch }
  /** A well-formed event that must not be watched: logged and dropped, never retried. */
  | { readonly type: 'skip'; readonly reason: string; readonly eventName?: string; readonly eventId?: string }
  /** Not something this product understands: reported as a failure so the message is kept (DLQ). */
  | { readonly type: 'invalid'; readonly reason: string };

export interface ParseOptions {
  readonly watchedEvents: readonly string[];
  /** When set, only changes that touch one of these distributions are watched. */
  readonly distributionIds?: readonly string[];
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(value: unknown): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value at a dotted path ("a.b.c"); undefined where the path leaves the objects. */
export function valueAt(root: unknown, dottedPath: string): unknown {
  let current: unknown = root;
  for (const key of dottedPath.split('.')) {
    if (!isObject(current)) return undefined;
    current = current[key];
  }
  return current;
}

function firstString(root: unknown, paths: readonly string[]): string | undefined {
  for (const path of paths) {
    const value = valueAt(root, path);
    if (typeof value === 'string' && value.length > 0) return value;
  }
  return undefined;
}

function describe(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    // BigInt, cycles and null-prototype values cannot be stringified: a reason must never throw.
    text = Object.prototype.toString.call(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Parses an SQS message body holding an EventBridge event. */
export function parseEventBridgeBody(body: string, options: ParseOptions): ParseResult {
  let event: unknown;
  try {
    event = JSON.parse(body);
  } catch (error) {
    return { type: 'invalid', reason: `message body is not JSON (${(error as Error).message})` };
  }
  return parseEventBridgeEvent(event, options);
}

export function parseEventBridgeEvent(event: unknown, options: ParseOptions): ParseResult {
  if (!isObject(event)) {
    return { type: 'invalid', reason: `expected an EventBridge event object, got ${describe(event)}` };
  }
  if (event['detail-type'] === SWEEP_DETAIL_TYPE && event.source === SWEEP_SOURCE) {
    return parseSweptChange(event.detail, options);
  }
  if (event['detail-type'] !== DETAIL_TYPE || event.source !== EVENT_SOURCE) {
    return {
      type: 'invalid',
      reason:
        `not a CloudFront "${DETAIL_TYPE}" event: source=${describe(event.source)}, ` +
        `detail-type=${describe(event['detail-type'])}`,
    };
  }
  return parseCloudTrailRecord(event.detail, options);
}

/** Parses the CloudTrail record itself (the EventBridge event's `detail`). */
export function parseCloudTrailRecord(detail: unknown, options: ParseOptions): ParseResult {
  if (!isObject(detail)) {
    return { type: 'invalid', reason: `the CloudTrail record is missing or not an object: ${describe(detail)}` };
  }
  if (detail.eventSource !== CLOUDTRAIL_EVENT_SOURCE) {
    return {
      type: 'invalid',
      reason: `eventSource is ${describe(detail.eventSource)}, not ${CLOUDTRAIL_EVENT_SOURCE}`,
    };
  }
  const { eventName, eventID: eventId, eventTime } = detail;
  if (typeof eventName !== 'string' || eventName.length === 0) {
    return { type: 'invalid', reason: `eventName is missing or not a string: ${describe(eventName)}` };
  }
  if (typeof eventId !== 'string' || !/^[A-Za-z0-9-]{1,64}$/.test(eventId)) {
    return { type: 'invalid', reason: `eventID is missing or malformed: ${describe(eventId)}` };
  }
  if (detail.errorCode !== undefined && detail.errorCode !== null) {
    return {
      type: 'skip',
      reason: `the call failed (${describe(detail.errorCode)}): nothing changed`,
      eventName,
      eventId,
    };
  }
  if (DATE_SUFFIXED_NAME.test(eventName)) {
    return {
      type: 'skip',
      reason: `${eventName} carries a date suffix, which marks a refused or legacy call`,
      eventName,
      eventId,
    };
  }
  if (!Object.hasOwn(EVENT_SHAPES, eventName) || !options.watchedEvents.includes(eventName)) {
    return { type: 'skip', reason: `${eventName} is not a watched event`, eventName, eventId };
  }
  if (typeof eventTime !== 'string' || Number.isNaN(Date.parse(eventTime))) {
    return { type: 'invalid', reason: `eventTime is missing or not a timestamp: ${describe(eventTime)}` };
  }
  const name = eventName as WatchedEventName;
  const shape: EventShape = EVENT_SHAPES[name];

  const ids: { distribution?: string; tenant?: string; invalidation?: string } = {};
  for (const [label, paths] of [
    ['distribution', shape.distributionIdPaths],
    ['tenant', shape.tenantIdPaths],
    ['invalidation', shape.invalidationIdPaths],
  ] as const) {
    if (paths === undefined) continue;
    const id = requiredId(detail, eventName, label, paths);
    if (typeof id !== 'string') return id;
    ids[label] = id;
  }
  // A tenant's distribution is only shown, never checked: a missing or odd value must not stop the watch.
  const parent = shape.parentIdPaths ? firstString(detail, shape.parentIdPaths) : undefined;
  const distributionId = ids.distribution ?? (parent !== undefined && RESOURCE_ID_PATTERN.test(parent) ? parent : '');
  const eTag = shape.eTagPaths ? firstString(detail, shape.eTagPaths) : undefined;

  if (options.distributionIds && options.distributionIds.length > 0) {
    const related = relatedDistributionIds(detail);
    if (!related.some((id) => options.distributionIds!.includes(id))) {
      const subject = ids.tenant ? `tenant ${ids.tenant}` : `distribution ${distributionId}`;
      return { type: 'skip', reason: `${subject} is not in distributionIds`, eventName, eventId };
    }
  }

  const paths = invalidationPaths(detail);
  return {
    type: 'watch',
    watch: {
      kind: shape.kind,
      change: name,
      action: shape.action,
      eventId,
      startedAt: new Date(eventTime).toISOString().replace('.000Z', 'Z'),
      distributionId,
      ...(ids.tenant === undefined ? {} : { tenantId: ids.tenant }),
      ...(ids.invalidation === undefined ? {} : { invalidationId: ids.invalidation }),
      ...(eTag !== undefined && RESOURCE_ID_PATTERN.test(eTag) ? { eTag } : {}),
      ...(paths === undefined ? {} : { paths }),
      changedBy: changedBy(detail),
    },
  };
}

/** The id at the first of `paths` that holds one, or why the event cannot be watched without it. */
function requiredId(
  detail: Record<string, Json>,
  eventName: string,
  label: 'distribution' | 'tenant' | 'invalidation',
  paths: readonly string[],
): string | ParseResult {
  const id = firstString(detail, paths);
  if (id === undefined) {
    return {
      type: 'invalid',
      reason: `${eventName} has no ${label} id at ${paths.join(' or ')} (the record may be truncated)`,
    };
  }
  if (!RESOURCE_ID_PATTERN.test(id)) {
    return { type: 'invalid', reason: `${label} id ${describe(id)} is not a CloudFront id` };
  }
  return id;
}

/**
 * Every distribution (or tenant) id an event names; the capture rule's distribution filter matches the same fields.
 * requestParameters.id is the tenant for tenant calls, so a tenant id in distributionIds selects that tenant's changes.
 * A promotion's stagingDistributionId is left out: the primary (requestParameters.id) is what deploys.
 */
export const DISTRIBUTION_ID_FIELDS = [
  'requestParameters.id',
  'requestParameters.distributionId',
  'requestParameters.primaryDistributionId',
  'requestParameters.targetDistributionId',
  'responseElements.distribution.id',
  'responseElements.distributionTenant.distributionId',
] as const;

/** Whether distributionIds selects this change: as for an event, a tenant is selected by its own id or its distribution's. */
export function isSelected(
  change: Pick<Watch, 'distributionId' | 'tenantId'>,
  distributionIds: readonly string[] | undefined,
): boolean {
  if (distributionIds === undefined || distributionIds.length === 0) return true;
  return [change.distributionId, change.tenantId].some((id) => id !== undefined && distributionIds.includes(id));
}

function relatedDistributionIds(detail: Record<string, Json>): string[] {
  return DISTRIBUTION_ID_FIELDS.map((path) => valueAt(detail, path)).filter(
    (value): value is string => typeof value === 'string',
  );
}

function invalidationPaths(detail: Record<string, Json>): string[] | undefined {
  const items =
    valueAt(detail, 'requestParameters.invalidationBatch.paths.items') ??
    valueAt(detail, 'responseElements.invalidation.invalidationBatch.paths.items');
  if (!Array.isArray(items)) return undefined;
  return items.filter((item): item is string => typeof item === 'string');
}

function changedBy(detail: Record<string, Json>): string {
  const identity = detail.userIdentity;
  const who = firstString(identity, ['arn', 'principalId', 'type']) ?? 'an unknown caller';
  const via = firstString(identity, ['invokedBy']);
  return shorten(via ? `${who} via ${via}` : who);
}

function shorten(text: string): string {
  if (text.length <= MAX_TEXT_SHOWN) return text;
  // Never end on half a surrogate pair: SNS and CloudWatch Logs want well-formed text.
  return `${text.slice(0, MAX_TEXT_SHOWN - 3).replace(/[\uD800-\uDBFF]$/, '')}...`;
}

/** "3 paths: /a, /b, /c", shortened for a notification. */
export function describePaths(paths: readonly string[] | undefined): string {
  if (paths === undefined) return 'not in the CloudTrail record';
  if (paths.length === 0) return 'none';
  const shown = paths.slice(0, MAX_PATHS_SHOWN).map(shorten).join(', ');
  const more = paths.length > MAX_PATHS_SHOWN ? ` and ${paths.length - MAX_PATHS_SHOWN} more` : '';
  return `${paths.length} path${paths.length === 1 ? '' : 's'}: ${shown}${more}`;
}

export { MAX_PATHS_SHOWN, MAX_TEXT_SHOWN };

/**
 * What a watch the reconciliation sweep started says in place of the facts only a CloudTrail event has: no call, no
 * caller, no event id. The notification texts show these values as they are.
 */
export const SWEPT = {
  change: 'a change found InProgress by the reconciliation sweep',
  changedBy: 'unknown (no CloudTrail event)',
  action: 'sweep',
} as const;

/**
 * The event id of a swept watch: when the sweep found the change. It also makes each sweep's execution input its own,
 * so Step Functions refuses a later sweep's start of a running watch (ExecutionAlreadyExists) instead of answering it
 * as the same request.
 */
export function sweptEventId(foundAt: string): string {
  return `none (found by the reconciliation sweep at ${foundAt})`;
}

/** The envelope of a change the sweep puts on the buffer queue in mode sqs-retry; no EventBridge rule sends these. */
export const SWEEP_SOURCE = 'cloudfront-change-notifier';
export const SWEEP_DETAIL_TYPE = 'CloudFront change found by the reconciliation sweep';

/** A change the sweep found InProgress: what CloudFront's lists tell of it. */
export interface SweptChange {
  readonly kind: WatchKind;
  /** For a tenant, its multi-tenant distribution (or the empty string when the list does not name it). */
  readonly distributionId: string;
  readonly tenantId?: string;
  readonly invalidationId?: string;
  /** A distribution's or tenant's ETag while it is InProgress: the one the change produced. */
  readonly eTag?: string;
  /** ISO 8601: the LastModifiedTime of a distribution or tenant, the CreateTime of an invalidation. */
  readonly startedAt: string;
  /** ISO 8601: when the sweep found it. */
  readonly foundAt: string;
}

/** The watch of a change the sweep found, with the SWEPT texts where an event would give the call and the caller. */
export function sweptWatch(change: SweptChange): Watch {
  return {
    kind: change.kind,
    change: SWEPT.change,
    action: SWEPT.action,
    eventId: sweptEventId(change.foundAt),
    startedAt: change.startedAt,
    distributionId: change.distributionId,
    ...(change.tenantId === undefined ? {} : { tenantId: change.tenantId }),
    ...(change.invalidationId === undefined ? {} : { invalidationId: change.invalidationId }),
    ...(change.eTag === undefined ? {} : { eTag: change.eTag }),
    changedBy: SWEPT.changedBy,
  };
}

/** The message body the sqs-retry checker reads as a SweptChange (parseEventBridgeBody). */
export function sweepEventBody(change: SweptChange): string {
  return JSON.stringify({ source: SWEEP_SOURCE, 'detail-type': SWEEP_DETAIL_TYPE, detail: change });
}

/** The ids each kind's swept change must carry, as its watch's status call reads them (KINDS). */
const SWEPT_IDS: Record<WatchKind, readonly ('distributionId' | 'tenantId' | 'invalidationId')[]> = {
  distribution: ['distributionId'],
  invalidation: ['distributionId', 'invalidationId'],
  tenant: ['tenantId'],
  'tenant-invalidation': ['tenantId', 'invalidationId'],
};

function parseSweptChange(detail: unknown, options: ParseOptions): ParseResult {
  if (!isObject(detail)) return { type: 'invalid', reason: `the swept change is not an object: ${describe(detail)}` };
  const { kind, startedAt, foundAt, eTag } = detail;
  if (!(WATCH_KINDS as readonly unknown[]).includes(kind)) {
    return { type: 'invalid', reason: `the swept change has no kind of watch: ${describe(kind)}` };
  }
  const watchKind = kind as WatchKind;
  for (const field of SWEPT_IDS[watchKind]) {
    const id = detail[field];
    if (typeof id !== 'string' || !RESOURCE_ID_PATTERN.test(id)) {
      return { type: 'invalid', reason: `the swept ${watchKind} change has no ${field}: ${describe(id)}` };
    }
  }
  for (const [name, time] of [
    ['startedAt', startedAt],
    ['foundAt', foundAt],
  ] as const) {
    if (typeof time !== 'string' || Number.isNaN(Date.parse(time))) {
      return { type: 'invalid', reason: `the swept change has no ${name} timestamp: ${describe(time)}` };
    }
  }
  const distributionId = typeof detail.distributionId === 'string' ? detail.distributionId : '';
  const tenantId = typeof detail.tenantId === 'string' ? detail.tenantId : undefined;
  if (!watchKindsOf(options.watchedEvents).includes(watchKind)) {
    return { type: 'skip', reason: `${watchKind} changes are not watched` };
  }
  if (!isSelected({ distributionId, tenantId }, options.distributionIds)) {
    return {
      type: 'skip',
      reason: `${tenantId ? `tenant ${tenantId}` : `distribution ${distributionId}`} is not in distributionIds`,
    };
  }
  const invalidationId = typeof detail.invalidationId === 'string' ? detail.invalidationId : undefined;
  return {
    type: 'watch',
    watch: sweptWatch({
      kind: watchKind,
      distributionId: RESOURCE_ID_PATTERN.test(distributionId) ? distributionId : '',
      ...(tenantId === undefined ? {} : { tenantId }),
      ...(invalidationId === undefined ? {} : { invalidationId }),
      ...(typeof eTag === 'string' && RESOURCE_ID_PATTERN.test(eTag) ? { eTag } : {}),
      startedAt: new Date(startedAt as string).toISOString().replace('.000Z', 'Z'),
      foundAt: new Date(foundAt as string).toISOString().replace('.000Z', 'Z'),
    }),
  };
}

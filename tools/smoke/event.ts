/**
 * The change a smoke test pretends happened: the "AWS API Call via CloudTrail" event the capture rule would forward
 * for UpdateDistribution (or CreateInvalidation), read by the dispatcher's own parser, so both modes watch exactly
 * what a real event of that change would make them watch.
 */
import { randomUUID } from 'node:crypto';
import {
  CLOUDTRAIL_EVENT_SOURCE,
  DETAIL_TYPE,
  EVENT_SOURCE,
  parseEventBridgeEvent,
  type Watch,
} from '../../domain/cloudtrail';
import type { WatchSettings } from '../../domain/settings';
import { scheduleFor } from '../../domain/settings';
import { buildWatchExecution, eventExecutionName, type WatchExecution } from '../../domain/watch-execution';
import { CannotStart, REGION, type Caller } from './deployment';

/** What the notification's "What changed" line says: nothing changed, the smoke test asked for the watch. */
export const SMOKE_CHANGE = 'nothing (smoke test from npm run smoke)';

export interface SmokeTarget {
  readonly distributionId: string;
  readonly invalidationId?: string;
}

/** "smoke-20261130T151359Z-3f9a1c": only [A-Za-z0-9-] (the parser's eventID rule), sortable, unique per run. */
export function smokeEventId(now: Date, random: string): string {
  const stamp = now
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
  return `smoke-${stamp}-${random}`;
}

/** CloudTrail's eventTime: whole seconds, UTC. */
function cloudTrailTime(now: Date): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The EventBridge event of the call, in the envelope EventBridge hands the buffer queue (tools/fixtures/events/*.json):
 * only the fields the parser reads carry meaning (domain/cloudtrail.ts), the rest make it look like one.
 */
export function smokeEvent(target: SmokeTarget, caller: Caller, eventId: string, now: Date): Record<string, unknown> {
  const time = cloudTrailTime(now);
  const { distributionId, invalidationId } = target;
  const call =
    invalidationId === undefined
      ? {
          eventName: 'UpdateDistribution',
          requestParameters: { id: distributionId },
          responseElements: { distribution: { id: distributionId } },
        }
      : {
          eventName: 'CreateInvalidation',
          requestParameters: { distributionId },
          responseElements: { invalidation: { id: invalidationId } },
        };
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': DETAIL_TYPE,
    source: EVENT_SOURCE,
    account: caller.account,
    time,
    region: REGION,
    resources: [],
    detail: {
      eventVersion: '1.08',
      userIdentity: { arn: caller.arn, accountId: caller.account, principalId: caller.userId },
      eventTime: time,
      eventSource: CLOUDTRAIL_EVENT_SOURCE,
      eventName: call.eventName,
      awsRegion: REGION,
      sourceIPAddress: 'npm run smoke',
      userAgent: 'npm run smoke',
      requestParameters: call.requestParameters,
      responseElements: call.responseElements,
      eventID: eventId,
      readOnly: false,
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: caller.account,
    },
  };
}

/**
 * The watch the deployed code would make of the event. A skip (the event is not watched, or the distribution is not
 * in distributionIds) stops the smoke test: the deployed role may not even read that distribution.
 */
export function watchOf(event: Record<string, unknown>, settings: WatchSettings): Watch {
  const parsed = parseEventBridgeEvent(event, settings);
  if (parsed.type === 'watch') return parsed.watch;
  throw new CannotStart(
    parsed.type === 'skip'
      ? `the deployed stack does not watch this change (${parsed.reason}): pick a distribution it watches, or deploy it with other watchedEvents or distributionIds`
      : `the smoke event is not one the deployed code can read (${parsed.reason})`,
  );
}

/**
 * The execution dispatchEvent (functions/dispatcher/dispatch.ts) would start for the watch, with its budget and input,
 * but with a change text that says a smoke test asked for it, and named after its own event: a smoke test of an
 * invalidation must not take the name of that invalidation's real watch, nor a second run that of the first.
 */
export function smokeExecution(watch: Watch, settings: WatchSettings, now: Date): WatchExecution {
  const execution = buildWatchExecution(
    watch,
    { retentionSeconds: settings.retentionSeconds, schedule: scheduleFor(settings) },
    now,
  );
  const name = eventExecutionName(watch);
  return {
    name,
    input: { ...execution.input, watch: { ...execution.input.watch, change: SMOKE_CHANGE, executionName: name } },
  };
}

/**
 * The CloudTrail event `npm start` replays: read from a file in either form a user is likely to have (the EventBridge
 * event, or the bare CloudTrail record as CloudTrail's console and log files show it), checked with the dispatcher's
 * own parser, and moved to the present so the watch gets its full time budget.
 */
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import {
  SUPPORTED_EVENT_NAMES,
  DETAIL_TYPE,
  EVENT_SOURCE,
  parseEventBridgeEvent,
  type ParseOptions,
  type Watch,
} from '../../domain/cloudtrail';
import { UsageError } from './args';

export const DEFAULT_EVENT_FILE = fileURLToPath(
  new URL('../fixtures/events/update-distribution.json', import.meta.url),
);

type EventForm = 'EventBridge event' | 'CloudTrail record';

interface ReplayEvent {
  readonly form: EventForm;
  /** The EventBridge event as the buffer queue would deliver it. */
  readonly envelope: Record<string, unknown>;
  readonly watch: Watch;
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === 'ENOENT'
        ? `event file not found: ${file}`
        : `cannot read event file ${file} (${code ?? (error as Error).message})`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`event file ${file} is not JSON: ${(error as Error).message}`);
  }
}

/** An EventBridge event as it is, a CloudTrail record wrapped the way EventBridge wraps it. */
function toEnvelope(file: string, document: unknown): { form: EventForm; envelope: JsonObject } {
  if (isObject(document) && Array.isArray(document.Records)) {
    if (document.Records.length !== 1) {
      throw new UsageError(
        `event file ${file} holds ${document.Records.length} CloudTrail records; put the one to replay in a file of its own`,
      );
    }
    return toEnvelope(file, document.Records[0]);
  }
  if (isObject(document) && !('detail' in document) && ('eventSource' in document || 'eventName' in document)) {
    const account = typeof document.recipientAccountId === 'string' ? document.recipientAccountId : '123456789012';
    return {
      form: 'CloudTrail record',
      envelope: {
        version: '0',
        id: randomUUID(),
        'detail-type': DETAIL_TYPE,
        source: EVENT_SOURCE,
        account,
        time: document.eventTime,
        region: typeof document.awsRegion === 'string' ? document.awsRegion : 'us-east-1',
        resources: [],
        detail: document,
      },
    };
  }
  if (!isObject(document)) {
    throw new UsageError(`event file ${file} is not a CloudFront CloudTrail event: expected a JSON object`);
  }
  return { form: 'EventBridge event', envelope: document };
}

function parse(file: string, envelope: JsonObject, options: ParseOptions): Watch {
  const parsed = parseEventBridgeEvent(envelope, options);
  if (parsed.type === 'invalid')
    throw new UsageError(`event file ${file} is not a CloudFront CloudTrail event: ${parsed.reason}`);
  if (parsed.type === 'skip') {
    throw new UsageError(
      `event file ${file} is not a watched call: ${parsed.reason}${optInHint(parsed.eventName, options.watchedEvents)}`,
    );
  }
  return parsed.watch;
}

/** For a supported call left out of watchedEvents (the tenant calls are opt-in): the -c that watches it too. */
export function optInHint(eventName: string | undefined, watchedEvents: readonly string[]): string {
  if (
    eventName === undefined ||
    !(SUPPORTED_EVENT_NAMES as readonly string[]).includes(eventName) ||
    watchedEvents.includes(eventName)
  )
    return '';
  return ` (it is not in watchedEvents; watch it too with -c watchedEvents=${[...watchedEvents, eventName].join(',')})`;
}

/** Reads and checks the event; every way it can be unusable is a UsageError with the parser's reason. */
export function loadReplayEvent(file: string, options: ParseOptions): ReplayEvent {
  const { form, envelope } = toEnvelope(file, readJson(file));
  return { form, envelope, watch: parse(file, envelope, options) };
}

/**
 * The same event, happening `now`: the dispatcher counts the watch limit from the event time, so a replayed event
 * keeps its whole budget. Done right before dispatching, so the limit does not shrink by the time synthesis took.
 */
export function retimeReplayEvent(event: ReplayEvent, options: ParseOptions, now: Date): ReplayEvent {
  const time = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const envelope = { ...event.envelope, time, detail: { ...(event.envelope.detail as JsonObject), eventTime: time } };
  return { form: event.form, envelope, watch: parse('(retimed)', envelope, options) };
}

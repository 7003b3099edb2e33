/** The recorded-shape CloudTrail events in tools/fixtures/events, and what the dispatcher makes of them. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SUPPORTED_EVENT_NAMES, parseEventBridgeBody, type Watch } from '../../domain/cloudtrail';
import { scheduleFor, type WatchSettings } from '../../domain/settings';
import { buildWatchExecution, type WatchExecutionInput } from '../../domain/watch-execution';
import { DISPATCH_SETTINGS } from './dispatch-settings';

/** The SQS message body of a fixture: the EventBridge event as the buffer queue delivers it. */
export function fixtureBody(file: string): string {
  return readFileSync(fileURLToPath(new URL(`../fixtures/events/${file}`, import.meta.url)), 'utf8');
}

/** The watch the parser makes of a message body, with every supported call watched; throws for one it does not watch. */
export function watchOf(body: string): Watch {
  const parsed = parseEventBridgeBody(body, { watchedEvents: SUPPORTED_EVENT_NAMES });
  if (parsed.type !== 'watch') throw new Error(`not a watch: ${JSON.stringify(parsed).slice(0, 300)}`);
  return parsed.watch;
}

export function fixtureWatch(file: string): Watch {
  return watchOf(fixtureBody(file));
}

/** The execution input the dispatcher builds for a watch with these settings, `delaySeconds` after the change. */
export function watchInput(
  watch: Watch,
  settings: WatchSettings = DISPATCH_SETTINGS,
  delaySeconds = 60,
): WatchExecutionInput {
  const now = new Date(Date.parse(watch.startedAt) + delaySeconds * 1000);
  return buildWatchExecution(
    watch,
    { retentionSeconds: settings.retentionSeconds, schedule: scheduleFor(settings) },
    now,
  ).input;
}

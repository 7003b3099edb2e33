import { DEFAULT_WATCHED_EVENTS, SUPPORTED_EVENT_NAMES } from '../../domain/cloudtrail';
import type { WatchSettings } from '../../domain/settings';

/** What the stack hands the dispatcher at the defaults, for tests that drive it without a synth. */
export const DISPATCH_STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:cloudfront-change-watch';
/**
 * The watch settings of the default stack (the schedule completes to its defaults; test/functions/dispatcher/dispatch.test.ts
 * checks it), which the dispatcher, the status check and the scenarios' execution inputs all use.
 */
export const DISPATCH_SETTINGS: WatchSettings = {
  watchedEvents: DEFAULT_WATCHED_EVENTS,
  distributionIds: [],
  retentionSeconds: 345_600,
  schedule: { pollIntervalSeconds: 60 },
};

/** DISPATCH_SETTINGS with every supported call watched, the opt-in tenant calls included. */
export const EVERY_CALL_SETTINGS: WatchSettings = { ...DISPATCH_SETTINGS, watchedEvents: SUPPORTED_EVENT_NAMES };

/** The names of the states, as a person reads them in the Step Functions console graph. */
import { KINDS, WATCH_KINDS, type KindStateNames, type Outcome, type WatchKind } from '../domain/kinds';

/** The states every kind shares; each kind's own states are named in its entry of KINDS. */
export const SHARED_STATE_NAMES = {
  chooseKind: 'Which kind of change?',
  invalidInput: 'Not a watch input',
  countUnanswered: 'Start counting unanswered checks',
  startBackOff: 'Start without back-off',
  handOver: 'Hand over to a new execution',
  continueWatch: 'Continue watch in a new execution',
  continued: 'Watch continues in a new execution',
  timedOut: 'Watch timed out',
  checkFailed: 'Status check failed',
  startCounting: 'Start counting the watch time',
  notificationNotSent: 'Notification not sent',
} as const;

/** The states that end a kind's watch after its notification: the event, the metrics and the way out. */
export function endStateNames(kind: WatchKind) {
  const label = kind.replace('-', ' ');
  return {
    /** Notes how the watch ended; every notification of this outcome leads here, sent or not. */
    ended: (outcome: Outcome) => `${label.charAt(0).toUpperCase()}${label.slice(1)} watch ended ${outcome}`,
    putChangeEvent: `Put ${label} Change Finished event`,
    recordMetrics: `Record ${label} watch metrics`,
    howEnded: `How did the ${label} watch end?`,
  } as const;
}

/** With a read budget: the states that reserve a read slot before a kind's status check, and wait for it. */
export function readSlotStateNames(kind: WatchKind) {
  const { noAnswer } = KINDS[kind].states;
  const check = noAnswer.replace(/^No answer to /, '');
  if (check === noAnswer) throw new Error(`"${noAnswer}" does not start with "No answer to "`);
  return {
    reserve: `Reserve a read slot for ${check}`,
    slotNow: `Read slot now for ${check}?`,
    waitForSlot: `Wait for the read slot for ${check}`,
  } as const;
}

/** Every state name by role: the shared ones, and each kind's under its kind. */
export const STATE_NAMES = {
  ...SHARED_STATE_NAMES,
  ...(Object.fromEntries(WATCH_KINDS.map((kind) => [kind, KINDS[kind].states])) as {
    readonly [K in WatchKind]: (typeof KINDS)[K]['states'];
  }),
} satisfies Record<WatchKind, KindStateNames> & Record<string, unknown>;

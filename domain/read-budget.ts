/**
 * The read budget (context key readBudgetPerSecond): every watch reserves a slot before its status check, and the
 * slots are handed out in turn at most `perSecond` a second, so the watches share the account's CloudFront read
 * limit instead of each backing off on its own. One timestamp holds the whole queue: the next free slot.
 */

export interface ReadSlot {
  /** When this watch may check, in epoch milliseconds. */
  readonly slotAtMs: number;
  /** The next free slot after this one: what the store keeps. Unchanged when the watch did not get a slot. */
  readonly nextFreeAtMs: number;
  /** Whole seconds the watch waits before its check, rounded up; at most maxWaitSeconds. */
  readonly waitSeconds: number;
}

/**
 * Reserves the next free slot for a check at `nowMs`. A slot further out than `maxWaitSeconds` is not taken: the watch
 * waits the cap and checks anyway, outside the budget, so a long queue can never stall a watch, and the queue never
 * reaches further than the cap plus one slot ahead of now.
 */
/** The time between two slots, in milliseconds. */
export function slotIntervalMs(perSecond: number): number {
  if (!(perSecond > 0)) throw new RangeError(`a read budget needs more than 0 reads a second, got ${perSecond}`);
  return 1_000 / perSecond;
}

/** The latest slot a watch takes at `nowMs`: a slot later than this would make it wait longer than the cap. */
export function latestSlotMs(nowMs: number, maxWaitSeconds: number): number {
  return nowMs + maxWaitSeconds * 1_000;
}

/** Whole seconds from `nowMs` to the slot, rounded up: a Wait state counts whole seconds. */
export function waitSecondsUntil(slotAtMs: number, nowMs: number): number {
  return Math.max(0, Math.ceil((slotAtMs - nowMs) / 1_000));
}

export function reserveReadSlot(
  nextFreeAtMs: number | undefined,
  nowMs: number,
  perSecond: number,
  maxWaitSeconds: number,
): ReadSlot {
  const intervalMs = slotIntervalMs(perSecond);
  const slotAtMs = Math.max(nowMs, nextFreeAtMs ?? nowMs);
  if (slotAtMs > latestSlotMs(nowMs, maxWaitSeconds)) {
    return {
      slotAtMs: latestSlotMs(nowMs, maxWaitSeconds),
      nextFreeAtMs: nextFreeAtMs ?? nowMs,
      waitSeconds: maxWaitSeconds,
    };
  }
  return { slotAtMs, nextFreeAtMs: slotAtMs + intervalMs, waitSeconds: waitSecondsUntil(slotAtMs, nowMs) };
}

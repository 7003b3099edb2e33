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
export function reserveReadSlot(
  nextFreeAtMs: number | undefined,
  nowMs: number,
  perSecond: number,
  maxWaitSeconds: number,
): ReadSlot {
  if (!(perSecond > 0)) throw new RangeError(`a read budget needs more than 0 reads a second, got ${perSecond}`);
  const slotAtMs = Math.max(nowMs, nextFreeAtMs ?? nowMs);
  const waitSeconds = Math.ceil((slotAtMs - nowMs) / 1_000);
  if (waitSeconds > maxWaitSeconds) {
    return {
      slotAtMs: nowMs + maxWaitSeconds * 1_000,
      nextFreeAtMs: nextFreeAtMs ?? nowMs,
      waitSeconds: maxWaitSeconds,
    };
  }
  return { slotAtMs, nextFreeAtMs: slotAtMs + 1_000 / perSecond, waitSeconds };
}

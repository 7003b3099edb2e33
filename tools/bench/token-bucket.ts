/**
 * An account's read limit as a token bucket: it refills at a steady rate up to its capacity, every call takes one
 * token, and a call that finds the bucket empty is throttled and takes nothing. CloudFront publishes no rate for its
 * read calls (unverified); the benchmark's rate is an assumption about a busy account, not a documented figure.
 */
export class TokenBucket {
  private tokens: number;
  private refilledAt = 0;

  constructor(
    /** Tokens added per second. */
    private readonly ratePerSecond: number,
    /** The most tokens it holds: how many calls can pass at once after a quiet spell. It starts full. */
    private readonly capacity: number,
  ) {
    if (!(ratePerSecond >= 0) || !(capacity >= 0)) throw new Error(`a token bucket of ${ratePerSecond}/s, ${capacity}`);
    this.tokens = capacity;
  }

  /** Takes a token for a call at `nowSeconds` (never earlier than the call before); false: the call is throttled. */
  take(nowSeconds: number): boolean {
    if (nowSeconds < this.refilledAt) throw new Error(`a call at ${nowSeconds} s after one at ${this.refilledAt} s`);
    this.tokens = Math.min(this.capacity, this.tokens + (nowSeconds - this.refilledAt) * this.ratePerSecond);
    this.refilledAt = nowSeconds;
    // A token refilled in steps of 1/rate s can fall short of 1 by a rounding error only.
    if (this.tokens < 1 - 1e-9) return false;
    this.tokens -= 1;
    return true;
  }
}

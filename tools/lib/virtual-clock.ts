/** Simulated time for runs that must not sleep: seconds since the watched API call, moved on by the waits it skips. */
export class VirtualClock {
  private seconds: number;

  constructor(
    /** Epoch milliseconds of the API call: T+0. */
    private readonly origin: number,
    startSeconds = 0,
  ) {
    this.seconds = startSeconds;
  }

  get now(): number {
    return this.seconds;
  }

  advance(seconds: number): void {
    if (!Number.isFinite(seconds) || seconds < 0) throw new Error(`cannot wait ${seconds} s`);
    this.seconds += seconds;
  }

  /** The clock as $$.State.EnteredTime shows it. */
  iso(): string {
    return new Date(this.origin + this.seconds * 1_000).toISOString();
  }
}

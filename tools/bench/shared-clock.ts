/**
 * One virtual clock for many concurrent processes (here: watches, each a chain of state machine executions). A
 * process runs until it sleeps; only when every process sleeps or has ended does the clock move on, to the earliest
 * wake-up, and wake that one process alone. Runs are therefore sequential and deterministic: ties wake in the order
 * the processes went to sleep.
 */

interface Sleeper {
  readonly at: number;
  readonly order: number;
  readonly wake: () => void;
}

/** A binary min-heap of sleepers by wake-up time, then by the order they went to sleep. */
class SleeperHeap {
  private readonly items: Sleeper[] = [];

  get size(): number {
    return this.items.length;
  }

  push(item: Sleeper): void {
    const items = this.items;
    items.push(item);
    let index = items.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!before(items[index]!, items[parent]!)) break;
      [items[index], items[parent]] = [items[parent]!, items[index]!];
      index = parent;
    }
  }

  pop(): Sleeper | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    items[0] = last;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      const right = left + 1;
      let smallest = index;
      if (left < items.length && before(items[left]!, items[smallest]!)) smallest = left;
      if (right < items.length && before(items[right]!, items[smallest]!)) smallest = right;
      if (smallest === index) return top;
      [items[index], items[smallest]] = [items[smallest]!, items[index]!];
      index = smallest;
    }
  }
}

function before(a: Sleeper, b: Sleeper): boolean {
  return a.at < b.at || (a.at === b.at && a.order < b.order);
}

export class SharedClock {
  private seconds = 0;
  private readonly sleepers = new SleeperHeap();
  private order = 0;
  /** Processes that run now: neither asleep nor ended. */
  private running = 0;
  private onQuiet: (() => void) | undefined;
  private failure: { readonly error: unknown } | undefined;

  constructor(
    /** Epoch milliseconds of second 0, for $$.State.EnteredTime. */
    private readonly origin: number,
  ) {}

  get now(): number {
    return this.seconds;
  }

  /** The clock as $$.State.EnteredTime shows it. */
  iso(): string {
    return new Date(this.origin + this.seconds * 1_000).toISOString();
  }

  /** Starts a process; it runs at once, up to its first sleep. A process that throws ends the run with its error. */
  spawn(process: () => Promise<void>): void {
    this.running += 1;
    process().then(
      () => this.stopped(),
      (error: unknown) => {
        this.failure ??= { error };
        this.stopped();
      },
    );
  }

  /** Sleeps the calling process until the clock reads `at` seconds. */
  sleepUntil(at: number): Promise<void> {
    if (!Number.isFinite(at) || at < this.seconds) throw new Error(`cannot sleep until ${at} s at ${this.seconds} s`);
    return new Promise<void>((wake) => {
      this.sleepers.push({ at, order: this.order++, wake });
      this.stopped();
    });
  }

  /** Moves the clock from wake-up to wake-up until every process has ended. */
  async run(): Promise<void> {
    for (;;) {
      if (this.running > 0) await new Promise<void>((quiet) => (this.onQuiet = quiet));
      if (this.failure) throw this.failure.error;
      const next = this.sleepers.pop();
      if (!next) return;
      this.seconds = next.at;
      this.running += 1;
      next.wake();
    }
  }

  private stopped(): void {
    this.running -= 1;
    if (this.running > 0) return;
    const quiet = this.onQuiet;
    this.onQuiet = undefined;
    quiet?.();
  }
}

/** A mistake in what the user typed or handed in: one line on stderr and exit code 2, no stack trace. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly showUsage = false,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The part of a structured logger the domain code uses: Powertools' Logger in Lambda, a collector in tests. */
type Fields = Record<string, unknown>;
export interface LogSink {
  info(message: string, ...extra: Fields[]): void;
  warn(message: string, ...extra: Fields[]): void;
  error(message: string, ...extra: Fields[]): void;
}

const LOGGED = new WeakSet<object>();

/** Marks an error the domain code has already logged, so the handler does not log it a second time. */
export function markLogged<T extends object>(error: T): T {
  LOGGED.add(error);
  return error;
}

/**
 * Runs one record's work. The batch processor fails a record on any error without logging it, so an error the work
 * did not log itself (a bug) is logged here before it fails the record.
 */
export async function logUnexpected<T>(sink: LogSink, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (typeof error !== 'object' || error === null || !LOGGED.has(error)) {
      sink.error('Record failed with an unexpected error; SQS delivers it again', {
        error: (error as Error | undefined)?.name ?? typeof error,
        errorMessage: (error as Error | undefined)?.message ?? String(error),
      });
    }
    throw error;
  }
}

/** A sink that adds `fields` to every line, without touching the shared logger's state. */
export function withFields(sink: LogSink, fields: Fields): LogSink {
  return {
    info: (message, ...extra) => sink.info(message, fields, ...extra),
    warn: (message, ...extra) => sink.warn(message, fields, ...extra),
    error: (message, ...extra) => sink.error(message, fields, ...extra),
  };
}

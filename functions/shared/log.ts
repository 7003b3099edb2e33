/** The part of a structured logger the domain code uses: Powertools' Logger in Lambda, a collector in tests. */
type Fields = Record<string, unknown>;
export interface LogSink {
  info(message: string, ...extra: Fields[]): void;
  warn(message: string, ...extra: Fields[]): void;
  error(message: string, ...extra: Fields[]): void;
}

/** A sink that adds `fields` to every line, without touching the shared logger's state. */
export function withFields(sink: LogSink, fields: Fields): LogSink {
  return {
    info: (message, ...extra) => sink.info(message, fields, ...extra),
    warn: (message, ...extra) => sink.warn(message, fields, ...extra),
    error: (message, ...extra) => sink.error(message, fields, ...extra),
  };
}

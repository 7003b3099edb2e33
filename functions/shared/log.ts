/** The part of a structured logger the domain code uses: Powertools' Logger in Lambda, a collector in tests. */
type Fields = Record<string, unknown>;
export interface LogSink {
  info(message: string, ...extra: Fields[]): void;
  warn(message: string, ...extra: Fields[]): void;
  error(message: string, ...extra: Fields[]): void;
}

/** A LogSink that keeps every line, for asserting what the domain code logs. */
import type { LogSink } from '../../functions/commons/log';

export interface Logged {
  readonly level: 'info' | 'warn' | 'error';
  readonly message: string;
  readonly fields: Record<string, unknown>;
}

/** Keys Powertools Logger drops with only a warning (its ReservedKeys, which it does not export). */
const POWERTOOLS_RESERVED_KEYS = ['level', 'message', 'sampling_rate', 'service', 'timestamp'];

/** Refuses a field Powertools would silently drop in Lambda, so a test fails where production would lose it. */
export function collectingLogger(): LogSink & { readonly lines: Logged[] } {
  const lines: Logged[] = [];
  const at =
    (level: Logged['level']) =>
    (message: string, ...extra: Record<string, unknown>[]) => {
      const fields: Record<string, unknown> = Object.assign({}, ...extra);
      const reserved = Object.keys(fields).filter((key) => POWERTOOLS_RESERVED_KEYS.includes(key));
      if (reserved.length > 0)
        throw new Error(`log line "${message}" uses keys Powertools drops: ${reserved.join(', ')}`);
      lines.push({ level, message, fields });
    };
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}

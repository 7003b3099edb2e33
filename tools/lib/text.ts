/** A value read from JSON or a log as text: strings as they are, anything else as JSON (never "[object Object]"). */
export function textOf(value: unknown, fallback = ''): string {
  if (value === undefined || value === null) return fallback;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

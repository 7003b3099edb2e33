/** Reading what the stack hands a Lambda in its environment. */

/** Fails loudly at cold start: a function deployed without its settings must not guess. */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '')
    throw new Error(`${name} is not set: deploy this function with the notifier stack`);
  return value;
}

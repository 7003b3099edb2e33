/** Helpers for the `npm start` tests: captured output and one synthesized, bundled app per context. */
import { prepareApp, type PreparedApp } from '../../tools/cli/dispatcher-replay';
import type { RunIo } from '../../tools/cli/run';

export interface Captured {
  write(text: string): boolean;
  readonly text: string;
  readonly isTTY: false;
}

export function captured(): Captured {
  let text = '';
  return {
    write(chunk: string) {
      text += chunk;
      return true;
    },
    get text() {
      return text;
    },
    isTTY: false,
  };
}

const apps = new Map<string, PreparedApp>();

/** Synthesizing and bundling takes seconds: each test file does it once per context. */
export function sharedPrepare(context: Record<string, string>): PreparedApp {
  const key = JSON.stringify(context);
  if (!apps.has(key)) apps.set(key, prepareApp(context));
  return apps.get(key)!;
}

export function disposeApps(): void {
  for (const app of apps.values()) app.dispose();
  apps.clear();
}

export function testIo(overrides: Partial<RunIo> = {}): RunIo & { stdout: Captured; stderr: Captured } {
  return {
    stdout: captured(),
    stderr: captured(),
    pauseMilliseconds: 1,
    prepare: sharedPrepare,
    ...overrides,
  } as RunIo & {
    stdout: Captured;
    stderr: Captured;
  };
}

const RULE = /^-{100}$/m;

/** The SNS block of the output: topic, subject, attributes and the message. */
export function notificationText(stdout: string): string {
  const parts = stdout.split(RULE);
  if (parts.length < 3) throw new Error(`no notification in the output:\n${stdout}`);
  return parts[1]!.trim();
}

const TIMESTAMP = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{3})?Z/g;

/** The replay moves the event to the present: timestamps differ on every run, the rest must not. */
export function withoutTimestamps(text: string): string {
  return text.replace(TIMESTAMP, '<time>');
}

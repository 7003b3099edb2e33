/** What a handler test needs around a Lambda handler: SQS records, a Context (tools/lib/lambda-event.ts), and Powertools' output. */
import { vi } from 'vitest';

export { lambdaContext, sqsEvent, type QueuedMessage } from '../../tools/lib/lambda-event';

/**
 * Keeps what the handler writes to stdout and stderr out of the test output (vi.restoreAllMocks ends it) and returns
 * a reader of the JSON lines Powertools wrote so far; Node's own warnings are plain text and left out.
 */
export function capturePowertoolsLines(): () => Array<Record<string, unknown>> {
  const output: string[] = [];
  const capture = (chunk: string | Uint8Array) => {
    output.push(String(chunk));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  return () =>
    output
      .join('')
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
}

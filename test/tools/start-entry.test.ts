import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const exec = promisify(execFile);

/** The real entry point, as `npm start` runs it; the in-process tests cover the rest. */
async function start(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec('npx', ['tsx', 'tools/start.ts', ...args], {
      cwd: root,
      env: { ...process.env, CI: 'true' },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('npx tsx tools/start.ts', () => {
  it('replays a change end to end and exits 0', async () => {
    // Act
    const result = await start(['--scenario', 'not-found']);
    // Assert
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Subject: +CloudFront E2QWRUHAPOMQZL not found: watch ended$/m);
  }, 60_000);

  it('exits 2 with one line for a bad event file', async () => {
    // Act
    const result = await start(['--event', 'no-such-event.json']);
    // Assert
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('npm start: event file not found: no-such-event.json');
  }, 60_000);
});

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { defineConfig } from 'vitest/config';

/**
 * One fast-check seed per run, handed to every worker (test/setup.ts applies it): `FC_SEED=<seed> npx vitest run`
 * replays every property of a run exactly, and a failing property names the same seed in its report.
 */
if (process.env.FC_SEED === undefined) {
  // Vitest loads this file once more per project: the first load draws the seed and the others find it here.
  process.env.FC_SEED = String(Math.floor(Math.random() * 2 ** 31));
  console.log(`fast-check seed ${process.env.FC_SEED} (replay with FC_SEED=${process.env.FC_SEED})`);
}
const fcSeed = process.env.FC_SEED;

const MOCK_LIBRARY = 'aws-sdk-client-mock';

/** Whether a test file stubs AWS SDK clients, itself or through a test helper it imports. */
function stubsSdkClients(file: string, seen = new Set<string>()): boolean {
  if (seen.has(file)) return false;
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  if (text.includes(MOCK_LIBRARY)) return true;
  const helpers = [...text.matchAll(/from '(\.[^']+)'/g)]
    .map((match) => normalize(join(dirname(file), `${match[1]}.ts`)))
    .filter((helper) => helper.startsWith('test/'));
  return helpers.some((helper) => stubsSdkClients(helper, seen));
}

const TEST_FILES = (readdirSync('test', { recursive: true }) as string[])
  .map((file) => join('test', file))
  .filter((file) => file.endsWith('.test.ts'));
/** aws-sdk-client-mock patches client prototypes, so these files run isolated; see `projects`. */
const SDK_STUBBING_FILES = TEST_FILES.filter((file) => stubsSdkClients(file));

export default defineConfig({
  test: {
    // Files that stub AWS SDK clients run isolated; the rest share one module cache per worker, which imports
    // aws-cdk-lib once instead of once per file (about half the test time).
    projects: [
      { extends: true, test: { name: 'sdk-stubs', include: SDK_STUBBING_FILES } },
      {
        extends: true,
        test: { name: 'shared', include: ['test/**/*.test.ts'], exclude: SDK_STUBBING_FILES, isolate: false },
      },
    ],
    setupFiles: ['test/setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Both cores of our machines and CI: one worker (the default on 2 cores) takes about half again as long.
    maxWorkers: 2,
    env: {
      FC_SEED: fcSeed,
      // Never let a missing credential send the SDK to an instance metadata endpoint.
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      AWS_REGION: 'us-east-1',
      AWS_SDK_LOAD_CONFIG: '0',
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      // aws-cdk-lib's built-in template validation (a WASM engine, seconds per test file) only warns and cannot fail a
      // test; cdk-nag runs in test/infra, and the `cdk synth` in `npm test` still runs the built-in checks.
      CDK_VALIDATION: 'false',
      // CI also runs the suite on the machine's Node 20 on purpose; the SDK's notice that it will drop it is known.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  },
});

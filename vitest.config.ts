import { defineConfig } from 'vitest/config';

/**
 * One fast-check seed per run, handed to every worker (test/setup.ts applies it): `FC_SEED=<seed> npx vitest run`
 * replays every property of a run exactly, and a failing property names the same seed in its report.
 */
const fcSeed = process.env.FC_SEED ?? String(Math.floor(Math.random() * 2 ** 31));
console.log(`fast-check seed ${fcSeed} (replay with FC_SEED=${fcSeed})`);

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
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
      // test; cdk-nag runs in test/infra, and the `cdk synth` that ends `npm test` still runs the built-in checks.
      CDK_VALIDATION: 'false',
    },
  },
});

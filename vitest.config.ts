import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Both cores of our machines and CI: one worker (the default on 2 cores) takes about half again as long.
    maxWorkers: 2,
    env: {
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

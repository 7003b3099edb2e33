/** `npm run test:sfn-local`: the scenarios against Step Functions Local. Not part of `npm test`. */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import base from '../../../vitest.config.js';

export default defineConfig({
  test: {
    ...base.test,
    root: fileURLToPath(new URL('../../..', import.meta.url)),
    include: ['test/e2e/sfn-local/**/*.sfn-local.ts'],
    globalSetup: ['test/e2e/sfn-local/global-setup.ts'],
    // Lists every test, so a skipped run shows its reason next to each scenario.
    reporters: ['verbose'],
    // A scenario whose retries Step Functions Local does not scale can take a minute.
    testTimeout: 240_000,
    hookTimeout: 120_000,
  },
});

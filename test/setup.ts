import fc from 'fast-check';

// The run's seed (drawn and printed by vitest.config.ts, or given as FC_SEED), so a failing property can be replayed.
const seed = Number(process.env.FC_SEED);
if (!Number.isSafeInteger(seed))
  throw new Error(`FC_SEED must be an integer, got ${JSON.stringify(process.env.FC_SEED)}`);
fc.configureGlobal({ seed });

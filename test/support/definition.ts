import { synthNotifier, watchDefinition, type SynthResult } from '../../tools/lib/synth';
import type { AslDefinition } from '../../statemachine/definition';

const cache = new Map<string, SynthResult>();

/** Synthesizes once per context and test file; every caller gets a fresh copy of the deployed definition. */
export function synthesized(context: Record<string, unknown> = {}): SynthResult {
  const key = JSON.stringify(context);
  if (!cache.has(key)) cache.set(key, synthNotifier(context));
  return cache.get(key)!;
}

export function deployedDefinition(context: Record<string, unknown> = {}): AslDefinition {
  return watchDefinition(synthesized(context).template);
}

import type { TenantStatusCheck } from '../../infra/config';
import { synthNotifier, watchDefinition, type SynthResult } from '../../tools/lib/synth';
import type { AslDefinition } from '../../statemachine/definition';
import { tenantContext } from '../../tools/scenarios/contexts';
import { type WatchKind, isRecentStatusCall } from '../../domain/kinds';

// The stack contexts live with the scenarios, which the Step Functions Local generator reads too.
export { EVERY_CALL, TENANT_CONTEXTS, tenantContext } from '../../tools/scenarios/contexts';

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

/**
 * A context whose definition runs a watch of this kind: the default stack, or for a kind whose status call is
 * recent (the tenant kinds, opt-in) a stack that watches every call and reads tenant statuses as given.
 */
export function contextFor(kind: WatchKind, tenantStatusCheck: TenantStatusCheck = 'lambda'): Record<string, string> {
  return isRecentStatusCall(kind) ? tenantContext(tenantStatusCheck) : {};
}

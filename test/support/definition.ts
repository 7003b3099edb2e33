import { SUPPORTED_EVENT_NAMES } from '../../domain/cloudtrail';
import { TENANT_STATUS_CHECKS, type TenantStatusCheck } from '../../infra/config';
import { synthNotifier, watchDefinition, type SynthResult } from '../../tools/lib/synth';
import type { AslDefinition } from '../../statemachine/definition';
import { type WatchKind, isRecentStatusCall } from '../../domain/kinds';

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

/** Every supported call watched, the tenant calls included, which the default stack leaves out. */
export const EVERY_CALL = { watchedEvents: SUPPORTED_EVENT_NAMES.join(',') } as const;

/** The context of a stack that watches every call and reads tenant statuses this way. */
export function tenantContext(tenantStatusCheck: TenantStatusCheck): Record<string, string> {
  return { ...EVERY_CALL, tenantStatusCheck };
}

/** Each way a stack with tenant calls can read a tenant's status. */
export const TENANT_CONTEXTS = TENANT_STATUS_CHECKS.map((check) => ({
  tenantStatusCheck: check,
  context: tenantContext(check),
}));

/**
 * A context whose definition runs a watch of this kind: the default stack, or for a kind whose status call is
 * recent (the tenant kinds, opt-in) a stack that watches every call and reads tenant statuses as given.
 */
export function contextFor(kind: WatchKind, tenantStatusCheck: TenantStatusCheck = 'lambda'): Record<string, string> {
  return isRecentStatusCall(kind) ? tenantContext(tenantStatusCheck) : {};
}

/** CDK contexts of the stacks the scenarios run on: the tenant calls are opt-in, so a tenant watch needs its own stack. */
import { SUPPORTED_EVENT_NAMES } from '../../domain/cloudtrail';
import { TENANT_STATUS_CHECKS, type TenantStatusCheck } from '../../infra/config';

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

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

/** A Slack channel and a Microsoft Teams channel connected: every notification carries the chat message too. */
export const CHAT_CONTEXT = {
  slackChannels: 'T07EA123LEP/C07EZ1ABC23',
  teamsChannels:
    '74361522-da01-538d-aa2e-ac7918c6bb92/9f1c2d3e-4b5a-6789-abcd-ef0123456789/19%3ab6ef35dc342d56ba5654e6fc6d25a071%40thread.tacv2',
} as const;

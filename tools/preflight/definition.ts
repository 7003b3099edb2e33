/** The synthesized definition for the validator: synth.ts's stand-in ARNs moved into the caller's account. */
import { REQUIRED_REGION } from '../../infra/notifier-stack';
import type { AslDefinition } from '../../statemachine/definition';
import { FAKE_ACCOUNT, FAKE_PARTITION, stateMachineLogicalId, watchDefinition, type CfnTemplate } from '../lib/synth';

/** An ARN synth.ts made up (fakeArn, already in the service's own format): stand-in partition, Region and account. */
const STAND_IN_ARN = new RegExp(`(arn:${FAKE_PARTITION}:[a-z0-9-]+:${REQUIRED_REGION}:)${FAKE_ACCOUNT}:`, 'g');

function rewrite(value: unknown, account: string): unknown {
  if (typeof value === 'string') return value.replace(STAND_IN_ARN, (_match, prefix: string) => `${prefix}${account}:`);
  if (Array.isArray(value)) return value.map((item) => rewrite(item, account));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, rewrite(inner, account)]));
}

export function hasStateMachine(template: CfnTemplate): boolean {
  return Object.values(template.Resources).some((resource) => resource.Type === 'AWS::StepFunctions::StateMachine');
}

/** The definition to validate, with the ARNs of `account`; throws if a CDK token was left unresolved. */
export function validationDefinition(template: CfnTemplate, account: string = FAKE_ACCOUNT): AslDefinition {
  const definition = rewrite(watchDefinition(template), account) as AslDefinition;
  const token = /\$\{Token\[[^\]]*\]\}/.exec(JSON.stringify(definition));
  if (token) {
    throw new Error(
      `the definition of ${stateMachineLogicalId(template)} still holds the unresolved CDK token ${token[0]}`,
    );
  }
  return definition;
}

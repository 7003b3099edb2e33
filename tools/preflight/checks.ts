/** The preflight checks: one read-only async function each, its SDK clients passed in so tests can hand in mocks. */
import { DescribeStacksCommand, type CloudFormationClient, type Stack } from '@aws-sdk/client-cloudformation';
import {
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
  type AdvancedEventSelector,
  type CloudTrailClient,
  type GetEventSelectorsCommandOutput,
  type Trail,
} from '@aws-sdk/client-cloudtrail';
import {
  ValidateStateMachineDefinitionCommand,
  type SFNClient,
  type ValidateStateMachineDefinitionDiagnostic,
} from '@aws-sdk/client-sfn';
import { ListSubscriptionsByTopicCommand, type SNSClient, type Subscription } from '@aws-sdk/client-sns';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { REQUIRED_REGION } from '../../infra/notifier-stack';
import type { AslDefinition } from '../../statemachine/definition';
import { DEFAULT_BOOTSTRAP_QUALIFIER } from './context';

export type Status = 'pass' | 'warn' | 'fail';
export const CHECK_IDS = ['credentials', 'bootstrap', 'cloudtrail', 'definition', 'deployment'] as const;
export type CheckId = (typeof CHECK_IDS)[number];

/** One thing a check found, and what to do about it when it is not a pass. */
export interface Finding {
  readonly status: Status;
  readonly found: string;
  readonly fix?: string;
}

export interface CheckResult extends Finding {
  readonly id: CheckId;
  /** One line each: a trail, a diagnostic, an email address. */
  readonly details: readonly Finding[];
}

type Sender<Client extends { send: unknown }> = Pick<Client, 'send'>;

const RANK: Record<Status, number> = { pass: 0, warn: 1, fail: 2 };

export function worst(statuses: readonly Status[]): Status {
  return statuses.reduce<Status>((current, status) => (RANK[status] > RANK[current] ? status : current), 'pass');
}

interface AwsError {
  readonly name: string;
  readonly message: string;
  readonly status?: number;
}

function awsError(error: unknown): AwsError {
  const value = error as { name?: unknown; message?: unknown; $metadata?: { httpStatusCode?: number } } | undefined;
  return {
    name: typeof value?.name === 'string' ? value.name : 'Error',
    message: typeof value?.message === 'string' ? value.message.split('\n')[0]! : String(error),
    ...(value?.$metadata?.httpStatusCode === undefined ? {} : { status: value.$metadata.httpStatusCode }),
  };
}

/** "AccessDeniedException: User ... is not authorized" */
export function describeError(error: unknown): string {
  const { name, message } = awsError(error);
  return message ? `${name}: ${message}` : name;
}

/** A refusal by IAM; SNS's AuthorizationError is in its API reference, the other names and the 403 fallback are unverified per service. */
export function isAccessDenied(error: unknown): boolean {
  const { name, status } = awsError(error);
  return (
    /^(AccessDenied|AccessDeniedException|AuthorizationError|AuthorizationErrorException|UnauthorizedOperation)$/.test(
      name,
    ) || status === 403
  );
}

// ---------------------------------------------------------------------------------------------------------------
// 1. Credentials

export interface Identity {
  readonly account: string;
  readonly principalArn: string;
}

/** No usable credentials: preflight cannot run at all (exit 2). */
export class CredentialsUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CredentialsUnavailable';
  }
}

export const CREDENTIALS_FIX =
  'Provide credentials as for the AWS CLI: AWS_PROFILE=NAME (after aws sso login --profile NAME for SSO), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN).';

/** Names: CredentialsProviderError as seen from SDK v3's empty chain; InvalidClientTokenId in https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html, the rest unverified. */
export async function callerIdentity(sts: Sender<STSClient>): Promise<Identity> {
  let response;
  try {
    // https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html: needs no permission.
    response = await sts.send(new GetCallerIdentityCommand({}));
  } catch (error) {
    const { name } = awsError(error);
    const reason = describeError(error);
    if (/CredentialsProviderError|TokenProviderError/.test(name))
      throw new CredentialsUnavailable(`found no AWS credentials (${reason}).`);
    if (/InvalidClientTokenId|SignatureDoesNotMatch|ExpiredToken|UnrecognizedClient|InvalidAccessKeyId/.test(name)) {
      throw new CredentialsUnavailable(`AWS rejected the credentials (${reason}).`);
    }
    throw new CredentialsUnavailable(
      `could not ask STS who you are (${reason}); check the network, AWS_ENDPOINT_URL and the credentials.`,
    );
  }
  if (!response.Account || !response.Arn)
    throw new CredentialsUnavailable('sts:GetCallerIdentity answered without an account or ARN.');
  return { account: response.Account, principalArn: response.Arn };
}

export function credentialsResult(identity: Identity): CheckResult {
  return {
    id: 'credentials',
    status: 'pass',
    found: `account ${identity.account} as ${identity.principalArn}`,
    details: [],
  };
}

// ---------------------------------------------------------------------------------------------------------------
// 2. CDK bootstrap

export interface BootstrapExpectation {
  readonly account: string;
  /** The SSM parameter cdk deploy reads, e.g. /cdk-bootstrap/hnb659fds/version. */
  readonly parameterName: string;
  /** The lowest bootstrap version the synthesized stack accepts. */
  readonly requiredVersion: number;
}

/** /cdk-bootstrap/QUALIFIER/version → QUALIFIER */
export function qualifierOf(parameterName: string): string {
  return /^\/cdk-bootstrap\/([^/]+)\/version$/.exec(parameterName)?.[1] ?? DEFAULT_BOOTSTRAP_QUALIFIER;
}

export function bootstrapCommand(account: string, parameterName: string): string {
  const qualifier = qualifierOf(parameterName);
  return `npx cdk bootstrap aws://${account}/${REQUIRED_REGION}${qualifier === DEFAULT_BOOTSTRAP_QUALIFIER ? '' : ` --qualifier ${qualifier}`}`;
}

/** cdk deploy stops without this parameter (https://docs.aws.amazon.com/cdk/v2/guide/bootstrapping-env.html); ParameterNotFound: API_GetParameter.html. */
export async function checkBootstrap(ssm: Sender<SSMClient>, expected: BootstrapExpectation): Promise<CheckResult> {
  const { parameterName, requiredVersion } = expected;
  const command = bootstrapCommand(expected.account, parameterName);
  let value: string | undefined;
  try {
    value = (await ssm.send(new GetParameterCommand({ Name: parameterName }))).Parameter?.Value;
  } catch (error) {
    if (awsError(error).name === 'ParameterNotFound') {
      return {
        id: 'bootstrap',
        status: 'fail',
        found: `account ${expected.account} is not CDK-bootstrapped in ${REQUIRED_REGION}: no SSM parameter ${parameterName}, so cdk deploy would stop`,
        fix: `run ${command}`,
        details: [],
      };
    }
    if (isAccessDenied(error)) {
      return {
        id: 'bootstrap',
        status: 'warn',
        found: `could not read the SSM parameter ${parameterName} (${describeError(error)}), so the CDK bootstrap is unchecked`,
        fix: `check that the CDKToolkit stack exists in ${REQUIRED_REGION} (or that a role with ssm:GetParameter sees the parameter); if not, run ${command}`,
        details: [],
      };
    }
    throw error;
  }
  const version = Number(value);
  if (!Number.isInteger(version)) {
    return {
      id: 'bootstrap',
      status: 'warn',
      found: `the SSM parameter ${parameterName} holds ${JSON.stringify(value)}, not a bootstrap version number`,
      fix: `run ${command} to rewrite it`,
      details: [],
    };
  }
  if (version < requiredVersion) {
    return {
      id: 'bootstrap',
      status: 'fail',
      found: `CDK bootstrap version ${version} in ${parameterName} is older than version ${requiredVersion} this app needs`,
      fix: `run ${command} to upgrade it`,
      details: [],
    };
  }
  return {
    id: 'bootstrap',
    status: 'pass',
    found: `CDK bootstrap version ${version} in ${parameterName} (this app needs ${requiredVersion} or later)`,
    details: [],
  };
}

// ---------------------------------------------------------------------------------------------------------------
// 3. CloudTrail

/** https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail.html */
export const NO_TRAIL_CONSEQUENCE =
  'without one the notifier never sees a change: EventBridge receives "AWS API Call via CloudTrail" events only while a trail logs management events';
const CREATE_TRAIL_FIX =
  'deploy with -c createTrail=true, which adds a multi-Region trail of management events to the stack';
/** CloudFront's event source in CloudTrail records (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/logging_using_cloudtrail.html). */
const CLOUDFRONT_EVENT_SOURCE = 'cloudfront.amazonaws.com';

/** Whether a trail's selectors record the write management events CloudFront changes are, and if not why. */
export function selectsWriteManagementEvents(
  selectors: Pick<GetEventSelectorsCommandOutput, 'EventSelectors' | 'AdvancedEventSelectors'>,
): {
  readonly selects: boolean;
  readonly why: string;
} {
  const advanced = selectors.AdvancedEventSelectors ?? [];
  if (advanced.length > 0) {
    const selecting = advanced.find(advancedSelectsWrites);
    return selecting
      ? {
          selects: true,
          why: `advanced selector ${JSON.stringify(selecting.Name ?? 'without a name')} records write management events`,
        }
      : {
          selects: false,
          why: 'no advanced event selector records write management events (eventCategory Management, not readOnly true)',
        };
  }
  // Defaults true and All (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_EventSelector.html).
  const basic = selectors.EventSelectors ?? [];
  const management = basic.filter((selector) => selector.IncludeManagementEvents !== false);
  const writes = management.filter((selector) => (selector.ReadWriteType ?? 'All') !== 'ReadOnly');
  // ExcludeManagementEventSources naming CloudFront would drop its events (defensive: documented values are KMS and RDS Data).
  const selecting = writes.find(
    (selector) => !(selector.ExcludeManagementEventSources ?? []).includes(CLOUDFRONT_EVENT_SOURCE),
  );
  if (selecting)
    return {
      selects: true,
      why: `event selector with management events, ReadWriteType ${selecting.ReadWriteType ?? 'All'}`,
    };
  if (basic.length === 0) return { selects: false, why: 'it has no event selectors' };
  if (management.length === 0)
    return { selects: false, why: 'its event selectors exclude management events (IncludeManagementEvents false)' };
  if (writes.length === 0)
    return { selects: false, why: 'its management events are read-only (ReadWriteType ReadOnly)' };
  return {
    selects: false,
    why: `its event selectors exclude ${CLOUDFRONT_EVENT_SOURCE} (ExcludeManagementEventSources)`,
  };
}

/** readOnly Equals ["true"] keeps reads only (API_AdvancedFieldSelector.html); NotEquals ["false"] and eventSource filters: defensive, unverified. */
function advancedSelectsWrites(selector: AdvancedEventSelector): boolean {
  const fields = selector.FieldSelectors ?? [];
  const field = (name: string) => fields.filter((candidate) => candidate.Field === name);
  const management = field('eventCategory').some((candidate) => (candidate.Equals ?? []).includes('Management'));
  const readOnly = field('readOnly').some(
    (candidate) =>
      (candidate.Equals?.length === 1 && candidate.Equals[0] === 'true') ||
      (candidate.NotEquals?.length === 1 && candidate.NotEquals[0] === 'false'),
  );
  const withoutCloudFront = field('eventSource').some(
    (candidate) =>
      (candidate.NotEquals ?? []).includes(CLOUDFRONT_EVENT_SOURCE) ||
      (candidate.Equals !== undefined && !candidate.Equals.includes(CLOUDFRONT_EVENT_SOURCE)),
  );
  return management && !readOnly && !withoutCloudFront;
}

/** A trail covers us-east-1 when it is multi-Region or lives there (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_Trail.html). */
function coversRequiredRegion(trail: Trail): boolean {
  return trail.IsMultiRegionTrail === true || trail.HomeRegion === REQUIRED_REGION;
}

function trailLabel(trail: Trail): string {
  const kinds = [trail.IsMultiRegionTrail ? 'multi-Region' : `in ${trail.HomeRegion ?? 'an unknown Region'}`];
  if (trail.IsOrganizationTrail) kinds.push('organization trail');
  return `trail "${trail.Name ?? trail.TrailARN ?? 'without a name'}" (${kinds.join(', ')})`;
}

type TrailVerdict = Finding & { readonly trail: Trail };

/** Shadow and organization trails must be named by ARN (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_GetTrailStatus.html). */
async function judgeTrail(cloudTrail: Sender<CloudTrailClient>, trail: Trail): Promise<TrailVerdict> {
  const name = trail.TrailARN ?? trail.Name ?? '';
  const label = trailLabel(trail);
  const byHand = trail.IsOrganizationTrail
    ? `ask whoever runs the organization's management account to confirm that ${trail.Name ?? name} is logging and records write management events in ${REQUIRED_REGION}`
    : `open ${trail.Name ?? name} in the CloudTrail console (home Region ${trail.HomeRegion ?? 'unknown'}) and check that it is logging and records write (or all) management events`;
  let logging: boolean | undefined;
  try {
    logging = (await cloudTrail.send(new GetTrailStatusCommand({ Name: name }))).IsLogging;
  } catch (error) {
    // TrailNotFoundException for an organization trail seen from a member account (unverified), or no permission.
    if (
      isAccessDenied(error) ||
      /TrailNotFound|OperationNotPermitted|UnsupportedOperation/.test(awsError(error).name)
    ) {
      return {
        trail,
        status: 'warn',
        found: `${label}: its status could not be read (${describeError(error)})`,
        fix: byHand,
      };
    }
    throw error;
  }
  if (logging !== true) {
    return {
      trail,
      status: 'fail',
      found: `${label} is not logging`,
      // StartLogging is called in the trail's home Region (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_StartLogging.html).
      fix: `aws cloudtrail start-logging --name ${name} --region ${trail.HomeRegion ?? REQUIRED_REGION}`,
    };
  }
  let selectors: GetEventSelectorsCommandOutput;
  try {
    selectors = await cloudTrail.send(new GetEventSelectorsCommand({ TrailName: name }));
  } catch (error) {
    if (
      isAccessDenied(error) ||
      /TrailNotFound|OperationNotPermitted|UnsupportedOperation|NoManagementAccountSLR/.test(awsError(error).name)
    ) {
      return {
        trail,
        status: 'warn',
        found: `${label} is logging, but its event selectors could not be read (${describeError(error)})`,
        fix: byHand,
      };
    }
    throw error;
  }
  const { selects, why } = selectsWriteManagementEvents(selectors);
  if (!selects) {
    return {
      trail,
      status: 'fail',
      found: `${label} is logging, but ${why}`,
      fix: `edit ${trail.Name ?? name} to record write (or all) management events`,
    };
  }
  return { trail, status: 'pass', found: `${label} is logging and records write management events (${why})` };
}

export async function checkCloudTrail(
  cloudTrail: Sender<CloudTrailClient>,
  options: { readonly createTrail: boolean },
): Promise<CheckResult> {
  if (options.createTrail) {
    return {
      id: 'cloudtrail',
      status: 'pass',
      found:
        'createTrail=true: the stack brings its own multi-Region trail of management events, so no existing trail is needed',
      details: [],
    };
  }
  let trails: Trail[];
  try {
    // Shadow trails: multi-Region ones homed elsewhere, organization ones (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_DescribeTrails.html).
    trails = (await cloudTrail.send(new DescribeTrailsCommand({ includeShadowTrails: true }))).trailList ?? [];
  } catch (error) {
    if (!isAccessDenied(error)) throw error;
    return {
      id: 'cloudtrail',
      status: 'warn',
      found: `could not list the trails (${describeError(error)}); ${NO_TRAIL_CONSEQUENCE}`,
      fix: `check by hand that a trail covering ${REQUIRED_REGION} is logging write management events, or ${CREATE_TRAIL_FIX}`,
      details: [],
    };
  }
  const covering = trails.filter(coversRequiredRegion);
  if (covering.length === 0) {
    return {
      id: 'cloudtrail',
      status: 'fail',
      found: `no trail covers ${REQUIRED_REGION} (${trails.length} listed, none multi-Region or homed there); ${NO_TRAIL_CONSEQUENCE}`,
      fix: CREATE_TRAIL_FIX,
      details: [],
    };
  }
  const verdicts: TrailVerdict[] = [];
  for (const trail of covering) {
    const verdict = await judgeTrail(cloudTrail, trail);
    if (verdict.status === 'pass') return { id: 'cloudtrail', status: 'pass', found: verdict.found, details: [] };
    verdicts.push(verdict);
  }
  const details = verdicts.map(({ status, found, fix }) => ({ status, found, ...(fix ? { fix } : {}) }));
  if (verdicts.some((verdict) => verdict.status === 'warn')) {
    return {
      id: 'cloudtrail',
      status: 'warn',
      found: `no trail covering ${REQUIRED_REGION} could be confirmed to log write management events; ${NO_TRAIL_CONSEQUENCE}`,
      fix: `check the trails below by hand, or ${CREATE_TRAIL_FIX}`,
      details,
    };
  }
  return {
    id: 'cloudtrail',
    status: 'fail',
    found: `no trail covering ${REQUIRED_REGION} is logging write management events; ${NO_TRAIL_CONSEQUENCE}`,
    fix: `fix one of the trails below, or ${CREATE_TRAIL_FIX}`,
    details,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// 4. The state machine definition

function diagnosticLine(diagnostic: ValidateStateMachineDefinitionDiagnostic): string {
  const where = diagnostic.location ? ` at ${diagnostic.location}` : '';
  return `${diagnostic.severity ?? 'UNKNOWN'} ${diagnostic.code ?? 'WITHOUT_CODE'}${where}: ${diagnostic.message ?? ''}`.trimEnd();
}

const UNKNOWN_ACTION_FIX =
  'Step Functions does not know an SDK action the definition calls (yet): deploying would fail and roll the whole stack back. ' +
  'Use an action Step Functions supports (https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html) in statemachine/definition.ts';
const INVALID_DEFINITION_FIX =
  'correct the states at the locations shown in statemachine/definition.ts: CloudFormation would reject this definition and roll the stack back';

/** Severity WARNING returns ERROR and WARNING diagnostics (https://docs.aws.amazon.com/step-functions/latest/apireference/API_ValidateStateMachineDefinition.html). */
export async function checkDefinition(
  sfn: Sender<SFNClient>,
  definition: AslDefinition | undefined,
): Promise<CheckResult> {
  if (!definition) {
    return { id: 'definition', status: 'pass', found: 'skipped: mode sqs-retry deploys no state machine', details: [] };
  }
  const states = Object.keys(definition.States).length;
  let response;
  try {
    response = await sfn.send(
      new ValidateStateMachineDefinitionCommand({
        definition: JSON.stringify(definition),
        type: 'STANDARD',
        severity: 'WARNING',
      }),
    );
  } catch (error) {
    if (isAccessDenied(error)) {
      return {
        id: 'definition',
        status: 'warn',
        found: `could not validate the definition (${describeError(error)}); an invalid one would only show at deploy, rolling the stack back`,
        fix: 'run preflight with a role allowed states:ValidateStateMachineDefinition',
        details: [],
      };
    }
    if (awsError(error).name === 'ValidationException') {
      return {
        id: 'definition',
        status: 'fail',
        found: `Step Functions refused the definition (${describeError(error)})`,
        fix: INVALID_DEFINITION_FIX,
        details: [],
      };
    }
    throw error;
  }
  const diagnostics = response.diagnostics ?? [];
  const errors = diagnostics.filter((diagnostic) => diagnostic.severity === 'ERROR');
  const warnings = diagnostics.filter((diagnostic) => diagnostic.severity !== 'ERROR');
  const details: Finding[] = [
    ...errors.map((diagnostic) => ({ status: 'fail' as const, found: diagnosticLine(diagnostic) })),
    ...warnings.map((diagnostic) => ({ status: 'warn' as const, found: diagnosticLine(diagnostic) })),
    ...(response.truncated
      ? [{ status: 'warn' as const, found: 'more diagnostics than Step Functions returns at once (truncated)' }]
      : []),
  ];
  if (response.result === 'FAIL' || errors.length > 0) {
    const unknownAction = errors.some((diagnostic) => /not recognized/i.test(diagnostic.message ?? ''));
    return {
      id: 'definition',
      status: 'fail',
      found: `Step Functions rejects the synthesized definition (${states} states): result ${response.result ?? 'unknown'}, ${errors.length} error(s)`,
      fix: unknownAction ? UNKNOWN_ACTION_FIX : INVALID_DEFINITION_FIX,
      details,
    };
  }
  if (warnings.length > 0) {
    return {
      id: 'definition',
      status: 'warn',
      found: `Step Functions accepts the synthesized definition (${states} states) with ${warnings.length} warning(s)`,
      fix: 'it deploys as is; look at the warnings below in statemachine/definition.ts',
      details,
    };
  }
  return {
    id: 'definition',
    status: 'pass',
    found: `Step Functions validates the synthesized definition (${states} states): ${response.result ?? 'OK'}, no diagnostics`,
    details,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// 5. After deploy: the stack and its email subscriptions

export interface DeploymentExpectation {
  readonly stackName: string;
  /** The notificationEmails of the synthesized config: each should be a confirmed subscription. */
  readonly notificationEmails: readonly string[];
}

/** Stack statuses: https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_Stack.html */
function stackStatusFinding(stack: Stack): Finding {
  const status = stack.StackStatus ?? 'UNKNOWN';
  const reason = stack.StackStatusReason ? ` (${stack.StackStatusReason})` : '';
  const events = `aws cloudformation describe-stack-events --stack-name ${stack.StackName} --region ${REQUIRED_REGION}`;
  if (status === 'ROLLBACK_COMPLETE') {
    return {
      status: 'fail',
      found: `stack ${stack.StackName} is ${status}${reason}: its creation failed and it cannot be updated`,
      fix: `find the cause with ${events}, delete the stack (npx cdk destroy) and deploy again`,
    };
  }
  if (status.endsWith('_FAILED')) {
    const continueRollback =
      status === 'UPDATE_ROLLBACK_FAILED'
        ? `; then aws cloudformation continue-update-rollback --stack-name ${stack.StackName}`
        : '';
    return {
      status: 'fail',
      found: `stack ${stack.StackName} is ${status}${reason}`,
      fix: `find the cause with ${events}${continueRollback}`,
    };
  }
  if (status.includes('ROLLBACK')) {
    return {
      status: 'fail',
      found: `stack ${stack.StackName} is ${status}${reason}: its last deployment failed${status.endsWith('_IN_PROGRESS') ? ' and is being rolled back' : ' and was rolled back'}`,
      fix: `find the cause with ${events}, fix it and deploy again`,
    };
  }
  if (status.endsWith('_IN_PROGRESS')) {
    return {
      status: 'warn',
      found: `stack ${stack.StackName} is ${status}: a deployment is under way`,
      fix: 'run npm run preflight again when it has finished',
    };
  }
  return { status: 'pass', found: `stack ${stack.StackName} is ${status}` };
}

/** Email-type protocols (https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html). */
const EMAIL_PROTOCOLS = ['email', 'email-json'];

async function allSubscriptions(sns: Sender<SNSClient>, topicArn: string): Promise<Subscription[]> {
  const subscriptions: Subscription[] = [];
  let nextToken: string | undefined;
  do {
    // Up to 100 per call, NextToken for more (https://docs.aws.amazon.com/sns/latest/api/API_ListSubscriptionsByTopic.html).
    const page = await sns.send(
      new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, ...(nextToken ? { NextToken: nextToken } : {}) }),
    );
    subscriptions.push(...(page.Subscriptions ?? []));
    nextToken = page.NextToken;
  } while (nextToken);
  return subscriptions;
}

/** Confirmed ones carry an ARN (API_Subscription.html); unconfirmed ones show "PendingConfirmation" (unverified), so any non-ARN is unconfirmed. */
function subscriptionFindings(subscriptions: readonly Subscription[], configured: readonly string[]): Finding[] {
  const emails = subscriptions.filter((subscription) => EMAIL_PROTOCOLS.includes(subscription.Protocol ?? ''));
  const key = (address: string) => address.trim().toLowerCase();
  const findings: Finding[] = [];
  const addresses = [
    ...new Set([...configured, ...emails.map((subscription) => subscription.Endpoint ?? '')].map(key)),
  ].filter(Boolean);
  for (const address of addresses) {
    const own = emails.filter((subscription) => key(subscription.Endpoint ?? '') === address);
    const extra = configured.some((candidate) => key(candidate) === address)
      ? ''
      : ' (subscribed, though not in notificationEmails)';
    if (own.length === 0) {
      findings.push({
        status: 'warn',
        found: `${address} is in notificationEmails but has no subscription on the topic`,
        fix: 'deploy again with this context (npx cdk deploy), which subscribes it',
      });
    } else if (own.some((subscription) => subscription.SubscriptionArn?.startsWith('arn:'))) {
      findings.push({ status: 'pass', found: `${address} confirmed${extra}` });
    } else {
      findings.push({
        status: 'warn',
        found: `${address} has not confirmed its subscription yet${extra}`,
        fix: `open the "AWS Notification - Subscription Confirmation" email sent to ${address} and choose Confirm subscription`,
      });
    }
  }
  return findings;
}

export async function checkDeployment(
  cloudFormation: Sender<CloudFormationClient>,
  sns: Sender<SNSClient>,
  expected: DeploymentExpectation,
): Promise<CheckResult> {
  const { stackName } = expected;
  let stack: Stack | undefined;
  try {
    stack = (await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0];
  } catch (error) {
    const { name, message } = awsError(error);
    // CloudFormation answers ValidationError "Stack with id NAME does not exist" (the wording is observed, not documented).
    if (name === 'ValidationError' && /does not exist/.test(message)) {
      return {
        id: 'deployment',
        status: 'pass',
        found: `stack ${stackName} is not deployed yet (npx cdk deploy creates it)`,
        details: [],
      };
    }
    if (isAccessDenied(error)) {
      return {
        id: 'deployment',
        status: 'warn',
        found: `could not read stack ${stackName} (${describeError(error)})`,
        fix: `allow cloudformation:DescribeStacks, or look at the stack in the CloudFormation console (${REQUIRED_REGION})`,
        details: [],
      };
    }
    throw error;
  }
  if (!stack)
    return {
      id: 'deployment',
      status: 'pass',
      found: `stack ${stackName} is not deployed yet (npx cdk deploy creates it)`,
      details: [],
    };

  const statusFinding = stackStatusFinding(stack);
  const topicArn = stack.Outputs?.find((output) => output.OutputKey === 'TopicArn')?.OutputValue;
  let details: Finding[];
  let subscriptionSummary: string;
  if (!topicArn) {
    details = [
      {
        status: 'warn',
        found: `the stack has no TopicArn output, so its subscriptions are unchecked`,
        fix: 'deploy the current app (npx cdk deploy)',
      },
    ];
    subscriptionSummary = 'no TopicArn output';
  } else {
    try {
      const subscriptions = await allSubscriptions(sns, topicArn);
      details = subscriptionFindings(subscriptions, expected.notificationEmails);
      if (subscriptions.length === 0) {
        details.push({
          status: 'warn',
          found: `topic ${topicArn} has no subscriptions: notifications reach nobody`,
          fix: 'add -c notificationEmails=you@example.com and deploy again, or subscribe an endpoint to the topic',
        });
      }
      const confirmed = details.filter((detail) => detail.status === 'pass').length;
      subscriptionSummary = `${confirmed} of ${details.length} email address(es) confirmed on ${topicArn}`;
      if (subscriptions.length === 0) subscriptionSummary = `no subscriptions on ${topicArn}`;
      else if (details.length === 0)
        subscriptionSummary = `${subscriptions.length} subscription(s) on ${topicArn}, none by email`;
    } catch (error) {
      if (!isAccessDenied(error) && awsError(error).name !== 'NotFoundException') throw error;
      details = [
        {
          status: 'warn',
          found: `could not list the subscriptions of ${topicArn} (${describeError(error)})`,
          fix: 'allow sns:ListSubscriptionsByTopic, or check the subscriptions in the SNS console',
        },
      ];
      subscriptionSummary = 'subscriptions unchecked';
    }
  }
  const status = worst([statusFinding.status, ...details.map((detail) => detail.status)]);
  const fix = statusFinding.fix ?? (status === 'pass' ? undefined : 'see the lines below');
  return {
    id: 'deployment',
    status,
    found: `${statusFinding.found}; ${subscriptionSummary}`,
    ...(fix ? { fix } : {}),
    details,
  };
}

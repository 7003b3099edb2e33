import { Stack } from 'aws-cdk-lib';
import * as chatbot from 'aws-cdk-lib/aws-chatbot';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { SlackChannel, TeamsChannel } from '../config';

/**
 * What channel members may do through Amazon Q Developer in chat applications, at most: read CloudFront. Without
 * guardrails the service applies AdministratorAccess:
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-chatbot-slackchannelconfiguration.html
 */
export const CHAT_GUARDRAIL_POLICY = 'CloudFrontReadOnlyAccess';
/** Delivery errors go to the service's log group in us-east-1; INFO would log every notification too. */
const CHAT_LOGGING_LEVEL = 'ERROR';
/** ConfigurationName: ^[A-Za-z0-9-_]+$, 1 to 128 characters. */
const CONFIGURATION_NAME_LENGTH = 128;

export interface ChatChannelsProps {
  /** The notification topic every channel subscribes to. */
  readonly topic: sns.ITopic;
  readonly slackChannels: readonly SlackChannel[];
  readonly teamsChannels: readonly TeamsChannel[];
}

/** A name made of the characters a configuration name and a construct id both accept. */
function nameOf(...parts: readonly string[]): string {
  return parts.join('-').replace(/[^A-Za-z0-9-]/g, '-');
}

/** One channel configuration of Amazon Q Developer in chat applications per Slack or Teams channel, on the topic. */
export class ChatChannels extends Construct {
  /** The role every channel configuration names: notifications need no permission, so it grants nothing. */
  readonly role: iam.Role;
  readonly configurations: readonly (
    chatbot.CfnSlackChannelConfiguration | chatbot.CfnMicrosoftTeamsChannelConfiguration
  )[];

  constructor(scope: Construct, id: string, props: ChatChannelsProps) {
    super(scope, id);
    // The service reads the topic with its service-linked role, not this one:
    // https://docs.aws.amazon.com/chatbot/latest/adminguide/slr-permissions.html
    this.role = new iam.Role(this, 'ChannelRole', {
      assumedBy: new iam.ServicePrincipal('chatbot.amazonaws.com'),
      description: 'Chat channels of the CloudFront change notifier: notifications only, no permission',
    });
    const common = {
      iamRoleArn: this.role.roleArn,
      snsTopicArns: [props.topic.topicArn],
      guardrailPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName(CHAT_GUARDRAIL_POLICY).managedPolicyArn],
      loggingLevel: CHAT_LOGGING_LEVEL,
      userRoleRequired: false,
    };
    const stackName = Stack.of(this).stackName;
    const slack = props.slackChannels.map(({ workspaceId, channelId }) => {
      const name = nameOf('Slack', workspaceId, channelId);
      return new chatbot.CfnSlackChannelConfiguration(this, name, {
        ...common,
        configurationName: nameOf(stackName, name).slice(0, CONFIGURATION_NAME_LENGTH),
        slackWorkspaceId: workspaceId,
        slackChannelId: channelId,
      });
    });
    const teams = props.teamsChannels.map(({ tenantId, teamId, channelId }) => {
      const name = nameOf('Teams', channelId);
      return new chatbot.CfnMicrosoftTeamsChannelConfiguration(this, name, {
        ...common,
        configurationName: nameOf(stackName, name).slice(0, CONFIGURATION_NAME_LENGTH),
        teamsTenantId: tenantId,
        teamId,
        teamsChannelId: channelId,
      });
    });
    this.configurations = [...slack, ...teams];
  }
}

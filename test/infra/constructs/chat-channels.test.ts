import * as sns from 'aws-cdk-lib/aws-sns';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ChatChannels } from '../../../infra/constructs/chat-channels';
import { bareStack } from './bare-stack';

const SLACK = { workspaceId: 'T07EA123LEP', channelId: 'C07EZ1ABC23' };
const TEAMS = {
  tenantId: '74361522-da01-538d-aa2e-ac7918c6bb92',
  teamId: '9f1c2d3e-4b5a-6789-abcd-ef0123456789',
  channelId: '19%3ab6ef35dc342d56ba5654e6fc6d25a071%40thread.tacv2',
};
const READ_ONLY_GUARDRAIL = {
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/CloudFrontReadOnlyAccess']],
};

function chatStack(props: Pick<ConstructorParameters<typeof ChatChannels>[2], 'slackChannels' | 'teamsChannels'>) {
  const stack = bareStack();
  const topic = new sns.Topic(stack, 'Topic');
  const chat = new ChatChannels(stack, 'Chat', { topic, ...props });
  return { stack, topic, chat, template: Template.fromStack(stack) };
}

describe('ChatChannels', () => {
  it('configures each Slack channel on the topic, with the role, the read-only guardrail and error logging', () => {
    // Arrange
    const channels = { slackChannels: [SLACK], teamsChannels: [] };
    // Act
    const { stack, topic, chat, template } = chatStack(channels);
    // Assert
    template.resourceCountIs('AWS::Chatbot::SlackChannelConfiguration', 1);
    template.hasResourceProperties('AWS::Chatbot::SlackChannelConfiguration', {
      ConfigurationName: 'Bare-Slack-T07EA123LEP-C07EZ1ABC23',
      SlackWorkspaceId: 'T07EA123LEP',
      SlackChannelId: 'C07EZ1ABC23',
      SnsTopicArns: [stack.resolve(topic.topicArn)],
      IamRoleArn: stack.resolve(chat.role.roleArn),
      GuardrailPolicies: [READ_ONLY_GUARDRAIL],
      LoggingLevel: 'ERROR',
      UserRoleRequired: false,
    });
  });

  it('configures each Microsoft Teams channel on the topic, with the same role and guardrail', () => {
    // Arrange
    const channels = { slackChannels: [], teamsChannels: [TEAMS] };
    // Act
    const { stack, topic, chat, template } = chatStack(channels);
    // Assert
    template.resourceCountIs('AWS::Chatbot::MicrosoftTeamsChannelConfiguration', 1);
    template.hasResourceProperties('AWS::Chatbot::MicrosoftTeamsChannelConfiguration', {
      ConfigurationName: 'Bare-Teams-19-3ab6ef35dc342d56ba5654e6fc6d25a071-40thread-tacv2',
      TeamsTenantId: '74361522-da01-538d-aa2e-ac7918c6bb92',
      TeamId: '9f1c2d3e-4b5a-6789-abcd-ef0123456789',
      TeamsChannelId: '19%3ab6ef35dc342d56ba5654e6fc6d25a071%40thread.tacv2',
      SnsTopicArns: [stack.resolve(topic.topicArn)],
      IamRoleArn: stack.resolve(chat.role.roleArn),
      GuardrailPolicies: [READ_ONLY_GUARDRAIL],
      LoggingLevel: 'ERROR',
      UserRoleRequired: false,
    });
  });

  it('gives the channels a role that only the chat service assumes and that grants nothing', () => {
    // Arrange
    const channels = { slackChannels: [SLACK], teamsChannels: [TEAMS] };
    // Act
    const { template } = chatStack(channels);
    // Assert
    const roles = Object.values(template.findResources('AWS::IAM::Role'));
    expect(roles).toHaveLength(1);
    expect(roles[0]!.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'chatbot.amazonaws.com' } },
    ]);
    expect(roles[0]!.Properties.ManagedPolicyArns).toBeUndefined();
    expect(roles[0]!.Properties.Policies).toBeUndefined();
    template.resourceCountIs('AWS::IAM::Policy', 0);
  });

  it('never leaves the guardrail to the service default, AdministratorAccess', () => {
    // Arrange
    const channels = { slackChannels: [SLACK], teamsChannels: [TEAMS] };
    // Act
    const { template } = chatStack(channels);
    // Assert
    const configurations = [
      ...Object.values(template.findResources('AWS::Chatbot::SlackChannelConfiguration')),
      ...Object.values(template.findResources('AWS::Chatbot::MicrosoftTeamsChannelConfiguration')),
    ];
    expect(configurations.map((configuration) => configuration.Properties.GuardrailPolicies)).toEqual([
      [READ_ONLY_GUARDRAIL],
      [READ_ONLY_GUARDRAIL],
    ]);
    expect(JSON.stringify(template.toJSON())).not.toContain('AdministratorAccess');
  });
});

import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { SQS_RETRY_ENV } from '../../domain/settings';
import { watchDefinition } from '../../tools/lib/synth';
import { CHAT_CONTEXT } from '../../tools/scenarios/contexts';
import { synthesized } from '../support/definition';

/** The Parameters of the Task that publishes the deployed notification of a distribution. */
function publishParameters(context: Record<string, string>, taskName: string): Record<string, unknown> {
  const state = watchDefinition(synthesized(context).template).States[taskName]!;
  return state.Parameters as Record<string, unknown>;
}

function checkerVariables(context: Record<string, string>): Record<string, string> {
  const template = Template.fromJSON(synthesized({ mode: 'sqs-retry', ...context }).template);
  const [checker] = Object.values(
    template.findResources('AWS::Lambda::Function', {
      Properties: { Environment: { Variables: { [SQS_RETRY_ENV.queueUrl]: {} } } },
    }),
  );
  return checker!.Properties.Environment.Variables as Record<string, string>;
}

describe('the stack with slackChannels and teamsChannels', () => {
  it('creates a Slack and a Teams channel configuration on the notification topic, with one role', () => {
    // Arrange
    const context = CHAT_CONTEXT;
    // Act
    const template = Template.fromJSON(synthesized(context).template);
    // Assert
    const topic = { Ref: Object.keys(template.findResources('AWS::SNS::Topic'))[0] };
    template.hasResourceProperties('AWS::Chatbot::SlackChannelConfiguration', {
      SlackWorkspaceId: 'T07EA123LEP',
      SlackChannelId: 'C07EZ1ABC23',
      SnsTopicArns: [topic],
    });
    template.hasResourceProperties('AWS::Chatbot::MicrosoftTeamsChannelConfiguration', {
      TeamsTenantId: '74361522-da01-538d-aa2e-ac7918c6bb92',
      TeamId: '9f1c2d3e-4b5a-6789-abcd-ef0123456789',
      TeamsChannelId: '19%3ab6ef35dc342d56ba5654e6fc6d25a071%40thread.tacv2',
      SnsTopicArns: [topic],
    });
    template.resourcePropertiesCountIs(
      'AWS::IAM::Role',
      { AssumeRolePolicyDocument: { Statement: [{ Principal: { Service: 'chatbot.amazonaws.com' } }] } },
      1,
    );
  });

  it('publishes one text per protocol from the state machine: the email text by default, the chat message over HTTPS', () => {
    // Arrange
    const context = CHAT_CONTEXT;
    // Act
    const parameters = publishParameters(context, 'Publish deployed');
    // Assert
    expect(parameters.MessageStructure).toBe('json');
    expect(Object.keys(parameters.Message as object)).toEqual(['default.$', 'https.$']);
    expect((parameters.Message as Record<string, string>)['https.$']).toBe('States.JsonToString($.chat)');
  });

  it('tells the sqs-retry checker to publish the chat message too', () => {
    // Arrange
    const context = CHAT_CONTEXT;
    // Act
    const variables = checkerVariables(context);
    // Assert
    expect(variables[SQS_RETRY_ENV.chat]).toBe('true');
  });
});

describe('the stack without chat channels', () => {
  it('has no channel configuration and publishes the email text alone, as before chat existed', () => {
    // Arrange
    const context = {};
    // Act
    const template = Template.fromJSON(synthesized(context).template);
    const parameters = publishParameters(context, 'Notify deployed');
    // Assert
    template.resourceCountIs('AWS::Chatbot::SlackChannelConfiguration', 0);
    template.resourceCountIs('AWS::Chatbot::MicrosoftTeamsChannelConfiguration', 0);
    expect(parameters.MessageStructure).toBeUndefined();
    expect(parameters['Message.$']).toMatch(/^States\.Format\('Distribution \{\} is Deployed/);
  });

  it('does not hand the sqs-retry checker the chat variable', () => {
    // Arrange
    const context = {};
    // Act
    const variables = checkerVariables(context);
    // Assert
    expect(variables[SQS_RETRY_ENV.chat]).toBeUndefined();
  });
});

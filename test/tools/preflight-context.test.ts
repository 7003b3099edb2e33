/** The preflight command line, the bootstrap qualifier and the definition's ARNs. No synthesis here; the deploy context is tested in args.test.ts. */
import { describe, expect, it } from 'vitest';
import type { CfnTemplate } from '../../tools/lib/synth';
import { bootstrapQualifier, parsePreflightArguments } from '../../tools/preflight/context';
import { validationDefinition } from '../../tools/preflight/definition';

describe('the preflight command line', () => {
  it('reads repeated -c pairs, keeping "=" in values, and --json', () => {
    // Act
    const options = parsePreflightArguments([
      '-c',
      'createTrail=true',
      '--context',
      'notificationEmails=a@example.com,b@example.com',
      '-c',
      'x==y',
      '--json',
    ]);
    // Assert
    expect(options).toEqual({
      mode: 'check',
      json: true,
      context: { createTrail: 'true', notificationEmails: 'a@example.com,b@example.com', x: '=y' },
    });
  });

  it('refuses a -c without KEY=VALUE and an unknown option', () => {
    // Act / Assert
    expect(() => parsePreflightArguments(['-c', 'createTrail'])).toThrow(
      '--context expects KEY=VALUE, got "createTrail"',
    );
    expect(() => parsePreflightArguments(['--live'])).toThrow("Unknown option '--live'");
  });
});

describe('the bootstrap qualifier of the deploy context', () => {
  it('takes the bootstrap qualifier from @aws-cdk/core:bootstrapQualifier, else the CDK default', () => {
    // Act / Assert
    expect(bootstrapQualifier({ '@aws-cdk/core:bootstrapQualifier': 'team42' })).toBe('team42');
    expect(bootstrapQualifier({})).toBe('hnb659fds');
  });
});

describe('the definition handed to the validator', () => {
  /** A template as CDK writes one: the definition string joined from literals and references. */
  function templateCalling(references: unknown[]): CfnTemplate {
    return {
      Resources: {
        Topic1234: { Type: 'AWS::SNS::Topic' },
        CheckFunction5678: { Type: 'AWS::Lambda::Function' },
        Machine9ABC: {
          Type: 'AWS::StepFunctions::StateMachine',
          Properties: { DefinitionString: { 'Fn::Join': ['', references] } },
        },
      },
    };
  }

  it('puts the caller account into every ARN, a Lambda function ARN keeping the "function:" synth.ts gives it', () => {
    // Arrange
    const template = templateCalling([
      '{"StartAt":"Check","States":{"Check":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"',
      { 'Fn::GetAtt': ['CheckFunction5678', 'Arn'] },
      '"},"Next":"Notify"},"Notify":{"Type":"Task","Resource":"arn:',
      { Ref: 'AWS::Partition' },
      ':states:::sns:publish","Parameters":{"TopicArn":"',
      { Ref: 'Topic1234' },
      '","Message":"done"},"End":true}}}',
    ]);
    // Act
    const definition = validationDefinition(template, '111122223333') as unknown as {
      States: {
        Check: { Parameters: { FunctionName: string } };
        Notify: { Resource: string; Parameters: { TopicArn: string } };
      };
    };
    // Assert
    expect(definition.States.Check.Parameters.FunctionName).toBe(
      'arn:aws:lambda:us-east-1:111122223333:function:CheckFunction5678',
    );
    expect(definition.States.Notify.Parameters.TopicArn).toBe('arn:aws:sns:us-east-1:111122223333:Topic1234');
    expect(definition.States.Notify.Resource).toBe('arn:aws:states:::sns:publish');
  });

  it('refuses a definition that still holds a CDK token', () => {
    // Arrange
    const template = templateCalling([
      '{"StartAt":"Done","States":{"Done":{"Type":"Pass","Result":"${Token[TOKEN.123]}","End":true}}}',
    ]);
    // Act / Assert
    expect(() => validationDefinition(template, '111122223333')).toThrow(
      'the definition of Machine9ABC still holds the unresolved CDK token ${Token[TOKEN.123]}',
    );
  });
});

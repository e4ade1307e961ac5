import { describe, expect, it } from 'vitest';
import { parseTemplate } from './parse-template.ts';
import { checkCapabilities, planStack } from './plan-stack.ts';

const plan = (body: string, given: Array<{ ParameterKey: string; ParameterValue: string }> = []) =>
  planStack({
    template: parseTemplate(body),
    given,
    pseudo: { 'AWS::Region': 'us-east-1' },
    supportedTypes: (t) => t.startsWith('AWS::IAM::'),
    azs: () => [],
    region: 'us-east-1',
  });

describe('template planning', () => {
  it('orders resources dependencies first and skips resources whose condition is false', () => {
    const p = plan(
      JSON.stringify({
        Parameters: { On: { Type: 'String', Default: 'no' } },
        Conditions: { Enabled: { 'Fn::Equals': [{ Ref: 'On' }, 'yes'] } },
        Resources: {
          Policy: { Type: 'AWS::IAM::Policy', Properties: { Roles: [{ Ref: 'Role' }] } },
          Role: { Type: 'AWS::IAM::Role', Properties: { Path: { 'Fn::Sub': '/${User}/' } } },
          User: { Type: 'AWS::IAM::User' },
          Optional: { Type: 'AWS::IAM::User', Condition: 'Enabled' },
        },
      }),
    );
    expect(p.order).toEqual(['User', 'Role', 'Policy']);
    expect(p.conditions).toEqual({ Enabled: false });
  });

  it('checks parameter constraints', () => {
    const body = JSON.stringify({
      Parameters: {
        N: { Type: 'Number', MinValue: 2, MaxValue: 5 },
        S: { Type: 'String', MaxLength: 3, Default: 'abc' },
      },
      Resources: { U: { Type: 'AWS::IAM::User' } },
    });
    expect(() => plan(body, [{ ParameterKey: 'N', ParameterValue: 'x' }])).toThrow("Parameter 'N' must be a number.");
    expect(() => plan(body, [{ ParameterKey: 'N', ParameterValue: '6' }])).toThrow(
      "Parameter 'N' must be a number not greater than 5",
    );
    expect(() =>
      plan(body, [
        { ParameterKey: 'N', ParameterValue: '3' },
        { ParameterKey: 'S', ParameterValue: 'abcd' },
      ]),
    ).toThrow("Parameter 'S' must contain at most 3 characters");
    expect(plan(body, [{ ParameterKey: 'N', ParameterValue: '3' }]).parameters).toEqual([
      { ParameterKey: 'N', ParameterValue: '3' },
      { ParameterKey: 'S', ParameterValue: 'abc' },
    ]);
  });

  it('refuses unsupported resource types and templates without resources', () => {
    expect(() => plan(JSON.stringify({ Resources: { B: { Type: 'AWS::S3::Bucket' } } }))).toThrow(
      'Unrecognized resource types: [AWS::S3::Bucket]',
    );
    expect(() => parseTemplate('Resources: {}')).toThrow('At least one Resources member must be defined.');
    expect(() => parseTemplate('{"Resources": ')).toThrow('JSON not well-formed');
    expect(() =>
      parseTemplate(
        JSON.stringify({ AWSTemplateFormatVersion: '2011-01-01', Resources: { U: { Type: 'AWS::IAM::User' } } }),
      ),
    ).toThrow('is not a supported version');
  });

  it('needs CAPABILITY_NAMED_IAM only for custom IAM names', () => {
    const unnamed = parseTemplate(JSON.stringify({ Resources: { R: { Type: 'AWS::IAM::Role' } } }));
    const named = parseTemplate(
      JSON.stringify({ Resources: { R: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'x' } } } }),
    );
    expect(() => checkCapabilities(unnamed, ['CAPABILITY_IAM'])).not.toThrow();
    expect(() => checkCapabilities(unnamed, ['CAPABILITY_NAMED_IAM'])).not.toThrow();
    expect(() => checkCapabilities(named, ['CAPABILITY_IAM'])).toThrow(
      'Requires capabilities : [CAPABILITY_NAMED_IAM]',
    );
    expect(() => checkCapabilities(unnamed, [])).toThrow('Requires capabilities : [CAPABILITY_IAM]');
  });
});

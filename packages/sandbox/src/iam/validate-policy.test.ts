import { describe, expect, it } from 'vitest';
import { AwsError } from '../protocol/aws-error.ts';
import { validatePolicyDocument } from './validate-policy.ts';

const message = (text: string, use: 'identity' | 'trust', exists?: (arn: string) => boolean): string => {
  try {
    validatePolicyDocument(text, use, exists);
    return 'ok';
  } catch (error) {
    return error instanceof AwsError ? `${error.code}: ${error.message}` : String(error);
  }
};

const identity = (statement: object): string => JSON.stringify({ Version: '2012-10-17', Statement: [statement] });

describe('policy document validation', () => {
  it('accepts valid identity policies, including unknown actions and wildcards', () => {
    expect(message(identity({ Effect: 'Allow', Action: ['s3:Get*', 'madeup:Thing'], Resource: '*' }), 'identity')).toBe(
      'ok',
    );
    expect(
      message(
        identity({
          Effect: 'Deny',
          NotAction: 'iam:*',
          NotResource: 'arn:aws:s3:::b/*',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
        'identity',
      ),
    ).toBe('ok');
    expect(message(JSON.stringify({ Statement: { Effect: 'Allow', Action: '*', Resource: '*' } }), 'identity')).toBe(
      'ok',
    );
  });

  it('refuses grammar errors with AWS messages', () => {
    expect(message('[]', 'identity')).toBe('MalformedPolicyDocument: Syntax errors in policy.');
    expect(message(JSON.stringify({ Version: '2013-01-01', Statement: [] }), 'identity')).toBe(
      'MalformedPolicyDocument: Syntax errors in policy.',
    );
    expect(
      message(
        identity({ Effect: 'Allow', Action: 's3:GetObject', NotAction: 's3:PutObject', Resource: '*' }),
        'identity',
      ),
    ).toBe('MalformedPolicyDocument: Syntax errors in policy.');
    expect(message(identity({ Effect: 'Allow', Resource: '*' }), 'identity')).toBe(
      'MalformedPolicyDocument: Policy statement must contain actions.',
    );
    expect(message(identity({ Effect: 'Allow', Action: 's3:a:b', Resource: '*' }), 'identity')).toBe(
      'MalformedPolicyDocument: Actions/Condition can contain only one colon.',
    );
    expect(message(identity({ Effect: 'Allow', Action: 's 3:a', Resource: '*' }), 'identity')).toBe(
      'MalformedPolicyDocument: Vendor s 3 is not valid',
    );
    expect(
      message(identity({ Effect: 'Allow', Action: 's3:a', Resource: 'arn:aws-moon:s3:::b' }), 'identity'),
    ).toContain('Partition "aws-moon" is not valid');
  });

  it('applies the trust policy rules: principal required, no resource, sts actions only, principals must exist', () => {
    const trust = (statement: object): string => JSON.stringify({ Version: '2012-10-17', Statement: [statement] });
    expect(
      message(trust({ Effect: 'Allow', Principal: { AWS: '111122223333' }, Action: 'sts:AssumeRole' }), 'trust'),
    ).toBe('ok');
    expect(message(trust({ Effect: 'Allow', Action: 'sts:AssumeRole' }), 'trust')).toBe(
      'MalformedPolicyDocument: Missing required field Principal.',
    );
    expect(
      message(trust({ Effect: 'Allow', Principal: { AWS: '111122223333' }, Action: 's3:GetObject' }), 'trust'),
    ).toContain('Trust Policy statement actions can only be');
    expect(
      message(trust({ Effect: 'Allow', Principal: { AWS: 'not-an-arn' }, Action: 'sts:AssumeRole' }), 'trust'),
    ).toBe('MalformedPolicyDocument: Invalid principal in policy: "AWS":"not-an-arn"');
    expect(
      message(trust({ Effect: 'Allow', Principal: { Service: 'Not A Service' }, Action: 'sts:AssumeRole' }), 'trust'),
    ).toContain('Invalid principal in policy');
    const gone = trust({
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::111122223333:role/gone' },
      Action: 'sts:AssumeRole',
    });
    expect(message(gone, 'trust', () => false)).toBe(
      'MalformedPolicyDocument: Invalid principal in policy: "AWS":"arn:aws:iam::111122223333:role/gone"',
    );
    expect(message(gone, 'trust', () => true)).toBe('ok');
  });
});

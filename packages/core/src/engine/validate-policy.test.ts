import { describe, expect, it } from 'vitest';
import { validatePolicyDocument, type PolicyDocumentKind } from './validate-policy.ts';

const withPrincipal = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: '*' }],
};

describe('validatePolicyDocument messages name the kind of policy correctly', () => {
  it.each<[PolicyDocumentKind, RegExp]>([
    ['identity', /^An identity policy does not name principals: it applies to the identity it is attached to\.$/],
    ['boundary', /^A permissions boundary does not name principals/],
    ['session', /^A session policy does not name principals/],
    [
      'scp',
      /^A service control policy does not name principals: it applies to the principals of the accounts, OUs or root/,
    ],
  ])('%s: Principal is refused with a message that reads right', (kind, message) => {
    const finding = validatePolicyDocument(withPrincipal, { kind }).find((f) => f.code === 'PRINCIPAL_NOT_ALLOWED');
    expect(finding?.path).toBe('Statement[0].Principal');
    expect(finding?.message).toMatch(message);
  });

  it('a role trust policy statement without Principal is named as such', () => {
    const doc = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole' }] };
    expect(validatePolicyDocument(doc, { kind: 'trust' }).find((f) => f.code === 'PRINCIPAL_MISSING')?.message).toBe(
      'A role trust policy statement needs Principal.',
    );
  });
});

/**
 * Differential validation: generated documents of every kind, valid or broken by one or two mutations, are
 * checked by trustgate and by @cloud-copilot/iam-policy's validators (AGPL, test oracle only). Both must agree
 * on whether the document has a grammar error. Only mutations that IAM itself rejects are generated; checks
 * trustgate makes beyond the oracle (operator names, Sid characters, ARN format) are covered by the
 * table-driven validation cases instead.
 */
import fc from 'fast-check';
import {
  validateIdentityPolicy,
  validateResourceControlPolicy,
  validateResourcePolicy,
  validateServiceControlPolicy,
  validateSessionPolicy,
  validateTrustPolicy,
} from '@cloud-copilot/iam-policy';
import { describe, expect, it } from 'vitest';
import { validatePolicyDocument, type PolicyDocumentKind } from '../../src/engine/index.ts';
import { propertyParameters } from '../support/property-seed.ts';

const ORACLE: Partial<Record<PolicyDocumentKind, (doc: unknown) => unknown[]>> = {
  identity: validateIdentityPolicy,
  session: validateSessionPolicy,
  scp: validateServiceControlPolicy,
  rcp: validateResourceControlPolicy,
  resource: validateResourcePolicy,
  trust: validateTrustPolicy,
};

type Doc = { Version: string; Statement: Array<Record<string, unknown>> };

function base(kind: PolicyDocumentKind, n: number): Doc {
  const statements = Array.from({ length: n }, (_, i): Record<string, unknown> => {
    switch (kind) {
      case 'trust':
        return {
          Sid: `T${i}`,
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::11112222333${i}:root` },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'sts:ExternalId': 'x1' } },
        };
      case 'resource':
        return {
          Sid: `R${i}`,
          Effect: 'Allow',
          Principal: { AWS: '111122223333' },
          Action: ['s3:GetObject'],
          Resource: `arn:aws:s3:::b${i}/*`,
        };
      case 'rcp':
        return {
          Sid: `C${i}`,
          Effect: 'Deny',
          Principal: '*',
          Action: ['s3:*'],
          Resource: '*',
          Condition: { BoolIfExists: { 'aws:SecureTransport': 'false' } },
        };
      default:
        return {
          Sid: `S${i}`,
          Effect: i % 2 ? 'Deny' : 'Allow',
          Action: ['s3:GetObject', 'sqs:*'],
          Resource: `arn:aws:s3:::b${i}/*`,
        };
    }
  });
  return { Version: '2012-10-17', Statement: statements };
}

/** Mutations IAM rejects, each applied to one statement (or the document). */
const MUTATIONS: Array<{ name: string; kinds?: PolicyDocumentKind[]; apply(doc: Doc, i: number): void }> = [
  { name: 'lower-case effect', apply: (d, i) => void (d.Statement[i]!.Effect = 'allow') },
  { name: 'no effect', apply: (d, i) => void delete d.Statement[i]!.Effect },
  { name: 'no action', apply: (d, i) => void delete d.Statement[i]!.Action },
  { name: 'action and notaction', apply: (d, i) => void (d.Statement[i]!.NotAction = 's3:PutObject') },
  { name: 'action without colon', apply: (d, i) => void (d.Statement[i]!.Action = 's3GetObject') },
  {
    name: 'resource and notresource',
    kinds: ['identity', 'session', 'scp', 'resource'],
    apply: (d, i) => void (d.Statement[i]!.NotResource = '*'),
  },
  { name: 'no resource', kinds: ['identity', 'session', 'scp'], apply: (d, i) => void delete d.Statement[i]!.Resource },
  {
    name: 'principal in identity',
    kinds: ['identity', 'session', 'scp'],
    apply: (d, i) => void (d.Statement[i]!.Principal = '*'),
  },
  { name: 'resource in trust', kinds: ['trust'], apply: (d, i) => void (d.Statement[i]!.Resource = '*') },
  { name: 'no principal', kinds: ['trust'], apply: (d, i) => void delete d.Statement[i]!.Principal },
  { name: 'allow in rcp', kinds: ['rcp'], apply: (d, i) => void (d.Statement[i]!.Effect = 'Allow') },
  {
    name: 'notaction in rcp',
    kinds: ['rcp'],
    apply: (d, i) => void ((d.Statement[i]!.NotAction = d.Statement[i]!.Action), delete d.Statement[i]!.Action),
  },
  { name: 'bad version', apply: (d) => void (d.Version = '2012-10-18') },
  { name: 'unknown element', apply: (d, i) => void (d.Statement[i]!.Actions = ['s3:GetObject']) },
];

const caseArb = fc
  .record({
    kind: fc.constantFrom<PolicyDocumentKind>('identity', 'session', 'scp', 'rcp', 'resource', 'trust'),
    size: fc.integer({ min: 1, max: 3 }),
    mutations: fc.array(fc.tuple(fc.nat(MUTATIONS.length - 1), fc.nat(2)), { maxLength: 2 }),
  })
  .map(({ kind, size, mutations }) => {
    const doc = base(kind, size);
    const applied: string[] = [];
    for (const [m, s] of mutations) {
      const mutation = MUTATIONS[m]!;
      if (mutation.kinds && !mutation.kinds.includes(kind)) continue;
      const index = s % size;
      mutation.apply(doc, index);
      applied.push(mutation.name);
    }
    return { kind, doc, applied };
  });

describe('differential validation: trustgate vs @cloud-copilot/iam-policy', () => {
  it('agree on whether generated documents have grammar errors', () => {
    let broken = 0;
    fc.assert(
      fc.property(caseArb, ({ kind, doc, applied }) => {
        const mine = validatePolicyDocument(doc, { kind }).filter((f) => f.severity === 'error');
        const theirs = ORACLE[kind]!(doc);
        if (mine.length > 0) broken++;
        expect(
          mine.length > 0,
          `${kind} ${applied.join(', ')}: trustgate ${JSON.stringify(mine)} oracle ${JSON.stringify(theirs)}`,
        ).toBe(theirs.length > 0);
        if (applied.length === 0) expect(mine, JSON.stringify(doc)).toEqual([]);
      }),
      propertyParameters({ numRuns: 1500 }),
    );
    expect(broken).toBeGreaterThan(300);
  });
});

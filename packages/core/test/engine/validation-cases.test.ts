import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  loadIamReference,
  validatePolicyDocument,
  type IamReference,
  type PolicyDocumentKind,
} from '../../src/engine/index.ts';

/** A validation case: a document, its kind, the finding codes (and paths) it must produce. */
interface ValidationCase {
  name: string;
  kind: PolicyDocumentKind;
  document: unknown;
  expectCodes: string[];
  expectPaths?: string[];
  absentCodes?: string[];
  accountId?: string;
  source?: string;
}

const cases = JSON.parse(
  readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'cases', 'validation.json'), 'utf8'),
) as ValidationCase[];

let reference: IamReference;
beforeAll(async () => {
  reference = await loadIamReference(['s3', 'sts', 'iam', 'ec2', 'sqs']);
});

describe('validatePolicyDocument', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const findings = validatePolicyDocument(c.document, { kind: c.kind, reference, accountId: c.accountId });
    const codes = [...new Set(findings.map((f) => f.code))].sort();
    const relevant = codes.filter((code) => !['POLICY_VERSION_OLD'].includes(code) || c.expectCodes.includes(code));
    if (c.expectCodes.length === 0) {
      expect(
        findings.filter((f) => f.severity !== 'info'),
        JSON.stringify(findings),
      ).toEqual([]);
    } else {
      expect(relevant, JSON.stringify(findings)).toEqual([...c.expectCodes].sort());
    }
    for (const path of c.expectPaths ?? []) expect(findings.map((f) => f.path)).toContain(path);
    for (const code of c.absentCodes ?? []) expect(codes).not.toContain(code);
    for (const f of findings) {
      expect(f.message.length).toBeGreaterThan(10);
      expect(['error', 'warning', 'info']).toContain(f.severity);
    }
  });

  it('skips the checks that need AWS data when no reference is given', () => {
    const doc = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObjekt', Resource: '*' }] };
    expect(validatePolicyDocument(doc, { kind: 'identity' })).toEqual([]);
    expect(validatePolicyDocument(doc, { kind: 'identity', reference }).map((f) => f.code)).toEqual(['ACTION_UNKNOWN']);
  });

  it('suggests the operator that was meant', () => {
    const doc = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 's3:GetObject',
          Resource: '*',
          Condition: { StringEqualz: { 'aws:PrincipalTag/team': 'x' } },
        },
      ],
    };
    expect(validatePolicyDocument(doc, { kind: 'identity' })[0]!.message).toContain('StringEquals');
  });
});

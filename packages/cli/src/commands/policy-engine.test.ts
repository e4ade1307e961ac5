import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { guessPolicyKind, parseContext } from './policy-engine.ts';

const BIN = fileURLToPath(new URL('../../bin/trustgate.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'trustgate-policy-engine-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(content));
  return path;
}
function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const trust = file('trust.json', {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'Platform',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::111122223333:root' },
      Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'sts:ExternalId': 'tg-123' } },
    },
  ],
});
const identity = file('identity.json', {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: 'arn:aws:iam::*:role/trustgate-*' }],
});
const assume = [
  '--policy',
  identity,
  '--trust',
  trust,
  '--action',
  'sts:AssumeRole',
  '--resource',
  'arn:aws:iam::444455556666:role/trustgate-access',
  '--principal',
  'arn:aws:sts::111122223333:assumed-role/platform/w',
];

describe('trustgate policy check', { timeout: 120_000 }, () => {
  it('prints findings with paths and exits 2 on errors', () => {
    const bad = file('bad.json', {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 's3:GetObject',
          Resource: '*',
          Condition: { StringEqualz: { 'aws:SourceIp': '1.2.3.4' } },
        },
      ],
    });
    const r = cli('policy', 'check', bad);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('CONDITION_OPERATOR_UNKNOWN at Statement[0].Condition.StringEqualz');
    expect(r.stderr).toContain('INVALID_POLICY');
  });
  it('exits 0 for clean documents and warns about cross-account trust without an external ID', () => {
    expect(cli('policy', 'check', trust, identity).code).toBe(0);
    const open = file('open.json', {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:role/platform' }, Action: 'sts:AssumeRole' },
      ],
    });
    const r = cli('policy', 'check', '--account-id', '444455556666', open);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('TRUST_NO_EXTERNAL_ID');
  });
});

describe('trustgate policy simulate', { timeout: 120_000 }, () => {
  it('explains a denial, discovers the external ID, and allows with it', () => {
    const denied = cli('policy', 'simulate', ...assume, '--context', 'sts:ExternalId=wrong', '--discover');
    expect(denied.code).toBe(0);
    expect(denied.stdout).toContain('decision: ImplicitlyDenied (implicit-deny:resource)');
    expect(denied.stdout).toContain('FAIL StringEquals sts:ExternalId ["tg-123"] request: ["wrong"]');
    expect(denied.stdout).toContain('discover: sts:ExternalId=tg-123');
    const allowed = cli(
      'policy',
      'simulate',
      ...assume,
      '--context',
      'sts:ExternalId=tg-123',
      '--expect',
      'Allowed',
      '--format',
      'json',
    );
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(JSON.parse(allowed.stdout).decision).toBe('Allowed');
  });
  it('exits 7 when --expect is not met and 2 on missing arguments', () => {
    expect(cli('policy', 'simulate', ...assume, '--expect', 'Allowed').code).toBe(7);
    const r = cli('policy', 'simulate', '--action', 'sts:AssumeRole');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--resource');
  });
});

describe('policy-engine helpers', () => {
  it('parses context pairs into single and multivalued keys', () => {
    expect(parseContext(['a=1', 'aws:TagKeys=env,team', 'b=x', 'b=y', 'c='])).toEqual({
      a: '1',
      'aws:TagKeys': ['env', 'team'],
      b: ['x', 'y'],
      c: '',
    });
    expect(() => parseContext(['novalue'])).toThrow(/key=value/);
  });
  it('guesses the kind of a document', () => {
    expect(guessPolicyKind({ Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] })).toBe('identity');
    expect(guessPolicyKind({ Statement: { Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' } })).toBe('trust');
    expect(
      guessPolicyKind({ Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*' }] }),
    ).toBe('resource');
  });
});

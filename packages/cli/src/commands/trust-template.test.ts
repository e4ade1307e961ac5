import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { reportError } from '../run-cli.ts';
import { registerTemplate } from './template.ts';
import { registerTrust } from './trust.ts';
import { registerCatalog } from './catalog.ts';

const BIN = fileURLToPath(new URL('../../bin/trustgate.js', import.meta.url));
const CATALOG = fileURLToPath(new URL('../../../../catalogs/example.yaml', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'trustgate-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The real binary (the built JavaScript), in a child process. */
function spawnCli(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The same commands in this process, with stdout/stderr captured and errors mapped as the CLI maps them. */
async function cli(...args: string[]) {
  const program = new Command('trustgate').exitOverride();
  registerCatalog(program);
  registerTrust(program);
  registerTemplate(program);
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  let code = 0;
  try {
    await program.parseAsync(['node', 'trustgate', ...args]);
  } catch (error) {
    code = reportError(error);
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return { code, stdout, stderr };
}

describe('the trustgate binary', () => {
  it('runs trust-policy and maps a user error to exit code 2', () => {
    const ok = spawnCli('trust-policy', '--platform-account', '111122223333', '--external-id', 'ext-1234');
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).Statement[0].Condition).toEqual({ StringEquals: { 'sts:ExternalId': 'ext-1234' } });
    const bad = spawnCli('template', '--blueprint', 'nope');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error \[UNKNOWN_BLUEPRINT\]: blueprint: no blueprint "nope"/);
  }, 300_000);
});

describe('trustgate trust-policy and external-id', () => {
  it('prints a trust policy with rotating external IDs', async () => {
    const r = await cli(
      'trust-policy',
      '--partition',
      'aws-us-gov',
      '--platform-account',
      '111122223333',
      '--external-id',
      'old-1',
      '--external-id',
      'new-2',
    );
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.Statement[0].Principal).toEqual({ AWS: 'arn:aws-us-gov:iam::111122223333:root' });
    expect(doc.Statement[0].Condition).toEqual({ StringEquals: { 'sts:ExternalId': ['old-1', 'new-2'] } });
  });
  it('prints scoped patterns and refuses a widening slug with exit code 2 naming the field', async () => {
    const ok = await cli(
      'trust-policy',
      '--platform-account',
      '111122223333',
      '--account-name',
      'acme',
      '--integration',
      'i1',
      '--stack',
      'prod',
      '--phase',
      'read',
    );
    expect(JSON.parse(ok.stdout).Statement[0].Condition).toEqual({
      StringLike: { 'sts:ExternalId': 'acme@i1@prod@read' },
    });
    const bad = await cli('external-id', '--patterns', '--account-name', 'acme', '--integration', 'i1', '--stack', '*');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/INVALID_EXTERNAL_ID.*stackSlug/);
  });
  it('ATTACK: an empty --stack is refused, never read as "any stack"', async () => {
    const trust = await cli(
      'trust-policy',
      '--platform-account',
      '111122223333',
      '--account-name',
      'acme',
      '--integration',
      'i1',
      '--stack',
      '',
      '--phase',
      'write',
    );
    expect(trust.code, trust.stdout).toBe(2);
    expect(trust.stderr).toMatch(/INVALID_EXTERNAL_ID.*stackSlug/);
    const patterns = await cli(
      'external-id',
      '--patterns',
      '--account-name',
      'acme',
      '--integration',
      'i1',
      '--stack',
      '',
    );
    expect(patterns.code, patterns.stdout).toBe(2);
    expect(patterns.stdout).not.toContain('*');
  });
  it('never drops a stack or phase lock silently', async () => {
    const cases: Array<[string[], RegExp]> = [
      [
        ['trust-policy', '--platform-account', '111122223333', '--external-id', 'ext-1234', '--phase', 'read'],
        /INVALID_INPUT.*--external-id cannot be combined/,
      ],
      [
        ['trust-policy', '--platform-account', '111122223333', '--stack', 'prod', '--phase', 'read'],
        /INVALID_EXTERNAL_ID.*accountName/,
      ],
      [['external-id', '--stack', 'prod', '--phase', 'read'], /INVALID_INPUT.*--scoped or --patterns/],
    ];
    for (const [args, pattern] of cases) {
      const r = await cli(...args);
      expect(r.code, `${args.join(' ')}: ${r.stdout}`).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(pattern);
    }
    const pinned = await cli(
      'trust-policy',
      '--platform-account',
      '111122223333',
      '--account-name',
      'acme',
      '--integration',
      'i1',
      '--phase',
      'read',
    );
    expect(JSON.parse(pinned.stdout).Statement[0].Condition).toEqual({
      StringLike: { 'sts:ExternalId': 'acme@i1@*@read' },
    });
  });
  it('generates IDs, checks custom ones', async () => {
    const a = (await cli('external-id')).stdout.trim();
    expect(a).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect((await cli('external-id', '--check', 'customer chosen')).code).toBe(2);
    expect((await cli('external-id', '--check', 'customer-chosen')).stdout).toBe('valid\n');
  });
  it('fails with TRUST_POLICY_TOO_LARGE when the policy does not fit', async () => {
    const ids = Array.from({ length: 50 }, (_, i) => [
      '--external-id',
      `external-id-number-${i}-${'x'.repeat(30)}`,
    ]).flat();
    const r = await cli('trust-policy', '--platform-account', '111122223333', ...ids);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/TRUST_POLICY_TOO_LARGE/);
  });
});

describe('trustgate template', () => {
  it('compiles the catalog into the cross-account CloudFormation (YAML) with the callback', async () => {
    const r = await cli(
      'template',
      '--catalog',
      CATALOG,
      '--default',
      '--partition',
      'aws-cn',
      '--platform-account',
      '111122223333',
      '--external-id',
      'ext-1234',
      '--customer-account',
      '444455556666',
      '--callback-topic',
      'arn:aws-cn:sns:cn-north-1:111122223333:connect',
      '--callback-property',
      'ConnectionId=c-1',
    );
    expect(r.code, r.stderr).toBe(0);
    const t = parseYaml(r.stdout);
    expect(t.Parameters.ExternalId.Default).toBe('ext-1234');
    expect(t.Resources.TrustgateConnection.Properties.ConnectionId).toBe('c-1');
    expect(
      Object.values(t.Resources as Record<string, { Type: string }>).filter((x) => x.Type === 'AWS::IAM::ManagedPolicy')
        .length,
    ).toBeGreaterThan(0);
  });
  it('writes every format of every blueprint', async () => {
    for (const blueprint of ['cross-account-role', 'spot-fleet', 'installer-user', 'instance-profile-role']) {
      for (const format of ['cloudformation-json', 'terraform', 'cli', 'json']) {
        const out = join(dir, `${blueprint}.${format}`);
        const r = await cli(
          'template',
          '--blueprint',
          blueprint,
          '--format',
          format,
          '--catalog',
          CATALOG,
          '--platform-account',
          '111122223333',
          '--customer-account',
          '444455556666',
          '--out',
          out,
        );
        expect(r.code, `${blueprint} ${format}: ${r.stderr}`).toBe(0);
        expect(readFileSync(out, 'utf8').length).toBeGreaterThan(100);
      }
    }
  });
  it('trusts scoped external IDs locked to one stack and phase, and refuses them mixed with --external-id', async () => {
    const r = await cli(
      'template',
      '--format',
      'json',
      '--catalog',
      CATALOG,
      '--platform-account',
      '111122223333',
      '--account-name',
      'acme',
      '--integration',
      'i1',
      '--stack',
      'prod',
      '--phase',
      'write',
    );
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).roles[0].trustPolicy.Statement[0].Condition).toEqual({
      StringLike: { 'sts:ExternalId': 'acme@i1@prod@write' },
    });
    const mixed = await cli(
      'template',
      '--catalog',
      CATALOG,
      '--platform-account',
      '111122223333',
      '--external-id',
      'ext-1234',
      '--phase',
      'read',
    );
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/--external-id cannot be combined/);
    const widening = await cli(
      'template',
      '--catalog',
      CATALOG,
      '--platform-account',
      '111122223333',
      '--account-name',
      'acme',
      '--integration',
      'i1',
      '--stack',
      'prod@write',
    );
    expect(widening.code).toBe(2);
    expect(widening.stderr).toMatch(/INVALID_EXTERNAL_ID.*stackSlug/);
  });
  it('narrows the Spot Fleet tagging role to one region', async () => {
    const r = await cli(
      'template',
      '--blueprint',
      'spot-fleet',
      '--format',
      'json',
      '--customer-account',
      '444455556666',
      '--spot-fleet-region',
      'eu-west-1',
    );
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).roles[0].trustPolicy.Statement[0].Condition.ArnLike).toEqual({
      'aws:SourceArn': 'arn:aws:ec2:eu-west-1:444455556666:spot-fleet-request/sfr-*',
    });
  });
  it('prints the StackSet variant and the quick-create link', async () => {
    const s = await cli(
      'template',
      '--catalog',
      CATALOG,
      '--platform-account',
      '111122223333',
      '--stack-set',
      '--ou',
      'ou-ab12-cdef3456',
    );
    expect(s.code, s.stderr).toBe(0);
    expect(JSON.parse(s.stdout).createStackSet.PermissionModel).toBe('SERVICE_MANAGED');
    const delegated = await cli(
      'template',
      '--catalog',
      CATALOG,
      '--platform-account',
      '111122223333',
      '--stack-set',
      '--ou',
      'ou-ab12-cdef3456',
      '--call-as',
      'DELEGATED_ADMIN',
    );
    expect(delegated.code, delegated.stderr).toBe(0);
    expect(JSON.parse(delegated.stdout).createStackInstances.CallAs).toBe('DELEGATED_ADMIN');
    const q = await cli(
      'template',
      '--catalog',
      CATALOG,
      '--platform-account',
      '111122223333',
      '--partition',
      'aws-us-gov',
      '--quick-create',
      'https://example-bucket.s3.us-gov-west-1.amazonaws.com/t.yaml',
    );
    expect(q.stdout).toMatch(
      /^https:\/\/console\.amazonaws-us-gov\.com\/cloudformation\/home\?region=us-gov-west-1#\/stacks\/quickcreate\?templateURL=/,
    );
    // The automatic-connect topic's region is the stack's region (a custom resource's ServiceToken must be there).
    const topic = ['--callback-topic', 'arn:aws:sns:eu-west-1:111122223333:connect'];
    const here = await cli(
      'template',
      '--catalog',
      CATALOG,
      '--platform-account',
      '111122223333',
      ...topic,
      '--quick-create',
      'https://example-bucket.s3.amazonaws.com/t.yaml',
    );
    expect(here.code, here.stderr).toBe(0);
    expect(here.stdout).toMatch(
      /^https:\/\/eu-west-1\.console\.aws\.amazon\.com\/cloudformation\/home\?region=eu-west-1#/,
    );
    const elsewhere = await cli(
      'template',
      '--catalog',
      CATALOG,
      '--platform-account',
      '111122223333',
      ...topic,
      '--quick-create',
      'https://example-bucket.s3.amazonaws.com/t.yaml',
      '--region',
      'us-east-1',
    );
    expect(elsewhere.code).toBe(2);
    expect(elsewhere.stderr).toMatch(/INVALID_INPUT.*--region/);
  });
  it('refuses bad input with exit code 2 and the field', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--blueprint', 'nope'], /UNKNOWN_BLUEPRINT/],
      [['--format', 'pulumi', '--catalog', CATALOG, '--platform-account', '111122223333'], /INVALID_INPUT.*--format/],
      [['--partition', 'aws-iso'], /INVALID_PARTITION/],
      [['--catalog', CATALOG, '--platform-account', '1111'], /INVALID_ACCOUNT_ID.*platform\.aws\.accountId/],
      [
        ['--catalog', CATALOG, '--platform-account', '111122223333', '--role-name', 'x'.repeat(65)],
        /INVALID_ROLE_NAME.*roleName/,
      ],
      [
        [
          '--catalog',
          CATALOG,
          '--platform-account',
          '111122223333',
          '--platform-role-arn',
          'arn:aws-cn:iam::111122223333:role/x',
        ],
        /INVALID_PARTITION.*roleArn/,
      ],
      [
        ['--catalog', CATALOG, '--platform-account', '111122223333', '--max-trust-policy-size', '100'],
        /TRUST_POLICY_TOO_LARGE/,
      ],
    ];
    for (const [args, pattern] of cases) {
      const r = await cli('template', ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(pattern);
    }
  });
});

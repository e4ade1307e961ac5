import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectCfnLintClean } from '../../test/support/cfn-lint.ts';
import { evaluateRequest } from '../engine/index.ts';
import { PARTITIONS } from '../partition/index.ts';
import type { PolicyDocument } from '../policy-document/index.ts';
import { revokeOlderSessionsRemedy } from './index.ts';

const cutoff = new Date('2026-12-03T14:05:06.250Z');

describe('revokeOlderSessionsRemedy', () => {
  it("writes the IAM console's AWSRevokeOlderSessions policy, the cut-off rounded up to the second", () => {
    const r = revokeOlderSessionsRemedy({ partition: 'aws', roleName: 'TrustgateAccess', cutoff });
    expect(r.policyName).toBe('AWSRevokeOlderSessions');
    expect(r.cutoff).toBe('2026-12-03T14:05:07Z');
    expect(r.document).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Deny',
          Action: '*',
          Resource: '*',
          Condition: { DateLessThan: { 'aws:TokenIssueTime': '2026-12-03T14:05:07Z' } },
        },
      ],
    });
    expect(
      revokeOlderSessionsRemedy({ partition: 'aws', roleName: 'r', cutoff: new Date('2026-12-03T14:05:06Z') }).cutoff,
    ).toBe('2026-12-03T14:05:06Z');
  });

  it('denies every call of a session issued before the cut-off and none of one issued after', () => {
    const { document } = revokeOlderSessionsRemedy({ partition: 'aws', roleName: 'TrustgateAccess', cutoff });
    const allow: PolicyDocument = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
    };
    const call = (issued: string) =>
      evaluateRequest(
        {
          principal: { arn: 'arn:aws:sts::444455556666:assumed-role/TrustgateAccess/tg-run', type: 'AWS' },
          action: 's3:ListAllMyBuckets',
          resource: '*',
          context: { 'aws:TokenIssueTime': issued },
        },
        { identityPolicies: [allow, document] },
      ).decision;
    expect(call('2026-12-03T14:00:00Z')).toBe('ExplicitlyDenied');
    expect(call('2026-12-03T14:05:06.900Z')).toBe('ExplicitlyDenied');
    expect(call('2026-12-03T14:05:07Z')).toBe('Allowed');
  });

  it.each(PARTITIONS)('gives a CLI command a shell reads as put-role-policy against IAM in %s', (partition) => {
    const r = revokeOlderSessionsRemedy({ partition, roleName: 'Trustgate+Access=1,x.y@z', cutoff });
    const script = `aws() { for a in "$@"; do printf '%s\\n' "$a"; done; }\n${r.cli}`;
    const argv = execFileSync('/bin/sh', ['-c', script], { encoding: 'utf8' }).split('\n').slice(0, -1);
    const region = { aws: 'us-east-1', 'aws-us-gov': 'us-gov-west-1', 'aws-cn': 'cn-north-1' }[partition];
    expect(argv.slice(0, 8)).toEqual([
      'iam',
      'put-role-policy',
      '--region',
      region,
      '--role-name',
      'Trustgate+Access=1,x.y@z',
      '--policy-name',
      'AWSRevokeOlderSessions',
    ]);
    expect(argv[8]).toBe('--policy-document');
    expect(JSON.parse(argv[9] ?? '')).toEqual(r.document);
    expect(r.consoleUrl.startsWith(partition === 'aws-cn' ? 'https://console.amazonaws.cn/' : 'https://')).toBe(true);
  });

  it('gives an AWS::IAM::RolePolicy resource that cfn-lint accepts in a template', () => {
    const r = revokeOlderSessionsRemedy({ partition: 'aws', roleName: 'TrustgateAccess', cutoff });
    expect(r.cloudformation.AWSRevokeOlderSessions).toEqual({
      Type: 'AWS::IAM::RolePolicy',
      Properties: { RoleName: 'TrustgateAccess', PolicyName: 'AWSRevokeOlderSessions', PolicyDocument: r.document },
    });
    const dir = mkdtempSync(join(tmpdir(), 'tg-revoke-'));
    try {
      const file = join(dir, 'template.json');
      writeFileSync(file, JSON.stringify({ AWSTemplateFormatVersion: '2010-09-09', Resources: r.cloudformation }));
      expectCfnLintClean([file]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a bad role name, partition or cut-off naming the field', () => {
    expect(() => revokeOlderSessionsRemedy({ partition: 'aws', roleName: "x'; rm -rf /", cutoff })).toThrow(
      expect.objectContaining({ code: 'INVALID_ROLE_NAME', field: 'roleName' }),
    );
    expect(() => revokeOlderSessionsRemedy({ partition: 'aws-x' as 'aws', roleName: 'r', cutoff })).toThrow(
      expect.objectContaining({ code: 'INVALID_PARTITION' }),
    );
    expect(() => revokeOlderSessionsRemedy({ partition: 'aws', roleName: 'r', cutoff: new Date('x') })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', field: 'cutoff' }),
    );
  });
});

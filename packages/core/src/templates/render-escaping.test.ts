import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { expectCfnLintClean } from '../../test/support/cfn-lint.ts';
import type { PolicyDocument } from '../policy-document/index.ts';
import type { DeliverableModel } from './deliverable-model.ts';
import { renderCliScript } from './render-cli-script.ts';
import { cfnValue, renderCloudFormation, toCloudFormationYaml } from './render-cloudformation.ts';
import { renderConsoleJson } from './render-console-json.ts';
import { renderTerraform } from './render-terraform.ts';
import { TemplateStrings } from './template-strings.ts';

/** Strings that break naive templating: IAM policy variables, shell and HCL metacharacters, quotes, backslashes. */
const TRICKY: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'Tricky',
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: [
        'arn:aws:s3:::bucket/${aws:username}/*',
        'arn:aws:s3:::bucket/$HOME/`id`/$(id)/%{x}/\\back\\slash/"quoted"/\'single\'/${!x}/${*}',
        'arn:aws:s3:::bucket-444455556666/*',
      ],
      Condition: { StringLike: { 's3:prefix': ['home/${aws:username}/*', 'tab\there', 'a%%{b}$${c}'] } },
    },
  ],
};

const model: DeliverableModel = {
  blueprint: 'test',
  description: 'Escaping test',
  partition: 'aws',
  customerAccountId: '444455556666',
  parameters: [{ name: 'RoleName', description: 'role', value: 'Role-A' }],
  resources: [
    {
      kind: 'role',
      id: 'R',
      roleName: 'Role-A',
      trustPolicy: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      },
    },
    { kind: 'managed-policy', id: 'P', policyName: 'Tricky-Policy', document: TRICKY, attachTo: ['R'] },
  ],
  outputs: [{ name: 'RoleArn', description: 'arn', from: { id: 'R', attribute: 'Arn' } }],
  notes: ['a note with `backquotes` and $dollars'],
  manualSteps: [],
};

const dir = mkdtempSync(join(tmpdir(), 'trustgate-escape-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('template strings', () => {
  it('splits parameters, partition and account, and nothing else', () => {
    const t = new TemplateStrings(model);
    expect(t.segments('Role-A')).toEqual([{ kind: 'param', name: 'RoleName' }]);
    expect(t.segments('arn:aws:iam::444455556666:role/x')).toEqual([
      { kind: 'text', text: 'arn:' },
      { kind: 'partition' },
      { kind: 'text', text: ':iam::' },
      { kind: 'account' },
      { kind: 'text', text: ':role/x' },
    ]);
    expect(t.segments('1444455556666')).toEqual([{ kind: 'text', text: '1444455556666' }]);
    expect(t.segments('xarn:aws:s3:::b')).toEqual([{ kind: 'text', text: 'xarn:aws:s3:::b' }]);
    expect(cfnValue(t.segments('arn:aws:s3:::b/${aws:username}'))).toEqual({
      'Fn::Sub': 'arn:${AWS::Partition}:s3:::b/${!aws:username}',
    });
  });
});

describe('every renderer keeps tricky policy text intact', () => {
  it('the AWS CLI script passes the exact document to aws (run with a recording fake aws)', () => {
    const fake = join(dir, 'aws');
    writeFileSync(
      fake,
      [
        '#!/usr/bin/env bash',
        'if [ "$1 $2" = "sts get-caller-identity" ]; then',
        '  if [ "$4" = "Arn" ]; then echo "arn:aws:iam::999988887777:user/tester"; else echo "999988887777"; fi; exit 0; fi',
        'prev=""; for a in "$@"; do if [ "$prev" = "--policy-document" ] || [ "$prev" = "--assume-role-policy-document" ]; then n=$(ls "$FAKE_OUT" | wc -l); printf "%s" "$a" > "$FAKE_OUT/doc-$n.json"; fi; prev="$a"; done',
        'if [ "$2" = "create-policy" ]; then echo "arn:aws:iam::999988887777:policy/Tricky-Policy"; fi',
        'if [ "$2" = "get-role" ]; then echo "arn:aws:iam::999988887777:role/Role-A"; fi',
        'exit 0',
      ].join('\n'),
      { mode: 0o755 },
    );
    const out = mkdtempSync(join(dir, 'out-'));
    const script = join(dir, 'script.sh');
    writeFileSync(script, renderCliScript(model));
    const r = spawnSync('bash', [script], {
      encoding: 'utf8',
      env: { PATH: `${dir}:${process.env.PATH ?? ''}`, FAKE_OUT: out },
    });
    expect(r.status, r.stderr).toBe(0);
    const docs = readdirSync(out)
      .sort()
      .map((f) => JSON.parse(readFileSync(join(out, f), 'utf8')) as PolicyDocument);
    const inAccount = JSON.parse(JSON.stringify(TRICKY).replaceAll('444455556666', '999988887777')) as PolicyDocument;
    expect(docs).toContainEqual(inAccount);
    expect(r.stdout).toContain('RoleArn: arn:aws:iam::999988887777:role/Role-A');
  });

  it('the AWS CLI script ignores unrelated shell variables (ROLE_NAME) and takes only TRUSTGATE_ overrides', () => {
    const fake = join(dir, 'record', 'aws');
    mkdirSync(join(dir, 'record'), { recursive: true });
    writeFileSync(
      fake,
      [
        '#!/usr/bin/env bash',
        'if [ "$1 $2" = "sts get-caller-identity" ]; then',
        '  if [ "$4" = "Arn" ]; then echo "arn:aws:iam::999988887777:user/tester"; else echo "999988887777"; fi; exit 0; fi',
        'printf "%s\\n" "$*" >> "$FAKE_LOG"',
        'exit 0',
      ].join('\n'),
      { mode: 0o755 },
    );
    const script = join(dir, 'ambient.sh');
    writeFileSync(script, renderCliScript(model));
    const run = (extra: Record<string, string>) => {
      const log = join(dir, `calls-${Object.keys(extra).join('-')}.log`);
      const r = spawnSync('bash', [script], {
        encoding: 'utf8',
        env: { PATH: `${join(dir, 'record')}:${process.env.PATH ?? ''}`, FAKE_LOG: log, ...extra },
      });
      expect(r.status, r.stderr).toBe(0);
      return readFileSync(log, 'utf8');
    };
    const ambient = run({ ROLE_NAME: 'Hijacked' });
    expect(ambient).toContain('iam create-role --role-name Role-A');
    expect(ambient).not.toContain('Hijacked');
    expect(run({ TRUSTGATE_ROLE_NAME: 'Chosen' })).toContain('iam create-role --role-name Chosen');
  });

  it('CloudFormation escapes ${ in Fn::Sub and keeps the rest literal', () => {
    const t = renderCloudFormation(model) as { Resources: { P: { Properties: { PolicyDocument: PolicyDocument } } } };
    const resources = t.Resources.P.Properties.PolicyDocument.Statement[0]?.Resource as unknown[];
    expect(resources[0]).toEqual({ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::bucket/${!aws:username}/*' });
    expect(resources[1]).toEqual({
      'Fn::Sub':
        'arn:${AWS::Partition}:s3:::bucket/$HOME/`id`/$(id)/%{x}/\\back\\slash/"quoted"/\'single\'/${!!x}/${!*}',
    });
    expect(resources[2]).toEqual({ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::bucket-${AWS::AccountId}/*' });
    expect(t.Resources.P.Properties.PolicyDocument.Statement[0]?.Condition).toEqual(TRICKY.Statement[0]?.Condition);
  });

  it('CloudFormation YAML quotes "=" and "<<", which YAML 1.1 readers (PyYAML in cfn-lint, SnakeYAML) take for the value and merge types', () => {
    const tags: PolicyDocument = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 's3:GetObject',
          Resource: '*',
          Condition: { StringEquals: { 's3:ExistingObjectTag/op': ['=', '<<'] } },
        },
      ],
    };
    const withTags: DeliverableModel = {
      ...model,
      resources: [
        model.resources[0] as DeliverableModel['resources'][number],
        { kind: 'managed-policy', id: 'P', policyName: 'Tags', document: tags, attachTo: ['R'] },
      ],
    };
    const text = toCloudFormationYaml(renderCloudFormation(withTags));
    expect(parseYaml(text, { version: '1.1' })).toEqual(renderCloudFormation(withTags));
    const file = join(dir, 'special.yaml');
    writeFileSync(file, text);
    expectCfnLintClean([file]);
  }, 120_000);

  it('Terraform escapes ${ and %{ in heredocs and strings', () => {
    const hcl = renderTerraform(model);
    expect(hcl).toContain('"arn:${data.aws_partition.current.partition}:s3:::bucket/$${aws:username}/*"');
    expect(hcl).toContain('"a%%%{b}$$${c}"');
    expect(hcl).toContain('bucket-${data.aws_caller_identity.current.account_id}/*');
    expect(hcl).not.toMatch(/[^$]\$\{aws:/);
  });

  it('the raw JSON is the document itself', () => {
    const raw = renderConsoleJson(model);
    expect(raw.roles[0]?.permissionsPolicies[0]?.document).toEqual(TRICKY);
  });
});

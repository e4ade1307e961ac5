import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox, SandboxAccount } from '@trustgate/sandbox';
import { startServiceOnSandbox, type ServiceOnSandbox } from '../../server/test/service-harness.ts';
import { runTrustgate, type CliRun } from './run-trustgate.ts';

const execFileAsync = promisify(execFile);

/**
 * The manual and automatic connect flows from the terminal, as a platform team runs them: `trustgate connections`
 * against the service on the sandbox (STS, IAM, CloudFormation enforcing trust policies and external IDs), the
 * customer applying the written CloudFormation template with the AWS CLI, a stack attached and credentials issued with
 * `trustgate creds`. `--output json` is parsed; a wrong token, a foreign ID and bad input give the catalog's exit codes;
 * no run prints the API token.
 */
describe(
  'trustgate connections, stacks and attachments against the service on the sandbox',
  { timeout: 120_000 },
  () => {
    let env: ServiceOnSandbox;
    let sandbox: Sandbox;
    let customer: SandboxAccount;
    let admin: string;
    let foreignId: string;
    let dir: string;
    const runs: CliRun[] = [];
    const ids: Record<'manual' | 'auto' | 'scratch' | 'roleArn' | 'attachment' | 'externalId', string> = {} as never;

    const tg = async (args: string[], extra: NodeJS.ProcessEnv = {}): Promise<CliRun> => {
      const ran = await runTrustgate(args, {
        env: { TRUSTGATE_URL: env.t.url, TRUSTGATE_TOKEN: admin, ...extra },
        timeoutMs: 110_000,
      });
      runs.push(ran);
      return ran;
    };
    const json = (ran: CliRun) => {
      expect(ran.code, ran.stderr).toBe(0);
      return JSON.parse(ran.stdout);
    };
    /** The AWS CLI as the customer (or with `creds`), credentials from the environment only. */
    const aws = async (args: string[], creds: Record<string, string>) => {
      const { stdout } = await execFileAsync('aws', ['--endpoint-url', sandbox.endpoint, '--output', 'json', ...args], {
        env: {
          PATH: process.env.PATH,
          HOME: dir,
          AWS_CONFIG_FILE: join(dir, 'no-config'),
          AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'),
          AWS_EC2_METADATA_DISABLED: 'true',
          AWS_DEFAULT_REGION: sandbox.region,
          AWS_PAGER: '',
          ...creds,
        },
        timeout: 60_000,
      });
      return JSON.parse(stdout || '{}');
    };
    const asCustomer = () => ({
      AWS_ACCESS_KEY_ID: customer.accessKeyId,
      AWS_SECRET_ACCESS_KEY: customer.secretAccessKey,
    });

    beforeAll(async () => {
      env = await startServiceOnSandbox({
        dialect: 'sqlite',
        sandbox: { accounts: 2, customResourceTimeoutMs: 30_000 },
      });
      sandbox = env.sandbox;
      customer = sandbox.accounts[1]!;
      admin = (await env.t.newOrganization('Acme')).adminToken;
      const other = (await env.t.newOrganization('Other')).adminToken;
      const foreign = await env.t.api('POST', '/v1/connections', {
        token: other,
        body: { name: 'theirs', scope: { kind: 'account', accountId: customer.accountId } },
      });
      expect(foreign.status, foreign.text).toBe(201);
      foreignId = foreign.body.connection.id;
      dir = mkdtempSync(join(tmpdir(), 'tg-remote-connect-'));
    }, 120_000);
    afterAll(async () => {
      await env?.close();
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    });

    it('creates connections from flags, a YAML file and a JSON file, and lists them with filters', async () => {
      const manual = json(
        await tg([
          'connections',
          'create',
          '--name',
          'manual',
          '--account',
          customer.accountId,
          '--role-name',
          'Tg-manual',
          '--label',
          'team=infra',
          '--external-id-trust',
          'scoped',
          '--output',
          'json',
        ]),
      );
      expect(manual.connection).toMatchObject({ name: 'manual', status: 'pending', labels: { team: 'infra' } });
      expect(manual.connection.externalIdTrust).toEqual({ kind: 'scoped', phases: ['read', 'write'] });
      expect(manual.deliverables.formats['cloudformation-yaml']).toContain('Tg-manual');
      ids.manual = manual.connection.id;

      const yamlFile = join(dir, 'auto.yaml');
      writeFileSync(
        yamlFile,
        `name: auto\nmode: automatic\nscope:\n  kind: account\n  accountId: "${customer.accountId}"\nroleName: Tg-auto\nlabels:\n  team: platform\n`,
      );
      const auto = await tg(['connections', 'create', '--file', yamlFile]);
      expect(auto.code, auto.stderr).toBe(0);
      expect(auto.stdout).toMatch(/^mode: +automatic$/m);
      expect(auto.stdout).toContain('trustgate connections wait');
      ids.auto = /^id: +(\S+)$/m.exec(auto.stdout)?.[1] ?? '';
      expect(ids.auto).toBeTruthy();

      const jsonFile = join(dir, 'scratch.json');
      writeFileSync(
        jsonFile,
        JSON.stringify({ name: 'from-file', scope: { kind: 'account', accountId: customer.accountId } }),
      );
      const scratch = json(await tg(['connections', 'create', '--file', jsonFile, '--name', 'scratch', '-o', 'json']));
      expect(scratch.connection.name).toBe('scratch'); // the flag over the file's field
      ids.scratch = scratch.connection.id;

      const listed = json(
        await tg(['connections', 'list', '--status', 'pending', '--label', 'team=infra', '--output', 'json']),
      );
      expect(listed.map((c: { id: string }) => c.id)).toEqual([ids.manual]);
      const table = await tg(['connections', 'list']);
      expect(table.stdout.split('\n')[0]).toMatch(/^ID +NAME +STATUS +MODE +SCOPE/);
      expect(table.stdout).toContain('auto');
      expect(table.stdout).not.toContain('theirs'); // another organization's
    });

    it('manual: writes the CloudFormation template, the customer applies it with the AWS CLI, verify --wait and wait say connected', async () => {
      const file = join(dir, 'role.yaml');
      const written = await tg([
        'connections',
        'deliverables',
        ids.manual!,
        '--format',
        'cloudformation-yaml',
        '--out',
        file,
      ]);
      expect(written.code, written.stderr).toBe(0);
      expect(written.stdout).toContain(`Wrote cloudformation-yaml to ${file}`);
      expect(readFileSync(file, 'utf8')).toContain('AWS::IAM::Role');

      await aws(
        [
          'cloudformation',
          'create-stack',
          '--stack-name',
          'tg-manual',
          '--template-body',
          `file://${file}`,
          '--capabilities',
          'CAPABILITY_NAMED_IAM',
        ],
        asCustomer(),
      );
      await aws(['cloudformation', 'wait', 'stack-create-complete', '--stack-name', 'tg-manual'], asCustomer());
      const described = await aws(['cloudformation', 'describe-stacks', '--stack-name', 'tg-manual'], asCustomer());
      const stack = described.Stacks[0] as { StackId: string; Outputs: { OutputKey: string; OutputValue: string }[] };
      ids.roleArn = stack.Outputs.find((o) => o.OutputKey === 'RoleArn')!.OutputValue;
      expect(ids.roleArn).toBe(`arn:aws:iam::${customer.accountId}:role/Tg-manual`);

      const verified = await tg([
        'connections',
        'verify',
        ids.manual!,
        '--role-arn',
        ids.roleArn,
        '--stack-id',
        stack.StackId,
        '--wait',
      ]);
      expect(verified.code, verified.stderr).toBe(0);
      expect(verified.stdout).toContain(`Verifying manual (${ids.manual}) with ${ids.roleArn}:`);
      expect(verified.stdout).toMatch(new RegExp(`connected +${customer.accountId}  ${ids.roleArn}: Verified`));
      expect(verified.stdout).toMatch(/Connection manual: connected/);

      const waited = json(
        await tg(['connections', 'wait', ids.manual!, '--status', 'connected', '--timeout', '30s', '-o', 'json']),
      );
      expect(waited).toMatchObject({ id: ids.manual, status: 'connected' });
      expect(waited.roles).toEqual([expect.objectContaining({ roleArn: ids.roleArn, status: 'connected' })]);
      ids.externalId = waited.externalId;

      const shown = await tg(['connections', 'show', ids.manual!]);
      expect(shown.stdout).toMatch(/^status: +connected$/m);
      expect(shown.stdout).toMatch(/^labels: +team=infra$/m);

      // Waiting for a status it does not reach: exit 7 with the status and its reason.
      const stuck = await tg([
        'connections',
        'wait',
        ids.manual!,
        '--status',
        'needs-update',
        '--timeout',
        '2s',
        '--interval',
        '500ms',
      ]);
      expect(stuck.code).toBe(7);
      expect(stuck.stderr).toMatch(
        /VERIFICATION_FAILED.*is connected, not needs-update, after 2s: All 1 role\(s\) verified/,
      );
    });

    it('automatic: every deliverable to a directory, the stack applied with the AWS CLI reports back, wait --status connected; edit shows the diff', async () => {
      const out = join(dir, 'auto');
      const written = await tg(['connections', 'deliverables', ids.auto!, '--dir', out, '-o', 'json']);
      const files = json(written).files as { format: string; path: string }[];
      expect(files.map((f) => f.format).sort()).toEqual(
        [
          'cli',
          'cloudformation-json',
          'cloudformation-yaml',
          'json',
          'quick-create-link',
          'stackset',
          'terraform',
        ].sort(),
      );
      for (const f of files) expect(existsSync(f.path), f.path).toBe(true);
      expect(statSync(join(out, 'create-role.sh')).mode & 0o111).not.toBe(0);
      expect(readFileSync(join(out, 'cloudformation.json'), 'utf8')).toContain('Custom::TrustgateConnection');

      await aws(
        [
          'cloudformation',
          'create-stack',
          '--stack-name',
          'tg-auto',
          '--template-body',
          `file://${join(out, 'cloudformation.json')}`,
          '--capabilities',
          'CAPABILITY_NAMED_IAM',
        ],
        asCustomer(),
      );
      const waited = await tg([
        'connections',
        'wait',
        ids.auto!,
        '--status',
        'connected',
        '--timeout',
        '90s',
        '--interval',
        '1s',
      ]);
      expect(waited.code, waited.stderr + waited.stdout).toBe(0);
      expect(waited.stdout).toMatch(/^\[\d+ s\] connected: /m);

      const edited = json(
        await tg([
          'connections',
          'edit',
          ids.auto!,
          '--products',
          'cost-inventory',
          '--label',
          'env=prod',
          '-o',
          'json',
        ]),
      );
      expect(edited.diff.changed).toBe(true);
      expect(edited.connection.status).toBe('needs-update');
      expect(edited.connection.selection).toEqual({ mode: 'custom', products: ['cost-inventory'] });
      expect(edited.connection.labels).toEqual({ team: 'platform', env: 'prod' });
    });

    it('attaches a stack (phase, duration, session mode) and trustgate creds issues credentials the AWS CLI uses', async () => {
      const stack = json(await tg(['stacks', 'create', '--slug', 'web', '--name', 'Web', '-o', 'json']));
      expect(stack).toMatchObject({ slug: 'web', name: 'Web' });
      const attached = await tg([
        'stacks',
        'attach',
        'web',
        '--connection',
        ids.manual!,
        '--phases',
        'read,write',
        '--duration',
        '15m',
        '--session-mode',
        'shared',
      ]);
      expect(attached.code, attached.stderr).toBe(0);
      expect(attached.stdout).toMatch(new RegExp(`ok +${customer.accountId} read: `));
      expect(attached.stdout).toMatch(new RegExp(`ok +${customer.accountId} write: `));
      const listed = json(await tg(['attachments', 'list', '--stack', 'web', '-o', 'json']));
      expect(listed).toEqual([
        expect.objectContaining({
          stackId: stack.id,
          connectionId: ids.manual,
          phases: ['read', 'write'],
          durationSeconds: 900,
          sessionMode: 'shared',
        }),
      ]);
      ids.attachment = listed[0].id;

      const creds = json(
        await tg(['creds', '--stack', 'web', '--phase', 'read', '--run', 'cli-e2e', '--format', 'credential-process']),
      );
      const me = await aws(['sts', 'get-caller-identity'], {
        AWS_ACCESS_KEY_ID: creds.AccessKeyId,
        AWS_SECRET_ACCESS_KEY: creds.SecretAccessKey,
        AWS_SESSION_TOKEN: creds.SessionToken,
      });
      expect(me.Arn).toMatch(new RegExp(`^arn:aws:sts::${customer.accountId}:assumed-role/Tg-manual/`));

      const reverified = json(await tg(`attachments verify ${ids.attachment} --stack web -o json`.split(' ')));
      expect(reverified.verification.checks.map((c: { ok: boolean }) => c.ok)).toEqual([true, true]);
      const edited = json(await tg(`stacks edit web --name Website --label tier=1 -o json`.split(' ')));
      expect(edited).toMatchObject({ slug: 'web', name: 'Website', labels: { tier: '1' } });
      const shown = await tg(['stacks', 'show', 'web']);
      expect(shown.stdout).toMatch(/^name: +Website$/m);
      expect(shown.stdout).toContain(ids.attachment);
    });

    it('rotates the external ID, revokes sessions, refuses a wrong token, a foreign ID and bad input with the catalog\u2019s exit codes', async () => {
      const rotated = json(await tg(['connections', 'rotate-external-id', ids.manual!, '-o', 'json']));
      expect(rotated.externalId).not.toBe(ids.externalId);
      expect(rotated.previousExternalId).toBe(ids.externalId);

      const revoked = await tg(['connections', 'revoke-sessions', ids.manual!]);
      expect(revoked.code, revoked.stderr).toBe(0);
      expect(revoked.stdout).toMatch(/Sessions issued before \S+ are revoked/);
      expect(revoked.stdout).toContain('aws iam put-role-policy');

      const wrong = `tg_${'W'.repeat(43)}`;
      const refused = await tg(['connections', 'list'], { TRUSTGATE_TOKEN: wrong });
      expect(refused.code).toBe(4);
      expect(refused.stderr).toMatch(/UNAUTHENTICATED/);
      expect(refused.stdout + refused.stderr).not.toContain(wrong);

      const foreign = await tg(['connections', 'show', foreignId]);
      expect(foreign.code).toBe(3);
      expect(foreign.stderr).toMatch(/NOT_FOUND/);

      const noScope = await tg(['connections', 'create', '--name', 'x']);
      expect(noScope.code).toBe(2);
      expect(noScope.stderr).toMatch(/INVALID_INPUT.*--account/);
      const missing = await tg(['connections', 'create', '--file', join(dir, 'nope.yaml')]);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/FILE_NOT_READABLE.*nope\.yaml: ENOENT/);
      for (const r of [noScope, missing]) expect(r.stderr).not.toMatch(/\n\s+at /);

      // verify --wait on a role that does not exist, while the service retries AWS (as it waits for IAM's propagation):
      // its "waiting" printed while the request is in flight, each check as it completes, again, then exit 7.
      const deps = env.t.service.deps;
      const retry = deps.verifyRetry;
      deps.verifyRetry = { baseDelayMs: 1500, maxDelayMs: 1500, maxWaitMs: 3000, jitter: false };
      const absent = `arn:aws:iam::${customer.accountId}:role/Nope`;
      const failed = await tg(
        `connections verify ${ids.scratch} --role-arn ${absent} --wait --wait-timeout 10s --interval 1s`.split(' '),
      ).finally(() => (deps.verifyRetry = retry));
      expect(failed.code).toBe(7);
      expect(failed.stdout).toMatch(
        /pending +\d{12} {2}\S+Nope: Waiting for AWS: the role is not assumable yet \(attempt 1\)/,
      );
      expect(failed.stdout).toMatch(
        new RegExp(`broken +${customer.accountId}  ${absent}: The role could not be assumed`),
      );
      expect(failed.stdout).toContain('not connected yet; verifying again in 1 s');
      expect(failed.stderr).toMatch(/VERIFICATION_FAILED/);
    });

    it('deletes only with --yes when not at a terminal; no run printed the token', async () => {
      const asked = await tg(['connections', 'delete', ids.scratch!]);
      expect(asked.code).toBe(2);
      expect(asked.stderr).toMatch(/pass --yes/);
      expect((await tg(['connections', 'delete', ids.scratch!, '--yes'])).code).toBe(0);
      expect((await tg(['attachments', 'delete', ids.attachment!, '--stack', 'web', '--yes'])).code).toBe(0);
      expect(json(await tg(['stacks', 'delete', 'web', '--yes', '-o', 'json']))).toEqual({ ok: true });
      for (const r of runs) expect(r.stdout + r.stderr).not.toContain(admin);
    });
  },
);

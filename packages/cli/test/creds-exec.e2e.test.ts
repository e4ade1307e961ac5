import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { startServiceOnSandbox, type ServiceOnSandbox } from '../../server/test/service-harness.ts';
import { createServiceClient } from '../src/service-client.ts';
import { isFinalRefusal } from '../src/commands/exec.ts';
import { startLocalContainerEndpoint, type LocalContainerEndpoint } from '../src/commands/local-container-endpoint.ts';
import { BIN } from './run-serve.ts';

/**
 * `trustgate creds` and `trustgate exec` as a platform's worker runs them: the CLI in a child process against a real
 * service on the sandbox (a connection whose role trusts stack-scoped external IDs, a stack, an attachment verified
 * at attach time, an API token with only the credentials:issue scope), and the AWS CLI (`aws` on the PATH, botocore)
 * consuming each delivery format unchanged. No test prints a credential: outputs are checked for what they must and
 * must not contain.
 */

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Spawns `command args`, collecting its output; `onStdout` sees the output so far as it arrives. */
function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  onStdout?: (text: string, child: ReturnType<typeof spawn>) => void,
): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      onStdout?.(stdout, child);
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

// Each CLI run starts a Node process (about a second; more on a busy machine): a few per test.
describe('trustgate creds and exec against a service on the sandbox', { timeout: 60_000 }, () => {
  let env: ServiceOnSandbox;
  let dir: string;
  let issueToken: string;
  let childEnv: NodeJS.ProcessEnv;
  let roleArnPrefix: string;
  let admin: string;
  let connectionId: string;
  let endpoint: LocalContainerEndpoint | undefined;

  const cli = (args: string[], extra: NodeJS.ProcessEnv = {}, onStdout?: Parameters<typeof run>[3]) =>
    run(process.execPath, [BIN, ...args], { ...childEnv, ...extra }, onStdout);
  const callerIdentity = () => ['aws', 'sts', 'get-caller-identity', '--endpoint-url', env.sandbox.endpoint];
  const arnOf = (r: Ran): string => (JSON.parse(r.stdout) as { Arn: string }).Arn;

  beforeAll(async () => {
    env = await startServiceOnSandbox({ dialect: 'sqlite', sandbox: { accounts: 2 } });
    const { t, sandbox } = env;
    const customer = sandbox.accounts[1]!;
    admin = (await t.newOrganization('Acme')).adminToken;
    const created = await t.api('POST', '/v1/connections', {
      token: admin,
      body: {
        name: 'cli',
        scope: { kind: 'account', accountId: customer.accountId },
        roleName: 'Tg-cli',
        externalIdTrust: { kind: 'scoped', phases: ['read', 'write'] },
      },
    });
    expect(created.status, created.text).toBe(201);
    const iam = new IAMClient({
      endpoint: sandbox.endpoint,
      region: sandbox.region,
      credentials: { accessKeyId: customer.accessKeyId, secretAccessKey: customer.secretAccessKey },
    });
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'Tg-cli',
        AssumeRolePolicyDocument: JSON.stringify(created.body.deliverables.trustPolicy),
      }),
    );
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'Tg-cli',
        PolicyName: 'everything',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
        }),
      }),
    );
    connectionId = created.body.connection.id;
    const roleArn = `arn:aws:iam::${customer.accountId}:role/Tg-cli`;
    const verified = await t.api('POST', `/v1/connections/${connectionId}/verify`, { token: admin, body: { roleArn } });
    expect(verified.status, verified.text).toBe(200);
    const stack = await t.api('POST', '/v1/stacks', { token: admin, body: { slug: 'web', name: 'Web' } });
    expect(stack.status, stack.text).toBe(201);
    const attached = await t.api('POST', `/v1/stacks/${stack.body.id}/attachments`, {
      token: admin,
      body: { connectionId, phases: ['read', 'write'], durationSeconds: 900 },
    });
    expect(attached.status, attached.text).toBe(201);
    const token = await t.api('POST', '/v1/tokens', {
      token: admin,
      body: { name: 'worker', scopes: ['credentials:issue'] },
    });
    expect(token.status, token.text).toBe(201);
    issueToken = token.body.secret;
    roleArnPrefix = `arn:aws:sts::${customer.accountId}:assumed-role/Tg-cli/`;

    dir = mkdtempSync(join(tmpdir(), 'tg-cli-creds-'));
    const inherited = Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_') && !k.startsWith('TRUSTGATE_'));
    childEnv = {
      ...Object.fromEntries(inherited),
      // The AWS CLI reads no file of this machine's, and never waits on an instance metadata service.
      AWS_CONFIG_FILE: join(dir, 'no-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      TRUSTGATE_URL: t.url,
      TRUSTGATE_TOKEN: issueToken,
    };
  }, 120_000);
  afterAll(async () => {
    await endpoint?.close();
    await env?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('exec gives the command the run session as static keys, never TRUSTGATE_TOKEN; the AWS CLI is the assumed role named for the run', async () => {
    const ran = await cli([
      'exec',
      '--stack',
      'web',
      '--phase',
      'read',
      '--run',
      'run-static',
      '--',
      'sh',
      '-c',
      'if [ -n "${TRUSTGATE_TOKEN+x}" ]; then exit 99; fi; exec "$@"',
      'sh',
      ...callerIdentity(),
    ]);
    expect(ran.code, ran.stderr).toBe(0);
    expect(arnOf(ran).startsWith(roleArnPrefix)).toBe(true);
    expect(arnOf(ran)).toMatch(/run-static$/);
  });

  it('exec --server: the AWS CLI, boto3 and the AWS SDK v3 read their credentials from the local container endpoint, with no static keys', async () => {
    const sdkV3 = [
      "import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';",
      'const me = await new STSClient({ endpoint: process.argv[1] }).send(new GetCallerIdentityCommand({}));',
      'console.log(me.Arn);',
    ].join(' ');
    const boto3 =
      "import boto3, sys; print(boto3.client('sts', endpoint_url=sys.argv[1]).get_caller_identity()['Arn'])";
    const ran = await cli([
      'exec',
      '--stack',
      'web',
      '--phase',
      'write',
      '--run',
      'run-served',
      '--server',
      '--',
      'sh',
      '-c',
      [
        'if [ -n "${AWS_ACCESS_KEY_ID+x}${AWS_SESSION_TOKEN+x}${TRUSTGATE_TOKEN+x}" ]; then exit 98; fi',
        'case "$AWS_CONTAINER_CREDENTIALS_FULL_URI" in http://127.0.0.1:*) ;; *) exit 97;; esac',
        '[ -n "$AWS_CONTAINER_AUTHORIZATION_TOKEN" ] || exit 96',
        'aws sts get-caller-identity --endpoint-url "$1" --query Arn --output text || exit 95',
        'python3 -c "$2" "$1" || exit 94',
        'exec node --input-type=module -e "$3" "$1"',
      ].join('\n'),
      'sh',
      env.sandbox.endpoint,
      boto3,
      sdkV3,
    ]);
    expect(ran.code, ran.stderr).toBe(0);
    const arns = ran.stdout.trim().split('\n');
    expect(arns).toHaveLength(3);
    for (const arn of arns) {
      expect(arn.startsWith(roleArnPrefix)).toBe(true);
      expect(arn).toMatch(/run-served$/);
    }
  });

  it('exec --lifetime longer than the session (900 s here) serves the endpoint, says so, and shorter gives static keys', async () => {
    const probe = [
      'sh',
      '-c',
      'if [ -n "$AWS_CONTAINER_CREDENTIALS_FULL_URI" ]; then echo endpoint; elif [ -n "$AWS_ACCESS_KEY_ID" ]; then echo static; fi',
    ];
    const exec = (lifetime: string) =>
      cli(['exec', '--stack', 'web', '--phase', 'read', '--run', 'run-life', '--lifetime', lifetime, '--', ...probe]);
    const long = await exec('1200');
    expect(long.code, long.stderr).toBe(0);
    expect(long.stdout).toBe('endpoint\n');
    expect(long.stderr).toMatch(/before --lifetime 1200 s: the command gets a local container credentials endpoint/);
    const short = await exec('600');
    expect(short.code, short.stderr).toBe(0);
    expect(short.stdout).toBe('static\n');
  });

  it("the local endpoint refreshes the run's session through the service with the run token, serving the new session once the service has one, and nothing after a revocation", async () => {
    const client = createServiceClient({ url: env.t.url, env: { TRUSTGATE_TOKEN: issueToken } });
    const first = await client.issue({
      stack: 'web',
      phase: 'read',
      runId: 'run-refresh',
      runToken: { lifetimeSeconds: 600 },
    });
    expect(first.runToken).toMatch(/^tgr_/);
    const initial = first.formats!.container;
    let refreshes = 0;
    // The endpoint's clock is moved on so the session has 20 s left, under minRemainingMs: each request refreshes first.
    const skewMs = Date.parse(initial.Expiration) - Date.now() - 20_000;
    endpoint = await startLocalContainerEndpoint({
      initial,
      refresh: async () => {
        refreshes++;
        return (await client.refresh(first.runToken!)).formats!.container;
      },
      now: () => Date.now() + skewMs,
      minRemainingMs: 30_000,
      isFinal: isFinalRefusal,
    });
    const served = async () => {
      const res = await fetch(endpoint!.url, {
        headers: { authorization: endpoint!.env.AWS_CONTAINER_AUTHORIZATION_TOKEN },
      });
      return {
        status: res.status,
        same: ((await res.json()) as { AccessKeyId?: string }).AccessKeyId === initial.AccessKeyId,
      };
    };
    // The service still has the run's session cached: a refresh brings the same one.
    expect(await served()).toEqual({ status: 200, same: true });
    expect(refreshes).toBe(1);
    // Once the service refreshes its cached sessions (here: told to refresh any with under 1,000 s left), the
    // endpoint's next refresh brings the new session and serves it.
    const broker = env.t.service.deps.broker!;
    const policy = broker.loadPolicy;
    broker.loadPolicy = { refreshAheadMs: 1_000_000, minRemainingMs: 0 };
    try {
      expect(await served()).toEqual({ status: 200, same: false });
    } finally {
      broker.loadPolicy = policy;
    }
    expect(refreshes).toBe(2);
    // Revoking the connection's sessions refuses the run token: the endpoint serves nothing more.
    const revoked = await env.t.api('POST', `/v1/connections/${connectionId}/revoke-sessions`, { token: admin });
    expect(revoked.status, revoked.text).toBe(200);
    expect((await served()).status).toBe(403);
  });

  it("passes the command's exit code through, 128+signal when a signal ended it, and forwards SIGTERM to it", async () => {
    const exec = ['exec', '--stack', 'web', '--phase', 'read', '--run', 'run-codes', '--', 'sh', '-c'];
    expect((await cli([...exec, 'exit 7'])).code).toBe(7);
    expect((await cli([...exec, 'kill -TERM $$'])).code).toBe(128 + 15);
    let sent = false;
    const trapped = await cli(
      // Bounded (10 s, then exit 3): a signal that did not arrive leaves no process behind.
      [...exec, 'trap "exit 42" TERM; echo ready; i=0; while [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done; exit 3'],
      {},
      (out, child) => {
        if (!sent && out.includes('ready')) {
          sent = true;
          child.kill('SIGTERM'); // to trustgate, which forwards it
        }
      },
    );
    expect(trapped.code).toBe(42);
  });

  it('creds: credential_process in an AWS config profile and eval of the env format both work with the AWS CLI', async () => {
    const config = join(dir, 'config');
    writeFileSync(
      config,
      [
        '[profile tg-plan]',
        `credential_process = ${process.execPath} ${BIN} creds --stack web --phase read --run run-cp --format credential-process`,
        'region = us-east-1',
        '',
      ].join('\n'),
    );
    const viaProfile = await run(callerIdentity()[0]!, [...callerIdentity().slice(1), '--profile', 'tg-plan'], {
      ...childEnv,
      AWS_CONFIG_FILE: config,
    });
    expect(viaProfile.code, viaProfile.stderr).toBe(0);
    expect(arnOf(viaProfile).startsWith(roleArnPrefix)).toBe(true);
    expect(arnOf(viaProfile)).toMatch(/run-cp$/);

    const viaEnv = await run(
      'sh',
      [
        '-c',
        `eval "$("${process.execPath}" "${BIN}" creds --stack web --phase read --run run-env)" && exec "$@"`,
        'sh',
        ...callerIdentity(),
      ],
      childEnv,
    );
    expect(viaEnv.code, viaEnv.stderr).toBe(0);
    expect(arnOf(viaEnv).startsWith(roleArnPrefix)).toBe(true);
    expect(arnOf(viaEnv)).toMatch(/run-env$/);
  });

  it('a wrong token (from TRUSTGATE_TOKEN or --token-file) exits 4 with a message that never repeats it, and exec runs nothing; an unknown stack exits 3', async () => {
    const wrong = `tg_${randomBytes(16).toString('hex')}`;
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, `${wrong}\n`);
    const marker = join(dir, 'ran');
    const attempts = [
      await cli(['creds', '--stack', 'web', '--phase', 'read'], { TRUSTGATE_TOKEN: wrong }),
      await cli(['creds', '--stack', 'web', '--phase', 'read', '--token-file', tokenFile], { TRUSTGATE_TOKEN: '' }),
      await cli(['exec', '--stack', 'web', '--phase', 'read', '--', 'touch', marker], { TRUSTGATE_TOKEN: wrong }),
    ];
    for (const r of attempts) {
      expect(r.code).toBe(4);
      expect(r.stderr).toContain('UNAUTHENTICATED');
      expect(r.stdout).toBe('');
      expect(`${r.stdout}${r.stderr}`.includes(wrong)).toBe(false);
    }
    expect(existsSync(marker)).toBe(false);
    // With the right token, the service's error codes become core's exit codes: no such stack is 3.
    const unknown = await cli(['creds', '--stack', 'nope', '--phase', 'read']);
    expect(unknown.code, unknown.stderr).toBe(3);
    expect(unknown.stderr).toContain('NOT_FOUND');
  });
});

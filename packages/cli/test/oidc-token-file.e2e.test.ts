import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '@trustgate/sandbox';
import { applyStack, startTestService, type TestService } from '../../server/test/service-harness.ts';
import { BIN } from './run-serve.ts';

/**
 * `trustgate creds --format web-identity` and `trustgate exec` for an OIDC connection (issue 13), as a worker runs
 * them: the CLI in a child process against a service holding no AWS credentials, on the sandbox, which fetches the
 * issuer's discovery document and JWKS over HTTP. Stack `web` is attached with assumeOnWorker (the run gets the
 * token file and its own tooling assumes the role), stack `api` without (trustgate assumes the role and delivers
 * credentials); the AWS CLI, boto3 and the AWS SDK v3 each work with both. No test prints a token or a credential.
 */

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const ISSUER = 'https://exec.trustgate.test';
const JWT = /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/;

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The AWS CLI, boto3 and the AWS SDK v3, each printing the caller's ARN; `$1` is the STS endpoint. */
const THREE_TOOLS = [
  'aws sts get-caller-identity --query Arn --output text || exit 95',
  "python3 -c \"import boto3; print(boto3.client('sts').get_caller_identity()['Arn'])\" || exit 94",
  'exec node --input-type=module -e "import { STSClient, GetCallerIdentityCommand } from \'@aws-sdk/client-sts\'; console.log((await new STSClient({}).send(new GetCallerIdentityCommand({}))).Arn);"',
].join('\n');

describe('trustgate creds --format web-identity and exec with an OIDC connection', { timeout: 90_000 }, () => {
  let sandbox: Sandbox;
  let t: TestService;
  let dir: string;
  let childEnv: NodeJS.ProcessEnv;
  let arnPrefix: string;
  let admin: string;
  let connectionId: string;
  /** The issuer's clock runs this far behind: tokens of its 60-second lifetime then expire 8 s from now. */
  let skewMs = -52_000;

  const cli = (args: string[], extra: NodeJS.ProcessEnv = {}) =>
    run(process.execPath, [BIN, ...args], { ...childEnv, ...extra });

  beforeAll(async () => {
    sandbox = await startSandbox({ accounts: 1 });
    const customer = sandbox.accounts[0]!;
    t = await startTestService({
      dialect: 'sqlite',
      partitions: { aws: { endpoint: sandbox.endpoint, region: sandbox.region, accountId: '111111111111' } },
      identity: {
        issuerUrl: ISSUER,
        keyEncryptionKey: randomBytes(32),
        maxTokenLifetimeSeconds: 60,
        clock: () => new Date(Date.now() + skewMs),
      },
    });
    sandbox.routeOidcIssuer(ISSUER, t.url);
    admin = (await t.newOrganization('Acme')).adminToken;
    const created = await t.api('POST', '/v1/connections', {
      token: admin,
      body: {
        name: 'oidc',
        roleName: 'TgExec',
        scope: { kind: 'account', accountId: customer.accountId },
        trust: { kind: 'oidc', phases: ['read', 'write'] },
      },
    });
    expect(created.status, created.text).toBe(201);
    connectionId = created.body.connection.id;
    const stack = await applyStack({
      endpoint: sandbox.endpoint,
      credentials: customer,
      stackName: 'tg-exec',
      templateBody: created.body.deliverables.formats['cloudformation-json'],
    });
    expect(stack.status, stack.reason).toBe('CREATE_COMPLETE');
    const verified = await t.api('POST', `/v1/connections/${connectionId}/verify`, {
      token: admin,
      body: { roleArn: stack.outputs.RoleArn },
    });
    expect(verified.body.status, verified.text).toBe('connected');
    for (const [slug, assumeOnWorker] of [
      ['web', true],
      ['api', false],
    ] as const) {
      const s = await t.api('POST', '/v1/stacks', { token: admin, body: { slug, name: slug } });
      const attached = await t.api('POST', `/v1/stacks/${s.body.id}/attachments`, {
        token: admin,
        body: { connectionId, phases: ['read', 'write'], assumeOnWorker },
      });
      expect(attached.status, attached.text).toBe(201);
    }
    const token = await t.api('POST', '/v1/tokens', {
      token: admin,
      body: { name: 'worker', scopes: ['credentials:issue'] },
    });
    arnPrefix = `arn:aws:sts::${customer.accountId}:assumed-role/TgExec/`;
    dir = mkdtempSync(join(tmpdir(), 'tg-cli-wid-'));
    const inherited = Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_') && !k.startsWith('TRUSTGATE_'));
    childEnv = {
      ...Object.fromEntries(inherited),
      // The tools read no file of this machine's, never wait on an instance metadata service, and call the sandbox.
      AWS_CONFIG_FILE: join(dir, 'no-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_ENDPOINT_URL_STS: sandbox.endpoint,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      TRUSTGATE_URL: t.url,
      TRUSTGATE_TOKEN: token.body.secret,
    };
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await sandbox?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('exec writes the token file in a private folder and replaces it before the token expires: the AWS CLI assumes the role after the first token expired; the folder is gone after', async () => {
    const ran = await cli([
      'exec',
      '--stack',
      'web',
      '--phase',
      'read',
      '--run',
      'run-refresh',
      '--',
      'sh',
      '-c',
      [
        'if [ -n "${AWS_ACCESS_KEY_ID+x}${TRUSTGATE_TOKEN+x}${AWS_CONTAINER_CREDENTIALS_FULL_URI+x}" ]; then exit 98; fi',
        'f="$AWS_WEB_IDENTITY_TOKEN_FILE"; echo "$f"',
        'stat -c %a "$f" "$(dirname "$f")"',
        'first=$(cat "$f")',
        // The first token (8 s) has expired by now; the file holds a refreshed one.
        'sleep 10',
        '[ "$(cat "$f")" != "$first" ] || exit 90',
        'aws sts get-caller-identity --query Arn --output text',
      ].join('\n'),
    ]);
    expect(ran.code, ran.stderr).toBe(0);
    const [file, fileMode, dirMode, arn] = ran.stdout.trim().split('\n');
    expect([fileMode, dirMode]).toEqual(['600', '700']);
    expect(arn).toBe(`${arnPrefix}tg-web-run-refresh`);
    expect(existsSync(file!)).toBe(false);
    expect(`${ran.stdout}${ran.stderr}`).not.toMatch(JWT);
    skewMs = 0; // tokens of the full 60 s from here on
  });

  it('exec with the token file: the AWS CLI, boto3 and the AWS SDK v3 each assume the role by themselves', async () => {
    const ran = await cli([
      'exec',
      '--stack',
      'web',
      '--phase',
      'write',
      '--run',
      'run-tools',
      '--',
      'sh',
      '-c',
      THREE_TOOLS,
    ]);
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout.trim().split('\n')).toEqual(Array(3).fill(`${arnPrefix}tg-web-run-tools`));
  });

  it('exec with delivered credentials (trustgate assumed the role): the AWS CLI, boto3 and the AWS SDK v3 each are the role', async () => {
    const ran = await cli([
      'exec',
      '--stack',
      'api',
      '--phase',
      'read',
      '--run',
      'run-keys',
      '--',
      'sh',
      '-c',
      THREE_TOOLS,
    ]);
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout.trim().split('\n')).toEqual(Array(3).fill(`${arnPrefix}tg-api-run-keys`));
  });

  it('creds --format web-identity writes the token (0600) and prints the variables, not the token; eval then the AWS CLI is the role', async () => {
    const file = join(dir, 'token');
    const args = ['creds', '--stack', 'web', '--phase', 'read', '--run', 'run-creds', '--format', 'web-identity'];
    const printed = await cli([...args, '--web-identity-token-file', file]);
    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.stdout).not.toMatch(JWT);
    expect(printed.stdout).toContain(`export AWS_WEB_IDENTITY_TOKEN_FILE='${file}'`);
    expect(printed.stdout).toContain("export AWS_ROLE_SESSION_NAME='tg-web-run-creds'");
    expect(printed.stdout).toMatch(/^export AWS_ROLE_ARN='arn:aws:iam::\d{12}:role\/TgExec'$/m);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toMatch(JWT);
    const viaEval = await run(
      'sh',
      ['-c', `${printed.stdout}exec aws sts get-caller-identity --query Arn --output text`],
      childEnv,
    );
    expect(viaEval.code, viaEval.stderr).toBe(0);
    expect(viaEval.stdout.trim()).toBe(`${arnPrefix}tg-web-run-creds`);
  });

  it('creds refuses what cannot work, exit 2 naming what to pass: env for a token attachment, web-identity without a file or for credentials', async () => {
    const base = ['creds', '--phase', 'read', '--run', 'run-bad'];
    const env = await cli([...base, '--stack', 'web']);
    expect(env.code).toBe(2);
    expect(env.stderr).toMatch(/--format web-identity --web-identity-token-file PATH/);
    const noFile = await cli([...base, '--stack', 'web', '--format', 'web-identity']);
    expect(noFile.code).toBe(2);
    expect(noFile.stderr).toMatch(/give --web-identity-token-file PATH/);
    const keys = await cli([
      ...base,
      '--stack',
      'api',
      '--format',
      'web-identity',
      '--web-identity-token-file',
      join(dir, 'never'),
    ]);
    expect(keys.code).toBe(2);
    expect(keys.stderr).toMatch(/does not hand the run a web identity token/);
    expect(existsSync(join(dir, 'never'))).toBe(false);
    for (const r of [env, noFile, keys]) expect(`${r.stdout}${r.stderr}`).not.toMatch(JWT);
  });
});

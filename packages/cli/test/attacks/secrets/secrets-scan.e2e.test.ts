import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IAMClient, UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyStack } from '../../../../server/test/service-harness.ts';
import { runServe, stopServe, type Served } from '../../run-serve.ts';
import { recordAtRest } from './at-rest.ts';
import { recordedCalls } from './recorded-calls.ts';
import { SecretLedger } from './secret-ledger.ts';

/**
 * Issue 16, "Secrets": the real `trustgate serve` (sandbox, SQLite file, Redis cache, log level trace) and the real
 * CLI hand out every kind of secret and provoke the errors around them; each secret is recorded with the answer that
 * issued it, then every other answer, the whole log, the audit, /metrics, /openapi.json, every CLI output and what
 * the service keeps at rest are searched for it in every form (secret-ledger.ts): none found. README, "Secrets".
 */

/** The banner's last line: everything before it is the answer that issued the admin token and the sandbox keys. */
const BANNER_END = /^ {2}apply a template: .*\n/m;

const REDIS_URL = 'redis://127.0.0.1:6379';

/** Every kind of secret the scenario is handed (or presents): the scan covers each. */
const KINDS = ['API token', 'sandbox secret key', 'callback token', 'run token', 'AWS secret key', 'session token'];
KINDS.push('OIDC token', 'container endpoint token', 'wrong token', 'forged run token', 'operator token');

describe('no secret the service or the CLI handed out is found anywhere but in the answer that issued it', () => {
  const ledger = new SecretLedger();
  const dir = mkdtempSync(join(tmpdir(), 'tg-secrets-'));
  const db = join(dir, 'trustgate.db');
  const operator = ledger.presented('operator token', `op_${randomBytes(24).toString('base64url')}`);
  let served: Served;
  let bannerEnd = 0;
  let calls: ReturnType<typeof recordedCalls>;
  const api = (...args: Parameters<typeof calls.api>) => calls.api(...args);
  const cli = (...args: Parameters<typeof calls.cli>) => calls.cli(...args);

  beforeAll(async () => {
    mkdirSync(join(dir, 'worker')); // files handed to the service or written by the CLI: not the data folder's
    writeFileSync(join(dir, 'worker', 'operator'), `${operator}\n`, { mode: 0o600 });
    const operatorFile = ['--operator-token-file', join(dir, 'worker', 'operator')];
    served = await runServe(['--db', db, '--cache', REDIS_URL, ...operatorFile], {
      TRUSTGATE_LOG_LEVEL: 'trace',
      TRUSTGATE_DEBUG: '1',
      TRUSTGATE_CACHE_KEY: randomBytes(32).toString('base64'),
    });
    const text = served.output();
    const end = BANNER_END.exec(text);
    if (end === null) throw new Error(`no banner:\n${text}`);
    bannerEnd = end.index + end[0].length;
    ledger.place('serve start-up banner', text.slice(0, bannerEnd));
    ledger.issued('API token', served.token, 'serve start-up banner');
    for (const [, key] of text.slice(0, bannerEnd).matchAll(/AWS_SECRET_ACCESS_KEY=(\S+)/g))
      ledger.issued('sandbox secret key', key, 'serve start-up banner');
    calls = recordedCalls(ledger, served.url, dir);
  }, 90_000);
  afterAll(async () => {
    if (served !== undefined) await stopServe(served);
    rmSync(dir, { recursive: true, force: true });
  });

  it('issues every kind of secret, provokes the errors around them, and finds each only in its answer', async () => {
    const admin = served.token;
    const banner = served.output().slice(0, bannerEnd);
    const endpoint = /AWS sandbox at (http:\/\/\S+)/.exec(banner)![1]!;
    const account = /account (\d{12})\s+AWS_ACCESS_KEY_ID=(\S+) AWS_SECRET_ACCESS_KEY=(\S+)/.exec(banner)!;
    const [accountId, accessKeyId, secretAccessKey] = [account[1]!, account[2]!, account[3]!];
    const customer = { accessKeyId, secretAccessKey };
    const scope = { kind: 'account', accountId };

    // API tokens: one per use, each issued by its POST /v1/tokens answer.
    const newToken = async (name: string, scopes: string[]) => {
      const r = await api('POST', '/v1/tokens', { token: admin, body: { name, scopes } });
      expect(r.status).toBe(201);
      return { id: r.body.token.id as string, secret: ledger.issued('API token', r.body.secret, r.place) };
    };
    const worker = await newToken('worker', ['credentials:issue']);
    const consoleToken = await newToken('console', ['connections:read']);
    const revoked = await newToken('revoked', ['connections:read']);
    const expired = await newToken('expired', ['credentials:issue']);
    // The operator makes an organization: its admin's token is issued by that answer.
    const other = { name: 'Other', adminEmail: 'admin@other.test', adminName: 'Other admin' };
    const org = await api('POST', '/v1/organizations', { token: operator, body: other });
    expect(org.status).toBe(201);
    ledger.issued('API token', org.body.token.secret, org.place);

    // Connections: external ID (manual), automatic (its template carries a callback token), OIDC.
    const connect = async (name: string, extra: Record<string, unknown>) => {
      const created = await api('POST', '/v1/connections', {
        token: admin,
        body: { name, scope, roleName: `Tg-secrets-${name}`, ...extra },
      });
      expect(created.status).toBe(201);
      const template = created.body.deliverables.formats['cloudformation-json'] as string;
      return { name, id: created.body.connection.id as string, template, place: created.place };
    };
    const keys = await connect('keys', {});
    const oidc = await connect('oidc', { trust: { kind: 'oidc', phases: ['read', 'write'] } });
    const auto = await connect('auto', { mode: 'automatic' });
    const callbackToken = /"CallbackToken":\s*"([\w-]+)"/.exec(auto.template)?.[1];
    ledger.issued('callback token', callbackToken, auto.place);
    for (const c of [keys, oidc, auto]) {
      const stack = await applyStack({
        endpoint,
        credentials: customer,
        stackName: `tg-secrets-${c.name}`,
        templateBody: c.template,
      });
      expect(stack.status, stack.reason).toBe('CREATE_COMPLETE');
      if (c === auto) continue;
      const verified = await api('POST', `/v1/connections/${c.id}/verify`, {
        token: admin,
        body: { roleArn: stack.outputs.RoleArn },
      });
      expect(verified.body.status).toBe('connected');
    }
    expect((await api('GET', `/v1/connections/${auto.id}`, { token: admin })).body.status).toBe('connected');

    // Stacks: broker credentials (keys) and a web identity token handed to the worker (oidc, assume on worker).
    for (const [slug, connectionId, assumeOnWorker] of [
      ['keys', keys.id, false],
      ['oidc', oidc.id, true],
    ] as const) {
      const stack = await api('POST', '/v1/stacks', { token: admin, body: { slug, name: slug } });
      expect(stack.status).toBe(201);
      const attached = await api('POST', `/v1/stacks/${stack.body.id}/attachments`, {
        token: admin,
        body: { connectionId, phases: ['read', 'write'], assumeOnWorker },
      });
      expect(attached.status).toBe(201);
    }

    // Issuances over the API, with run tokens; a refresh re-delivers the run's session in its own answer.
    const issue = async (stack: string, runId: string) => {
      const r = await api('POST', '/v1/issuances', {
        token: worker.secret,
        body: { stack, phase: 'read', runId, runToken: { lifetimeSeconds: 600 } },
      });
      expect(r.status).toBe(201);
      ledger.issued('run token', r.body.runToken, r.place);
      return r;
    };
    const viaApi = await issue('keys', 'api-keys');
    ledger.issued('AWS secret key', viaApi.body.credentials.secretAccessKey, viaApi.place);
    ledger.issued('session token', viaApi.body.credentials.sessionToken, viaApi.place);
    const viaOidc = await issue('oidc', 'api-oidc');
    ledger.issued('OIDC token', viaOidc.body.webIdentity.token, viaOidc.place);
    const refreshed = await api('POST', '/v1/issuances/refresh', { token: viaApi.body.runToken, body: {} });
    expect(refreshed.status).toBe(200);
    ledger.issued('AWS secret key', refreshed.body.credentials.secretAccessKey, refreshed.place);
    ledger.issued('session token', refreshed.body.credentials.sessionToken, refreshed.place);
    if (refreshed.body.runToken !== undefined) ledger.issued('run token', refreshed.body.runToken, refreshed.place);
    const oidcRefresh = await api('POST', '/v1/issuances/refresh', { token: viaOidc.body.runToken, body: {} });
    expect(oidcRefresh.status).toBe(200);
    ledger.issued('OIDC token', oidcRefresh.body.webIdentity.token, oidcRefresh.place);
    // The container endpoint the AWS SDKs call, authorized by the raw run token.
    const container = await api('GET', '/v1/container-credentials', {
      headers: { authorization: viaApi.body.runToken },
    });
    expect(container.status).toBe(200);
    ledger.issued('AWS secret key', container.body.SecretAccessKey, container.place);
    ledger.issued('session token', container.body.Token, container.place);

    // The console's session cookie holds its token: the answer that set it carries it too.
    const signedIn = await api('POST', '/v1/console/session', {
      body: { token: consoleToken.secret },
      headers: { 'x-trustgate-console': '1' },
    });
    expect(signedIn.status).toBe(200);
    expect(signedIn.headers.get('set-cookie')).toContain(consoleToken.secret);
    ledger.issued('API token', consoleToken.secret, signedIn.place);
    const cookie = { cookie: `trustgate_session=${consoleToken.secret}` };
    expect((await api('GET', '/v1/connections', { headers: cookie })).status).toBe(200);

    // The CLI: creds in every format and exec, each issuing answer being the output that carries the secrets.
    const withWorker = { TRUSTGATE_TOKEN: worker.secret };
    for (const format of ['env', 'json', 'credential-process']) {
      const ran = await cli(
        ['creds', '--stack', 'keys', '--phase', 'read', '--run', `cli-${format}`, '--format', format],
        withWorker,
      );
      expect(ran.code, ran.stderr).toBe(0);
      ledger.issued(
        'AWS secret key',
        /(?:AWS_SECRET_ACCESS_KEY=['"]?|"SecretAccessKey":\s*"|"secretAccessKey":\s*")([^"\s']+)/.exec(ran.stdout)?.[1],
        ran.out,
      );
      ledger.issued(
        'session token',
        /(?:AWS_SESSION_TOKEN=['"]?|"SessionToken":\s*"|"sessionToken":\s*")([^"\s']+)/.exec(ran.stdout)?.[1],
        ran.out,
      );
    }
    const tokenFile = join(dir, 'worker', 'web-identity');
    const wid = await cli(
      [
        'creds',
        '--stack',
        'oidc',
        '--phase',
        'read',
        '--run',
        'cli-wid',
        '--format',
        'web-identity',
        '--web-identity-token-file',
        tokenFile,
      ],
      withWorker,
    );
    expect(wid.code, wid.stderr).toBe(0);
    const widFile = ledger.place('the web identity token file', readFileSync(tokenFile, 'utf8'));
    ledger.issued('OIDC token', readFileSync(tokenFile, 'utf8').trim(), widFile);
    const exec = await cli(
      [
        'exec',
        '--stack',
        'keys',
        '--phase',
        'write',
        '--run',
        'cli-exec',
        '--',
        'sh',
        '-c',
        'echo "$AWS_SECRET_ACCESS_KEY $AWS_SESSION_TOKEN"',
      ],
      withWorker,
    );
    expect(exec.code, exec.stderr).toBe(0);
    const [execSecret, execSession] = exec.stdout.trim().split(' ');
    ledger.issued('AWS secret key', execSecret, exec.out);
    ledger.issued('session token', execSession, exec.out);

    // exec --server: the command gets a local container endpoint and the token that authorizes it.
    const server = await cli(
      [
        'exec',
        '--stack',
        'keys',
        '--phase',
        'read',
        '--run',
        'cli-server',
        '--server',
        '--',
        'sh',
        '-c',
        'echo "$AWS_CONTAINER_AUTHORIZATION_TOKEN"',
      ],
      withWorker,
    );
    expect(server.code, server.stderr).toBe(0);
    ledger.issued('container endpoint token', server.stdout.trim(), server.out);

    // The CLI as the service's client: tokens made (printed once, or into a file), the lists and the audit trail.
    const withAdmin = { TRUSTGATE_TOKEN: admin };
    const made = await cli(['tokens', 'create', 'cli-made', '--scope', 'connections:read'], withAdmin);
    expect(made.code, made.stderr).toBe(0);
    ledger.issued('API token', /^(tg_[\w-]+)$/m.exec(made.stdout)?.[1], made.out);
    const secretFile = join(dir, 'worker', 'cli-secret');
    const filed = await cli(
      ['tokens', 'create', 'cli-file', '--scope', 'audit:read', '--secret-file', secretFile],
      withAdmin,
    );
    expect(filed.code, filed.stderr).toBe(0);
    const secretFilePlace = ledger.place('the --secret-file', readFileSync(secretFile, 'utf8'));
    ledger.issued('API token', readFileSync(secretFile, 'utf8').trim(), secretFilePlace);
    for (const args of [
      ['tokens', 'list'],
      ['connections', 'list', '-o', 'json'],
      ['stacks', 'list'],
      ['audit', 'list'],
    ])
      expect((await cli(args, withAdmin)).code).toBe(0);

    // Errors around them. A wrong token, and a secret of another kind presented as a token.
    const wrong = ledger.presented('wrong token', `tg_${randomBytes(32).toString('base64url')}`);
    expect((await api('GET', '/v1/me', { token: wrong })).status).toBe(401);
    expect((await api('GET', '/v1/me', { token: secretAccessKey })).status).toBe(401);
    expect((await api('GET', '/v1/me', { token: viaApi.body.runToken })).status).toBe(401);
    expect((await cli(['creds', '--stack', 'keys', '--phase', 'read'], { TRUSTGATE_TOKEN: wrong })).code).toBe(4);
    // Revoked, then expired (its expiry moved into the past in the store).
    expect((await api('DELETE', `/v1/tokens/${revoked.id}`, { token: admin })).status).toBeLessThan(300);
    expect((await api('GET', '/v1/connections', { token: revoked.secret })).status).toBe(401);
    const store = new Database(db);
    store.prepare('UPDATE api_tokens SET expires_at = ? WHERE id = ?').run('2020-01-01T00:00:00.000Z', expired.id);
    store.close();
    expect((await cli(['creds', '--stack', 'keys', '--phase', 'read'], { TRUSTGATE_TOKEN: expired.secret })).code).toBe(
      4,
    );
    // Refusals around secrets, and bodies carrying them: refused by validation, and as JSON that does not parse.
    const console1 = { 'x-trustgate-console': '1' };
    const runToken = viaApi.body.runToken as string;
    const refusals: [number, string, Parameters<typeof api>[2]][] = [
      [401, '/v1/issuances', { token: expired.secret, body: { stack: 'keys', phase: 'read', runId: 'x' } }],
      [401, '/v1/console/session', { body: { token: revoked.secret }, headers: console1 }],
      [400, '/v1/tokens', { token: admin, body: { name: worker.secret, scopes: ['nope'] } }],
      [400, '/v1/tokens', { token: admin, body: { name: 'x', scopes: ['audit:read'], secret: worker.secret } }],
      [400, '/v1/issuances', { token: worker.secret, body: { stack: 'keys', phase: 'read', runId: 'r', runToken } }],
      [400, '/v1/issuances/refresh', { raw: `{"runToken": "${runToken}"` }],
      [400, '/v1/console/session', { raw: `{"token": ${consoleToken.secret}}`, headers: console1 }],
    ];
    for (const [status, path, o] of refusals) expect((await api('POST', path, o)).status).toBe(status);
    // A forged run token (its signature changed).
    const forged = ledger.presented('forged run token', `${viaApi.body.runToken.slice(0, -6)}AAAAAA`);
    expect((await api('POST', '/v1/issuances/refresh', { token: forged, body: {} })).status).toBe(401);
    // Failing AWS calls: the role now trusts another account, so STS refuses the broker (over the API and the CLI).
    const iam = new IAMClient({ endpoint, region: 'us-east-1', credentials: customer });
    await iam.send(
      new UpdateAssumeRolePolicyCommand({
        RoleName: 'Tg-secrets-keys',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::000000000000:root' }, Action: 'sts:AssumeRole' },
          ],
        }),
      }),
    );
    const refused = await api('POST', '/v1/issuances', {
      token: worker.secret,
      body: { stack: 'keys', phase: 'write', runId: 'aws-refuses' },
    });
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(refused.body.error.code).toBe('ROLE_REFUSED');
    const refusedCli = await cli(['creds', '--stack', 'keys', '--phase', 'write', '--run', 'cli-refused'], withWorker);
    expect(refusedCli.code).not.toBe(0);
    expect(refusedCli.stderr).not.toBe('');

    // What an operator reads: the audit log, the stacks' issuances, the lists, /metrics and /openapi.json.
    const audit = await api('GET', '/v1/audit?after=0&limit=1000', { token: admin });
    expect(audit.body.length).toBeGreaterThan(20);
    for (const path of ['/v1/tokens', '/v1/connections', '/v1/stacks', '/v1/me', '/metrics', '/openapi.json'])
      expect((await api('GET', path, { token: admin })).status).toBe(200);
    for (const stack of (await api('GET', '/v1/stacks', { token: admin })).body)
      expect((await api('GET', `/v1/stacks/${stack.id}/issuances`, { token: admin })).status).toBe(200);

    // The service's whole log (stopped, so everything is written), then every row of every table of its store.
    expect(await stopServe(served)).toBe(0);
    const exported = await cli(['store', 'export', join(dir, 'export.json'), '--db', db]);
    expect(exported.code, exported.stderr).toBe(0);
    const log = served.output().slice(bannerEnd);
    ledger.place('serve stdout and stderr after the banner', log);
    // At trace level every request is logged: the log scanned is that of every answer above.
    expect(log.split('\n').filter((line) => line.includes('"msg":"incoming request"')).length).toBeGreaterThan(
      calls.count() / 2,
    );
    // What it keeps at rest: its store's rows, the broker's Redis cache, the files of its data folder.
    const atRest = await recordAtRest(ledger, db, dir, REDIS_URL);
    expect(atRest.rows).toBeGreaterThan(50);
    expect(atRest.redisEntries).toBeGreaterThanOrEqual(6);
    expect(atRest.files).toEqual(expect.arrayContaining(['trustgate.db', 'export.json']));
    // The store keeps each API token's SHA-256 hash, never the token.
    for (const token of ledger.of('API token'))
      expect(atRest.tokenHashes.has(createHash('sha256').update(token).digest('hex'))).toBe(true);

    const result = ledger.scan();
    console.log(
      `secrets: ${result.secrets} issued or presented (${Object.entries(result.byKind)
        .map(([k, v]) => `${v} ${k}`)
        .join(', ')}); ` +
        `${result.places} places scanned (${atRest.tables} store tables, ${atRest.rows} rows, ${atRest.files.length} files, ${atRest.redisEntries} Redis entries), ${result.bytes} bytes; leaks: ${result.leaks.length}`,
    );
    expect(Object.keys(result.byKind).sort()).toEqual([...KINDS].sort());
    expect(result.leaks).toEqual([]);
  }, 240_000);
});

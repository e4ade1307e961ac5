import { mkdtemp, rm, stat, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NO_AWS, OPERATOR_TOKEN, startTestService, type TestService } from '../../server/test/service-harness.ts';
import { runTrustgate, type CliRun } from './run-trustgate.ts';

const EXAMPLE_CATALOG = resolve(import.meta.dirname, '../../../catalogs/example.yaml');

let t: TestService;
let dir: string;
/** Organization B's admin token: the other tenant, for foreign IDs. */
let foreignToken: string;
/** Every run, with the one secret it may print (the token `tokens create` or `organizations create` issued). */
const runs: { run: CliRun; mayShow?: string }[] = [];
/** Every secret of the test: none may appear in any output but the one run that issued it. */
const secrets: string[] = [OPERATOR_TOKEN];

/** Organization A, made by `organizations create`, as the tests fill it in. */
const a = { token: '', memberId: '', connectionId: '', tokenId: '', spaceId: '' };

/** Runs `trustgate` against the service as organization A's admin (TRUSTGATE_URL and TRUSTGATE_TOKEN). */
async function tg(args: string[], options: { token?: string; env?: NodeJS.ProcessEnv; mayShow?: string } = {}) {
  const run = await runTrustgate(args, {
    env: { TRUSTGATE_URL: t.url, TRUSTGATE_TOKEN: options.token ?? a.token, ...options.env },
  });
  runs.push({ run, ...(options.mayShow === undefined ? {} : { mayShow: options.mayShow }) });
  expect(run.stderr, args.join(' ')).not.toMatch(/\n\s+at /);
  return run;
}

/** A successful run's stdout as JSON. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test convenience: answers are asserted field by field
function json(run: CliRun): any {
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout);
}

beforeAll(async () => {
  t = await startTestService({ dialect: 'sqlite', partitions: NO_AWS });
  foreignToken = (await t.newOrganization('Other')).adminToken;
  secrets.push(foreignToken);
  dir = await mkdtemp(join(tmpdir(), 'trustgate-admin-'));
});
afterAll(async () => {
  await t?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe(
  'trustgate organizations, users, tokens, spaces, catalogs, access and audit against the service',
  { timeout: 120_000 },
  () => {
    it('the operator creates an organization; its admin reads and renames it; a wrong operator token exits 4', async () => {
      const wrong = `op_${'x'.repeat(32)}`;
      secrets.push(wrong);
      const refused = await tg(
        ['organizations', 'create', 'Acme', '--admin-email', 'a@acme.test', '--admin-name', 'A'],
        {
          env: { TRUSTGATE_OPERATOR_TOKEN: wrong },
        },
      );
      expect(refused.code).toBe(4);
      expect(refused.stderr).toMatch(/UNAUTHENTICATED.*operator token/);

      const args = ['organizations', 'create', 'Acme', '--admin-email', 'admin@acme.test', '--admin-name', 'Ada'];
      const created = await runTrustgate([...args, '--output', 'json'], {
        env: { TRUSTGATE_URL: t.url, TRUSTGATE_OPERATOR_TOKEN: OPERATOR_TOKEN },
      });
      const body = json(created);
      expect(body.organization.name).toBe('Acme');
      expect(body.admin).toMatchObject({ email: 'admin@acme.test', role: 'admin' });
      expect(body.token.secret).toMatch(/^tg_/);
      a.token = body.token.secret;
      secrets.push(a.token);
      runs.push({ run: created, mayShow: a.token });

      const shown = json(await tg(['organizations', 'show', '--output', 'json']));
      expect(shown.organization).toEqual(body.organization);
      expect(shown.user).toEqual(body.admin);
      expect(shown.token.id).toBe(body.token.token.id);

      const renamed = await tg(['organizations', 'rename', 'Acme Corp']);
      expect(renamed.code).toBe(0);
      expect(renamed.stdout).toMatch(/^name:\s+Acme Corp$/m);

      // The OIDC subject: set keeps the template (the default here) and replaces the extra trusted ones.
      const extra = 'org:{org}:stack:{stack}:phase:{phase}';
      const subject = json(await tg(['organizations', 'oidc-subject', 'set', '--also-trust', extra, '-o', 'json']));
      expect(subject).toMatchObject({ isDefault: true, alsoTrusted: [extra] });
      expect(subject.trusted).toEqual([subject.template, extra]);
    });

    it('adds a user, lists and shows users (by email too); another organization gets NOT_FOUND (exit 3)', async () => {
      const user = json(await tg(['users', 'create', '--email', 'mia@acme.test', '--name', 'Mia', '--output', 'json']));
      expect(user).toMatchObject({ email: 'mia@acme.test', name: 'Mia', role: 'member' });
      a.memberId = user.id;

      expect(json(await tg(['users', 'show', 'mia@acme.test', '--output', 'json']))).toEqual(user);
      const foreign = await tg(['users', 'delete', user.id, '--yes'], { token: foreignToken });
      expect(foreign.code).toBe(3);
      expect(foreign.stderr).toMatch(/NOT_FOUND/);
    });

    it('issues tokens (the secret printed once, or to a 0600 file), lists them without secrets, revokes one', async () => {
      const issued = await tg(
        ['tokens', 'create', 'ci', '--scope', 'connections:read,audit:read', '--user', 'mia@acme.test', '-o', 'json'],
        { mayShow: '' },
      );
      const body = json(issued);
      expect(body.token).toMatchObject({ name: 'ci', userId: a.memberId, scopes: ['connections:read', 'audit:read'] });
      secrets.push(body.secret);
      runs[runs.length - 1]!.mayShow = body.secret;

      const table = await tg(['tokens', 'create', 'deploy', '--scope', 'admin', '--expires-in-days', '7'], {
        mayShow: '',
      });
      expect(table.code).toBe(0);
      const secret = /^(tg_\S+)$/m.exec(table.stdout)?.[1];
      expect(secret).toBeDefined();
      expect(table.stdout.split(secret!).length).toBe(2); // once
      expect(table.stdout).toMatch(/shown once/);
      secrets.push(secret!);
      runs[runs.length - 1]!.mayShow = secret!;

      const file = join(dir, 'secret');
      const filed = json(
        await tg(['tokens', 'create', 'filed', '--scope', 'audit:read', '--secret-file', file, '-o', 'json']),
      );
      expect(filed.secret).toBeUndefined();
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      const fileSecret = (await readFile(file, 'utf8')).trim();
      secrets.push(fileSecret);

      const listed = await tg(['tokens', 'list', '--output', 'json']);
      const tokens = json(listed) as { id: string; name: string; revokedAt: string | null }[];
      expect(tokens.map((k) => k.name).sort()).toEqual(['ci', 'deploy', 'filed', 'initial admin token'].sort());
      expect(listed.stdout).not.toMatch(/"secret"|tg_/);

      const deploy = tokens.find((k) => k.name === 'deploy')!;
      a.tokenId = body.token.id;
      const revoked = await tg(['tokens', 'revoke', deploy.id]);
      expect(revoked.code).toBe(0);
      expect(revoked.stdout).toBe(`Token ${deploy.id} revoked.\n`);
      const refused = await tg(['organizations', 'show'], { token: secret! });
      expect(refused.code).toBe(4);
      expect(refused.stderr).toMatch(/UNAUTHENTICATED.*TRUSTGATE_TOKEN was refused/);
    });

    it('creates, lists and deletes spaces; deleting asks for --yes when not in a terminal', async () => {
      const space = json(await tg(['spaces', 'create', 'production', '--output', 'json']));
      expect(space.name).toBe('production');
      a.spaceId = space.id;
      const list = await tg(['spaces', 'list']);
      expect(list.stdout).toMatch(new RegExp(`^${space.id}\\s+production\\s+`, 'm'));

      const unasked = await tg(['spaces', 'delete', space.id]);
      expect(unasked.code).toBe(2);
      expect(unasked.stderr).toMatch(/needs --yes/);
      expect(json(await tg(['spaces', 'delete', space.id, '--yes', '--output', 'json']))).toEqual({ ok: true });
    });

    it('validates a catalog here before uploading it; uploads, lists and shows catalogs', async () => {
      const bad = join(dir, 'broken.yaml');
      await writeFile(bad, 'version: 1\nproducts:\n  - id: x\n    name: X\n    integrations: []\n    colour: blue\n');
      const refused = await tg(['catalogs', 'upload', bad]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/INVALID_CATALOG/);
      expect(refused.stderr).toMatch(/products\[0\]/);
      expect((await t.api('GET', '/v1/catalogs', { token: a.token })).body).toEqual([]); // nothing was sent

      const uploaded = json(await tg(['catalogs', 'upload', EXAMPLE_CATALOG, '--output', 'json']));
      expect(uploaded.catalog).toMatchObject({ name: 'example', version: 1, fileName: 'example.yaml' });
      expect(uploaded.connectionsNeedingUpdate).toBe(0);

      const list = await tg(['catalogs', 'list']);
      expect(list.stdout).toMatch(/^example\s+1\s+example\.yaml/m);
      expect(json(await tg(['catalogs', 'show', 'example', '--output', 'json']))).toEqual(uploaded.catalog);
    });

    it("grants, lists and revokes access to a connection; another organization's admin gets exit 3", async () => {
      const created = await t.api('POST', '/v1/connections', {
        token: a.token,
        body: { name: 'customer', scope: { kind: 'account', accountId: '222222222222' } },
      });
      expect(created.status).toBe(201);
      a.connectionId = created.body.connection.id;
      const id = a.connectionId;

      const grant = json(await tg(['access', 'grant', id, 'mia@acme.test', '--level', 'user', '--output', 'json']));
      expect(grant).toEqual({ userId: a.memberId, level: 'user' });
      const list = await tg(['access', 'list', id]);
      expect(list.stdout).toMatch(new RegExp(`^${a.memberId}\\s+mia@acme\\.test\\s+Mia\\s+user$`, 'm'));

      const foreign = await tg(['access', 'grant', id, a.memberId, '--level', 'owner'], { token: foreignToken });
      expect(foreign.code).toBe(3);
      expect(foreign.stderr).toMatch(/NOT_FOUND/);
      expect(json(await tg(['access', 'revoke', id, a.memberId, '--output', 'json']))).toEqual({ ok: true });
      const grants = (await t.api('GET', `/v1/connections/${id}/access`, { token: a.token })).body;
      expect(grants.map((g: { userId: string }) => g.userId)).not.toContain(a.memberId);

      const deleted = await tg(['users', 'delete', 'mia@acme.test', '--yes']);
      expect(deleted.stdout).toBe('User mia@acme.test deleted.\n');
      expect((await t.api('GET', `/v1/users/${a.memberId}`, { token: a.token })).status).toBe(404);
    });

    it('reads the audit trail (JSON, table, by connection) and follows it for new events', async () => {
      const events = json(await tg(['audit', 'list', '--output', 'json'])) as {
        action: string;
        connectionId: string;
      }[];
      expect(events.map((e) => e.action)).toEqual(
        expect.arrayContaining([
          'organization.oidc-subject',
          'user.create',
          'user.delete',
          'token.create',
          'token.revoke',
          'space.delete',
          'catalog.upload',
        ]),
      );
      const byConnection = await tg(['audit', 'list', '--connection', a.connectionId, '--limit', '2']);
      const lines = byConnection.stdout.trim().split('\n');
      expect(lines[0]).toMatch(/^AT\s+ACTION\s+CONNECTION\s+ACTOR\s+TOKEN\s+DETAILS$/);
      expect(lines.slice(1).map((l) => l.split(/\s+/)[1])).toEqual(['access.revoke', 'access.grant']);

      // Follow: new spaces are made until the follower has printed two new events.
      const following = runTrustgate(
        ['audit', 'list', '--follow', '--limit', '0', '--count', '2', '--interval', '0.2', '-o', 'json'],
        { env: { TRUSTGATE_URL: t.url, TRUSTGATE_TOKEN: a.token } },
      );
      let done = false;
      const made: string[] = [];
      void following.then(() => (done = true));
      await new Promise((r) => setTimeout(r, 1500));
      while (!done && made.length < 40) {
        const space = await t.api('POST', '/v1/spaces', { token: a.token, body: { name: `s${made.length}` } });
        made.push(space.body.id);
        await new Promise((r) => setTimeout(r, 300));
      }
      const run = await following;
      runs.push({ run });
      expect(run.code).toBe(0);
      const followed = run.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(followed).toHaveLength(2);
      for (const e of followed) expect(e.action).toBe('space.create');
      const ids = followed.map((e) => e.details.spaceId as string);
      expect(made).toEqual(expect.arrayContaining(ids));
      expect(made.indexOf(ids[1]!)).toBe(made.indexOf(ids[0]!) + 1); // oldest first, none skipped

      const until = await tg(['audit', 'list', '--follow', '--limit', '3', '--until', '1s']);
      expect(until.code).toBe(0);
      const tail = until.stdout.trim().split('\n');
      expect(tail[0]).toMatch(/^AT\s+ACTION/);
      // The newest three as the API lists them (newest first), printed oldest first; the follower stopped after two
      // new spaces, so at least those two are among them (the loop may have made more before it saw the end).
      const newest = await t.api('GET', '/v1/audit?limit=3', { token: a.token });
      const expected = (newest.body as { action: string }[]).map((e) => e.action).reverse();
      expect(expected.slice(-2)).toEqual(['space.create', 'space.create']);
      expect(tail.slice(1).map((l) => l.split(/\s+/)[1])).toEqual(expected);
    });

    it('printed no token anywhere but where one was issued', () => {
      expect(runs.length).toBeGreaterThan(20);
      for (const { run, mayShow } of runs)
        for (const secret of secrets) if (secret !== mayShow) expect(run.stdout + run.stderr).not.toContain(secret);
    });
  },
);

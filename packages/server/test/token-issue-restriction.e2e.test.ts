import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../src/model/broker-records.ts';
import { startBrokerEnv, type BrokerEnv } from './issuance-harness.ts';

/**
 * API tokens scoped to issuing for given spaces or stacks (issue 12, "Access"), set through POST /v1/tokens, as
 * attacks: a restricted token issues for nothing else, and cannot mint a token that may.
 */
describe('tokens restricted to issuing for given stacks', () => {
  let env: BrokerEnv;
  let web: Stack;
  let api: Stack;
  beforeAll(async () => {
    env = await startBrokerEnv({ dialect: 'sqlite' });
    const conn = await env.connect('main');
    web = await env.stack('web');
    api = await env.stack('api');
    await env.attach(web, conn.id, {});
    await env.attach(api, conn.id, {});
  });
  afterAll(async () => env?.close());

  const mint = (token: string, body: Record<string, unknown>) => env.api('POST', '/v1/tokens', { token, body });
  const issue = (token: string, stack: string) =>
    env.api('POST', '/v1/issuances', { token, body: { stack, phase: 'read', runId: 'r-1' } });

  it('issues only for the stacks it names, and shows its restriction', async () => {
    const res = await mint(env.adminToken, {
      name: 'web only',
      scopes: ['credentials:issue'],
      issueRestriction: { stackIds: [web.id] },
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body.token.issueRestriction).toEqual({ stackIds: [web.id] });
    const secret: string = res.body.secret;
    expect((await issue(secret, 'web')).status).toBe(201);
    const other = await issue(secret, 'api');
    expect(other.status).toBe(403);
    expect(other.body.credentials).toBeUndefined();
    // The refusal is audited: who asked for what, and the answer's code.
    const audit = await env.api('GET', '/v1/audit?limit=50', { token: env.adminToken });
    const refused = audit.body.find((e: { action: string }) => e.action === 'credentials.refuse');
    expect(refused).toMatchObject({
      tokenId: res.body.token.id,
      details: { stack: 'api', phase: 'read', runId: 'r-1', code: 'FORBIDDEN', via: 'api' },
    });
    const listed = await env.api('GET', '/v1/tokens', { token: env.adminToken });
    expect(listed.body.find((t: { id: string }) => t.id === res.body.token.id).issueRestriction).toEqual({
      stackIds: [web.id],
    });
  });

  it('cannot mint a wider token: no restriction inherits its own, another stack is refused', async () => {
    const narrow = await mint(env.adminToken, {
      name: 'narrow',
      scopes: ['credentials:issue'],
      issueRestriction: { stackIds: [web.id] },
    });
    const secret: string = narrow.body.secret;
    const inherited = await mint(secret, { name: 'child', scopes: ['credentials:issue'] });
    expect(inherited.status, inherited.text).toBe(201);
    expect(inherited.body.token.issueRestriction).toEqual({ stackIds: [web.id] });
    expect((await issue(inherited.body.secret, 'api')).status).toBe(403);
    const wider = await mint(secret, {
      name: 'wider',
      scopes: ['credentials:issue'],
      issueRestriction: { stackIds: [web.id, api.id] },
    });
    expect(wider.status).toBe(403);
    expect(wider.body.error.field).toBe('issueRestriction');
  });

  it('refuses a restriction without the issue scope, an unknown stack, and an empty restriction, creating nothing', async () => {
    const before = (await env.api('GET', '/v1/tokens', { token: env.adminToken })).body.length;
    const noScope = await mint(env.adminToken, {
      name: 'x',
      scopes: ['connections:read'],
      issueRestriction: { stackIds: [web.id] },
    });
    expect(noScope.status).toBe(400);
    expect(noScope.body.error.message).toContain('credentials:issue');
    const unknown = await mint(env.adminToken, {
      name: 'x',
      scopes: ['credentials:issue'],
      issueRestriction: { stackIds: ['stk_doesnotexist'] },
    });
    expect(unknown.status).toBe(404);
    const empty = await mint(env.adminToken, { name: 'x', scopes: ['credentials:issue'], issueRestriction: {} });
    expect(empty.status).toBe(400);
    expect((await env.api('GET', '/v1/tokens', { token: env.adminToken })).body.length).toBe(before);
  });
});

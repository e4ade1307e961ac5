import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDeepStrictEqual } from 'node:util';
import type { SandboxAccount } from '@trustgate/sandbox';
import { OPERATOR_TOKEN, type ApiResponse } from '../../service-harness.ts';
import { startBrokerEnv, type BrokerEnv } from '../../issuance-harness.ts';
import { coverageOf, operationsOf, routeKey, servedRoutes, type Coverage, type Operation } from './route-table.ts';
import {
  buildRequest,
  createdChildKind,
  orgFieldsOf,
  pathParamsOf,
  randomLike,
  type BuiltRequest,
} from './tenant-requests.ts';
import { buildWorld, memberToken, type TenantWorld } from './tenant-world.ts';

/**
 * The isolation matrix (issue 16), generated from the running service's route table: every route that takes a
 * bearer token is sent, by callers of another organization (its admin, and members holding each access level on its
 * own connection), a revoked token, a token restricted to issuing for another stack and run tokens of other stacks,
 * requests naming the victim organization's objects (path parameters, and each organization-scoped body field on its
 * own) and the same requests naming random IDs of the same form. Each must be refused with the same status and body;
 * the victim's own admin, sending the same request, succeeds (so the request reached the object, not a validator).
 */

/**
 * A caller of the matrix: `foreign`, of another organization; `dead`, a token that authenticates as no API token
 * (revoked, or a run token); `scoped`, a token of the victim's organization restricted to issuing for another stack.
 */
interface Caller {
  name: string;
  token: string;
  kind: 'foreign' | 'dead' | 'scoped';
}

/**
 * What two answers are compared on: status and body (request IDs are in a header, left out), with the value the
 * request itself named written as `<named>` (an answer may echo the caller's own input; that tells it nothing).
 */
function answerOf(res: ApiResponse, named: string[]): { status: number; text: string } {
  let text = res.text;
  for (const value of named) text = text.split(value).join('<named>');
  return { status: res.status, text };
}

/** The IDs a request's path names (an answer may echo them). */
function namedIn(op: Operation, request: BuiltRequest): string[] {
  const sent = request.path.split('/');
  return op.route
    .split('/')
    .flatMap((segment, i) => (segment.startsWith(':') ? [decodeURIComponent(sent[i] ?? '')] : []));
}

/** Counts for the figures printed at the end. */
const figures = { routesServed: 0, routesAttacked: 0, routesByRule: 0, cases: 0, refusedCorrectly: 0, failures: 0 };

describe('isolation matrix, generated from the route table', () => {
  let env: BrokerEnv;
  let victim: TenantWorld;
  let attacker: TenantWorld;
  let victimAccount: SandboxAccount;
  let attackerAccount: SandboxAccount;
  let coverage: Map<string, Coverage | undefined>;
  let operations: Operation[];
  const callers: Caller[] = [];
  /** Run tokens of other stacks: of the attacker's stack, and of the victim organization's other stack. */
  const runTokens: { name: string; token: string; stackId: string }[] = [];
  const failures: string[] = [];

  const send = (req: BuiltRequest, token: string) =>
    env.api(req.method, req.path, { token, ...(req.body === undefined ? {} : { body: req.body }) });

  beforeAll(async () => {
    env = await startBrokerEnv({ dialect: 'sqlite' });
    const accounts = env.sandbox.accounts as SandboxAccount[];
    victimAccount = env.customer;
    attackerAccount = accounts[2] as SandboxAccount;
    const victimTenant = { organizationId: env.organizationId, adminToken: env.adminToken };
    const b = await env.api('POST', '/v1/organizations', {
      token: OPERATOR_TOKEN,
      body: { name: 'Attacker', adminEmail: 'admin@attacker.test', adminName: 'Attacker admin' },
    });
    const attackerTenant = { organizationId: b.body.organization.id, adminToken: b.body.token.secret };
    [victim, attacker] = await Promise.all([
      buildWorld(env, victimTenant, victimAccount),
      buildWorld(env, attackerTenant, attackerAccount),
    ]);
    callers.push({ name: 'attacker admin', token: attacker.adminToken, kind: 'foreign' });
    for (const level of ['owner', 'editor', 'user', 'viewer'] as const)
      callers.push({
        name: `attacker member (${level})`,
        token: await memberToken(env, attackerTenant, attacker.ids.connection, level),
        kind: 'foreign',
      });
    const revoked = await env.api('POST', '/v1/tokens', {
      token: env.adminToken,
      body: { name: 'revoked', scopes: ['admin', 'connections:write', 'audit:read', 'credentials:issue'] },
    });
    await env.api('DELETE', `/v1/tokens/${revoked.body.token.id}`, { token: env.adminToken });
    callers.push({ name: 'revoked token of the victim admin', token: revoked.body.secret, kind: 'dead' });
    // The victim organization's other stack, attached to its connection (for its run token) and named by a token
    // restricted to issuing for it alone.
    const other = await env.api('POST', '/v1/stacks', {
      token: env.adminToken,
      body: { slug: 'other', name: 'other' },
    });
    await env.api('POST', `/v1/stacks/${other.body.id}/attachments`, {
      token: env.adminToken,
      body: { connectionId: victim.ids.connection, phases: ['read'] },
    });
    const scoped = await env.api('POST', '/v1/tokens', {
      token: env.adminToken,
      body: { name: 'scoped', scopes: ['credentials:issue'], issueRestriction: { stackIds: [other.body.id] } },
    });
    callers.push({ name: 'token restricted to another stack', token: scoped.body.secret, kind: 'scoped' });
    for (const [name, token, stack] of [
      ["run token of the attacker's stack", attacker.adminToken, attacker.stackSlug],
      ["run token of the victim organization's other stack", env.adminToken, 'other'],
    ] as const) {
      const issued = await env.api('POST', '/v1/issuances', {
        token,
        body: { stack, phase: 'read', runId: 'run-x', runToken: { lifetimeSeconds: 900 } },
      });
      expect(issued.status, issued.text).toBe(201);
      runTokens.push({ name, token: issued.body.runToken, stackId: issued.body.stackId });
      callers.push({ name, token: issued.body.runToken, kind: 'dead' });
    }
    const doc = (await env.api('GET', '/openapi.json')).body;
    operations = operationsOf(doc);
    coverage = coverageOf(servedRoutes(env.service.app.printRoutes({ commonPrefix: false })), operations);
  }, 60_000);
  afterAll(async () => {
    console.log(
      `isolation matrix: ${figures.routesServed} routes served, ${figures.routesAttacked} attacked, ` +
        `${figures.routesByRule} left out by rule; ${figures.cases} cases tried, ${figures.refusedCorrectly} refused ` +
        `correctly, ${figures.failures} failures`,
    );
    await env?.close();
  });

  const bearerOps = () => [...coverage.values()].flatMap((c) => (c?.by === 'bearer' ? [c.operation] : []));

  /** Markers of the victim's objects no foreign answer may hold. */
  const victimMarkers = () => [
    victim.organizationId,
    victim.externalId,
    victim.roleArn,
    ...Object.values(victim.ids),
    victim.stackSlug,
  ];

  it('covers every route the service serves: each is attacked, or left out by a rule with its reason', () => {
    const uncovered = [...coverage.entries()].filter(([, c]) => c === undefined).map(([key]) => key);
    expect(uncovered, 'routes neither attacked nor left out by a rule').toEqual([]);
    figures.routesServed = coverage.size;
    figures.routesAttacked = [...coverage.values()].filter((c) => c?.by !== 'rule').length;
    figures.routesByRule = figures.routesServed - figures.routesAttacked;
    // Every documented operation is served (the document cannot list a route the router does not answer).
    for (const op of operations) expect(coverage.has(routeKey(op.method, op.route)), op.route).toBe(true);
    expect(figures.routesAttacked).toBeGreaterThan(30);
  });

  it("refuses every caller of another organization, revoked and scoped tokens and run tokens alike for the victim's objects and random IDs", async () => {
    const check = (what: string, real: ApiResponse, random: ApiResponse, named: [string[], string[]]) => {
      figures.cases += 1;
      const a = answerOf(real, named[0]);
      const b = answerOf(random, named[1]);
      if (a.status < 400 || a.status >= 500)
        failures.push(`${what}: not refused (${a.status} ${real.text.slice(0, 160)})`);
      else if (!isDeepStrictEqual(a, b))
        failures.push(`${what}: the victim's object answers ${JSON.stringify(a)}, a random ID ${JSON.stringify(b)}`);
      else figures.refusedCorrectly += 1;
    };
    // What the victim's admin reads of its objects, before and after: every refused request changed nothing.
    const snapshot = async () =>
      Promise.all(
        [
          `/v1/connections/${victim.ids.connection}`,
          `/v1/connections/${victim.ids.connection}/access`,
          `/v1/stacks/${victim.ids.stack}/attachments`,
          '/v1/users',
          '/v1/tokens',
          '/v1/spaces',
          '/v1/catalogs',
          '/v1/stacks',
          '/v1/organization',
        ].map(async (path) => {
          const body = (await env.api('GET', path, { token: env.adminToken })).body;
          // A token's last use moves when it authenticates (at most once a minute), refused or not.
          return JSON.stringify(body, (k, v: unknown) => (k === 'lastUsedAt' ? undefined : v));
        }),
      );
    const before = await snapshot();
    for (const op of bearerOps()) {
      const key = routeKey(op.method, op.route);
      const idParams = pathParamsOf(op).filter((p) => p.kind !== undefined);
      const fields = orgFieldsOf(op);
      for (const caller of callers) {
        const victimFill = { world: victim, account: victimAccount.accountId };
        if (idParams.length > 0) {
          const realRequest = buildRequest(op, { pathWorld: victim, filling: victimFill });
          const randomRequest = buildRequest(op, { pathWorld: victim, randomPath: true, filling: victimFill });
          check(
            `${key} by ${caller.name} (path)`,
            await send(realRequest, caller.token),
            await send(randomRequest, caller.token),
            [namedIn(op, realRequest), namedIn(op, randomRequest)],
          );
        }
        if (caller.kind === 'dead' && idParams.length === 0) {
          // Tokens that authenticate as no API token: refused on routes that name no object too.
          figures.cases += 1;
          const res = await send(buildRequest(op, { pathWorld: victim, filling: victimFill }), caller.token);
          if (res.status === 401 && res.body?.error?.code === 'UNAUTHENTICATED') figures.refusedCorrectly += 1;
          else failures.push(`${key} by ${caller.name}: ${res.status} ${res.text.slice(0, 160)}`);
        }
        if (caller.kind === 'dead') continue;
        // Each organization-scoped body field on its own, the rest naming the caller's own organization's objects. A
        // restricted token's organization is the victim's, so only the stacks outside its restriction are foreign.
        const ownWorld = caller.kind === 'scoped' ? victim : attacker;
        const own = {
          world: ownWorld,
          account: (caller.kind === 'scoped' ? victimAccount : attackerAccount).accountId,
        };
        for (const { field, kind } of fields) {
          if (caller.kind === 'scoped' && kind !== 'stack') continue;
          const realValue = victim.ids[kind];
          const randomValue = randomLike(realValue);
          check(
            `${key} by ${caller.name} (body ${field})`,
            await send(
              buildRequest(op, { pathWorld: ownWorld, filling: { ...own, vary: { field, value: realValue } } }),
              caller.token,
            ),
            await send(
              buildRequest(op, { pathWorld: ownWorld, filling: { ...own, vary: { field, value: randomValue } } }),
              caller.token,
            ),
            [[realValue], [randomValue]],
          );
        }
        // A route naming no object: a foreign caller's answer holds nothing of the victim's.
        if (caller.kind === 'foreign' && idParams.length === 0 && fields.length === 0) {
          figures.cases += 1;
          const res = await send(
            buildRequest(op, { pathWorld: attacker, filling: { world: attacker, account: attackerAccount.accountId } }),
            caller.token,
          );
          const leaked = victimMarkers().filter((m) => res.text.includes(m));
          if (leaked.length > 0) failures.push(`${key} by ${caller.name}: the answer holds ${leaked.join(', ')}`);
          else figures.refusedCorrectly += 1;
        }
      }
    }
    figures.failures += failures.length;
    expect(failures).toEqual([]);
    expect(await snapshot()).toEqual(before);
  }, 120_000);

  it("the victim's own admin gets a success for each of those requests, so each reached the object it names", async () => {
    // Reads share the victim's world; each write runs in a fresh world of the victim's organization (a delete or a
    // rotation must not take the object from the next one).
    const failed: string[] = [];
    const named = bearerOps().filter(
      (op) => pathParamsOf(op).some((p) => p.kind !== undefined) || orgFieldsOf(op).length > 0,
    );
    const tenant = { organizationId: env.organizationId, adminToken: env.adminToken };
    for (const op of named) {
      // Only the objects the request names; a POST creating an attachment finds its stack not yet attached.
      const needs = new Set([
        ...pathParamsOf(op).flatMap((p) => (p.kind === undefined ? [] : [p.kind])),
        ...orgFieldsOf(op).map((f) => f.kind),
      ]);
      const world =
        op.method === 'GET'
          ? victim
          : await buildWorld(env, tenant, victimAccount, { needs, attached: createdChildKind(op) !== 'attachment' });
      const request = buildRequest(op, { pathWorld: world, filling: { world, account: victimAccount.accountId } });
      const res = await send(request, env.adminToken);
      if (res.status >= 300) failed.push(`${routeKey(op.method, op.route)}: ${res.status} ${res.text.slice(0, 200)}`);
    }
    expect(failed).toEqual([]);
    expect(named.length).toBeGreaterThan(20);
  }, 120_000);

  it("run-token routes serve only the run token's own stack, and refuse a forged, an API or a revoked token", async () => {
    const runOps = [...coverage.values()].flatMap((c) => (c?.by === 'run-token' ? [c.operation] : []));
    expect(runOps.map((op) => routeKey(op.method, op.route)).sort()).toEqual([
      'GET /v1/container-credentials',
      'POST /v1/issuances/refresh',
    ]);
    const [first] = runTokens;
    if (first === undefined) throw new Error('no run token');
    // The attacker's run token with its claims rewritten to the victim's organization and stack (its MAC kept).
    const [payload, mac] = first.token.slice('tgr_'.length).split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    const forged = `tgr_${Buffer.from(
      JSON.stringify({ ...claims, org: victim.organizationId, stack: victim.ids.stack, con: victim.ids.connection }),
    ).toString('base64url')}.${mac}`;
    for (const op of runOps) {
      const authorization = (token: string) => (op.route.includes('refresh') ? `Bearer ${token}` : token);
      const call = (token: string) => env.api(op.method, op.route, { authorization: authorization(token) });
      for (const run of runTokens) {
        const res = await call(run.token);
        figures.cases += 1;
        expect(res.status, `${op.route} ${run.name}: ${res.text.slice(0, 200)}`).toBe(200);
        if (res.body.stackId !== undefined) expect(res.body.stackId).toBe(run.stackId);
        expect(res.text).not.toContain(victim.ids.stack);
        figures.refusedCorrectly += 1;
      }
      for (const [name, token] of [
        ['forged run token', forged],
        ['API token of the victim admin', env.adminToken],
        ['revoked token', callers.find((c) => c.name.startsWith('revoked'))?.token ?? ''],
      ] as const) {
        const res = await call(token);
        figures.cases += 1;
        expect(res.status, `${op.route} ${name}`).toBe(401);
        expect(res.body.error.code).toBe('UNAUTHENTICATED');
        figures.refusedCorrectly += 1;
      }
    }
  });

  it('operator-only routes refuse every tenant token, admins included', async () => {
    const operatorOnly = [...coverage.entries()].filter(
      ([, c]) => c?.by === 'rule' && c.reason.startsWith('operator-only'),
    );
    expect(operatorOnly.length).toBeGreaterThanOrEqual(3);
    for (const [key] of operatorOnly) {
      const [method, route] = key.split(' ') as [string, string];
      for (const token of [env.adminToken, attacker.adminToken]) {
        const res = await env.api(method, route.replace(/:(\w+)/g, 'iso-$1'), {
          token,
          ...(method === 'POST' ? { body: { name: 'Evil', adminEmail: 'evil@x.test', adminName: 'Evil' } } : {}),
        });
        figures.cases += 1;
        expect(res.status, `${key}: ${res.text.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
        figures.refusedCorrectly += 1;
      }
    }
  });
});

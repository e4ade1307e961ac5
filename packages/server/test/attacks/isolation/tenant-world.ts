import { randomBytes } from 'node:crypto';
import { CreateRoleCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import type { SandboxAccount } from '@trustgate/sandbox';
import type { AccessLevel } from '../../../src/model/records.ts';
import type { BrokerEnv } from '../../issuance-harness.ts';
import type { ApiResponse } from '../../service-harness.ts';

/** The kinds of objects an organization owns that a request can name by ID (or, for a catalog, by name). */
export type ObjectKind = 'connection' | 'stack' | 'attachment' | 'user' | 'token' | 'space' | 'catalog';

/** One organization's objects, made over the API as a tenant makes them (the connection verified against the sandbox). */
export interface TenantWorld {
  organizationId: string;
  adminToken: string;
  /** The value a request names each kind of object by. */
  ids: Record<ObjectKind, string>;
  /** The connection's role and external ID in the sandbox. */
  roleArn: string;
  externalId: string;
  stackSlug: string;
}

/** A small valid catalog (the default one takes seconds to check on a loaded machine). */
const CATALOG_SOURCE = [
  'version: 1',
  'products:',
  '  - id: reader',
  '    name: Reader',
  '    integrations:',
  '      - id: read-buckets',
  '        name: Read buckets',
  '        default: true',
  '        statements:',
  '          - actions: [s3:GetObject]',
  '',
].join('\n');

/** An API call that must succeed; returns the body. */
async function must(
  env: BrokerEnv,
  method: string,
  path: string,
  token: string,
  body?: unknown,
): Promise<ApiResponse['body']> {
  const res = await env.api(method, path, { token, ...(body === undefined ? {} : { body }) });
  if (res.status >= 300) throw new Error(`world: ${method} ${path}: ${res.status} ${res.text.slice(0, 300)}`);
  return res.body;
}

/**
 * A connection, its role in `account` (trusting the platform as its deliverables say, allowed `*`), verified; a
 * stack attached to it for both phases (verified at attach time), a space, a member user with `viewer` access on the
 * connection and a spare token of that user, and a catalog; all made by the organization's admin over the API.
 */
export async function buildWorld(
  env: BrokerEnv,
  tenant: { organizationId: string; adminToken: string },
  account: SandboxAccount,
  only?: { needs: ReadonlySet<ObjectKind>; attached: boolean },
): Promise<TenantWorld> {
  const tag = randomBytes(4).toString('hex');
  const token = tenant.adminToken;
  const needs = only?.needs;
  const wants = (kind: ObjectKind) => needs === undefined || needs.has(kind);
  const ids: Record<ObjectKind, string> = {
    connection: 'con_none',
    stack: 'stk_none',
    attachment: 'att_none',
    user: 'usr_none',
    token: 'tok_none',
    space: 'spc_none',
    catalog: 'none',
  };
  let roleArn = '';
  let externalId = '';
  const attached = only?.attached ?? true;
  if (wants('connection') || wants('attachment') || (attached && wants('stack'))) {
    ({ roleArn, externalId, id: ids.connection } = await connectedRole(env, token, account, tag));
  }
  if (wants('space')) ids.space = (await must(env, 'POST', '/v1/spaces', token, { name: `iso-${tag}` })).id as string;
  let stackSlug = '';
  if (wants('stack') || wants('attachment')) {
    const stack = await must(env, 'POST', '/v1/stacks', token, { slug: `iso-${tag}`, name: `iso ${tag}` });
    ids.stack = stack.id as string;
    stackSlug = stack.slug as string;
    if (attached) {
      const attachment = await must(env, 'POST', `/v1/stacks/${stack.id}/attachments`, token, {
        connectionId: ids.connection,
        phases: ['read', 'write'],
      });
      ids.attachment = attachment.id as string;
    }
  }
  if (wants('user') || wants('token')) {
    const user = await must(env, 'POST', '/v1/users', token, {
      email: `member-${tag}@iso.test`,
      name: `member ${tag}`,
      role: 'member',
    });
    ids.user = user.id as string;
    if (ids.connection !== 'con_none')
      await must(env, 'PUT', `/v1/connections/${ids.connection}/access/${user.id}`, token, { level: 'viewer' });
    const spare = await must(env, 'POST', '/v1/tokens', token, {
      name: `spare-${tag}`,
      scopes: ['connections:read'],
      userId: user.id,
    });
    ids.token = (spare.token as { id: string }).id;
  }
  if (wants('catalog')) {
    ids.catalog = `iso-${tag}`;
    await must(env, 'POST', '/v1/catalogs', token, { name: ids.catalog, source: CATALOG_SOURCE });
  }
  return { organizationId: tenant.organizationId, adminToken: token, ids, roleArn, externalId, stackSlug };
}

/** A connection over the API and its role in `account`, verified. */
async function connectedRole(
  env: BrokerEnv,
  token: string,
  account: SandboxAccount,
  tag: string,
): Promise<{ id: string; roleArn: string; externalId: string }> {
  const roleName = `Iso-${tag}`;
  const created = await must(env, 'POST', '/v1/connections', token, {
    name: `iso-${tag}`,
    scope: { kind: 'account', accountId: account.accountId },
    roleName,
  });
  const connection = created.connection as { id: string; externalId: string };
  const iam = env.iamOf(account);
  await iam.send(
    new CreateRoleCommand({
      RoleName: roleName,
      AssumeRolePolicyDocument: JSON.stringify((created.deliverables as { trustPolicy: unknown }).trustPolicy),
    }),
  );
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: roleName,
      PolicyName: 'everything',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
      }),
    }),
  );
  const roleArn = `arn:aws:iam::${account.accountId}:role/${roleName}`;
  await must(env, 'POST', `/v1/connections/${connection.id}/verify`, token, { roleArn });
  return { id: connection.id, roleArn, externalId: connection.externalId };
}

/** A member of the organization holding `level` on `connectionId` (none: no grant), and a token of it with every member scope. */
export async function memberToken(
  env: BrokerEnv,
  tenant: { organizationId: string; adminToken: string },
  connectionId: string,
  level: AccessLevel | undefined,
): Promise<string> {
  const tag = randomBytes(4).toString('hex');
  const user = await must(env, 'POST', '/v1/users', tenant.adminToken, {
    email: `${level ?? 'none'}-${tag}@iso.test`,
    name: `${level ?? 'none'} ${tag}`,
    role: 'member',
  });
  if (level !== undefined)
    await must(env, 'PUT', `/v1/connections/${connectionId}/access/${user.id}`, tenant.adminToken, { level });
  const issued = await must(env, 'POST', '/v1/tokens', tenant.adminToken, {
    name: `member-${tag}`,
    scopes: ['connections:write', 'audit:read', 'credentials:issue'],
    userId: user.id,
  });
  return issued.secret as string;
}

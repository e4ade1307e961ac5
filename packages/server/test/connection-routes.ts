import type { AccessLevel } from '../src/model/records.ts';

/** An access level on a connection. */
export type Level = AccessLevel;

/** The access levels, lowest first. */
export const RANK: readonly Level[] = ['viewer', 'user', 'editor', 'owner'];

/** One HTTP route that addresses one connection, with the access level it needs. */
export interface ConnectionRoute {
  /** What the route does, for looking up what it answers. */
  name:
    | 'get'
    | 'deliverables'
    | 'terraform'
    | 'audit'
    | 'update'
    | 'verify'
    | 'rotate'
    | 'list-access'
    | 'grant'
    | 'revoke'
    | 'delete';
  method: string;
  /** The path for connection `id`; `userId` is the user a grant route names. */
  path: (id: string, userId: string) => string;
  body?: unknown;
  needs: Level;
}

/** Every route that addresses one connection (the audit route needs the token's `audit:read` scope too). */
export const CONNECTION_ROUTES: readonly ConnectionRoute[] = [
  { name: 'get', method: 'GET', path: (id) => `/v1/connections/${id}`, needs: 'viewer' },
  { name: 'deliverables', method: 'GET', path: (id) => `/v1/connections/${id}/deliverables`, needs: 'viewer' },
  { name: 'terraform', method: 'GET', path: (id) => `/v1/connections/${id}/deliverables/terraform`, needs: 'viewer' },
  { name: 'audit', method: 'GET', path: (id) => `/v1/audit?connectionId=${id}`, needs: 'viewer' },
  {
    name: 'update',
    method: 'PATCH',
    path: (id) => `/v1/connections/${id}`,
    body: { labels: { hacked: 'yes' } },
    needs: 'editor',
  },
  {
    name: 'verify',
    method: 'POST',
    path: (id) => `/v1/connections/${id}/verify`,
    body: { roleArn: 'arn:aws:iam::222222222222:role/TrustgateAccess' },
    needs: 'editor',
  },
  { name: 'rotate', method: 'POST', path: (id) => `/v1/connections/${id}/rotate-external-id`, needs: 'editor' },
  { name: 'list-access', method: 'GET', path: (id) => `/v1/connections/${id}/access`, needs: 'owner' },
  {
    name: 'grant',
    method: 'PUT',
    path: (id, user) => `/v1/connections/${id}/access/${user}`,
    body: { level: 'owner' },
    needs: 'owner',
  },
  { name: 'revoke', method: 'DELETE', path: (id, user) => `/v1/connections/${id}/access/${user}`, needs: 'owner' },
  { name: 'delete', method: 'DELETE', path: (id) => `/v1/connections/${id}`, needs: 'owner' },
];

/** What every connection route answers for a connection the caller may not know of: the answer for a missing one. */
export const NO_SUCH_CONNECTION = {
  error: { code: 'NOT_FOUND', message: 'No such connection.', field: 'connectionId' },
} as const;

/** What a caller holding `held` on a connection gets from a route that needs `needed`. */
export function forbidden(needed: Level, held: Level): { error: { code: 'FORBIDDEN'; message: string } } {
  return {
    error: { code: 'FORBIDDEN', message: `This needs "${needed}" access on the connection; you hold "${held}".` },
  };
}

import { createHmac, timingSafeEqual } from 'node:crypto';
import { TrustgateError, type RunPhase } from '@trustgate/core';
import type { ApiToken, User } from '../model/records.ts';
import type { Principal } from './principal.ts';

/** Prefix of every run token, so secret scanners and people recognise one (API tokens are `tg_`). */
export const RUN_TOKEN_PREFIX = 'tgr_';

/** Domain separation: the HMAC of a run token can never be mistaken for another HMAC made with the same secret. */
const MAC_CONTEXT = 'trustgate-run-token-v1.';

/**
 * What a run token binds: the organization, stack, phase and run (and the account and region the issuance named),
 * the API token that issued it, and when it was issued and expires (Unix seconds).
 */
export interface RunTokenClaims {
  org: string;
  stack: string;
  phase: RunPhase;
  run: string;
  account?: string;
  region?: string;
  /** The connection the issuance used (so a later attachment of another connection cannot change the binding). */
  con?: string;
  /** ID of the issuing API token: revoking it refuses the run token too. */
  tok: string;
  /** Issued at (Unix seconds): refused when sessions of the connection were revoked after it. */
  iat: number;
  /** Expires at (Unix seconds). */
  exp: number;
}

function mac(secret: string, payload: string): Buffer {
  return createHmac('sha256', secret).update(MAC_CONTEXT).update(payload).digest();
}

/**
 * A run token: `tgr_<base64url(claims JSON)>.<base64url(HMAC-SHA256(secret, context + payload))>`. Not stored: it is
 * verified by its MAC (the secret is the store's shared `run-token-secret`), so every instance accepts it.
 */
export function mintRunToken(secret: string, claims: RunTokenClaims): string {
  const payload = Buffer.from(JSON.stringify(claims), 'utf8').toString('base64url');
  return `${RUN_TOKEN_PREFIX}${payload}.${mac(secret, payload).toString('base64url')}`;
}

/** The one refusal of every bad run token, whatever was wrong with it: a caller learns nothing from the answer. */
function refused(): TrustgateError {
  return new TrustgateError('UNAUTHENTICATED', 'A valid, unexpired run token is required.');
}

const PHASES: readonly string[] = ['read', 'write'];

function isClaims(value: unknown): value is RunTokenClaims {
  if (typeof value !== 'object' || value === null) return false;
  const c = value as Record<string, unknown>;
  const optionalText = (v: unknown) => v === undefined || typeof v === 'string';
  return (
    typeof c.org === 'string' &&
    typeof c.stack === 'string' &&
    typeof c.phase === 'string' &&
    PHASES.includes(c.phase) &&
    typeof c.run === 'string' &&
    typeof c.tok === 'string' &&
    Number.isInteger(c.iat) &&
    Number.isInteger(c.exp) &&
    optionalText(c.account) &&
    optionalText(c.region) &&
    optionalText(c.con)
  );
}

/**
 * The claims of a run token whose MAC is right (compared in constant time) and which has not expired at `now`;
 * UNAUTHENTICATED otherwise (malformed, another prefix, a wrong MAC, expired).
 */
export function readRunToken(secret: string, token: string, now: Date = new Date()): RunTokenClaims {
  if (!token.startsWith(RUN_TOKEN_PREFIX)) throw refused();
  const body = token.slice(RUN_TOKEN_PREFIX.length);
  const dot = body.indexOf('.');
  if (dot <= 0 || dot !== body.lastIndexOf('.')) throw refused();
  const payload = body.slice(0, dot);
  const given = Buffer.from(body.slice(dot + 1), 'base64url');
  const expected = mac(secret, payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw refused();
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw refused();
  }
  if (!isClaims(claims)) throw refused();
  if (claims.exp * 1000 <= now.getTime()) throw refused();
  return claims;
}

/** The narrow store port {@link authenticateRunToken} needs. */
export interface RunTokenAuthPort {
  tokens: { get(organizationId: string, id: string): Promise<ApiToken | undefined> };
  directory: { getUser(organizationId: string, id: string): Promise<User | undefined> };
}

/** How the run token arrives: `Authorization: Bearer tgr_...` (refresh) or the raw `tgr_...` (container endpoint). */
export type RunTokenHeader = 'bearer' | 'raw';

/**
 * Resolves a run token in an Authorization header to its claims and the principal of its issuing API token. Refused
 * (UNAUTHENTICATED, one message for every case) when the header is not a run token in the expected form, the MAC is
 * wrong, it expired, or the issuing token was revoked, expired or its user deleted. An API token is never accepted
 * here, and a run token is never accepted by the normal authentication (it is no stored token's secret).
 */
export async function authenticateRunToken(
  port: RunTokenAuthPort,
  options: { secret: string; header: string | undefined; form: RunTokenHeader; now?: Date },
): Promise<{ claims: RunTokenClaims; principal: Principal }> {
  const now = options.now ?? new Date();
  const header = options.header?.trim();
  if (header === undefined) throw refused();
  let token: string;
  if (options.form === 'bearer') {
    const match = /^Bearer (\S+)$/.exec(header);
    if (match?.[1] === undefined) throw refused();
    token = match[1];
  } else token = header;
  const claims = readRunToken(options.secret, token, now);
  const apiToken = await port.tokens.get(claims.org, claims.tok);
  if (apiToken === undefined || apiToken.revokedAt !== null) throw refused();
  if (apiToken.expiresAt !== null && apiToken.expiresAt <= now.toISOString()) throw refused();
  const user = await port.directory.getUser(claims.org, apiToken.userId);
  if (user === undefined) throw refused();
  return { claims, principal: { organizationId: claims.org, user, token: apiToken } };
}

import { decodeJwt, generateKeyPair, SignJWT } from 'jose';
import { TrustgateError } from '@trustgate/core';
import type { RetryOptions } from '../../aws/retry-with-backoff.ts';
import {
  verifyWebIdentityRole,
  type WebIdentityObservation,
  type WebIdentityProbe,
} from '../../aws/verify-web-identity-role.ts';
import type { Connection } from '../../model/records.ts';
import { mintRunToken, type RunTokenInput } from '../identity/mint-run-token.ts';
import type { ConnectionDeps } from '../deps.ts';
import { subjectTemplatesOf } from '../identity/subject-templates.ts';
import { oidcAudienceOf, oidcTrustOptions } from './oidc-trust-options.ts';

/** The stack ID verification's token names when the role trusts any stack (stack IDs are `stk_` + random). */
export const VERIFY_STACK_ID = 'stk_trustgate-verify';

/**
 * Verifies an OIDC connection's role with tokens trustgate mints for it (no platform AWS credentials): one the trust
 * admits (the first listed stack, or {@link VERIFY_STACK_ID}, in the first trusted phase) must be exchanged; these
 * must be refused — another organization's token, another stack's (when the trust lists stacks), the untrusted phase's
 * (read only), one for another audience, an expired one, and one signed by a key not in the JWKS. Tokens live 5
 * minutes at most and are never logged.
 */
export async function observeOidcRole(
  deps: ConnectionDeps,
  connection: Connection,
  role: { roleArn: string; roleName: string; retry?: RetryOptions },
): Promise<WebIdentityObservation> {
  const identity = deps.identity;
  const trust = connection.trust;
  if (identity === undefined || trust.kind !== 'oidc')
    throw new TrustgateError('INVALID_INPUT', 'trust: this service has no OIDC issuer configured.', { field: 'trust' });
  const phase = trust.phases[0] ?? 'read';
  const { template } = await subjectTemplatesOf(deps, connection.organizationId);
  const run: RunTokenInput = {
    organizationId: connection.organizationId,
    spaceId: null,
    stackId: trust.stackIds?.[0] ?? VERIFY_STACK_ID,
    stackSlug: 'trustgate-verify',
    phase,
    runId: 'verify',
    connectionId: connection.id,
    partition: connection.partition,
    audience: oidcAudienceOf(connection),
    lifetimeSeconds: Math.min(300, identity.maxTokenLifetimeSeconds),
    subjectTemplate: template,
  };
  const mint = async (o: Partial<RunTokenInput>, deps_ = identity) =>
    (await mintRunToken(deps_, { ...run, ...o })).token;
  const token = await mint({});
  const probes: WebIdentityProbe[] = [
    { label: "another organization's token", token: await mint({ organizationId: 'org_trustgate-verify-other' }) },
    { label: 'a token for another audience', token: await mint({ audience: 'trustgate-verify-other-audience' }) },
    {
      label: 'an expired token',
      token: await mint(
        { lifetimeSeconds: 60 },
        { ...identity, clock: () => new Date(identity.clock().getTime() - 2 * 3600_000) },
      ),
    },
    { label: 'a token signed by a key not in the JWKS', token: await foreignKeyToken(token) },
  ];
  if (trust.stackIds !== undefined)
    probes.push({ label: "another stack's token", token: await mint({ stackId: 'stk_trustgate-verify-other' }) });
  if (trust.phases.length === 1)
    probes.push({
      label: `a ${phase === 'read' ? 'write' : 'read'}-phase token`,
      token: await mint({ phase: phase === 'read' ? 'write' : 'read' }),
    });
  return verifyWebIdentityRole(deps.aws, {
    partition: connection.partition,
    ...(connection.region === null ? {} : { region: connection.region }),
    roleArn: role.roleArn,
    roleName: role.roleName,
    sessionName: `trustgate-verify-${connection.id}`.slice(0, 64),
    token,
    probes,
    // An organization scope admits an account only when Organizations, asked as the role's session, says it is a member.
    readOrganization: connection.scope.kind === 'organization',
    ...(role.retry === undefined ? {} : { retry: role.retry }),
    ...(deps.probeRetry === undefined ? {} : { probeRetry: deps.probeRetry }),
  });
}

/** The same claims as `token`, signed by a key made for this call alone (so in no JWKS). */
async function foreignKeyToken(token: string): Promise<string> {
  const { privateKey } = await generateKeyPair('RS256');
  return new SignJWT(decodeJwt(token))
    .setProtectedHeader({ alg: 'RS256', kid: 'trustgate-verify-foreign-key', typ: 'JWT' })
    .sign(privateKey);
}

/** How to fix an OIDC role that accepted tokens it must refuse (names the probes, never a token). */
export function oidcInsecureHint(
  connection: Connection,
  accepted: string[],
  issuerUrl: string | undefined,
  templates?: readonly string[],
): string {
  const options = issuerUrl === undefined ? undefined : oidcTrustOptions(connection, issuerUrl, templates);
  const host = options?.issuer.replace(/^https:\/\//, '') ?? '<issuer>';
  return (
    `The role accepts ${accepted.join(', ')}, so runs it must not trust can act in your account. Fix the role's trust policy: ` +
    `the statement trusting the OIDC provider ${host} must carry "StringEquals": {"${host}:aud": "${oidcAudienceOf(connection)}"} and ` +
    `"StringLike": {"${host}:sub": ${JSON.stringify(options?.subjects ?? [])}}, no other statement may trust that provider without them, ` +
    "and the provider's client IDs should list only the audience — or re-apply the template, which does this."
  );
}

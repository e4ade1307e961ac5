import type { Principal } from '../../auth/principal.ts';
import { retryWithBackoff, type RetryOptions } from '../../aws/retry-with-backoff.ts';
import { PROBE_RETRY_DEFAULTS } from '../../aws/verify-role.ts';
import { isWebIdentityRefusal, webIdentityAssumer } from '../../aws/verify-web-identity-role.ts';
import { oidcAudienceOf } from '../connections/oidc-trust-options.ts';
import { VERIFY_STACK_ID } from '../connections/verify-oidc-role.ts';
import type { ConnectionDeps } from '../deps.ts';
import { mintRunToken } from './mint-run-token.ts';

/**
 * Before an organization switches its subject template: every role of its OIDC connections must accept a token in
 * the new form (the first stack and phase its trust admits, as verification mints), else runs would be refused the
 * moment tokens carry it. Answers the roles that refuse it or give no answer (`<connection name> (<account>)`);
 * nothing when the service is no issuer. Tokens live 5 minutes and are never logged.
 */
export async function rolesRefusingTemplate(
  deps: ConnectionDeps,
  principal: Principal,
  template: string,
): Promise<string[]> {
  const identity = deps.identity;
  if (identity === undefined) return [];
  const connections = (await deps.store.connections.list({ organizationId: principal.organizationId })).filter(
    (c) => c.trust.kind === 'oidc',
  );
  const retry: RetryOptions = { ...PROBE_RETRY_DEFAULTS, ...deps.probeRetry };
  const refused = await Promise.all(
    connections.map(async (connection) => {
      const trust = connection.trust;
      if (trust.kind !== 'oidc') return [];
      const roles = await deps.store.connections.listRoles(connection.id);
      const sts = deps.aws.sts({
        partition: connection.partition,
        ...(connection.region === null ? {} : { region: connection.region }),
        anonymous: true,
      });
      const answers = await Promise.all(
        roles.map(async (role) => {
          const { token } = await mintRunToken(identity, {
            organizationId: connection.organizationId,
            spaceId: null,
            stackId: trust.stackIds?.[0] ?? VERIFY_STACK_ID,
            stackSlug: 'trustgate-verify',
            phase: trust.phases[0] ?? 'read',
            runId: 'subject-template-switch',
            connectionId: connection.id,
            partition: connection.partition,
            audience: oidcAudienceOf(connection),
            lifetimeSeconds: Math.min(300, identity.maxTokenLifetimeSeconds),
            subjectTemplate: template,
          });
          const assume = webIdentityAssumer(sts, role.roleArn, `trustgate-subject-${connection.id}`.slice(0, 64));
          const result = await retryWithBackoff(
            () => assume(token),
            (e) => !isWebIdentityRefusal(e),
            retry,
          );
          return result.ok ? [] : [`${connection.name} (${role.accountId})`];
        }),
      );
      return answers.flat();
    }),
  );
  return refused.flat();
}

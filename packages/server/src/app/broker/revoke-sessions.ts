import { revokeOlderSessionsRemedy, TrustgateError } from '@trustgate/core';
import { loadConnectionFor } from '../../auth/connection-access.ts';
import type { Principal } from '../../auth/principal.ts';
import type { Connection } from '../../model/records.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { ConnectionDeps } from '../deps.ts';
import { brokerOf } from './broker-deps.ts';

/** The answer of a revocation: the cut-off and AWS's own remedy for the customer's role. */
export interface RevokeSessionsAnswer {
  revokedBefore: string;
  remedy: ReturnType<typeof revokeOlderSessionsRemedy>;
}

/**
 * The cut-off of a revocation made at `now`: the next whole second. AWS compares `aws:TokenIssueTime` with the
 * remedy's date; were the cut-off inside a second, a session STS issued later in that same second could carry an
 * issue time (if AWS keeps whole seconds) before it and be denied for its whole life.
 */
export function revocationCutoff(now: Date): Date {
  return new Date(Math.ceil(now.getTime() / 1000) * 1000);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * "Revoke sessions issued before now" on a connection (issue 12; editor access): stores the cut-off on the
 * connection (every instance then serves nothing issued before it, whatever its cache holds), drops the cached
 * sessions of the connection in the cache (with Redis: every instance at once), audits
 * `connection.revoke-sessions`, and answers the IAM console's "Revoke active sessions" remedy for the customer to
 * apply: trustgate holds no right to change the customer's role. Answers once the cut-off has passed, so that every
 * session issued after the answer is issued after the cut-off.
 */
export async function revokeSessions(
  deps: ConnectionDeps,
  principal: Principal,
  id: string,
): Promise<RevokeSessionsAnswer> {
  const broker = brokerOf(deps);
  const loaded = await loadConnectionFor(deps.store, principal, id, 'editor');
  const asked = revocationCutoff(broker.now?.() ?? new Date());
  let connection: Connection = loaded.connection;
  for (let attempt = 0; ; attempt++) {
    // A cut-off only moves forward (a revocation is never undone by an earlier one).
    const kept = connection.sessionsRevokedBefore;
    if (kept !== null && Date.parse(kept) >= asked.getTime()) break;
    try {
      connection = await deps.store.connections.update({ ...connection, sessionsRevokedBefore: asked.toISOString() });
      break;
    } catch (error) {
      if (!(error instanceof TrustgateError && error.code === 'CONFLICT') || attempt >= 3) throw error;
      const reread = await deps.store.connections.get(principal.organizationId, id);
      if (reread === undefined) throw new TrustgateError('NOT_FOUND', 'No such connection.', { field: 'connectionId' });
      connection = reread;
    }
  }
  const cutoff = new Date(connection.sessionsRevokedBefore ?? asked.toISOString());
  const revokedBefore = cutoff.toISOString();
  await broker.cache.revokeBefore(connection.id, cutoff);
  await recordAudit(deps.store, {
    principal,
    action: 'connection.revoke-sessions',
    connectionId: connection.id,
    details: { revokedBefore },
  });
  const wait = cutoff.getTime() - Date.now();
  if (wait > 0) await sleep(wait);
  return {
    revokedBefore,
    remedy: revokeOlderSessionsRemedy({ partition: connection.partition, roleName: connection.roleName, cutoff }),
  };
}

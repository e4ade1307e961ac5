import { TrustgateError } from '@trustgate/core';
import type { AuditEvent } from '../../model/records.ts';
import type { Principal } from '../../auth/principal.ts';

/** The narrow port to append audit events. */
export interface AuditPort {
  audit: { append(input: Omit<AuditEvent, 'id' | 'at'>): Promise<AuditEvent> };
}

/**
 * Appends an audit event for what `principal` (or the system, when null) did. `details` carries names and
 * IDs only — never a token secret, credential, or callback token.
 */
export async function recordAudit(
  port: AuditPort,
  event: {
    principal: Principal | null;
    organizationId?: string;
    action: string;
    connectionId?: string | null;
    details?: Record<string, unknown>;
  },
): Promise<void> {
  const organizationId = event.principal?.organizationId ?? event.organizationId;
  if (organizationId === undefined)
    throw new TrustgateError('INTERNAL', 'An audit record needs a principal or an organization ID.');
  await port.audit.append({
    organizationId,
    actorUserId: event.principal?.user.id ?? null,
    tokenId: event.principal?.token.id ?? null,
    action: event.action,
    connectionId: event.connectionId ?? null,
    details: event.details ?? {},
  });
}

/** The audit event of what `principal` did, for a writer other than {@link recordAudit} (the broker's batcher). */
export function auditEventOf(
  principal: Principal,
  action: string,
  connectionId: string | null,
  details: Record<string, unknown>,
): Omit<AuditEvent, 'id' | 'at'> {
  return {
    organizationId: principal.organizationId,
    actorUserId: principal.user.id,
    tokenId: principal.token.id,
    action,
    connectionId,
    details,
  };
}

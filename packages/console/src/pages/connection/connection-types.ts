import type { ApiResponse } from '../../api.ts';

/** A connection as GET /v1/connections/:id answers it. */
export type Connection = ApiResponse<'/v1/connections/{id}'>;
/** One role of a connection with its last verification. */
export type Role = Connection['roles'][number];
/** GET /v1/connections/:id/drift. */
export type Drift = ApiResponse<'/v1/connections/{id}/drift'>;
/** GET /v1/connections/:id/deliverables. */
export type Deliverables = ApiResponse<'/v1/connections/{id}/deliverables'>;
/** POST /v1/connections/:id/revoke-sessions. */
export type RevokeAnswer = ApiResponse<'/v1/connections/{id}/revoke-sessions', 'post'>;

/** A connection's scope in words. */
export function scopeText(scope: Connection['scope']): string {
  if (scope.kind === 'account') return `Account ${scope.accountId}`;
  if (scope.kind === 'accounts') return `${scope.accountIds.length} accounts: ${scope.accountIds.join(', ')}`;
  const units = scope.organizationalUnitIds ?? [];
  return `AWS Organization ${scope.organizationId}${units.length === 0 ? '' : ` (OUs ${units.join(', ')})`}`;
}

/** A time for people, or `never`. */
export function when(iso: string | null | undefined): string {
  return iso === null || iso === undefined ? 'never' : new Date(iso).toLocaleString();
}

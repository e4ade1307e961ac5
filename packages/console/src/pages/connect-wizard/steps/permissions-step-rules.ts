import { api, unwrap, type ApiError } from '../../../api.ts';
import { createBodyOf, type CreateConnectionBody, type WizardState } from '../wizard-state.ts';

/** Step 2's rules: leaving it creates the connection (steps 3-5 show and verify it); the API fields it shows. */

/** What a connection keeps from its creation: changing one of these means a new connection. */
const FIXED = ['partition', 'mode', 'scope', 'roleName'] as const;

/**
 * Creates the connection from the whole draft, or, when the user came back and changed it, updates the one created
 * (its partition, mode, scope and role name are fixed once created). Throws the API's error (its field may belong to
 * step 1).
 */
export async function leavePermissions(state: WizardState): Promise<Partial<WizardState>> {
  const body = createBodyOf(state);
  if (state.created === undefined || state.createdFrom === undefined) {
    const created = await unwrap(api.POST('/v1/connections', { body }));
    return { created, createdFrom: body };
  }
  const before: CreateConnectionBody = state.createdFrom;
  const fixed = FIXED.find((key) => JSON.stringify(body[key]) !== JSON.stringify(before[key]));
  if (fixed !== undefined) {
    const error: ApiError = {
      code: 'INVALID_INPUT',
      field: fixed === 'scope' ? 'scope' : fixed,
      message: `The connection is created already and its ${fixed === 'roleName' ? 'role name' : fixed} cannot change; set it back, or start a new connection.`,
    };
    throw error;
  }
  if (JSON.stringify(body) === JSON.stringify(before)) return {};
  const { partition: _p, mode: _m, scope: _s, roleName: _r, ...changes } = body;
  const id = state.created.connection.id;
  const { connection } = await unwrap(api.PATCH('/v1/connections/{id}', { params: { path: { id } }, body: changes }));
  const deliverables = await unwrap(api.GET('/v1/connections/{id}/deliverables', { params: { path: { id } } }));
  return { created: { connection, deliverables }, createdFrom: body };
}

/** The API fields step 2 shows: an error naming one brings the user back to it. */
export function ownsPermissionsField(field: string): boolean {
  return /^(selection|catalogName|wildcards|managedPolicies|extraActions)(\[\d+\]|\..*)?$/.test(field);
}

import type { CreatedConnection } from '../../wizard-state.ts';

/** A verified role as the connection shows it, turned into the wizard's three checks. */

export type Role = CreatedConnection['connection']['roles'][number];
export type CheckState = 'passed' | 'failed' | 'checking' | 'not-checked';

export interface Check {
  id: 'assumed' | 'external-id' | 'permissions';
  label: string;
  state: CheckState;
  /** What was found, in a sentence. */
  detail: string;
}

/** True when the reason is AWS refusing the AssumeRole call itself (wrong name, trust policy, external ID, SCP). */
export function isAssumeRoleDenied(role: Pick<Role, 'status' | 'statusReason'>): boolean {
  return (
    role.status === 'broken' &&
    /could not be assumed/.test(role.statusReason) &&
    /not authorized to perform:? sts:AssumeRole|AccessDenied/.test(role.statusReason)
  );
}

/**
 * The checks for a role: assumed (with the external ID or the OIDC token), the proof enforced (refused without it),
 * permissions complete (or which are missing). A pending role is still being checked; what could not be reached
 * after a failure is "not checked".
 */
export function checksOf(role: Role, oidc: boolean): Check[] {
  const proof = oidc ? "trustgate's OIDC token" : 'the external ID';
  const assumed: Check = { id: 'assumed', label: `Role assumed with ${proof}`, state: 'passed', detail: role.roleArn };
  const enforced: Check = {
    id: 'external-id',
    label: oidc ? 'Only trustgate tokens for this organization accepted' : 'External ID enforced',
    state: 'passed',
    detail: oidc
      ? "Other organizations', stacks' and audiences' tokens are refused."
      : 'Refused without the external ID and with a wrong one.',
  };
  const missingCount = role.missing.reduce((n, m) => n + m.actions.length, 0);
  const permissions: Check = {
    id: 'permissions',
    label: 'Permissions complete',
    state: missingCount === 0 && role.missingManagedPolicies.length === 0 ? 'passed' : 'failed',
    detail:
      missingCount === 0 && role.missingManagedPolicies.length === 0
        ? 'Every action the selected integrations need is allowed.'
        : `Missing ${missingCount} action(s)${role.missingManagedPolicies.length > 0 ? ` and ${role.missingManagedPolicies.length} managed policy(ies)` : ''}.`,
  };
  const notChecked = (c: Check): Check => ({ ...c, state: 'not-checked', detail: 'Not checked yet.' });
  if (role.status === 'pending')
    return [
      { ...assumed, state: 'checking', detail: role.statusReason },
      notChecked(enforced),
      notChecked(permissions),
    ];
  if (role.status === 'broken')
    return [{ ...assumed, state: 'failed', detail: role.statusReason }, notChecked(enforced), notChecked(permissions)];
  if (role.status === 'insecure')
    return [assumed, { ...enforced, state: 'failed', detail: role.statusReason }, permissions];
  if (role.status === 'needs-update' && permissions.state === 'passed')
    return [assumed, enforced, { ...permissions, state: 'failed', detail: role.statusReason }];
  return [assumed, enforced, permissions];
}

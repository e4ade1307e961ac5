import type { CreatedConnection } from '../../wizard-state.ts';
import { trustedPrincipals } from '../deliverables/trust-facts.ts';
import { checksOf, isAssumeRoleDenied, type CheckState, type Role } from './verification.ts';

const MARK: Record<CheckState, string> = { passed: '✓', failed: '✗', checking: '…', 'not-checked': '–' };
const WORD: Record<CheckState, string> = {
  passed: 'Passed',
  failed: 'Failed',
  checking: 'Checking',
  'not-checked': 'Not checked',
};

/** What solves "not authorized to perform sts:AssumeRole", filled in with this connection's values. */
function AssumeRoleChecklist({ created, role }: { created: CreatedConnection; role: Role }) {
  const { connection, deliverables } = created;
  const named = role.roleArn.split('/').pop() ?? '';
  const principals = trustedPrincipals(deliverables.trustPolicy);
  const oidc = connection.trust.kind === 'oidc';
  return (
    <section className="assume-checklist" aria-labelledby={`assume-checklist-${role.accountId}`}>
      <h3 id={`assume-checklist-${role.accountId}`}>AWS refused to let trustgate assume the role. Check, in order:</h3>
      <ol>
        <li>
          <strong>The role name.</strong> The ARN names <code>{named}</code> in account {role.accountId}; this
          connection's role is <code>{connection.roleName}</code>.{' '}
          {named === connection.roleName
            ? 'They match: check the role exists in that account under exactly this name (names are case-sensitive).'
            : 'They differ: fix the typo in the ARN, or the role name in AWS.'}
        </li>
        <li>
          <strong>The platform account in the trust policy.</strong> The role's trust policy must trust{' '}
          <code>{principals.join(', ')}</code> — not another account (a policy copied from elsewhere, or edited by
          hand).
        </li>
        <li>
          {oidc ? (
            <>
              <strong>The OIDC provider and audience.</strong> The account needs the IAM OIDC provider the trust policy
              names, with the audience it names.
            </>
          ) : (
            <>
              <strong>The external ID.</strong> The trust policy must require <code>{connection.externalId}</code>{' '}
              exactly. If the external ID changed (a rotation, or a new connection), re-apply the current template.
            </>
          )}
        </li>
        <li>
          <strong>Propagation delay.</strong> A role created or changed a moment ago can take a minute to reach STS:
          wait a minute and connect again.
        </li>
        <li>
          <strong>A service control policy.</strong> In an AWS Organization an SCP can deny sts:AssumeRole on the role
          (or deny the platform): ask the organization's administrator to check the SCPs that apply to account{' '}
          {role.accountId}.
        </li>
      </ol>
    </section>
  );
}

/** One role's verification, step by step, and what to do about what failed. */
export function RoleVerification({ created, role }: { created: CreatedConnection; role: Role }) {
  const checks = checksOf(role, created.connection.trust.kind === 'oidc');
  return (
    <section className="role-verification" aria-label={`Verification of ${role.roleArn}`} data-account={role.accountId}>
      <ol className="checks" aria-label={`Checks of the role in account ${role.accountId}`}>
        {checks.map((c) => (
          <li key={c.id} className={`check-${c.state}`} data-check={c.id} data-state={c.state}>
            <span className="check-mark" aria-hidden="true">
              {MARK[c.state]}
            </span>
            <span>
              <span className="check-label">{`${c.label}: ${WORD[c.state]}`}</span>
              <br />
              <span className="check-detail">{c.detail}</span>
            </span>
          </li>
        ))}
      </ol>
      {role.missing.length === 0 ? null : (
        <table className="missing-actions">
          <caption>Actions the role lacks, per integration</caption>
          <thead>
            <tr>
              <th scope="col">Integration</th>
              <th scope="col">Missing actions</th>
            </tr>
          </thead>
          <tbody>
            {role.missing.map((m) => (
              <tr key={`${m.productId}/${m.integrationId}`} data-integration={m.integrationId}>
                <th scope="row">{`${m.productId} / ${m.integrationId}`}</th>
                <td>{m.actions.join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {role.missingManagedPolicies.length === 0 ? null : (
        <p>
          Managed policies to attach: <code>{role.missingManagedPolicies.join(', ')}</code>
        </p>
      )}
      {role.status === 'needs-update' ? (
        <p className="fix">To fix it, update the stack with the current template (step 3), then verify again.</p>
      ) : null}
      {role.fixHint === undefined ? null : (
        <p className="fix">
          <strong>How to fix it: </strong>
          {role.fixHint}
        </p>
      )}
      {isAssumeRoleDenied(role) ? <AssumeRoleChecklist created={created} role={role} /> : null}
    </section>
  );
}

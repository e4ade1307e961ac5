import { StatusBadge } from '../../components/StatusBadge.tsx';
import { when, type Connection } from './connection-types.ts';

/**
 * The connection's roles, one per account, each with its last verification: the outcome (status and reason), when,
 * the permissions it found missing per integration, missing managed policies, and the fix hint the service gave.
 */
export function RolesSection({ connection }: { connection: Connection }) {
  return (
    <section aria-labelledby="roles-heading">
      <h2 id="roles-heading">Roles and their last verification</h2>
      {connection.roles.length === 0 ? (
        <p className="empty">
          No role verified yet: apply the template in the customer's account, then verify with the role's ARN below.
        </p>
      ) : (
        <ul className="roles">
          {connection.roles.map((role) => (
            <li key={`${role.accountId} ${role.roleArn}`} className="role" data-account={role.accountId}>
              <h3>Account {role.accountId}</h3>
              <dl className="facts">
                <dt>Role</dt>
                <dd>
                  <code>{role.roleArn}</code>
                </dd>
                <dt>Outcome</dt>
                <dd>
                  <StatusBadge status={role.status} reason={role.statusReason} />
                </dd>
                <dt>Verified</dt>
                <dd>
                  {role.verifiedAt === null ? 'never' : <time dateTime={role.verifiedAt}>{when(role.verifiedAt)}</time>}
                </dd>
              </dl>
              {role.missing.length === 0 && role.missingManagedPolicies.length === 0 ? (
                <p className="role-complete">Permissions complete: every action the selection needs is allowed.</p>
              ) : (
                <div className="role-missing">
                  <h4>Missing permissions</h4>
                  <ul>
                    {role.missing.map((m) => (
                      <li key={`${m.productId}/${m.integrationId}`} data-integration={m.integrationId}>
                        <strong>
                          {m.productId} / {m.integrationId}
                        </strong>
                        : {m.actions.join(', ')}
                      </li>
                    ))}
                    {role.missingManagedPolicies.map((arn) => (
                      <li key={arn}>
                        Managed policy not attached: <code>{arn}</code>
                      </li>
                    ))}
                  </ul>
                </div>
              )}
              {role.fixHint === undefined || role.fixHint === '' ? null : <p className="hint">{role.fixHint}</p>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

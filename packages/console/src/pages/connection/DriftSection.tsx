import { sameDocument } from './policy-diff.ts';
import { PolicyDiffTable } from './PolicyDiffTable.tsx';
import { when, type Connection, type Deliverables, type Drift } from './connection-types.ts';

type DriftRole = Drift['roles'][number];

/** What differs between the template and one role as last read: policies changed, missing or extra, managed ARNs. */
function roleDrift(expected: Drift['expected'], observed: NonNullable<DriftRole['observed']>) {
  const changed = expected.policies.flatMap((p) => {
    const current = observed.policies.find((o) => o.name === p.name);
    return current !== undefined && sameDocument(p.document, current.document) ? [] : [{ expected: p, current }];
  });
  const extra = observed.policies.filter((o) => !expected.policies.some((p) => p.name === o.name));
  const sources = new Set(observed.policies.map((o) => o.source));
  const missingArns = expected.managedPolicyArns.filter((arn) => !observed.managedPolicyArns.includes(arn));
  const extraArns = observed.managedPolicyArns.filter(
    (arn) => !expected.managedPolicyArns.includes(arn) && !sources.has(arn),
  );
  return { changed, extra, missingArns, extraArns };
}

/**
 * Drift: for each role, the policies the connection's template writes beside the ones the role held at its last
 * verification (GET /v1/connections/:id/drift; re-verify to read them again), side by side where they differ, with the
 * link that updates the customer's CloudFormation stack to the template (when the stack is known). Also the catalog
 * changes waiting for the customer (`pendingChanges`).
 */
export function DriftSection(props: { connection: Connection; drift?: Drift; deliverables?: Deliverables }) {
  const { drift, connection } = props;
  const pending = connection.pendingChanges;
  return (
    <section aria-labelledby="drift-heading">
      <h2 id="drift-heading">Drift</h2>
      {pending !== null && pending.changed ? (
        <div className="pending-changes">
          <h3>Changes waiting for the customer</h3>
          <ul>
            {pending.added.map((a) => (
              <li key={`+${a.productId}/${a.integrationId}`}>
                Added to {a.productId} / {a.integrationId}: {a.actions.join(', ')}
              </li>
            ))}
            {pending.removed.map((a) => (
              <li key={`-${a.productId}/${a.integrationId}`}>
                Removed from {a.productId} / {a.integrationId}: {a.actions.join(', ')}
              </li>
            ))}
            {pending.managedPoliciesAdded.map((arn) => (
              <li key={`+${arn}`}>Managed policy added: {arn}</li>
            ))}
            {pending.managedPoliciesRemoved.map((arn) => (
              <li key={`-${arn}`}>Managed policy removed: {arn}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {drift === undefined ? (
        <p className="loading">Loading…</p>
      ) : drift.roles.length === 0 ? (
        <p className="empty">No role has been verified: there is nothing to compare yet.</p>
      ) : (
        drift.roles.map((role) => (
          <RoleDrift
            key={`${role.accountId} ${role.roleArn}`}
            role={role}
            expected={drift.expected}
            updateLink={props.deliverables?.updateStackLinks.find((l) => l.accountId === role.accountId)?.link}
          />
        ))
      )}
    </section>
  );
}

function RoleDrift(props: { role: DriftRole; expected: Drift['expected']; updateLink: string | undefined }) {
  const { role } = props;
  const observed = role.observed;
  const found = observed === null ? undefined : roleDrift(props.expected, observed);
  const drifted =
    found !== undefined &&
    (found.changed.length > 0 || found.extra.length > 0 || found.missingArns.length > 0 || found.extraArns.length > 0);
  return (
    <div className="role-drift" data-account={role.accountId}>
      <h3>
        Account {role.accountId}: {found === undefined ? 'not read' : drifted ? 'drifted' : 'matches the template'}
      </h3>
      <p className="hint">
        <code>{role.roleArn}</code>, as read at its last verification ({when(role.verifiedAt)}).
      </p>
      {found === undefined ? (
        <p>Its policies could not be read at the last verification: re-verify to read them.</p>
      ) : !drifted ? (
        <p className="drift-none">Every policy of the role is the one the template writes.</p>
      ) : (
        <>
          {found.changed.map(({ expected, current }) => (
            <PolicyDiffTable
              key={expected.name}
              caption={`${expected.name}: ${current === undefined ? 'missing from the role' : 'changed'}`}
              expected={expected.document}
              current={current?.document}
            />
          ))}
          {found.extra.map((p) => (
            <PolicyDiffTable
              key={p.source}
              caption={`${p.name}: on the role, not in the template`}
              current={p.document}
            />
          ))}
          {found.missingArns.length + found.extraArns.length === 0 ? null : (
            <ul className="drift-arns">
              {found.missingArns.map((arn) => (
                <li key={arn}>
                  Managed policy not attached: <code>{arn}</code>
                </li>
              ))}
              {found.extraArns.map((arn) => (
                <li key={arn}>
                  Attached, not in the template: <code>{arn}</code>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
      {props.updateLink === undefined ? (
        drifted ? (
          <p className="hint">
            Re-apply the connection's template in account {role.accountId} (CloudFormation stack update, Terraform or
            the CLI script) to put the expected policies back.
          </p>
        ) : null
      ) : (
        <p>
          <a href={props.updateLink} target="_blank" rel="noopener noreferrer">
            Update the CloudFormation stack in account {role.accountId}
          </a>{' '}
          <span className="hint">(opens the AWS console with the connection's current template)</span>
        </p>
      )}
    </div>
  );
}

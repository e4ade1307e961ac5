import type { CreatedConnection } from '../../wizard-state.ts';
import { DeliverableText } from './DeliverableText.tsx';
import { fileStem } from './copy-download.ts';
import { iamConsoleUrl, scopeAccounts, trustedPrincipals } from './trust-facts.ts';

/**
 * The step-by-step AWS console instructions (as Spot's manual wizard gives them), filled in with this connection's
 * values: where to sign in, each policy to create (copyable), the role with the custom trust policy (copyable, with
 * the platform and external ID it names), the role's name, and the ARN to paste in the next step.
 */
export function ManualInstructions({ created }: { created: CreatedConnection }) {
  const { connection, deliverables } = created;
  const accounts = scopeAccounts(connection);
  const principals = trustedPrincipals(deliverables.trustPolicy);
  const policyNames = deliverables.permissionPolicies.map((p) => p.name);
  const oidc = connection.trust.kind === 'oidc';
  const stem = fileStem(connection.name);
  const where =
    accounts.length === 0
      ? 'each account of the organization'
      : accounts.length === 1
        ? `account ${accounts[0]}`
        : `each of the accounts ${accounts.join(', ')} (repeat these steps in each)`;
  return (
    <ol className="manual-steps">
      <li>
        Sign in to the AWS console of {where} and open{' '}
        <a href={iamConsoleUrl(connection.partition)} target="_blank" rel="noopener noreferrer">
          IAM (opens a new tab)
        </a>
        .
      </li>
      {oidc ? (
        <li>
          In the sidebar choose <strong>Identity providers</strong>, then <strong>Add provider</strong>:{' '}
          <strong>OpenID Connect</strong>, provider <code>{principals.join(', ')}</code>, audience as the trust policy
          below names it (skip this when the provider exists already).
        </li>
      ) : null}
      {deliverables.permissionPolicies.map((p, n) => (
        <li key={p.name}>
          In the sidebar choose <strong>Policies</strong>, then <strong>Create policy</strong> and the{' '}
          <strong>JSON</strong> tab. Paste this policy over any text there
          {n === 0 ? '' : ' (a role takes several policies: this is the next one)'}, choose <strong>Next</strong>, name
          it <code>{p.name}</code> and choose <strong>Create policy</strong>.
          <DeliverableText
            what={`policy ${p.name}`}
            text={`${JSON.stringify(p.document, null, 2)}\n`}
            filename={`${stem}-${p.name}.json`}
            type="application/json"
          />
        </li>
      ))}
      <li>
        In the sidebar choose <strong>Roles</strong>, then <strong>Create role</strong>. As the trusted entity type
        choose <strong>Custom trust policy</strong> and paste this trust policy. It trusts{' '}
        <code>{principals.join(', ')}</code>
        {oidc ? (
          " with trustgate's OIDC tokens for this organization's stacks"
        ) : (
          <>
            {' '}
            only with the external ID <code>{connection.externalId}</code>
          </>
        )}
        . Choose <strong>Next</strong>.
        <DeliverableText
          what="trust policy"
          text={`${JSON.stringify(deliverables.trustPolicy, null, 2)}\n`}
          filename={`${stem}-trust-policy.json`}
          type="application/json"
        />
      </li>
      <li>
        Under <strong>Add permissions</strong> tick {policyNames.length === 1 ? 'the policy' : 'the policies'}{' '}
        {policyNames.map((name, n) => (
          <span key={name}>
            {n === 0 ? '' : ', '}
            <code>{name}</code>
          </span>
        ))}
        {deliverables.managedPolicyArns.length === 0 ? null : (
          <>
            {' '}
            and the AWS managed{' '}
            {deliverables.managedPolicyArns.map((arn, n) => (
              <span key={arn}>
                {n === 0 ? '' : ', '}
                <code>{arn.split('/').pop()}</code>
              </span>
            ))}
          </>
        )}
        , then <strong>Next</strong>.
      </li>
      <li>
        Name the role <code>{connection.roleName}</code> exactly and choose <strong>Create role</strong>.
      </li>
      <li>
        Open the role and copy its ARN (
        <code>{`arn:${connection.partition}:iam::${accounts[0] ?? '<account>'}:role/${connection.roleName}`}</code>):
        the next step asks for it.
      </li>
    </ol>
  );
}

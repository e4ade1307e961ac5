import { useState, type FormEvent } from 'react';
import { api, apiError, unwrap, type ApiError } from '../../api.ts';
import { Field, FormError } from '../../components/Field.tsx';
import { when, type Connection, type RevokeAnswer } from './connection-types.ts';

/**
 * What can be done to a connection: re-verify its roles (or verify a new role's ARN), rotate its external ID, and
 * revoke the sessions issued before now. Each calls the API and hands the answer to `onChanged`; an API refusal is
 * shown beside the field it names, or under the action.
 */
export function ActionsSection(props: { connection: Connection; onChanged: (connection?: Connection) => void }) {
  const { connection } = props;
  return (
    <section aria-labelledby="actions-heading">
      <h2 id="actions-heading">Verify, rotate, revoke</h2>
      <div className="actions">
        <VerifyForm connection={connection} onChanged={props.onChanged} />
        {connection.trust.kind === 'external-id' ? (
          <RotateExternalId connection={connection} onChanged={props.onChanged} />
        ) : null}
        <RevokeSessions connection={connection} onChanged={props.onChanged} />
      </div>
    </section>
  );
}

function VerifyForm(props: { connection: Connection; onChanged: (connection?: Connection) => void }) {
  const [roleArn, setRoleArn] = useState('');
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | undefined>(undefined);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setDone(undefined);
    try {
      const arn = roleArn.trim();
      const verified = await unwrap(
        api.POST('/v1/connections/{id}/verify', {
          params: { path: { id: props.connection.id } },
          body: arn === '' ? {} : { roleArn: arn },
        }),
      );
      setDone(`Verified: ${verified.status}${verified.statusReason === '' ? '' : ` (${verified.statusReason})`}.`);
      setRoleArn('');
      props.onChanged(verified);
    } catch (caught) {
      setError(apiError(caught));
    } finally {
      setBusy(false);
    }
  };
  const hasRoles = props.connection.roles.length > 0;
  return (
    <form className="action" aria-labelledby="verify-heading" onSubmit={(e) => void submit(e)}>
      <h3 id="verify-heading">{hasRoles ? 'Re-verify' : 'Verify'}</h3>
      <p className="hint">
        Assumes each role for real, checks the external ID is enforced and reads its permissions again.
      </p>
      <Field name="roleArn" label={hasRoles ? 'Role ARN (only to verify another role)' : 'Role ARN'} error={error}>
        {(control) => (
          <input
            {...control}
            value={roleArn}
            placeholder="arn:aws:iam::123456789012:role/Name"
            onChange={(e) => setRoleArn(e.target.value)}
          />
        )}
      </Field>
      <button type="submit" disabled={busy}>
        {busy ? 'Verifying…' : hasRoles ? 'Re-verify now' : 'Verify'}
      </button>
      <FormError error={error} fields={['roleArn']} />
      <p role="status" className="action-result">
        {done}
      </p>
    </form>
  );
}

function RotateExternalId(props: { connection: Connection; onChanged: (connection?: Connection) => void }) {
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | undefined>(undefined);
  const { connection } = props;
  const rotate = async () => {
    setBusy(true);
    setError(undefined);
    setDone(undefined);
    try {
      const rotated = await unwrap(
        api.POST('/v1/connections/{id}/rotate-external-id', { params: { path: { id: connection.id } } }),
      );
      setDone(
        `New external ID ${rotated.externalId}. The role's template accepts the old and the new one until the next verification: update the stack (or re-apply the template), then re-verify.`,
      );
      props.onChanged(rotated);
    } catch (caught) {
      setError(apiError(caught));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="action" role="group" aria-labelledby="rotate-heading">
      <h3 id="rotate-heading">External ID</h3>
      <dl className="facts">
        <dt>Current</dt>
        <dd>
          <code data-testid="external-id">{connection.externalId}</code>
        </dd>
        {connection.previousExternalId === null ? null : (
          <>
            <dt>Previous (still accepted)</dt>
            <dd>
              <code>{connection.previousExternalId}</code>
            </dd>
          </>
        )}
      </dl>
      <button type="button" disabled={busy} onClick={() => void rotate()}>
        {busy ? 'Rotating…' : 'Rotate external ID'}
      </button>
      <FormError error={error} />
      <p role="status" className="action-result">
        {done}
      </p>
    </div>
  );
}

function RevokeSessions(props: { connection: Connection; onChanged: (connection?: Connection) => void }) {
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<RevokeAnswer | undefined>(undefined);
  const { connection } = props;
  const revoke = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const revoked = await unwrap(
        api.POST('/v1/connections/{id}/revoke-sessions', { params: { path: { id: connection.id } } }),
      );
      setAnswer(revoked);
      props.onChanged();
    } catch (caught) {
      setError(apiError(caught));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="action" role="group" aria-labelledby="revoke-heading">
      <h3 id="revoke-heading">Sessions</h3>
      <p className="hint">
        Sessions revoked before: <span data-testid="revoked-before">{when(connection.sessionsRevokedBefore)}</span>
      </p>
      <button type="button" disabled={busy} onClick={() => void revoke()}>
        {busy ? 'Revoking…' : 'Revoke sessions issued before now'}
      </button>
      <FormError error={error} />
      <div role="status" className="action-result">
        {answer === undefined ? null : (
          <div className="revoke-remedy">
            <p>
              trustgate serves no session issued before {when(answer.revokedBefore)} again. For AWS to deny them too,
              the customer adds the inline policy <code>{answer.remedy.policyName}</code> to the role (the IAM console's
              "Revoke active sessions"):
            </p>
            <pre tabIndex={0} aria-label="AWS CLI command that revokes the sessions">
              {answer.remedy.cli}
            </pre>
            <p>
              <a href={answer.remedy.consoleUrl} target="_blank" rel="noopener noreferrer">
                Open the role in the IAM console
              </a>
            </p>
          </div>
        )}
      </div>
    </div>
  );
}

import { useEffect, useRef, useState } from 'react';
import { api, apiError, unwrap, type ApiError } from '../../../api.ts';
import { Field, FormError } from '../../../components/Field.tsx';
import type { StepProps } from '../wizard-steps.ts';
import type { CreatedConnection } from '../wizard-state.ts';
import { RoleVerification } from './connect/RoleVerification.tsx';
import { checkRoleArn } from './connect/role-arn.ts';
import './deliverables/deliverables.css';

type ConnectionView = CreatedConnection['connection'];

/** How often the page reads the connection while a verification runs or a stack is awaited. */
const POLL_MS = 1000;

/**
 * Step 4: connect the role. Manual: paste the role ARN (checked inline: syntax, partition, scope) and Connect; the
 * service verifies it for real while the page reads the connection each second, so the checks appear as AWS answers.
 * Automatic: the page reads the connection until the stack's callback verified it (pasting the ARN works too).
 * Either ends in a clear success or what failed with its fix.
 */
export default function ConnectStep({ state, update, errorFor }: StepProps) {
  const created = state.created;
  const [roleArn, setRoleArn] = useState('');
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [verifying, setVerifying] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const result = useRef<HTMLDivElement>(null);
  const id = created?.connection.id;
  const automatic = created?.connection.mode === 'automatic';
  const waiting = automatic && created?.connection.status === 'pending';

  const setConnection = (connection: ConnectionView): void =>
    update((s) => (s.created === undefined ? {} : { created: { ...s.created, connection } }));

  // While verifying (or waiting for an automatic stack), read the connection each second: its roles say how far AWS got.
  useEffect(() => {
    if (id === undefined || !(verifying || waiting)) return;
    let stopped = false;
    const timer = setInterval(() => {
      void unwrap(api.GET('/v1/connections/{id}', { params: { path: { id } } }))
        .then((c) => {
          if (!stopped && (verifying ? c.roles.length > 0 : true)) setConnection(c);
        })
        .catch(() => undefined);
    }, POLL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [id, verifying, waiting]);

  if (created === undefined) return <p className="form-error">Go back to create the connection first.</p>;
  const connection = created.connection;

  const connect = async (): Promise<void> => {
    if (verifying) return;
    const checked = checkRoleArn(roleArn, connection);
    if (!checked.ok) {
      setError(checked.error);
      input.current?.focus();
      return;
    }
    setError(undefined);
    setVerifying(true);
    try {
      const view = await unwrap(
        api.POST('/v1/connections/{id}/verify', {
          params: { path: { id: connection.id } },
          body: { roleArn: roleArn.trim() },
        }),
      );
      setConnection(view);
      requestAnimationFrame(() => result.current?.focus());
    } catch (thrown) {
      setError(apiError(thrown));
      input.current?.focus();
    } finally {
      setVerifying(false);
    }
  };

  const shown = error ?? (connection.status === 'connected' ? undefined : errorFor('roleArn'));
  const status = connection.status;
  const done = !verifying && connection.roles.length > 0 && status !== 'pending';
  return (
    <div className="connect-step">
      {automatic ? (
        <p role="status" className="stack-wait">
          {waiting
            ? 'Waiting for the stack: create it with the quick-create link (step 3). This page updates by itself when the stack reports back.'
            : `The stack reported back: ${connection.statusReason}`}
        </p>
      ) : (
        <p>
          Paste the ARN of the role you created (the stack's RoleArn output, or the role's page in IAM) and connect.
        </p>
      )}
      <div className="field-row">
        <Field
          name="roleArn"
          label={automatic ? 'Role ARN (optional: the stack reports it by itself)' : 'Role ARN'}
          error={shown}
          hint={`arn:${connection.partition}:iam::<account>:role/${connection.roleName}`}
        >
          {(control) => (
            <input
              {...control}
              ref={input}
              value={roleArn}
              spellCheck={false}
              autoComplete="off"
              onChange={(e) => setRoleArn(e.target.value)}
              onKeyDown={(e) => {
                if (e.key !== 'Enter') return;
                e.preventDefault();
                void connect();
              }}
            />
          )}
        </Field>
        <button type="button" onClick={() => void connect()} disabled={verifying}>
          {verifying ? 'Connecting…' : 'Connect'}
        </button>
      </div>
      <FormError error={shown} fields={['roleArn']} />
      <p role="status" className="verify-progress">
        {verifying
          ? `Verifying in AWS… ${connection.roles.find((r) => r.status === 'pending')?.statusReason ?? 'Assuming the role.'}`
          : ''}
      </p>
      {connection.roles.length === 0 ? null : (
        <div
          ref={result}
          tabIndex={-1}
          className={`verify-result ${done ? (status === 'connected' ? 'verify-result-connected' : 'verify-result-failed') : ''}`}
          aria-labelledby="verify-result-heading"
          role="region"
        >
          <h3 id="verify-result-heading">
            {!done
              ? 'Verifying…'
              : status === 'connected'
                ? 'Connected: trustgate can use the role.'
                : `Not connected (${status}): fix what failed below, then connect again.`}
          </h3>
          <p className="status-reason">{connection.statusReason}</p>
          {connection.roles.map((role) => (
            <RoleVerification key={`${role.accountId}-${role.roleArn}`} created={created} role={role} />
          ))}
          {done && status !== 'connected' && automatic && roleArn.trim() === '' ? (
            <button
              type="button"
              className="secondary"
              onClick={() => {
                setVerifying(true);
                void unwrap(
                  api.POST('/v1/connections/{id}/verify', { params: { path: { id: connection.id } }, body: {} }),
                )
                  .then(setConnection, (thrown: unknown) => setError(apiError(thrown)))
                  .finally(() => setVerifying(false));
              }}
            >
              Verify again
            </button>
          ) : null}
        </div>
      )}
    </div>
  );
}

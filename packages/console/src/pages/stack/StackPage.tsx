import { useEffect, useRef, useState } from 'react';
import { api, apiError, unwrap, type ApiError, type ApiResponse } from '../../api.ts';
import { FormError } from '../../components/Field.tsx';
import { Link } from '../../router.tsx';
import type { PageProps } from '../../routes.tsx';
import { AttachmentForm, type Attachment } from './AttachmentForm.tsx';
import { IssuancesSection } from './IssuancesSection.tsx';
import './stack.css';

type Stack = ApiResponse<'/v1/stacks/{id}'>;
type Connection = ApiResponse<'/v1/connections'>[number];

function verificationText(a: Attachment): string {
  if (a.verification === null)
    return a.customExternalId === null ? 'Not verified' : 'Not verified (custom external ID: the runs prove it)';
  const failed = a.verification.checks.filter((c) => !c.ok);
  const when = new Date(a.verification.at).toLocaleString();
  return failed.length === 0
    ? `Verified ${when}: ${a.verification.checks.length} of ${a.verification.checks.length} checks pass`
    : `Verified ${when}: ${failed.length} check(s) failed — ${failed.map((c) => `${c.phase}: ${c.fixHint ?? c.reason}`).join('; ')}`;
}

/**
 * One stack: its facts, its attachments to connections (attach, change, verify again), with the example trust
 * statement for this stack and each phase in the form, and its recent credential issuances with their chart.
 */
export default function StackPage({ params }: PageProps) {
  const id = params.id ?? '';
  const [stack, setStack] = useState<Stack | undefined>(undefined);
  const [attachments, setAttachments] = useState<Attachment[] | undefined>(undefined);
  const [connections, setConnections] = useState<Connection[]>([]);
  const [form, setForm] = useState<{ editing?: Attachment } | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [notice, setNotice] = useState('');
  const [verifying, setVerifying] = useState('');
  const opener = useRef<HTMLButtonElement | null>(null);
  // Closing the form gives the focus back to its opener, once the opener is rendered again.
  const [returnFocus, setReturnFocus] = useState(false);
  useEffect(() => {
    if (form !== undefined || !returnFocus) return;
    opener.current?.focus();
    setReturnFocus(false);
  }, [form, returnFocus]);

  useEffect(() => {
    unwrap(api.GET('/v1/stacks/{id}', { params: { path: { id } } }))
      .then(setStack)
      .catch((e) => setError(apiError(e)));
    unwrap(api.GET('/v1/stacks/{id}/attachments', { params: { path: { id } } }))
      .then(setAttachments)
      .catch(() => setAttachments([]));
    unwrap(api.GET('/v1/connections'))
      .then(setConnections)
      .catch(() => setConnections([]));
  }, [id]);

  const names = Object.fromEntries(connections.map((c) => [c.id, c.name]));
  const attachedIds = new Set((attachments ?? []).map((a) => a.connectionId));

  function saved(a: Attachment) {
    setAttachments((list) => [...(list ?? []).filter((x) => x.id !== a.id), a]);
    setNotice(
      form?.editing === undefined
        ? `Attached ${names[a.connectionId] ?? a.connectionId}.`
        : `Saved the attachment to ${names[a.connectionId] ?? a.connectionId}.`,
    );
    setForm(undefined);
    setReturnFocus(true);
  }

  async function verify(a: Attachment) {
    setVerifying(a.id);
    setError(undefined);
    try {
      const checked = await unwrap(
        api.POST('/v1/stacks/{id}/attachments/{attachmentId}/verify', {
          params: { path: { id, attachmentId: a.id } },
        }),
      );
      setAttachments((list) => (list ?? []).map((x) => (x.id === checked.id ? checked : x)));
      setNotice(`Verified the attachment to ${names[a.connectionId] ?? a.connectionId}: ${verificationText(checked)}.`);
    } catch (e) {
      setError(apiError(e));
    } finally {
      setVerifying('');
    }
  }

  if (stack === undefined)
    return (
      <>
        <h1>Stack</h1>
        {error === undefined ? <p className="loading">Loading…</p> : <FormError error={error} />}
        <p>
          <Link to="/stacks">All stacks</Link>
        </p>
      </>
    );
  return (
    <>
      <h1>Stack {stack.name}</h1>
      <p>
        <Link to="/stacks">All stacks</Link>
      </p>
      <dl className="facts">
        <dt>Slug</dt>
        <dd>
          <code>{stack.slug}</code>
        </dd>
        <dt>Labels</dt>
        <dd>
          {Object.entries(stack.labels)
            .map(([k, v]) => `${k}:${v}`)
            .join(', ') || '—'}
        </dd>
      </dl>
      <section aria-labelledby="attachments-heading">
        <h2 id="attachments-heading">Attached connections</h2>
        <p role="status" className="stack-notice">
          {notice}
        </p>
        <FormError error={error} />
        {attachments === undefined ? (
          <p className="loading">Loading…</p>
        ) : attachments.length === 0 ? (
          <p className="empty">No connection is attached: runs of this stack get no credentials yet.</p>
        ) : (
          <table className="attachments">
            <caption>{attachments.length} attached connections</caption>
            <thead>
              <tr>
                <th scope="col">Connection</th>
                <th scope="col">Phases</th>
                <th scope="col">Duration</th>
                <th scope="col">Region</th>
                <th scope="col">Session</th>
                <th scope="col">Verification</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {attachments.map((a) => (
                <tr key={a.id} data-attachment={names[a.connectionId] ?? a.connectionId}>
                  <th scope="row">
                    <Link to={`/connections/${encodeURIComponent(a.connectionId)}`}>
                      {names[a.connectionId] ?? a.connectionId}
                    </Link>
                  </th>
                  <td className="phases">{a.phases.join(', ')}</td>
                  <td className="duration">{a.durationSeconds} s</td>
                  <td>{a.region ?? 'default'}</td>
                  <td className="session">
                    {a.sessionMode}
                    {a.assumeOnWorker ? ', on the worker' : ''}
                    {a.readOnlySessionPolicy ? ', read-only plans' : ''}
                  </td>
                  <td className="verification">{verificationText(a)}</td>
                  <td className="row-actions">
                    <button type="button" className="secondary" onClick={() => setForm({ editing: a })}>
                      Change<span className="visually-hidden"> {names[a.connectionId] ?? a.connectionId}</span>
                    </button>
                    {a.customExternalId === null ? (
                      <button
                        type="button"
                        className="secondary"
                        disabled={verifying === a.id}
                        onClick={() => void verify(a)}
                      >
                        {verifying === a.id ? 'Verifying…' : 'Verify'}
                        <span className="visually-hidden"> {names[a.connectionId] ?? a.connectionId}</span>
                      </button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {form === undefined ? (
          <button type="button" ref={opener} onClick={() => setForm({})}>
            Attach a connection
          </button>
        ) : (
          <AttachmentForm
            key={form.editing?.id ?? 'new'}
            stack={stack}
            connections={connections.filter((c) => form.editing !== undefined || !attachedIds.has(c.id))}
            {...(form.editing === undefined ? {} : { editing: form.editing })}
            onDone={saved}
            onCancel={() => {
              setForm(undefined);
              setReturnFocus(true);
            }}
          />
        )}
      </section>
      <IssuancesSection stackId={stack.id} names={names} />
    </>
  );
}

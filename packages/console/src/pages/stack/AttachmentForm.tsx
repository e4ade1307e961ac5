import { useEffect, useState, type FormEvent } from 'react';
import { api, apiError, unwrap, type ApiError, type ApiResponse } from '../../api.ts';
import { Field, FormError } from '../../components/Field.tsx';
import { TrustStatementPanel } from './TrustStatementPanel.tsx';

export type Attachment = ApiResponse<'/v1/stacks/{id}/attachments'>[number];
type Connection = ApiResponse<'/v1/connections'>[number];
type Phase = 'read' | 'write';

/** A failed verification's checks, from a VERIFICATION_FAILED answer's details. */
export interface FailedCheck {
  accountId: string;
  phase: string;
  ok: boolean;
  reason: string;
  fixHint?: string;
}

/** The fields of the form, as the API names them in `error.field`. */
export const ATTACHMENT_FIELDS = [
  'connectionId',
  'phases',
  'durationSeconds',
  'region',
  'sessionMode',
  'readOnlySessionPolicy',
  'assumeOnWorker',
  'customExternalId',
  'accountIds',
];

interface Draft {
  connectionId: string;
  phases: Phase[];
  duration: string;
  region: string;
  sessionMode: 'per-run' | 'shared';
  readOnlySessionPolicy: boolean;
  assumeOnWorker: boolean;
  customExternalId: string;
}

function draftOf(a: Attachment | undefined): Draft {
  return {
    connectionId: a?.connectionId ?? '',
    phases: a?.phases ?? ['read'],
    duration: String(a?.durationSeconds ?? 3600),
    region: a?.region ?? '',
    sessionMode: (a?.sessionMode as Draft['sessionMode'] | undefined) ?? 'per-run',
    readOnlySessionPolicy: a?.readOnlySessionPolicy ?? false,
    assumeOnWorker: a?.assumeOnWorker ?? false,
    customExternalId: a?.customExternalId ?? '',
  };
}

/** The number typed, as typed: "" is the default, anything else goes to the API as a number (which says what is wrong). */
function durationOf(text: string): number | undefined {
  return text.trim() === '' ? undefined : Number(text.trim());
}

function settingsOf(d: Draft, oidc: boolean) {
  const duration = durationOf(d.duration);
  return {
    phases: d.phases,
    ...(duration === undefined ? {} : { durationSeconds: duration }),
    region: d.region.trim() === '' ? null : d.region.trim(),
    sessionMode: d.sessionMode,
    readOnlySessionPolicy: d.readOnlySessionPolicy,
    assumeOnWorker: d.assumeOnWorker,
    customExternalId: d.assumeOnWorker && !oidc && d.customExternalId.trim() !== '' ? d.customExternalId.trim() : null,
  };
}

/**
 * Attach a connection to the stack, or change an attachment: phases (read = plan, write = apply), session duration,
 * region, session mode, the read phase's read-only session policy, assume on worker with an optional custom external
 * ID — and beside them the example trust statement for this stack and each phase. The service verifies the role
 * before it stores anything; a refusal shows beside the field it names, a failed verification lists each check's fix.
 */
export function AttachmentForm(props: {
  stack: { id: string; slug: string };
  connections: Connection[];
  /** The attachment being changed; none: a new one. */
  editing?: Attachment;
  onDone(attachment: Attachment): void;
  onCancel(): void;
}) {
  const { stack, connections, editing } = props;
  const [draft, setDraft] = useState<Draft>(() => draftOf(editing));
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [checks, setChecks] = useState<FailedCheck[]>([]);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    // Keyboard users start in the form: its first control takes the focus when it opens.
    document.getElementById(editing === undefined ? 'field-connectionId' : 'field-phases')?.focus();
  }, [editing]);
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const togglePhase = (phase: Phase, on: boolean) =>
    setDraft((d) => ({
      ...d,
      phases: (['read', 'write'] as const).filter((p) => (p === phase ? on : d.phases.includes(p))),
    }));

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setChecks([]);
    try {
      const settings = settingsOf(draft, connection?.trust.kind === 'oidc');
      const saved =
        editing === undefined
          ? await unwrap(
              api.POST('/v1/stacks/{id}/attachments', {
                params: { path: { id: stack.id } },
                body: { connectionId: draft.connectionId, ...settings },
              }),
            )
          : await unwrap(
              api.PATCH('/v1/stacks/{id}/attachments/{attachmentId}', {
                params: { path: { id: stack.id, attachmentId: editing.id } },
                body: settings,
              }),
            );
      props.onDone(saved);
    } catch (caught) {
      const failure = apiError(caught);
      setError(failure);
      const details = (caught as { details?: { checks?: FailedCheck[] } }).details;
      setChecks((details?.checks ?? []).filter((c) => !c.ok));
      const field = failure.field?.replace(/\[\d+\]$/, '');
      if (field !== undefined && ATTACHMENT_FIELDS.includes(field)) document.getElementById(`field-${field}`)?.focus();
    } finally {
      setBusy(false);
    }
  }

  const phasesError = error?.field?.startsWith('phases') ? error.message : undefined;
  const connection = connections.find((c) => c.id === draft.connectionId);
  const shownError =
    error?.field !== undefined && /^(accountIds|phases)\[\d+\]$/.test(error.field)
      ? { ...error, field: error.field.replace(/\[\d+\]$/, '') }
      : error;
  return (
    <form className="attachment-form" onSubmit={submit} noValidate aria-labelledby="attachment-form-heading">
      <h3 id="attachment-form-heading">
        {editing === undefined
          ? 'Attach a connection'
          : `Change the attachment to ${connection?.name ?? 'the connection'}`}
      </h3>
      <div className="attachment-columns">
        <div>
          {editing === undefined ? (
            <Field name="connectionId" label="Connection" error={shownError}>
              {(control) => (
                <select {...control} value={draft.connectionId} onChange={(e) => set('connectionId', e.target.value)}>
                  <option value="">Choose a connection</option>
                  {connections.map((c) => (
                    <option key={c.id} value={c.id}>
                      {c.name} ({c.status})
                    </option>
                  ))}
                </select>
              )}
            </Field>
          ) : null}
          <fieldset
            className={`field phases${phasesError === undefined ? '' : ' field-invalid'}`}
            aria-describedby={phasesError === undefined ? undefined : 'field-phases-error'}
          >
            <legend>Phases</legend>
            {(['read', 'write'] as const).map((phase, i) => (
              <label key={phase} className="check">
                <input
                  type="checkbox"
                  {...(i === 0 ? { id: 'field-phases' } : {})}
                  name="phases"
                  value={phase}
                  checked={draft.phases.includes(phase)}
                  onChange={(e) => togglePhase(phase, e.target.checked)}
                />{' '}
                {phase === 'read' ? 'Read (plan)' : 'Write (apply)'}
              </label>
            ))}
            {phasesError === undefined ? null : (
              <p className="field-error" id="field-phases-error">
                {phasesError}
              </p>
            )}
          </fieldset>
          <Field
            name="durationSeconds"
            label="Session duration (seconds)"
            hint="900 to 43,200 (15 minutes to 12 hours); default 3,600. Clamped to the role's MaxSessionDuration."
            error={shownError}
          >
            {(control) => (
              <input
                {...control}
                inputMode="numeric"
                value={draft.duration}
                onChange={(e) => set('duration', e.target.value)}
              />
            )}
          </Field>
          <Field
            name="region"
            label="Region (optional)"
            hint="The STS endpoint and credentials' region, such as us-east-2; default the connection's."
            error={shownError}
          >
            {(control) => (
              <input
                {...control}
                value={draft.region}
                placeholder="us-east-2"
                onChange={(e) => set('region', e.target.value)}
              />
            )}
          </Field>
          <Field
            name="sessionMode"
            label="Session mode"
            hint="Per run: one STS session per run (CloudTrail names the run). Shared: one cached session per stack and phase, reused by every run."
            error={shownError}
          >
            {(control) => (
              <select
                {...control}
                value={draft.sessionMode}
                onChange={(e) => set('sessionMode', e.target.value as Draft['sessionMode'])}
              >
                <option value="per-run">Per run</option>
                <option value="shared">Shared</option>
              </select>
            )}
          </Field>
          <div className={`field check-field${error?.field === 'readOnlySessionPolicy' ? ' field-invalid' : ''}`}>
            <label className="check">
              <input
                type="checkbox"
                id="field-readOnlySessionPolicy"
                checked={draft.readOnlySessionPolicy}
                onChange={(e) => set('readOnlySessionPolicy', e.target.checked)}
              />{' '}
              Read-only session policy for plans
            </label>
            {error?.field === 'readOnlySessionPolicy' ? <p className="field-error">{error.message}</p> : null}
          </div>
          <div className="field check-field">
            <label className="check">
              <input
                type="checkbox"
                id="field-assumeOnWorker"
                checked={draft.assumeOnWorker}
                onChange={(e) => set('assumeOnWorker', e.target.checked)}
              />{' '}
              Assume the role on the worker
            </label>
            <p className="hint">
              {connection?.trust.kind === 'oidc'
                ? 'The run gets its OIDC token and its SDK assumes the role with it (AssumeRoleWithWebIdentity).'
                : 'The run gets the assumption parameters and calls AssumeRole itself.'}
            </p>
          </div>
          {draft.assumeOnWorker && connection?.trust.kind !== 'oidc' ? (
            <Field
              name="customExternalId"
              label="Custom external ID (optional)"
              hint="The external ID your worker passes; trustgate cannot verify it."
              error={shownError}
            >
              {(control) => (
                <input
                  {...control}
                  value={draft.customExternalId}
                  autoComplete="off"
                  onChange={(e) => set('customExternalId', e.target.value)}
                />
              )}
            </Field>
          ) : null}
        </div>
        <TrustStatementPanel
          query={{
            stackId: stack.id,
            stackSlug: stack.slug,
            connectionId: draft.connectionId,
            phases: draft.phases,
            assumeOnWorker: draft.assumeOnWorker,
            customExternalId: connection?.trust.kind === 'oidc' ? '' : draft.customExternalId,
          }}
        />
      </div>
      <FormError error={shownError} fields={ATTACHMENT_FIELDS} />
      {checks.length === 0 ? null : (
        <ul className="failed-checks" aria-label="Failed checks">
          {checks.map((c) => (
            <li key={`${c.accountId}-${c.phase}`}>
              Account {c.accountId}, {c.phase}: {c.reason} {c.fixHint ?? ''}
            </li>
          ))}
        </ul>
      )}
      <div className="attachment-actions">
        <button type="submit" disabled={busy}>
          {busy ? 'Verifying…' : editing === undefined ? 'Attach' : 'Save changes'}
        </button>
        <button type="button" className="secondary" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

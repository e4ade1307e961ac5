import { useState } from 'react';
import type { PolicyPreview } from '../../wizard-state.ts';
import type { PreviewError } from './use-policy-preview.ts';
import { copyText } from '../deliverables/copy-download.ts';

const n = (value: number): string => value.toLocaleString('en-US');

function Meter(props: { id: string; label: string; value: number; max: number; text: string }) {
  const over = props.value > props.max;
  return (
    <div className={`meter${over ? ' meter-over' : ''}`}>
      <label htmlFor={props.id}>{props.label}</label>
      <meter id={props.id} min={0} max={props.max} value={Math.min(props.value, props.max)} high={props.max * 0.8} />
      <span>{props.text}</span>
    </div>
  );
}

/**
 * The live policy preview: a meter of characters against what the role's managed policies can hold and of managed
 * policies against the role's quota, the compiler's warnings, the policy documents (copyable), and the AWS managed
 * policies attached. While a newer preview is being made the old one stays, marked as updating; a refused selection
 * shows the API's message instead (an extra action's beside it).
 */
export function PolicyPreviewPanel(props: {
  preview: PolicyPreview | undefined;
  error: PreviewError | undefined;
  current: boolean;
}) {
  const { preview, error } = props;
  const [copied, setCopied] = useState('');
  const text =
    preview === undefined
      ? ''
      : JSON.stringify(
          preview.documents.map((d) => ({ PolicyName: d.name, PolicyDocument: d.document })),
          null,
          2,
        );
  return (
    <section
      className="policy-preview"
      aria-labelledby="policy-preview-heading"
      aria-busy={!props.current && error === undefined}
    >
      <h3 id="policy-preview-heading">Policy preview</h3>
      <p className="visually-hidden" role="status">
        {error === undefined && props.current && preview !== undefined
          ? `Preview updated: ${preview.documents.length} policies, ${n(preview.limits.characters)} characters.`
          : ''}
      </p>
      {error !== undefined ? (
        error.field !== undefined && /^(extraActions|managedPolicies)/.test(error.field) ? (
          <p className="form-error">
            Fix the {error.field.startsWith('extra') ? 'extra action' : 'AWS managed policy'} marked beside it to see
            the preview.
          </p>
        ) : (
          <p className="form-error" role="alert">
            {error.message}
          </p>
        )
      ) : preview === undefined ? (
        <p className="loading">Compiling…</p>
      ) : (
        <div>
          {props.current ? null : <p className="preview-updating">Updating…</p>}
          <Meter
            id="preview-characters"
            label="Characters"
            value={preview.limits.characters}
            max={preview.limits.maxCharacters}
            text={`${n(preview.limits.characters)} of ${n(preview.limits.maxCharacters)} (${n(preview.limits.maxCharactersPerPolicy)} per policy, counted without white space)`}
          />
          <Meter
            id="preview-managed-policies"
            label="Managed policies"
            value={preview.limits.managedPolicies}
            max={preview.limits.maxManagedPolicies}
            text={`${preview.limits.managedPolicies} of ${preview.limits.maxManagedPolicies} a role may have attached (${preview.documents.length} created, ${preview.managedPolicyArns.length} AWS managed)`}
          />
          {preview.warnings.length === 0 ? null : (
            <ul className="preview-warnings" aria-label="Warnings">
              {preview.warnings.map((w) => (
                <li key={`${w.code}-${w.path}`}>{w.message}</li>
              ))}
            </ul>
          )}
          <div className="preview-toolbar">
            <button
              type="button"
              className="secondary"
              onClick={() => void copyText(text).then((ok) => setCopied(ok ? 'Copied the policies.' : 'Copy failed.'))}
            >
              Copy policies
            </button>
            <span role="status">{copied}</span>
          </div>
          <ul className="preview-documents" aria-label="Policy documents">
            {preview.documents.map((d) => (
              <li key={d.name}>
                <p>
                  <strong>{d.name}</strong>{' '}
                  <span className="hint">
                    {n(d.characters)} of {n(preview.limits.maxCharactersPerPolicy)} characters
                  </span>
                </p>
              </li>
            ))}
            {preview.managedPolicyArns.map((arn) => (
              <li key={arn}>
                <code>{arn}</code> <span className="hint">AWS managed</span>
              </li>
            ))}
          </ul>
          <pre
            className="preview-json"
            tabIndex={0}
            aria-label="The policy documents as JSON"
            data-testid="policy-json"
          >
            {text}
          </pre>
        </div>
      )}
    </section>
  );
}

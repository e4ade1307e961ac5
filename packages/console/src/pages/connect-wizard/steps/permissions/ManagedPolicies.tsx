import { useState } from 'react';
import type { ApiError } from '../../../../api.ts';

/** AWS managed policies to attach, by name (`ReadOnlyAccess`, `job-function/ViewOnlyAccess`) or ARN. */
export function ManagedPolicies(props: {
  policies: string[];
  onChange(policies: string[]): void;
  errorFor(field: string): ApiError | undefined;
}) {
  const id = 'managed-policy';
  const [text, setText] = useState('');
  const add = (): void => {
    const value = text.trim();
    if (value !== '' && !props.policies.includes(value)) props.onChange([...props.policies, value]);
    setText('');
  };
  const listError = props.errorFor('managedPolicies');
  return (
    <fieldset className="managed-policies">
      <legend>AWS managed policies</legend>
      <div className="field-row">
        <label htmlFor={`${id}-input`} className="visually-hidden">
          AWS managed policy to attach
        </label>
        <input
          id={`${id}-input`}
          value={text}
          placeholder="ReadOnlyAccess"
          spellCheck={false}
          autoComplete="off"
          aria-describedby={listError === undefined ? undefined : `${id}-error`}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              add();
            }
          }}
        />
        <button type="button" className="secondary" onClick={add}>
          Add policy
        </button>
      </div>
      {listError === undefined ? null : (
        <p className="field-error" id={`${id}-error`} role="alert">
          {listError.message}
        </p>
      )}
      {props.policies.length === 0 ? null : (
        <ul className="chosen" aria-label="AWS managed policies added">
          {props.policies.map((p, n) => (
            <li key={p}>
              <code>{p}</code>
              <button
                type="button"
                className="secondary"
                aria-label={`Remove ${p}`}
                onClick={() => props.onChange(props.policies.filter((_, i) => i !== n))}
              >
                Remove
              </button>
              {props.errorFor(`managedPolicies[${n}]`) === undefined ? null : (
                <p className="field-error">{props.errorFor(`managedPolicies[${n}]`)?.message}</p>
              )}
            </li>
          ))}
        </ul>
      )}
    </fieldset>
  );
}

import { useEffect, useState, type ReactNode } from 'react';
import { api, unwrap, type ApiError, type ApiResponse } from '../../../api.ts';
import { Field } from '../../../components/Field.tsx';
import type { StepProps } from '../wizard-steps.ts';
import { accountField, PARTITION_NAMES, type Partition, type ScopeKind, type WizardState } from '../wizard-state.ts';

type Space = ApiResponse<'/v1/spaces'>[number];

/** A group of radio buttons with its legend and the error naming the group's field. */
function Choice<T extends string>(props: {
  name: string;
  legend: string;
  value: T;
  options: { value: T; label: string; hint?: string }[];
  onChange(value: T): void;
  error: ApiError | undefined;
}) {
  const errorId = `choice-${props.name}-error`;
  return (
    <fieldset
      className={`choice${props.error === undefined ? '' : ' field-invalid'}`}
      aria-describedby={props.error === undefined ? undefined : errorId}
    >
      <legend>{props.legend}</legend>
      {props.options.map((o) => (
        <label key={o.value} className="choice-option">
          <input
            type="radio"
            name={props.name}
            value={o.value}
            checked={props.value === o.value}
            aria-invalid={props.error !== undefined}
            onChange={() => props.onChange(o.value)}
          />
          <span>
            {o.label}
            {o.hint === undefined ? null : <span className="hint"> — {o.hint}</span>}
          </span>
        </label>
      ))}
      {props.error === undefined ? null : (
        <p className="field-error" id={errorId}>
          {props.error.message}
        </p>
      )}
    </fieldset>
  );
}

function TextField(props: {
  name: string;
  label: string;
  value: string;
  onChange(value: string): void;
  error: ApiError | undefined;
  hint?: string;
  placeholder?: string;
  after?: ReactNode;
}) {
  return (
    <Field
      name={props.name}
      label={props.label}
      error={props.error}
      {...(props.hint === undefined ? {} : { hint: props.hint })}
    >
      {(control) => (
        <div className="field-row">
          <input
            {...control}
            value={props.value}
            spellCheck={false}
            autoComplete="off"
            {...(props.placeholder === undefined ? {} : { placeholder: props.placeholder })}
            onChange={(e) => props.onChange(e.target.value)}
          />
          {props.after}
        </div>
      )}
    </Field>
  );
}

/**
 * Step 1: name the connection and the role; the scope (one account, several, or an AWS Organization); partition,
 * optional region, space and labels; manual or automatic; external ID or OIDC.
 */
export default function DetailsStep({ state, update, errorFor }: StepProps) {
  const [spaces, setSpaces] = useState<Space[]>([]);
  useEffect(() => {
    unwrap(api.GET('/v1/spaces'))
      .then(setSpaces)
      .catch(() => setSpaces([]));
  }, []);
  const set =
    <K extends keyof WizardState>(key: K) =>
    (value: WizardState[K]) =>
      update({ [key]: value } as Partial<WizardState>);
  const setAccount = (n: number, value: string): void =>
    update((s) => ({ accountIds: s.accountIds.map((id, i) => (i === n ? value : id)) }));
  const setLabel = (n: number, patch: Partial<{ key: string; value: string }>): void =>
    update((s) => ({ labels: s.labels.map((l, i) => (i === n ? { ...l, ...patch } : l)) }));
  const accounts = state.scopeKind === 'account' ? state.accountIds.slice(0, 1) : state.accountIds;

  return (
    <div className="details-step">
      <TextField
        name="name"
        label="Connection name"
        value={state.name}
        onChange={set('name')}
        error={errorFor('name')}
        hint="How the connection is listed, e.g. the customer's team and environment."
      />
      <TextField
        name="roleName"
        label="Role name"
        value={state.roleName}
        onChange={set('roleName')}
        error={errorFor('roleName')}
        hint="The IAM role the template creates in each account."
      />
      <Choice<ScopeKind>
        name="scope"
        legend="Scope"
        value={state.scopeKind}
        error={errorFor('scope')}
        onChange={(scopeKind) => update({ scopeKind })}
        options={[
          { value: 'account', label: 'One account' },
          { value: 'accounts', label: 'Several accounts' },
          { value: 'organization', label: 'An AWS Organization', hint: 'every account, through a StackSet' },
        ]}
      />
      {state.scopeKind === 'organization' ? (
        <div className="accounts">
          <TextField
            name="scope.organizationId"
            label="AWS Organization ID"
            value={state.organizationId}
            onChange={set('organizationId')}
            error={errorFor('scope.organizationId')}
            placeholder="o-abcd123456"
          />
          <TextField
            name="scope.organizationalUnitIds"
            label="Organizational units (optional)"
            value={state.organizationalUnits}
            onChange={set('organizationalUnits')}
            error={errorFor('scope.organizationalUnitIds')}
            hint="Where the StackSet creates the role, separated by commas; empty means the whole organization."
            placeholder="ou-ab12-cdef3456"
          />
        </div>
      ) : (
        <div className="accounts">
          {accounts.map((id, n) => (
            <TextField
              key={n}
              name={accountField(state, n)}
              label={state.scopeKind === 'account' ? 'AWS account ID' : `AWS account ID ${n + 1}`}
              value={id}
              onChange={(v) => setAccount(n, v)}
              error={errorFor(accountField(state, n))}
              placeholder="123456789012"
              after={
                state.scopeKind === 'accounts' && accounts.length > 1 ? (
                  <button
                    type="button"
                    className="secondary"
                    aria-label={`Remove account ${n + 1}`}
                    onClick={() => update((s) => ({ accountIds: s.accountIds.filter((_, i) => i !== n) }))}
                  >
                    Remove
                  </button>
                ) : undefined
              }
            />
          ))}
          {state.scopeKind === 'accounts' ? (
            <button
              type="button"
              className="secondary"
              onClick={() => update((s) => ({ accountIds: [...s.accountIds, ''] }))}
            >
              Add another account
            </button>
          ) : null}
        </div>
      )}
      <Field name="partition" label="Partition" error={errorFor('partition')}>
        {(control) => (
          <select
            {...control}
            value={state.partition}
            onChange={(e) => update({ partition: e.target.value as Partition })}
          >
            {(Object.keys(PARTITION_NAMES) as Partition[]).map((p) => (
              <option key={p} value={p}>
                {PARTITION_NAMES[p]}
              </option>
            ))}
          </select>
        )}
      </Field>
      <TextField
        name="region"
        label="Region (optional)"
        value={state.region}
        onChange={set('region')}
        error={errorFor('region')}
        hint="Fills ${Region} in the permissions' ARNs; empty means any region."
        placeholder={
          state.partition === 'aws-us-gov' ? 'us-gov-west-1' : state.partition === 'aws-cn' ? 'cn-north-1' : 'us-east-1'
        }
      />
      <Field name="spaceId" label="Space" error={errorFor('spaceId')}>
        {(control) => (
          <select {...control} value={state.spaceId} onChange={(e) => update({ spaceId: e.target.value })}>
            <option value="">No space</option>
            {spaces.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        )}
      </Field>
      <fieldset className="labels">
        <legend>Labels (optional)</legend>
        {state.labels.map((label, n) => (
          <div key={n} className="label-row">
            <TextField
              name={`labelKey[${n}]`}
              label={`Label ${n + 1} key`}
              value={label.key}
              onChange={(key) => setLabel(n, { key })}
              error={errorFor(`labelKey[${n}]`)}
            />
            <TextField
              name={`labels.${label.key}`}
              label={`Label ${n + 1} value`}
              value={label.value}
              onChange={(value) => setLabel(n, { value })}
              error={label.key === '' ? undefined : errorFor(`labels.${label.key}`)}
              after={
                <button
                  type="button"
                  className="secondary"
                  aria-label={`Remove label ${n + 1}`}
                  onClick={() => update((s) => ({ labels: s.labels.filter((_, i) => i !== n) }))}
                >
                  Remove
                </button>
              }
            />
          </div>
        ))}
        <button
          type="button"
          className="secondary"
          onClick={() => update((s) => ({ labels: [...s.labels, { key: '', value: '' }] }))}
        >
          Add a label
        </button>
      </fieldset>
      <Choice<WizardState['mode']>
        name="mode"
        legend="How the role is created"
        value={state.mode}
        error={errorFor('mode')}
        onChange={(mode) => update({ mode })}
        options={[
          { value: 'manual', label: 'Manual', hint: 'the customer applies the template, then pastes the role ARN' },
          { value: 'automatic', label: 'Automatic', hint: 'the stack reports back by itself' },
        ]}
      />
      <Choice<WizardState['trust']>
        name="trust"
        legend="How the role trusts the platform"
        value={state.trust}
        error={errorFor('trust')}
        onChange={(trust) => update({ trust })}
        options={[
          { value: 'external-id', label: 'External ID', hint: "the platform's AWS identity with a unique external ID" },
          { value: 'oidc', label: 'OIDC', hint: "trustgate's OIDC issuer; no platform AWS key" },
        ]}
      />
    </div>
  );
}

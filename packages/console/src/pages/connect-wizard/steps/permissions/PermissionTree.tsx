import { useEffect, useRef, useState } from 'react';
import { PARTITION_NAMES, type CatalogTree, type Partition } from '../../wizard-state.ts';

type Product = CatalogTree['products'][number];
type Integration = Product['integrations'][number];

/** A checkbox that can show "some ticked" (indeterminate), which only script can set. */
function TriStateCheckbox(props: {
  id: string;
  checked: boolean;
  indeterminate: boolean;
  disabled: boolean;
  onChange(checked: boolean): void;
  describedBy?: string;
}) {
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (ref.current) ref.current.indeterminate = props.indeterminate;
  }, [props.indeterminate]);
  return (
    <input
      ref={ref}
      id={props.id}
      type="checkbox"
      checked={props.checked}
      disabled={props.disabled}
      aria-describedby={props.describedBy}
      onChange={(e) => props.onChange(e.target.checked)}
    />
  );
}

function IntegrationRow(props: {
  integration: Integration;
  partition: Partition;
  ticked: boolean;
  onTick(ticked: boolean): void;
}) {
  const { integration: i, partition } = props;
  const [open, setOpen] = useState(false);
  const offered = i.partitions.includes(partition);
  const id = `integration-${i.id}`;
  const actions = i.statements.reduce((n, s) => n + s.actions.length, 0);
  return (
    <li className={`integration${offered ? '' : ' integration-not-offered'}`}>
      <div className="integration-head">
        <input
          id={id}
          type="checkbox"
          checked={offered && props.ticked}
          disabled={!offered}
          aria-describedby={`${id}-about`}
          onChange={(e) => props.onTick(e.target.checked)}
        />
        <label htmlFor={id}>{i.name}</label>
        <button
          type="button"
          className="link-button"
          aria-expanded={open}
          aria-controls={`${id}-actions`}
          onClick={() => setOpen(!open)}
        >
          {open ? 'Hide' : 'Show'}{' '}
          {actions === 0 ? 'what it attaches' : `${actions} ${actions === 1 ? 'action' : 'actions'}`}
          <span className="visually-hidden"> of {i.name}</span>
        </button>
      </div>
      <p className="hint" id={`${id}-about`}>
        {offered ? (i.description ?? '') : `Not offered in ${PARTITION_NAMES[partition]}. `}
        {offered && i.managedPolicies.length > 0 ? ` Attaches ${i.managedPolicies.join(', ')}.` : ''}
      </p>
      {open ? (
        <div id={`${id}-actions`} className="integration-actions">
          {i.statements.map((s, n) => (
            <div key={n} className="statement">
              <p className="statement-head">
                {s.effect} on {s.resources.join(', ')}
              </p>
              <ul>
                {s.actions.map((a) => (
                  <li key={a}>
                    <code>{a}</code>
                  </li>
                ))}
              </ul>
            </div>
          ))}
          {i.managedPolicies.map((m) => (
            <p key={m}>
              AWS managed policy <code>{m}</code>
            </p>
          ))}
        </div>
      ) : (
        <div id={`${id}-actions`} hidden />
      )}
    </li>
  );
}

/**
 * The catalog as a tree: products with a checkbox (ticks or clears all of its integrations offered in the partition;
 * "mixed" when some are ticked), integrations with a checkbox and their actions behind a disclosure button.
 * Integrations not offered in the partition cannot be ticked and say so.
 */
export function PermissionTree(props: {
  tree: CatalogTree;
  partition: Partition;
  ticked: string[];
  onChange(ticked: string[]): void;
}) {
  const { tree, partition } = props;
  const ticked = new Set(props.ticked);
  const setTicked = (ids: string[], on: boolean): void => {
    const next = new Set(ticked);
    for (const id of ids) {
      if (on) next.add(id);
      else next.delete(id);
    }
    // In catalog order, so the same ticks always make the same request.
    props.onChange(tree.products.flatMap((p) => p.integrations.map((i) => i.id)).filter((id) => next.has(id)));
  };
  return (
    <ul className="permission-tree" aria-label="Products and integrations">
      {tree.products.map((p) => {
        const offered = p.integrations.filter((i) => i.partitions.includes(partition));
        const on = offered.filter((i) => ticked.has(i.id)).length;
        const id = `product-${p.id}`;
        return (
          <li key={p.id} className="product">
            <div className="product-head">
              <TriStateCheckbox
                id={id}
                checked={offered.length > 0 && on === offered.length}
                indeterminate={on > 0 && on < offered.length}
                disabled={offered.length === 0}
                describedBy={p.description === undefined ? undefined : `${id}-about`}
                onChange={(checked) =>
                  setTicked(
                    offered.map((i) => i.id),
                    checked,
                  )
                }
              />
              <label htmlFor={id}>{p.name}</label>
              <span className="hint">
                {' '}
                ({on} of {offered.length} ticked)
              </span>
            </div>
            {p.description === undefined ? null : (
              <p className="hint" id={`${id}-about`}>
                {p.description}
              </p>
            )}
            <ul className="integrations" aria-label={`Integrations of ${p.name}`}>
              {p.integrations.map((i) => (
                <IntegrationRow
                  key={i.id}
                  integration={i}
                  partition={partition}
                  ticked={ticked.has(i.id)}
                  onTick={(on) => setTicked([i.id], on)}
                />
              ))}
            </ul>
          </li>
        );
      })}
    </ul>
  );
}

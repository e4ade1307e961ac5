import { useEffect, useState } from 'react';
import { api, apiError, unwrap, type ApiError, type ApiResponse } from '../../../api.ts';
import { Field } from '../../../components/Field.tsx';
import type { StepProps } from '../wizard-steps.ts';
import { PARTITION_NAMES, previewBodyOf, type CatalogTree, type WizardState } from '../wizard-state.ts';
import { ExtraActions } from './permissions/ExtraActions.tsx';
import { ManagedPolicies } from './permissions/ManagedPolicies.tsx';
import { PermissionTree } from './permissions/PermissionTree.tsx';
import { PolicyPreviewPanel } from './permissions/PolicyPreviewPanel.tsx';
import { usePolicyPreview } from './permissions/use-policy-preview.ts';

type Catalog = ApiResponse<'/v1/catalogs'>[number];

/** The default integrations of a catalog that are offered in the partition: what "Customize" starts from. */
function defaultsOf(tree: CatalogTree, partition: WizardState['partition']): string[] {
  return tree.products.flatMap((p) =>
    p.integrations.filter((i) => i.default && i.partitions.includes(partition)).map((i) => i.id),
  );
}

/**
 * Step 2: the default permissions, or a custom selection from the catalog's tree, plus AWS managed policies and extra
 * actions; beside it the live policy preview, compiled as the connection will be (in every partition, GovCloud and
 * China included). Leaving the step creates the connection.
 */
export default function PermissionsStep({ state, update, errorFor }: StepProps) {
  const [catalogs, setCatalogs] = useState<Catalog[]>([]);
  const [treeError, setTreeError] = useState<ApiError | undefined>(undefined);
  const tree =
    state.catalogTree?.catalogName === (state.catalogName === '' ? null : state.catalogName)
      ? state.catalogTree
      : undefined;
  const { preview, error, current } = usePolicyPreview(previewBodyOf(state));

  useEffect(() => {
    unwrap(api.GET('/v1/catalogs'))
      .then(setCatalogs)
      .catch(() => setCatalogs([]));
  }, []);
  useEffect(() => {
    if (tree !== undefined) return;
    setTreeError(undefined);
    const query = state.catalogName === '' ? {} : { catalogName: state.catalogName };
    unwrap(api.GET('/v1/catalog-tree', { params: { query } }))
      .then((loaded) =>
        update((s) => {
          // Ticks of another catalog, or not offered in this partition, are dropped; "Customize" chosen before the
          // catalog arrived starts from its defaults.
          const kept = s.integrations.filter((id) =>
            loaded.products.some((p) => p.integrations.some((i) => i.id === id && i.partitions.includes(s.partition))),
          );
          return {
            catalogTree: loaded,
            integrations: s.selectionMode === 'custom' && kept.length === 0 ? defaultsOf(loaded, s.partition) : kept,
          };
        }),
      )
      .catch((e) => setTreeError(apiError(e)));
  }, [tree, state.catalogName, update]);

  const extraActionsError =
    error?.field?.startsWith('extraActions[') === true
      ? error
      : state.extraActions.map((_, n) => errorFor(`extraActions[${n}]`)).find((e) => e !== undefined);

  return (
    <div className="permissions-step">
      <div className="permissions-choices">
        <fieldset className="choice">
          <legend>Permissions</legend>
          <label className="choice-option">
            <input
              type="radio"
              name="selectionMode"
              value="default"
              checked={state.selectionMode === 'default'}
              onChange={() => update({ selectionMode: 'default' })}
            />
            <span>
              Default permissions <span className="hint">— what the platform recommends</span>
            </span>
          </label>
          <label className="choice-option">
            <input
              type="radio"
              name="selectionMode"
              value="custom"
              checked={state.selectionMode === 'custom'}
              onChange={() =>
                update((s) => ({
                  selectionMode: 'custom',
                  integrations:
                    s.integrations.length > 0 || s.catalogTree === undefined
                      ? s.integrations
                      : defaultsOf(s.catalogTree, s.partition),
                }))
              }
            />
            <span>
              Customize{' '}
              <span className="hint">— tick products and integrations ({PARTITION_NAMES[state.partition]})</span>
            </span>
          </label>
        </fieldset>
        {catalogs.length === 0 ? null : (
          <Field name="catalogName" label="Catalog" error={errorFor('catalogName')}>
            {(control) => (
              <select
                {...control}
                value={state.catalogName}
                onChange={(e) => update({ catalogName: e.target.value, integrations: [] })}
              >
                <option value="">The service's default catalog</option>
                {catalogs.map((c) => (
                  <option key={c.id} value={c.name}>
                    {c.name} (version {c.version})
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
        {errorFor('selection') === undefined ? null : (
          <p className="field-error" role="alert">
            {errorFor('selection')?.message}
          </p>
        )}
        {treeError !== undefined ? (
          <p className="form-error" role="alert">
            {treeError.message}
          </p>
        ) : state.selectionMode === 'custom' ? (
          tree === undefined ? (
            <p className="loading">Loading the catalog…</p>
          ) : (
            <PermissionTree
              tree={tree}
              partition={state.partition}
              ticked={state.integrations}
              onChange={(integrations) => update({ integrations })}
            />
          )
        ) : null}
        <ManagedPolicies
          policies={state.managedPolicies}
          onChange={(managedPolicies) => update({ managedPolicies })}
          errorFor={(field) => (error?.field === field ? error : errorFor(field))}
        />
        <ExtraActions
          actions={state.extraActions}
          onChange={(extraActions) => update({ extraActions })}
          error={extraActionsError}
        />
      </div>
      <PolicyPreviewPanel preview={preview} error={error} current={current} />
    </div>
  );
}

import type { ApiError, ApiResponse, paths } from '../../api.ts';

/** The connect wizard's draft: everything the steps collect, and what the API answered along the way. */

export type Partition = 'aws' | 'aws-us-gov' | 'aws-cn';
export type ScopeKind = 'account' | 'accounts' | 'organization';
export type CatalogTree = ApiResponse<'/v1/catalog-tree'>;
export type PolicyPreview = ApiResponse<'/v1/policy-preview', 'post'>;
export type CreatedConnection = ApiResponse<'/v1/connections', 'post'>;
export type CreateConnectionBody = NonNullable<
  paths['/v1/connections']['post']['requestBody']
>['content']['application/json'];
export type PolicyPreviewBody = NonNullable<
  paths['/v1/policy-preview']['post']['requestBody']
>['content']['application/json'];

/** The partitions, as people name them. */
export const PARTITION_NAMES: Record<Partition, string> = {
  aws: 'AWS (commercial)',
  'aws-us-gov': 'AWS GovCloud (US)',
  'aws-cn': 'AWS China',
};

export interface WizardState {
  // Step 1: the connection.
  name: string;
  roleName: string;
  scopeKind: ScopeKind;
  /** The account (scope `account`: the first) or accounts (scope `accounts`). */
  accountIds: string[];
  organizationId: string;
  /** Organizational units (or the root) the StackSet deploys to, separated by commas or spaces; empty: the root. */
  organizationalUnits: string;
  partition: Partition;
  /** Empty: no region (ARN templates use `*`). */
  region: string;
  /** Empty: no space. */
  spaceId: string;
  labels: { key: string; value: string }[];
  mode: 'manual' | 'automatic';
  trust: 'external-id' | 'oidc';
  // Step 2: the permissions.
  selectionMode: 'default' | 'custom';
  /** Empty: the service's default catalog. */
  catalogName: string;
  /** The ticked integrations (IDs are unique across a catalog). */
  integrations: string[];
  managedPolicies: string[];
  extraActions: string[];
  /** The catalog the tree shows, once loaded (kept so Back and Next do not load it again). */
  catalogTree?: CatalogTree;
  /** Set when step 2 is left: the created connection and its deliverables (what steps 3-5 work with). */
  created?: CreatedConnection;
  /** The body `created` was made (or last updated) from: coming back and changing the draft updates it. */
  createdFrom?: CreateConnectionBody;
}

export const DEFAULT_ROLE_NAME = 'TrustgateAccess';

/** A fresh draft. */
export function initialWizardState(): WizardState {
  return {
    name: '',
    roleName: DEFAULT_ROLE_NAME,
    scopeKind: 'account',
    accountIds: [''],
    organizationId: '',
    organizationalUnits: '',
    partition: 'aws',
    region: '',
    spaceId: '',
    labels: [],
    mode: 'manual',
    trust: 'external-id',
    selectionMode: 'default',
    catalogName: '',
    integrations: [],
    managedPolicies: [],
    extraActions: [],
  };
}

/** Field errors by the API's field name (`scope.accountIds[1]`, `labels.env`, `extraActions[0]`). */
export type FieldErrors = Record<string, ApiError>;

/** The API's field path in the wizard's spelling: zod writes `scope.accountIds.1`, core `scope.accountIds[1]`. */
export function normalizeField(field: string): string {
  return field.replace(/\.(\d+)(?=\.|$)/g, '[$1]');
}

/** The field name of the n-th account of the scope. */
export function accountField(state: Pick<WizardState, 'scopeKind'>, n: number): string {
  return state.scopeKind === 'account' ? 'scope.accountId' : `scope.accountIds[${n}]`;
}

/** The organizational unit IDs typed in step 1. */
export function organizationalUnitsOf(state: Pick<WizardState, 'organizationalUnits'>): string[] {
  return state.organizationalUnits.split(/[\s,]+/).filter((u) => u !== '');
}

function scopeOf(state: WizardState): CreateConnectionBody['scope'] {
  if (state.scopeKind === 'organization') {
    const units = organizationalUnitsOf(state);
    return {
      kind: 'organization',
      organizationId: state.organizationId.trim(),
      ...(units.length === 0 ? {} : { organizationalUnitIds: units }),
    };
  }
  const ids = state.accountIds.map((id) => id.trim());
  return state.scopeKind === 'account'
    ? { kind: 'account', accountId: ids[0] ?? '' }
    : { kind: 'accounts', accountIds: ids };
}

/** What step 2 selected, as the API takes it: the ticked integrations, listed one by one. */
export function selectionOf(state: WizardState): NonNullable<CreateConnectionBody['selection']> {
  return state.selectionMode === 'default' ? { mode: 'default' } : { mode: 'custom', integrations: state.integrations };
}

/** The permission settings, as the live preview takes them (the create path compiles the same). */
export function previewBodyOf(state: WizardState): PolicyPreviewBody {
  return {
    partition: state.partition,
    scope: scopeOf(state),
    roleName: state.roleName,
    ...(state.region.trim() === '' ? {} : { region: state.region.trim() }),
    selection: selectionOf(state),
    managedPolicies: state.managedPolicies,
    extraActions: state.extraActions,
    ...(state.catalogName === '' ? {} : { catalogName: state.catalogName }),
  };
}

/** The whole draft as `POST /v1/connections` takes it. */
export function createBodyOf(state: WizardState): CreateConnectionBody {
  const labels = state.labels.filter((l) => l.key !== '');
  return {
    name: state.name.trim(),
    partition: state.partition,
    mode: state.mode,
    scope: scopeOf(state),
    roleName: state.roleName,
    region: state.region.trim() === '' ? null : state.region.trim(),
    labels: Object.fromEntries(labels.map((l) => [l.key, l.value])),
    selection: selectionOf(state),
    managedPolicies: state.managedPolicies,
    extraActions: state.extraActions,
    catalogName: state.catalogName === '' ? null : state.catalogName,
    spaceId: state.spaceId === '' ? null : state.spaceId,
    trust: state.trust === 'oidc' ? { kind: 'oidc', phases: ['read', 'write'] } : { kind: 'external-id' },
  };
}

import { useCallback, useEffect, useState } from 'react';
import { api, apiError, unwrap, type ApiError, type ApiResponse } from '../../api.ts';
import { FormError } from '../../components/Field.tsx';
import { StatusBadge } from '../../components/StatusBadge.tsx';
import { Link, navigate } from '../../router.tsx';
import type { PageProps } from '../../routes.tsx';
import { AuditTable, type AuditEvent } from '../audit/AuditTable.tsx';
import { ActionsSection } from './ActionsSection.tsx';
import { DeleteDialog } from './DeleteDialog.tsx';
import { DriftSection } from './DriftSection.tsx';
import { RolesSection } from './RolesSection.tsx';
import { scopeText, when, type Connection, type Deliverables, type Drift } from './connection-types.ts';
import './connection.css';

type User = ApiResponse<'/v1/users'>[number];

/** How many of the connection's latest audit events the page shows (the audit page has them all). */
const TRAIL = 50;

/**
 * One connection (`/connections/:id`): its scope, selection and trust; its roles with their last verification; drift
 * as a side-by-side policy diff with the update-stack link; re-verify, external-ID rotation, session revocation and
 * deletion (confirmed by typing the name); and its audit trail. After any action the connection, its drift and its
 * trail are read again.
 */
export default function ConnectionPage({ params }: PageProps) {
  const id = params.id ?? '';
  const [connection, setConnection] = useState<Connection | undefined>(undefined);
  const [drift, setDrift] = useState<Drift | undefined>(undefined);
  const [deliverables, setDeliverables] = useState<Deliverables | undefined>(undefined);
  const [trail, setTrail] = useState<AuditEvent[] | undefined>(undefined);
  const [users, setUsers] = useState<User[]>([]);
  const [spaceName, setSpaceName] = useState<string | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);

  const refresh = useCallback(
    (known?: Connection) => {
      const path = { params: { path: { id } } };
      if (known === undefined)
        unwrap(api.GET('/v1/connections/{id}', path))
          .then(setConnection)
          .catch((e) => setError(apiError(e)));
      else setConnection(known);
      unwrap(api.GET('/v1/connections/{id}/drift', path))
        .then(setDrift)
        .catch(() => setDrift(undefined));
      unwrap(api.GET('/v1/connections/{id}/deliverables', path))
        .then(setDeliverables)
        .catch(() => setDeliverables(undefined));
      unwrap(api.GET('/v1/audit', { params: { query: { connectionId: id, limit: TRAIL } } }))
        .then(setTrail)
        .catch(() => setTrail([]));
    },
    [id],
  );
  useEffect(() => {
    setConnection(undefined);
    setError(undefined);
    refresh();
    unwrap(api.GET('/v1/users'))
      .then(setUsers)
      .catch(() => setUsers([]));
  }, [refresh]);
  const spaceId = connection?.spaceId ?? null;
  useEffect(() => {
    if (spaceId === null) return;
    unwrap(api.GET('/v1/spaces'))
      .then((spaces) => setSpaceName(spaces.find((s) => s.id === spaceId)?.name))
      .catch(() => undefined);
  }, [spaceId]);

  if (connection === undefined)
    return (
      <>
        <h1>
          {error === undefined ? 'Connection' : error.code === 'NOT_FOUND' ? 'Connection not found' : 'Connection'}
        </h1>
        {error === undefined ? <p className="loading">Loading…</p> : <FormError error={error} />}
        <p>
          <Link to="/connections">All connections</Link>
        </p>
      </>
    );

  const userNames = new Map(users.map((u) => [u.id, u.name === '' ? u.email : u.name]));
  const selection = connection.selection;
  return (
    <>
      <p className="breadcrumb">
        <Link to="/connections">Connections</Link>
      </p>
      <h1>{connection.name}</h1>
      <StatusBadge status={connection.status} reason={connection.statusReason} />
      <div className="connection-overview">
        <section aria-labelledby="scope-heading">
          <h2 id="scope-heading">Scope and trust</h2>
          <dl className="facts">
            <dt>Scope</dt>
            <dd data-testid="scope">{scopeText(connection.scope)}</dd>
            <dt>Partition</dt>
            <dd>{connection.partition}</dd>
            <dt>Region</dt>
            <dd>{connection.region ?? 'any'}</dd>
            <dt>Role name</dt>
            <dd>
              <code>{connection.roleName}</code>
            </dd>
            <dt>Mode</dt>
            <dd>{connection.mode}</dd>
            <dt>Trust</dt>
            <dd>
              {connection.trust.kind === 'oidc'
                ? "trustgate's OIDC issuer"
                : connection.externalIdTrust.kind === 'scoped'
                  ? 'External ID, scoped per stack and phase'
                  : 'External ID'}
            </dd>
            <dt>Space</dt>
            <dd>{connection.spaceId === null ? 'none' : (spaceName ?? connection.spaceId)}</dd>
            <dt>Labels</dt>
            <dd>
              {Object.entries(connection.labels)
                .map(([k, v]) => `${k}:${v}`)
                .join(', ') || 'none'}
            </dd>
            <dt>Last verified</dt>
            <dd>{when(connection.lastVerifiedAt)}</dd>
          </dl>
        </section>
        <section aria-labelledby="selection-heading">
          <h2 id="selection-heading">Selection</h2>
          {selection.mode === 'default' ? (
            <p data-testid="selection">The catalog's default selection.</p>
          ) : (
            <dl className="facts" data-testid="selection">
              <dt>Products</dt>
              <dd>{(selection.products ?? []).join(', ') || 'none'}</dd>
              <dt>Integrations</dt>
              <dd>{(selection.integrations ?? []).join(', ') || 'none'}</dd>
            </dl>
          )}
          <dl className="facts">
            <dt>Catalog</dt>
            <dd>{connection.catalogName ?? 'the default catalog'}</dd>
            <dt>AWS managed policies</dt>
            <dd>{connection.managedPolicies.join(', ') || 'none'}</dd>
            <dt>Extra actions</dt>
            <dd>{connection.extraActions.join(', ') || 'none'}</dd>
            <dt>Integrations granted</dt>
            <dd>{connection.requiredActions.map((r) => `${r.productId} / ${r.integrationId}`).join(', ') || 'none'}</dd>
          </dl>
        </section>
      </div>
      <RolesSection connection={connection} />
      <DriftSection connection={connection} drift={drift} deliverables={deliverables} />
      <ActionsSection connection={connection} onChanged={refresh} />
      <section aria-labelledby="trail-heading">
        <h2 id="trail-heading">Audit trail</h2>
        {trail === undefined ? (
          <p className="loading">Loading…</p>
        ) : trail.length === 0 ? (
          <p className="empty">No event yet.</p>
        ) : (
          <AuditTable
            events={trail}
            caption={`The connection's latest ${trail.length} events, newest first`}
            userNames={userNames}
            showConnection={false}
          />
        )}
        <p>
          <Link to={`/audit`}>The organization's audit log</Link>
        </p>
      </section>
      <DeleteDialog connection={connection} onDeleted={() => navigate('/connections')} />
    </>
  );
}

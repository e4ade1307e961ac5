import { useEffect, useState } from 'react';
import { api, apiError, unwrap, type ApiError, type ApiResponse } from '../../api.ts';
import { Field, FormError } from '../../components/Field.tsx';
import {
  CONNECTION_STATUSES,
  STATUS_LABELS,
  StatusBadge,
  type ConnectionStatus,
} from '../../components/StatusBadge.tsx';
import { StatusChart } from '../../components/StatusChart.tsx';
import { Link, useSearchParam } from '../../router.tsx';

type Connection = ApiResponse<'/v1/connections'>[number];
type Space = ApiResponse<'/v1/spaces'>[number];

function scopeText(scope: Connection['scope']): string {
  if (scope.kind === 'account') return scope.accountId;
  if (scope.kind === 'accounts') return `${scope.accountIds.length} accounts`;
  return `organization ${scope.organizationId}`;
}

/**
 * Every connection the caller can see: a chart by status (of all of them), filters by status, space and label kept
 * in the URL (`?status=broken&space=…&label=env:prod`) and applied by the API, and a table with each status's reason.
 */
export default function ConnectionsPage() {
  const [status, setStatus] = useSearchParam('status');
  const [space, setSpace] = useSearchParam('space');
  const [label, setLabel] = useSearchParam('label');
  const [labelDraft, setLabelDraft] = useState(label);
  const [all, setAll] = useState<Connection[] | undefined>(undefined);
  const [shown, setShown] = useState<Connection[] | undefined>(undefined);
  const [spaces, setSpaces] = useState<Space[]>([]);
  const [error, setError] = useState<ApiError | undefined>(undefined);

  useEffect(() => {
    unwrap(api.GET('/v1/connections'))
      .then(setAll)
      .catch((e) => setError(apiError(e)));
    unwrap(api.GET('/v1/spaces'))
      .then(setSpaces)
      .catch(() => setSpaces([]));
  }, []);
  useEffect(() => {
    const query = {
      ...(status === '' ? {} : { status: status as ConnectionStatus }),
      ...(space === '' ? {} : { space }),
      ...(label === '' ? {} : { label }),
    };
    setError(undefined);
    unwrap(api.GET('/v1/connections', { params: { query } }))
      .then(setShown)
      .catch((e) => {
        setShown([]);
        setError(apiError(e));
      });
  }, [status, space, label]);

  const counts: Record<string, number> = {};
  for (const c of all ?? []) counts[c.status] = (counts[c.status] ?? 0) + 1;
  const spaceName = (id: string | null) => spaces.find((s) => s.id === id)?.name ?? id ?? '—';

  return (
    <>
      <h1>Connections</h1>
      <p>
        <Link to="/connections/new" className="button-link">
          Connect an AWS account
        </Link>
      </p>
      {all === undefined ? null : <StatusChart counts={counts} />}
      <form
        className="filters"
        aria-label="Filter connections"
        onSubmit={(e) => {
          e.preventDefault();
          setLabel(labelDraft.trim());
        }}
      >
        <Field name="status" label="Status" error={error}>
          {(control) => (
            <select {...control} value={status} onChange={(e) => setStatus(e.target.value)}>
              <option value="">Any status</option>
              {CONNECTION_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {STATUS_LABELS[s]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field name="space" label="Space" error={error}>
          {(control) => (
            <select {...control} value={space} onChange={(e) => setSpace(e.target.value)}>
              <option value="">Any space</option>
              {spaces.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field name="label" label="Label (key:value)" error={error}>
          {(control) => (
            <input
              {...control}
              value={labelDraft}
              placeholder="env:prod"
              onChange={(e) => setLabelDraft(e.target.value)}
            />
          )}
        </Field>
        <button type="submit">Apply label</button>
      </form>
      <FormError error={error} fields={['status', 'space', 'label']} />
      {shown === undefined ? (
        <p className="loading">Loading…</p>
      ) : shown.length === 0 ? (
        <p className="empty">No connection matches.</p>
      ) : (
        <table className="connections">
          <caption>
            {shown.length} of {all?.length ?? shown.length} connections
          </caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Status</th>
              <th scope="col">Scope</th>
              <th scope="col">Space</th>
              <th scope="col">Labels</th>
              <th scope="col">Last verified</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((c) => (
              <tr key={c.id} data-connection={c.name}>
                <th scope="row">
                  <Link to={`/connections/${encodeURIComponent(c.id)}`}>{c.name}</Link>
                </th>
                <td>
                  <StatusBadge status={c.status} reason={c.statusReason} />
                </td>
                <td>{scopeText(c.scope)}</td>
                <td>{spaceName(c.spaceId)}</td>
                <td>
                  {Object.entries(c.labels)
                    .map(([k, v]) => `${k}:${v}`)
                    .join(', ') || '—'}
                </td>
                <td>{c.lastVerifiedAt === null ? 'never' : new Date(c.lastVerifiedAt).toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

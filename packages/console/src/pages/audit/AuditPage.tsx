import { useEffect, useRef, useState } from 'react';
import { api, apiError, unwrap, type ApiError, type ApiResponse } from '../../api.ts';
import { Field, FormError } from '../../components/Field.tsx';
import { useSearchParam } from '../../router.tsx';
import { AUDIT_ACTIONS } from './audit-actions.ts';
import { nextPage, pageQuery } from './audit-paging.ts';
import { AuditTable, type AuditEvent } from './AuditTable.tsx';

type User = ApiResponse<'/v1/users'>[number];

const PAGE_SIZES = ['25', '50', '100'];
const DEFAULT_PAGE_SIZE = '50';

/** An ISO time as a datetime-local input's value (local time, seconds); '' when it is not a time. */
function toLocalInput(iso: string): string {
  const t = new Date(iso);
  if (iso === '' || Number.isNaN(t.getTime())) return '';
  const p = (n: number) => String(n).padStart(2, '0');
  return `${t.getFullYear()}-${p(t.getMonth() + 1)}-${p(t.getDate())}T${p(t.getHours())}:${p(t.getMinutes())}:${p(t.getSeconds())}`;
}

/** A datetime-local value (local time) as an ISO time; '' stays ''. */
function fromLocalInput(value: string): string {
  if (value === '') return '';
  const t = new Date(value);
  return Number.isNaN(t.getTime()) ? value : t.toISOString();
}

/**
 * The organization's audit log, newest first: filters by action, actor (a user) and a time range, kept in the URL
 * (`?action=connection.delete&actor=usr_…&since=…&until=…&limit=50`, times in ISO 8601) and applied by the API;
 * "Show older events" pages on (see audit-paging.ts). An API refusal shows beside the filter it names.
 */
export default function AuditPage() {
  const [action, setAction] = useSearchParam('action');
  const [actor, setActor] = useSearchParam('actor');
  const [since, setSince] = useSearchParam('since');
  const [until, setUntil] = useSearchParam('until');
  const [limitParam, setLimit] = useSearchParam('limit');
  const limit = limitParam === '' ? DEFAULT_PAGE_SIZE : limitParam;
  const pageSize = Math.max(1, Math.min(Number.parseInt(limit, 10) || Number(DEFAULT_PAGE_SIZE), 999));
  const [sinceDraft, setSinceDraft] = useState(toLocalInput(since));
  const [untilDraft, setUntilDraft] = useState(toLocalInput(until));
  const [events, setEvents] = useState<AuditEvent[] | undefined>(undefined);
  const [more, setMore] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [users, setUsers] = useState<User[]>([]);
  const [connectionNames, setConnectionNames] = useState<Map<string, string>>(new Map());
  const generation = useRef(0);

  useEffect(() => {
    unwrap(api.GET('/v1/users'))
      .then(setUsers)
      .catch(() => setUsers([]));
    unwrap(api.GET('/v1/connections'))
      .then((list) => setConnectionNames(new Map(list.map((c) => [c.id, c.name]))))
      .catch(() => undefined);
  }, []);

  const filters = {
    ...(action === '' ? {} : { action }),
    ...(actor === '' ? {} : { actorUserId: actor }),
    ...(since === '' ? {} : { since }),
    ...(until === '' ? {} : { until }),
  };
  /** Reads the page after `shown` ([] for the first) and shows it after them. */
  const load = async (shown: AuditEvent[]) => {
    const mine = ++generation.current;
    setBusy(true);
    setError(undefined);
    try {
      const answer = await unwrap(
        api.GET('/v1/audit', { params: { query: { ...filters, ...pageQuery(shown, pageSize) } } }),
      );
      if (mine !== generation.current) return;
      const page = nextPage(shown, answer, pageSize);
      setEvents([...shown, ...page.events]);
      setMore(page.more);
    } catch (e) {
      if (mine !== generation.current) return;
      setEvents(shown);
      setMore(false);
      setError(apiError(e));
    } finally {
      if (mine === generation.current) setBusy(false);
    }
  };
  useEffect(() => {
    setEvents(undefined);
    void load([]);
  }, [action, actor, since, until, pageSize]);

  const userNames = new Map(users.map((u) => [u.id, u.name === '' ? u.email : u.name]));
  const actions = action === '' || AUDIT_ACTIONS.includes(action) ? AUDIT_ACTIONS : [action, ...AUDIT_ACTIONS];
  const actorOptions = actor === '' || userNames.has(actor) ? users : [{ id: actor, name: actor, email: '' }, ...users];
  const filtered = Object.keys(filters).length > 0;

  return (
    <>
      <h1>Audit log</h1>
      <form
        className="filters"
        aria-label="Filter the audit log"
        onSubmit={(e) => {
          e.preventDefault();
          setSince(fromLocalInput(sinceDraft));
          setUntil(fromLocalInput(untilDraft));
        }}
      >
        <Field name="action" label="Action" error={error}>
          {(control) => (
            <select {...control} value={action} onChange={(e) => setAction(e.target.value)}>
              <option value="">Any action</option>
              {actions.map((a) => (
                <option key={a} value={a}>
                  {a}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field name="actorUserId" label="Actor" error={error}>
          {(control) => (
            <select {...control} value={actor} onChange={(e) => setActor(e.target.value)}>
              <option value="">Anyone</option>
              {actorOptions.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.name === '' ? u.email : u.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field name="since" label="Since (local time)" error={error}>
          {(control) => (
            <input
              {...control}
              type="datetime-local"
              step={1}
              value={sinceDraft}
              onChange={(e) => setSinceDraft(e.target.value)}
            />
          )}
        </Field>
        <Field name="until" label="Until (local time)" error={error}>
          {(control) => (
            <input
              {...control}
              type="datetime-local"
              step={1}
              value={untilDraft}
              onChange={(e) => setUntilDraft(e.target.value)}
            />
          )}
        </Field>
        <button type="submit">Apply times</button>
        <Field name="limit" label="Events per page" error={error}>
          {(control) => (
            <select {...control} value={limit} onChange={(e) => setLimit(e.target.value)}>
              {(PAGE_SIZES.includes(limit) ? PAGE_SIZES : [limit, ...PAGE_SIZES]).map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          )}
        </Field>
        {filtered ? (
          <button
            type="button"
            className="button-secondary"
            onClick={() => {
              setSinceDraft('');
              setUntilDraft('');
              setAction('');
              setActor('');
              setSince('');
              setUntil('');
            }}
          >
            Clear filters
          </button>
        ) : null}
      </form>
      <FormError error={error} fields={['action', 'actorUserId', 'since', 'until', 'limit']} />
      {events === undefined ? (
        <p className="loading">Loading…</p>
      ) : events.length === 0 ? (
        <p className="empty">{filtered ? 'No event matches the filters.' : 'No event yet.'}</p>
      ) : (
        <AuditTable
          events={events}
          caption={`${events.length} event${events.length === 1 ? '' : 's'}${more ? ', older ones follow' : ''}, newest first`}
          userNames={userNames}
          connectionNames={connectionNames}
        />
      )}
      <div className="audit-paging">
        {more && events !== undefined ? (
          <button type="button" disabled={busy} onClick={() => void load(events)}>
            Show older events
          </button>
        ) : null}
        <p className="visually-hidden" role="status">
          {busy ? 'Loading events…' : events === undefined ? '' : `${events.length} events shown`}
        </p>
      </div>
    </>
  );
}

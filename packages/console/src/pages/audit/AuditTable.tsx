import type { ApiResponse } from '../../api.ts';
import { Link } from '../../router.tsx';
import './audit.css';

/** One event of the audit log, as GET /v1/audit answers it. */
export type AuditEvent = ApiResponse<'/v1/audit'>[number];

/** A detail value as text: strings as they are, anything else as compact JSON. */
function detailText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * Audit events as a table, newest first as given: time, action, who (the user's name when `userNames` knows it,
 * else the id; "service" for an event with no user, such as the operator's), the connection (a link to its page
 * unless `connectionNames` says it is gone) and the event's details. `caption` names the table for screen readers.
 */
export function AuditTable(props: {
  events: AuditEvent[];
  caption: string;
  userNames?: ReadonlyMap<string, string>;
  connectionNames?: ReadonlyMap<string, string>;
  showConnection?: boolean;
}) {
  const showConnection = props.showConnection ?? true;
  // A connection gone from the list is still named by its create or delete event, when one is shown.
  const namedByEvents = new Map<string, string>();
  for (const e of props.events)
    if (e.connectionId !== null && typeof e.details.name === 'string' && e.action.startsWith('connection.'))
      namedByEvents.set(e.connectionId, e.details.name);
  return (
    <table className="audit">
      <caption>{props.caption}</caption>
      <thead>
        <tr>
          <th scope="col">Time</th>
          <th scope="col">Action</th>
          <th scope="col">Actor</th>
          {showConnection ? <th scope="col">Connection</th> : null}
          <th scope="col">Details</th>
        </tr>
      </thead>
      <tbody>
        {props.events.map((e) => {
          const connectionName =
            e.connectionId === null
              ? undefined
              : (props.connectionNames?.get(e.connectionId) ?? namedByEvents.get(e.connectionId) ?? e.connectionId);
          const details = Object.entries(e.details);
          return (
            <tr key={e.id} data-id={e.id} data-action={e.action} data-seq={e.seq}>
              <td>
                <time dateTime={e.at}>{new Date(e.at).toLocaleString()}</time>
              </td>
              <td>
                <code>{e.action}</code>
              </td>
              <td>{e.actorUserId === null ? 'service' : (props.userNames?.get(e.actorUserId) ?? e.actorUserId)}</td>
              {showConnection ? (
                <td>
                  {e.connectionId === null ? (
                    '—'
                  ) : props.connectionNames?.has(e.connectionId) === true ? (
                    <Link to={`/connections/${encodeURIComponent(e.connectionId)}`}>{connectionName}</Link>
                  ) : (
                    connectionName
                  )}
                </td>
              ) : null}
              <td>
                {details.length === 0 ? (
                  '—'
                ) : (
                  <dl className="audit-details">
                    {details.map(([k, v]) => (
                      <div key={k}>
                        <dt>{k}</dt>
                        <dd>{detailText(v)}</dd>
                      </div>
                    ))}
                  </dl>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

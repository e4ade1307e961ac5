/** The statuses of a connection, in the order the console lists them. */
export const CONNECTION_STATUSES = ['pending', 'connected', 'needs-update', 'insecure', 'broken'] as const;
export type ConnectionStatus = (typeof CONNECTION_STATUSES)[number];

/** How each status reads: a word, not only a colour. */
export const STATUS_LABELS: Record<ConnectionStatus, string> = {
  pending: 'Pending',
  connected: 'Connected',
  'needs-update': 'Needs update',
  insecure: 'Insecure',
  broken: 'Broken',
};

/** A connection's status as a badge (class `badge-<status>`, colours in styles.css), with its reason beside it. */
export function StatusBadge({ status, reason }: { status: string; reason?: string }) {
  const label = STATUS_LABELS[status as ConnectionStatus] ?? status;
  return (
    <span className="status">
      <span className={`badge badge-${status}`}>{label}</span>
      {reason === undefined || reason === '' ? null : <span className="status-reason">{reason}</span>}
    </span>
  );
}

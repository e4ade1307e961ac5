import { CONNECTION_STATUSES, STATUS_LABELS } from './StatusBadge.tsx';

/**
 * Connections by status as a horizontal bar chart in plain SVG: one bar per status with its count written beside
 * it, the whole described for screen readers by role="img" and a label listing every count.
 */
export function StatusChart({ counts }: { counts: Record<string, number> }) {
  const max = Math.max(1, ...CONNECTION_STATUSES.map((s) => counts[s] ?? 0));
  const summary = CONNECTION_STATUSES.map((s) => `${STATUS_LABELS[s]}: ${counts[s] ?? 0}`).join(', ');
  const row = 26;
  return (
    <figure className="chart">
      <figcaption id="status-chart-caption">Connections by status</figcaption>
      <svg
        role="img"
        aria-labelledby="status-chart-caption status-chart-summary"
        viewBox={`0 0 320 ${row * CONNECTION_STATUSES.length}`}
        width="320"
        height={row * CONNECTION_STATUSES.length}
      >
        <desc id="status-chart-summary">{summary}</desc>
        {CONNECTION_STATUSES.map((status, i) => {
          const count = counts[status] ?? 0;
          return (
            <g key={status} transform={`translate(0 ${i * row})`} data-status={status}>
              <text x="0" y="17" className="chart-label">
                {STATUS_LABELS[status]}
              </text>
              <rect x="110" y="4" height="18" width={(count / max) * 170} className={`bar bar-${status}`} />
              <text x={116 + (count / max) * 170} y="17" className="chart-count">
                {count}
              </text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}

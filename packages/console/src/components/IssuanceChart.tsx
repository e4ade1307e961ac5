/** One bucket of time: the credential issuances in it and how many of them the cache served. */
export interface IssuanceBucket {
  start: string;
  issued: number;
  cacheHits: number;
}

function bucketLabel(start: string, bucketSeconds: number): string {
  const d = new Date(start);
  const time = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return bucketSeconds >= 86_400 ? d.toLocaleDateString() : time;
}

/** The chart's words: totals over the window and each non-empty bucket (what a screen reader hears). */
export function issuanceSummary(buckets: readonly IssuanceBucket[], bucketSeconds: number): string {
  const issued = buckets.reduce((n, b) => n + b.issued, 0);
  const hits = buckets.reduce((n, b) => n + b.cacheHits, 0);
  const busy = buckets
    .filter((b) => b.issued > 0)
    .map((b) => `${bucketLabel(b.start, bucketSeconds)}: ${b.issued} issued, ${b.cacheHits} from the cache`);
  return `${issued} issuances, ${hits} cache hits${busy.length === 0 ? '' : `. ${busy.join('; ')}`}.`;
}

/**
 * Issuances and cache hits over time as plain SVG columns: per bucket, the issuances (full column) and the cache hits
 * among them (the inner, patterned column), so a hit is shown by shape and legend, not colour alone. Described by its
 * caption and a summary (role="img"), with the same numbers in a table behind a disclosure.
 */
export function IssuanceChart({ buckets, bucketSeconds }: { buckets: IssuanceBucket[]; bucketSeconds: number }) {
  const max = Math.max(1, ...buckets.map((b) => b.issued));
  const height = 120;
  const column = Math.max(8, Math.floor(480 / Math.max(1, buckets.length)));
  const width = column * buckets.length;
  const scale = (n: number) => (n / max) * (height - 20);
  const minutes = bucketSeconds / 60;
  const first = buckets[0];
  const last = buckets[buckets.length - 1];
  return (
    <figure className="chart issuance-chart">
      <figcaption id="issuance-chart-caption">
        Issuances and cache hits per{' '}
        {minutes === 60 ? 'hour' : minutes > 60 ? `${minutes / 60} hours` : `${minutes} minutes`}
        {buckets.length === 0 ? '' : `, over the last ${Math.round((buckets.length * bucketSeconds) / 3600)} hours`}
      </figcaption>
      <svg
        role="img"
        aria-labelledby="issuance-chart-caption issuance-chart-summary"
        viewBox={`0 0 ${width} ${height + 18}`}
        width={width}
        height={height + 18}
      >
        <desc id="issuance-chart-summary">{issuanceSummary(buckets, bucketSeconds)}</desc>
        <defs>
          <pattern id="hit-hatch" width="4" height="4" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
            <rect width="4" height="4" className="hit-hatch-bg" />
            <line x1="0" y1="0" x2="0" y2="4" className="hit-hatch-line" />
          </pattern>
        </defs>
        <line x1="0" y1={height} x2={width} y2={height} className="axis" />
        {buckets.map((b, i) => (
          <g
            key={b.start}
            transform={`translate(${i * column} 0)`}
            data-start={b.start}
            data-issued={b.issued}
            data-cache-hits={b.cacheHits}
          >
            <rect
              x="1"
              y={height - scale(b.issued)}
              width={column - 2}
              height={scale(b.issued)}
              className="bar-issued"
            />
            <rect
              x={Math.floor(column / 4)}
              y={height - scale(b.cacheHits)}
              width={Math.max(2, column - 2 * Math.floor(column / 4))}
              height={scale(b.cacheHits)}
              className="bar-hits"
              fill="url(#hit-hatch)"
            />
          </g>
        ))}
        <text x="2" y="12" className="chart-count">
          {max}
        </text>
        {first === undefined || last === undefined ? null : (
          <>
            <text x="0" y={height + 14} className="chart-time">
              {bucketLabel(first.start, bucketSeconds)}
            </text>
            <text x={width} y={height + 14} textAnchor="end" className="chart-time">
              {bucketLabel(last.start, bucketSeconds)}
            </text>
          </>
        )}
      </svg>
      <ul className="legend">
        <li>
          <span className="swatch swatch-issued" aria-hidden="true" /> Issuances (column)
        </li>
        <li>
          <span className="swatch swatch-hits" aria-hidden="true" /> Cache hits (hatched inner column)
        </li>
      </ul>
      <details className="chart-table">
        <summary>Show the numbers as a table</summary>
        <table className="issuance-series">
          <caption>Issuances and cache hits per bucket, oldest first</caption>
          <thead>
            <tr>
              <th scope="col">From</th>
              <th scope="col">Issuances</th>
              <th scope="col">Cache hits</th>
            </tr>
          </thead>
          <tbody>
            {buckets.map((b) => (
              <tr key={b.start}>
                <th scope="row">
                  <time dateTime={b.start}>{bucketLabel(b.start, bucketSeconds)}</time>
                </th>
                <td>{b.issued}</td>
                <td>{b.cacheHits}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}

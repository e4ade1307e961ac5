import { useState } from 'react';
import { foldUnchanged, sideBySide, type DiffRow } from './policy-diff.ts';

/** One line of the diff: both sides, a side only one document has marked − or + (and said, for screen readers). */
function Row({ row }: { row: DiffRow }) {
  const cell = (line: string | undefined, marker: string, only: string) => (
    <td className={line !== undefined && row.kind !== 'same' ? 'diff-only' : undefined}>
      {line === undefined ? null : (
        <>
          {row.kind === 'same' ? null : (
            <>
              <span className="diff-marker" aria-hidden="true">
                {marker}
              </span>
              <span className="visually-hidden">{only}</span>
            </>
          )}
          <code>{line}</code>
        </>
      )}
    </td>
  );
  return (
    <tr className={`diff-${row.kind}`}>
      {cell(row.left, '−', 'Only expected: ')}
      {cell(row.right, '+', 'Only in the role: ')}
    </tr>
  );
}

/**
 * One policy's expected document beside the role's current one, line by line (policy-diff.ts). A line only one side
 * has is marked with − (missing from the role) or + (not in the template) and says so to screen readers, so the
 * difference is never shown by colour alone. Unchanged lines away from any change are folded behind a button.
 */
export function PolicyDiffTable(props: { caption: string; expected?: unknown; current?: unknown }) {
  const [expanded, setExpanded] = useState<ReadonlySet<number>>(new Set());
  const rows = foldUnchanged(sideBySide(props.expected, props.current));
  return (
    <div className="diff-scroll">
      <table className="policy-diff">
        <caption>{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">Expected (the template)</th>
            <th scope="col">Current (the role, as last verified)</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row, i) =>
            row.kind !== 'fold' ? (
              <Row key={i} row={row} />
            ) : expanded.has(i) ? (
              row.rows.map((r, j) => <Row key={`${i}.${j}`} row={r} />)
            ) : (
              <tr key={i} className="diff-fold">
                <td colSpan={2}>
                  <button
                    type="button"
                    className="button-secondary"
                    onClick={() => setExpanded((open) => new Set([...open, i]))}
                  >
                    Show {row.rows.length} unchanged lines
                  </button>
                </td>
              </tr>
            ),
          )}
        </tbody>
      </table>
    </div>
  );
}

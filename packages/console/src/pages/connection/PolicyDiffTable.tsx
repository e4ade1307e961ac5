import { sideBySide } from './policy-diff.ts';

/**
 * One policy's expected document beside the role's current one, line by line (policy-diff.ts). A line only one side
 * has is marked with − (missing from the role) or + (not in the template) and says so to screen readers, so the
 * difference is never shown by colour alone.
 */
export function PolicyDiffTable(props: { caption: string; expected?: unknown; current?: unknown }) {
  const rows = sideBySide(props.expected, props.current);
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
          {rows.map((row, i) => (
            <tr key={i} className={`diff-${row.kind}`}>
              <td className={row.left !== undefined && row.kind !== 'same' ? 'diff-only' : undefined}>
                {row.left === undefined ? null : (
                  <>
                    {row.kind === 'same' ? null : (
                      <>
                        <span className="diff-marker" aria-hidden="true">
                          −
                        </span>
                        <span className="visually-hidden">Only expected: </span>
                      </>
                    )}
                    <code>{row.left}</code>
                  </>
                )}
              </td>
              <td className={row.right !== undefined && row.kind !== 'same' ? 'diff-only' : undefined}>
                {row.right === undefined ? null : (
                  <>
                    {row.kind === 'same' ? null : (
                      <>
                        <span className="diff-marker" aria-hidden="true">
                          +
                        </span>
                        <span className="visually-hidden">Only in the role: </span>
                      </>
                    )}
                    <code>{row.right}</code>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

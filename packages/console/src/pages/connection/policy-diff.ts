/**
 * The side-by-side diff of two policy documents, as the connection page shows drift: both documents pretty-printed
 * with their object keys sorted (so a key order AWS or the customer chose is not a change), then aligned line by line
 * on their longest common subsequence. Each row is a line both have (`same`), a line only the expected document has
 * (`removed`: the role lacks it), or a line only the role's current document has (`added`); a removed line and the
 * added line that replaces it share a row, as side-by-side diffs do.
 */

/** One row of the side-by-side diff: the expected line on the left, the current one on the right. */
export interface DiffRow {
  kind: 'same' | 'changed' | 'removed' | 'added';
  left?: string;
  right?: string;
}

/** `value` as JSON with every object's keys sorted, two-space indented. */
export function canonicalJson(value: unknown): string {
  const sorted = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sorted);
    if (v !== null && typeof v === 'object')
      return Object.fromEntries(
        Object.keys(v as Record<string, unknown>)
          .sort()
          .map((k) => [k, sorted((v as Record<string, unknown>)[k])]),
      );
    return v;
  };
  return JSON.stringify(sorted(value), null, 2);
}

/** True when the two documents are the same JSON whatever the order of their keys. */
export function sameDocument(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** The edit script of `a` into `b` by longest common subsequence: `=`, `-` (only in a), `+` (only in b). */
function editScript(a: string[], b: string[]): { op: '=' | '-' | '+'; line: string }[] {
  const n = a.length;
  const m = b.length;
  // lcs[i][j]: the length of the longest common subsequence of a[i..] and b[j..].
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const out: { op: '=' | '-' | '+'; line: string }[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      out.push({ op: '=', line: a[i]! });
      i++;
      j++;
    } else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) out.push({ op: '-', line: a[i++]! });
    else out.push({ op: '+', line: b[j++]! });
  }
  while (i < n) out.push({ op: '-', line: a[i++]! });
  while (j < m) out.push({ op: '+', line: b[j++]! });
  return out;
}

/**
 * The rows of the side-by-side diff of `expected` against `current` (either may be absent: a policy the role lacks,
 * or one the template does not write). Within each run of changes, the i-th removed line pairs with the i-th added one.
 */
export function sideBySide(expected: unknown, current: unknown): DiffRow[] {
  const lines = (doc: unknown) => (doc === undefined ? [] : canonicalJson(doc).split('\n'));
  const script = editScript(lines(expected), lines(current));
  const rows: DiffRow[] = [];
  for (let k = 0; k < script.length;) {
    const step = script[k]!;
    if (step.op === '=') {
      rows.push({ kind: 'same', left: step.line, right: step.line });
      k++;
      continue;
    }
    const removed: string[] = [];
    const added: string[] = [];
    while (k < script.length && script[k]!.op !== '=') {
      const s = script[k++]!;
      (s.op === '-' ? removed : added).push(s.line);
    }
    for (let r = 0; r < Math.max(removed.length, added.length); r++) {
      const left = removed[r];
      const right = added[r];
      rows.push({
        kind: left !== undefined && right !== undefined ? 'changed' : left !== undefined ? 'removed' : 'added',
        ...(left === undefined ? {} : { left }),
        ...(right === undefined ? {} : { right }),
      });
    }
  }
  return rows;
}

/** Unchanged lines folded away: their count stands in their place until expanded. */
export interface FoldedRows {
  kind: 'fold';
  rows: DiffRow[];
}

/**
 * `rows` with the unchanged lines more than `context` lines away from any change folded, when that hides at least
 * three (a run at the start or end keeps only the side next to a change), as unified diffs do.
 */
export function foldUnchanged(rows: DiffRow[], context = 3): (DiffRow | FoldedRows)[] {
  const out: (DiffRow | FoldedRows)[] = [];
  for (let i = 0; i < rows.length;) {
    if (rows[i]!.kind !== 'same') {
      out.push(rows[i++]!);
      continue;
    }
    let end = i;
    while (end < rows.length && rows[end]!.kind === 'same') end++;
    const keepBefore = i === 0 ? 0 : context;
    const keepAfter = end === rows.length ? 0 : context;
    if (end - i - keepBefore - keepAfter >= 3) {
      out.push(...rows.slice(i, i + keepBefore));
      out.push({ kind: 'fold', rows: rows.slice(i + keepBefore, end - keepAfter) });
      out.push(...rows.slice(end - keepAfter, end));
    } else out.push(...rows.slice(i, end));
    i = end;
  }
  return out;
}

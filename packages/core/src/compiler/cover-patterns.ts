/**
 * True when the action pattern `general` matches every action `specific` can match, now and whenever AWS adds
 * actions: `ec2:Describe*` covers `ec2:DescribeInstances` and `ec2:DescribeSpot*`, `ec2:*` covers both, `ec2:Get*`
 * covers neither. Both may use IAM's `*` (any run) and `?` (one character); matching is case-insensitive, as IAM's.
 *
 * Sound by construction: `specific` is matched as text against `general`, where a `*` of `general` may take any
 * run of `specific`'s characters (its wildcards included), a `?` of `general` one character that is not `*`, and a
 * literal only the same literal; whatever string `specific` then stands for, `general` matches it too. (It may say
 * false for a few exotic pairs that do nest, such as `a?*` in `a*?`; that only leaves an entry listed.)
 * Linear-space dynamic programming, so runs of wildcards cost no backtracking.
 */
export function patternCovers(general: string, specific: string): boolean {
  const g = general.toLowerCase();
  const s = specific.toLowerCase();
  if (g === s) return true;
  if (!/[*?]/.test(g)) return false;
  // row[j]: g[0..i) matches s[0..j)
  let row = new Array<boolean>(s.length + 1).fill(false);
  row[0] = true;
  for (let i = 1; i <= g.length; i++) {
    const p = g[i - 1]!;
    const next = new Array<boolean>(s.length + 1).fill(false);
    next[0] = p === '*' && row[0]!;
    for (let j = 1; j <= s.length; j++) {
      const c = s[j - 1]!;
      if (p === '*') next[j] = row[j]! || next[j - 1]!;
      else if (p === '?') next[j] = row[j - 1]! && c !== '*';
      else next[j] = row[j - 1]! && c === p;
    }
    row = next;
  }
  return row[s.length]!;
}

/** The service part of an action pattern, lower-case (`ec2` of `EC2:Describe*`); `*`-bearing services included. */
const serviceOf = (pattern: string): string => pattern.slice(0, Math.max(0, pattern.indexOf(':'))).toLowerCase();

/**
 * An index of action patterns for "is this entry covered?" questions: exact actions by name, wildcards by
 * service (and those with a wildcard in the service apart), so a statement of thousands of exact actions costs a
 * lookup each, not a pattern match against every entry.
 */
export class PatternIndex {
  private readonly exact = new Set<string>();
  private readonly wildcards = new Map<string, string[]>();
  private readonly anyService: string[] = [];

  constructor(patterns: Iterable<string> = []) {
    for (const p of patterns) this.add(p);
  }

  add(pattern: string): void {
    if (!/[*?]/.test(pattern)) {
      this.exact.add(pattern.toLowerCase());
      return;
    }
    const service = serviceOf(pattern);
    if (/[*?]/.test(service) || !pattern.includes(':')) this.anyService.push(pattern);
    else this.wildcards.set(service, [...(this.wildcards.get(service) ?? []), pattern]);
  }

  /** True when any pattern of the index (itself included) covers `entry`. */
  covers(entry: string): boolean {
    const lower = entry.toLowerCase();
    if (this.exact.has(lower)) return true;
    const candidates = [...(this.wildcards.get(serviceOf(entry)) ?? []), ...this.anyService];
    return candidates.some((p) => patternCovers(p, entry));
  }
}

/**
 * The entries of one statement without those another entry covers (`ec2:DescribeInstances` beside `ec2:Describe*`,
 * `ec2:DescribeSpot*` beside `ec2:Describe*`): the statement grants exactly the same, now and later, since every
 * entry left out is covered by one kept. Wildcards are taken with the fewest literal characters first (a covering
 * pattern never has more literals than what it covers), each kept unless one already kept covers it; then exact
 * actions are kept unless a kept wildcard covers them. The order of `entries` is kept.
 */
export function withoutCovered(entries: readonly string[]): string[] {
  const isWildcard = (e: string): boolean => /[*?]/.test(e);
  if (!entries.some(isWildcard)) return [...entries];
  const literals = (e: string): number => e.replace(/[*?]/g, '').length;
  const kept = new PatternIndex();
  const keep = new Set<string>();
  const wildcards = entries.filter(isWildcard).sort((a, b) => literals(a) - literals(b));
  for (const w of wildcards) {
    if (kept.covers(w)) continue;
    kept.add(w);
    keep.add(w);
  }
  for (const e of entries) if (!isWildcard(e) && !kept.covers(e)) keep.add(e);
  return entries.filter((e) => keep.has(e));
}

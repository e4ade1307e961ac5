import { splitAction, type ActionList } from '../actions/index.ts';
import { compareText, uniqueActions } from './normal-form.ts';

interface Entry {
  lower: string;
  canonical: string;
  selected: boolean;
}

/**
 * Opt-in compaction (`--compact`) of one statement's concrete actions into prefix wildcards.
 *
 * Rule: a group of actions of one service becomes `service:Prefix*` only when the wildcard's expansion over
 * today's action list is **entirely inside** the statement's own actions, and the group has at least two
 * actions (a wildcard for one action saves nothing and only adds risk). The shortest such prefix is chosen, so
 * every wildcard is maximal; when a whole service is selected it becomes `service:*`. Matching is
 * case-insensitive, as IAM's is. Each wildcard is checked again with `actionList.expand`; a wildcard that
 * would reach outside the statement is never written (the actions stay listed).
 *
 * So today the statement allows exactly what it allowed before; but actions AWS adds later under a written
 * prefix would be granted too — the compiler warns with the list of wildcards (IAM User Guide, "Grant least
 * privilege"; binbashar/le-tf-infra-aws PR 1088 review on prefix wildcards).
 */
export function compactActions(
  actions: readonly string[],
  actionList: ActionList,
): { actions: string[]; wildcards: string[] } {
  const selected = new Set(actions.map((a) => a.toLowerCase()));
  const byService = new Map<string, string[]>();
  for (const action of uniqueActions(actions)) {
    const parts = splitAction(action);
    if (!parts) continue;
    const key = parts.service.toLowerCase();
    const list = byService.get(key);
    if (list) list.push(action);
    else byService.set(key, [action]);
  }
  const out: string[] = [];
  const wildcards: string[] = [];
  for (const [service, listed] of byService) {
    const all = actionList.actionsOf(service);
    const entries: Entry[] = all
      .map((canonical) => ({
        lower: canonical.toLowerCase(),
        canonical,
        selected: selected.has(canonical.toLowerCase()),
      }))
      .sort((a, b) => compareText(a.lower, b.lower));
    // Actions not in the action list (cannot happen for a validated catalog) are kept as they are.
    const known = new Set(entries.map((e) => e.lower));
    for (const a of listed) if (!known.has(a.toLowerCase())) out.push(a);

    const prefixLength = service.length + 1;
    const emitWildcard = (group: Entry[], depth: number): void => {
      const pattern = `${group[0]!.canonical.slice(0, prefixLength + depth)}*`;
      const reach = actionList.expand(pattern);
      if (reach.length > 0 && reach.every((a) => selected.has(a.toLowerCase()))) {
        out.push(pattern);
        wildcards.push(pattern);
      } else {
        for (const e of group) if (e.selected) out.push(e.canonical);
      }
    };
    const walk = (group: Entry[], depth: number): void => {
      const chosen = group.filter((e) => e.selected).length;
      if (chosen === 0) return;
      if (chosen === group.length && group.length >= 2) return emitWildcard(group, depth);
      if (group.length === 1) {
        out.push(group[0]!.canonical);
        return;
      }
      const children = new Map<string, Entry[]>();
      for (const e of group) {
        const name = e.lower.slice(prefixLength);
        if (name.length === depth) {
          if (e.selected) out.push(e.canonical);
          continue;
        }
        const ch = name[depth]!;
        const child = children.get(ch);
        if (child) child.push(e);
        else children.set(ch, [e]);
      }
      for (const child of children.values()) walk(child, depth + 1);
    };
    walk(entries, 0);
  }
  return { actions: uniqueActions(out), wildcards: uniqueActions(wildcards) };
}

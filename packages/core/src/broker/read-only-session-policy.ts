import { splitAction, type AccessLevel, type ActionList } from '../actions/index.ts';
import { TrustgateError } from '../errors/index.ts';
import { isPartition, type Partition } from '../partition/index.ts';
import { policySize, type PolicyDocument } from '../policy-document/index.ts';

/** STS's limit on a session policy's plain text (AssumeRole `Policy`: 2,048 characters). */
export const SESSION_POLICY_MAX_CHARS = 2048;

/** Access levels a read-only session keeps. */
const READ_LEVELS: ReadonlySet<AccessLevel> = new Set<AccessLevel>(['List', 'Read']);

/** Input of {@link readOnlySessionPolicy}. */
export interface ReadOnlySessionPolicyInput {
  /** The connection's actions (concrete, or wildcards that are expanded over `actionList`). */
  actions: readonly string[];
  /** AWS's action list with access levels ({@link loadAwsActionList}). */
  actionList: ActionList;
  partition: Partition;
  /** Characters the compact JSON may use: 2,048 less the room session tags take in the packed size. */
  maxChars?: number;
}

/** The session policy, its size, and what was left out. */
export interface ReadOnlySessionPolicy {
  document: PolicyDocument;
  /** Compact JSON length (what STS counts). */
  size: number;
  /** Actions of the input that are not List or Read (or not in AWS's list), sorted: the session cannot use them. */
  dropped: string[];
  /** The wildcards written (each matches only allowed actions today), sorted. */
  wildcards: string[];
}

/** One Action entry being built: a listed action or a wildcard, with the lower-case prefix it covers. */
interface Item {
  text: string;
  service: string;
  /** Lower-case action name (listed) or wildcard prefix. */
  prefix: string;
  wildcard: boolean;
}

/**
 * Where a CamelCase action name may be cut for a wildcard: before each word (`Describe|Instances`,
 * `Describe|DB|Instances`, `List|Tags|For|Resource`), never inside one and never at 0 (no `svc:*`).
 */
function wordBoundaries(name: string): number[] {
  const cuts: number[] = [];
  for (let i = 1; i < name.length; i++) {
    const c = name[i]!;
    const prev = name[i - 1]!;
    const next = name[i + 1];
    const upper = c >= 'A' && c <= 'Z';
    if (!upper) continue;
    const prevLowerOrDigit = (prev >= 'a' && prev <= 'z') || (prev >= '0' && prev <= '9');
    const prevUpper = prev >= 'A' && prev <= 'Z';
    if (prevLowerOrDigit || (prevUpper && next !== undefined && next >= 'a' && next <= 'z')) cuts.push(i);
  }
  return cuts;
}

const entryChars = (text: string) => text.length + 3; // "text" plus the comma between entries

function compareText(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : a < b ? -1 : a > b ? 1 : 0;
}

function documentOf(items: Item[]): PolicyDocument {
  const actions = items.map((i) => i.text).sort(compareText);
  return { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] };
}

/** The List/Read actions among `actions` (canonical), and the rest. */
function partitionActions(actions: readonly string[], list: ActionList): { allowed: string[]; dropped: string[] } {
  const allowed = new Set<string>();
  const dropped = new Set<string>();
  for (const entry of actions) {
    if (typeof entry !== 'string' || !splitAction(entry)) {
      dropped.add(String(entry));
      continue;
    }
    const expanded = /[*?]/.test(entry) ? list.expand(entry) : [list.canonical(entry)].filter((a) => a !== undefined);
    if (expanded.length === 0) dropped.add(entry);
    for (const action of expanded) {
      const level = list.accessLevel(action);
      if (level !== undefined && READ_LEVELS.has(level)) allowed.add(action);
      else dropped.add(action);
    }
  }
  for (const a of allowed) dropped.delete(a);
  return { allowed: [...allowed].sort(compareText), dropped: [...dropped].sort(compareText) };
}

/**
 * Wildcards `service:Prefix*` that match, in AWS's list today, only allowed actions: Prefix is an allowed action's
 * name cut at a word boundary, and every action of the service starting with it (case-insensitively, as IAM
 * matches) is allowed. Each comes with the allowed actions it covers.
 */
function safeWildcards(allowed: string[], list: ActionList): Array<{ service: string; prefix: string; text: string }> {
  const allowedLower = new Set(allowed.map((a) => a.toLowerCase()));
  const seen = new Set<string>();
  const out: Array<{ service: string; prefix: string; text: string }> = [];
  for (const action of allowed) {
    const { service, name } = splitAction(action)!;
    const all = list.actionsOf(service).map((a) => splitAction(a)!.name.toLowerCase());
    for (const cut of wordBoundaries(name)) {
      const prefix = name.slice(0, cut);
      const key = `${service.toLowerCase()}:${prefix.toLowerCase()}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const lower = prefix.toLowerCase();
      const reach = all.filter((n) => n.startsWith(lower));
      if (reach.length > 1 && reach.every((n) => allowedLower.has(`${service.toLowerCase()}:${n}`)))
        out.push({ service: service.toLowerCase(), prefix: lower, text: `${service}:${prefix}*` });
    }
  }
  return out.sort((a, b) => compareText(a.text, b.text));
}

/**
 * A session policy for a run's read phase (plan): allows only the List and Read access levels of `actions` (AWS's
 * Service Authorization Reference gives each action's level), on Resource `*`, so a plan cannot write even where
 * the role could (session policies intersect with the role's policies; IAM User Guide, "Session policies").
 *
 * Compaction never widens what is allowed today: the actions are listed one by one while the compact JSON fits
 * `maxChars`; only when it does not, wildcards replace them, one at a time, greedily — each step takes the
 * wildcard that saves the most characters (ties: the longer prefix, then alphabetical), until the policy fits.
 * A wildcard `service:Prefix*` is written only when every action it matches in AWS's list today is one of the
 * allowed List/Read actions, and Prefix ends at a word boundary of the CamelCase name (`ec2:Describe*`,
 * `s3:ListTags*`, `rds:DescribeDB*`, never `s3:GetO*` nor `svc:*`). Actions AWS adds later under a written
 * prefix would be allowed too; a prefix cut at a word (Get, Describe, List) is the convention AWS's own
 * read-only managed policies use. Deterministic: the same actions in any order give the same document.
 *
 * With no List/Read action at all the policy denies everything (`Deny * on *`). Throws POLICY_TOO_LARGE (with
 * the size, the limit and what to do) when even the most compact form does not fit; INVALID_INPUT or
 * INVALID_PARTITION for bad options.
 */
export function readOnlySessionPolicy(input: ReadOnlySessionPolicyInput): ReadOnlySessionPolicy {
  if (!isPartition(input.partition))
    throw new TrustgateError('INVALID_PARTITION', 'partition: use aws, aws-us-gov or aws-cn', { field: 'partition' });
  const limit = input.maxChars ?? SESSION_POLICY_MAX_CHARS;
  if (!Number.isInteger(limit) || limit < 1 || limit > SESSION_POLICY_MAX_CHARS)
    throw new TrustgateError(
      'INVALID_INPUT',
      `maxChars: 1 to ${SESSION_POLICY_MAX_CHARS} characters (STS's session policy limit)`,
      { field: 'maxChars' },
    );
  if (!Array.isArray(input.actions))
    throw new TrustgateError('INVALID_INPUT', 'actions: a list of IAM actions is required', { field: 'actions' });
  const { allowed, dropped } = partitionActions(input.actions, input.actionList);

  if (allowed.length === 0) {
    const document: PolicyDocument = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Deny', Action: '*', Resource: '*' }],
    };
    return { document, size: policySize(document), dropped, wildcards: [] };
  }

  let items: Item[] = allowed.map((a) => {
    const { service, name } = splitAction(a)!;
    return { text: a, service: service.toLowerCase(), prefix: name.toLowerCase(), wildcard: false };
  });
  let size = policySize(documentOf(items));
  if (size > limit) {
    const candidates = safeWildcards(allowed, input.actionList);
    const covers = (c: { service: string; prefix: string }, item: Item) =>
      item.service === c.service && item.prefix.startsWith(c.prefix);
    while (size > limit) {
      let best: { c: (typeof candidates)[number]; saving: number } | undefined;
      for (const c of candidates) {
        const covered = items.filter((i) => covers(c, i));
        if (covered.length === 0 || (covered.length === 1 && covered[0]!.text === c.text)) continue;
        const saving = covered.reduce((n, i) => n + entryChars(i.text), 0) - entryChars(c.text);
        if (
          saving > 0 &&
          (!best ||
            saving > best.saving ||
            (saving === best.saving &&
              (c.prefix.length > best.c.prefix.length ||
                (c.prefix.length === best.c.prefix.length && compareText(c.text, best.c.text) < 0))))
        )
          best = { c, saving };
      }
      if (!best) break;
      const chosen = best.c;
      items = [
        ...items.filter((i) => !covers(chosen, i)),
        { text: chosen.text, service: chosen.service, prefix: chosen.prefix, wildcard: true },
      ];
      size = policySize(documentOf(items));
    }
  }
  if (size > limit)
    throw new TrustgateError(
      'POLICY_TOO_LARGE',
      `readOnlySessionPolicy: the List/Read actions of this connection (${allowed.length}) need ${size} characters even compacted, over the ${limit} the session policy may use (STS allows 2,048, less the session tags); select fewer integrations for the connection, or attach without readOnlySessionPolicy so the read phase uses the role's own permissions`,
      { field: 'readOnlySessionPolicy', details: { size, limit, actions: allowed.length } },
    );
  const document = documentOf(items);
  const wildcards = items
    .filter((i) => i.wildcard)
    .map((i) => i.text)
    .sort(compareText);
  return { document, size: policySize(document), dropped, wildcards };
}

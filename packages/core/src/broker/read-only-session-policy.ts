import { splitAction, type AccessLevel, type ActionList } from '../actions/index.ts';
import { TrustgateError } from '../errors/index.ts';
import { compactActions } from '../compiler/compact-actions.ts';
import { compareText } from '../compiler/normal-form.ts';
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

function documentOf(entries: readonly string[]): PolicyDocument {
  const actions = [...entries].sort(compareText);
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
 * A session policy for a run's read phase (plan): allows only the List and Read access levels of `actions` (AWS's
 * Service Authorization Reference gives each action's level), on Resource `*`, so a plan cannot write even where
 * the role could (session policies intersect with the role's policies; IAM User Guide, "Session policies").
 *
 * Compaction is the compiler's ({@link compactActions}, the same rule as `wildcards: 'compact'`), with List and
 * Read counted as one level, so it never widens what is allowed today: the actions are listed one by one while the
 * compact JSON fits `maxChars`; only when it does not, wildcards replace them, one at a time, greedily — each step
 * takes the wildcard that saves the most characters (ties: the longer prefix, then alphabetical), until the policy
 * fits. A wildcard `service:Prefix*` is written only when every action it matches in AWS's list today is one of
 * the allowed List/Read actions, and Prefix ends at a word boundary of the CamelCase name (`ec2:Describe*`,
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

  // The compiler's compaction (word-boundary wildcards of one access level), with List and Read as one level: a
  // wildcard over both still allows nothing beyond List/Read. Only as far as the limit needs.
  const compacted = compactActions(allowed, input.actionList, {
    sameLevel: [...READ_LEVELS],
    fits: (entries) => policySize(documentOf(entries)) <= limit,
  });
  const size = policySize(documentOf(compacted.actions));
  if (size > limit)
    throw new TrustgateError(
      'POLICY_TOO_LARGE',
      `readOnlySessionPolicy: the List/Read actions of this connection (${allowed.length}) need ${size} characters even compacted, over the ${limit} the session policy may use (STS allows 2,048, less the session tags); select fewer integrations for the connection, or attach without readOnlySessionPolicy so the read phase uses the role's own permissions`,
      { field: 'readOnlySessionPolicy', details: { size, limit, actions: allowed.length } },
    );
  const document = documentOf(compacted.actions);
  const wildcards = [...compacted.wildcards].sort(compareText);
  return { document, size: policySize(document), dropped, wildcards };
}

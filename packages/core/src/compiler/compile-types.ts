import type { AccessLevel } from '../actions/index.ts';
import type { Catalog } from '../catalog/index.ts';
import type { Finding } from '../errors/index.ts';
import type { Partition } from '../partition/index.ts';
import type { ConditionBlock, PolicyDocument } from '../policy-document/index.ts';

/**
 * What the customer chose. `default`: every integration marked `default: true`. `custom`: the listed products
 * (ticking a product ticks all of its integrations) plus the listed integrations (by id, or `product/integration`).
 */
export type Selection = { mode: 'default' } | { mode: 'custom'; products?: string[]; integrations?: string[] };

/**
 * What the compiler does with wildcards. `expand` (default): every catalog wildcard becomes today's actions, listed
 * exactly (least privilege today). `keep`: the catalog's (and extra actions') wildcards stay as written, each
 * validated to match at least one action today, so actions AWS adds later under them are granted as their author
 * intended; exact actions stay exact. `compact`: actions are expanded, then written as word-boundary wildcards of one
 * access level where that grants exactly the same today (see `compactActions`).
 */
export type WildcardMode = 'expand' | 'keep' | 'compact';

/** Every {@link WildcardMode}, default first. */
export const WILDCARD_MODES: readonly WildcardMode[] = ['expand', 'keep', 'compact'];

/** Input of {@link compilePolicies}. */
export interface CompileOptions {
  catalog: Catalog;
  selection: Selection;
  /** Partition the role lives in; ARNs and managed policy ARNs use it. */
  partition: Partition;
  /** The customer's 12-digit account; `${AccountId}` becomes `*` without it. */
  accountId?: string;
  /** The customer's region (must be in `partition`); `${Region}` becomes `*` without it. */
  region?: string;
  /** More allowed actions (exact or wildcards, validated against the action list), on Resource `*`. */
  extraActions?: string[];
  /** More AWS managed policies by name (`ReadOnlyAccess`, `job-function/ViewOnlyAccess`) or AWS managed policy ARN. */
  managedPolicies?: string[];
  /** What to do with wildcards (see {@link WildcardMode}). Default `expand`. */
  wildcards?: WildcardMode;
  /** The former switch: `true` is `wildcards: 'compact'` (and may not be combined with another mode). */
  compact?: boolean;
  /** One inline policy (at most 10,240 characters) instead of customer managed policies. Default false. */
  inline?: boolean;
  /** Prefix of document names; default `trustgate-permissions` (`trustgate-permissions-1`, ...). */
  namePrefix?: string;
  /**
   * Managed policies a role may have attached, AWS managed ones included. Default 10 (IAM quota
   * "Managed policies attached to an IAM role"; AWS raises it to at most 20 on request).
   */
  maxManagedPolicies?: number;
}

/** One compiled document. */
export interface CompiledDocument {
  /** Name for the customer managed (or inline) policy. */
  name: string;
  document: PolicyDocument;
  /** Characters AWS counts (no white space). */
  size: number;
  /** Action entries the document lists (a wildcard counts once). */
  actions: number;
}

/** Output of {@link compilePolicies}. */
export interface CompiledPolicies {
  partition: Partition;
  /** `inline` when compiled with `inline: true`, else `managed`. */
  mode: 'managed' | 'inline';
  documents: CompiledDocument[];
  /** Partition-correct ARNs of the AWS managed policies to attach, in catalog order, then the extra ones. */
  managedPolicyArns: string[];
  /** Per selected (and offered) integration, the concrete canonical actions it allows, for permission checks. */
  requiredActions: Array<{ productId: string; integrationId: string; actions: string[] }>;
  /** The extra allowed actions, concrete and canonical. */
  extraActions: string[];
  /** The wildcard mode used (`expand` unless `wildcards` or `compact` said otherwise). */
  wildcardMode: WildcardMode;
  /**
   * The wildcards the documents contain, sorted: the catalog's as written (`keep`; one another covers is left out)
   * or those compaction wrote (`compact`); empty with `expand`.
   */
  wildcards: string[];
  /** Per wildcard of {@link wildcards}: how many actions it matches today and their access levels. */
  wildcardDetails: Array<{ pattern: string; actions: number; accessLevels: AccessLevel[] }>;
  /** Integrations left out (not offered in the partition), wildcard notices (kept or written). */
  warnings: Finding[];
  figures: {
    /** Distinct concrete actions the documents allow or deny. */
    actions: number;
    documents: number;
    /** Characters of all documents together. */
    characters: number;
    /** Characters of the naive listing: one statement per action in one document. */
    naiveCharacters: number;
  };
}

/**
 * A statement in the compiler's normal form: effect, concrete canonical actions (sorted), resources (sorted,
 * deduplicated; `["*"]` absorbs everything else) and conditions (operators, keys and values sorted).
 */
export interface NormalStatement {
  effect: 'Allow' | 'Deny';
  actions: string[];
  resources: string[];
  conditions?: ConditionBlock;
}

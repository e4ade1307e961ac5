import type { ActionList } from '../actions/index.ts';
import { checkAction, resolveTemplate, type TemplateValues } from '../catalog/index.ts';
import { assertNoErrors, validateAccountId, validateRegion } from '../arn/index.ts';
import { TrustgateError, type Finding } from '../errors/index.ts';
import { isPartition } from '../partition/index.ts';
import { policySize, type ConditionBlock } from '../policy-document/index.ts';
import type { CompiledDocument, CompiledPolicies, CompileOptions, NormalStatement } from './compile-types.ts';
import { managedPolicyArn } from './managed-policy-arn.ts';
import { mergeStatements } from './merge-statements.ts';
import { normalStatement, uniqueActions } from './normal-form.ts';
import { resolveSelection } from './resolve-selection.ts';
import { renderStatement, splitDocuments, StatementTooLargeError } from './split-documents.ts';
import { applyWildcardMode, describeWildcards, wildcardModeOf, wildcardsOf, writtenEntries } from './wildcard-mode.ts';

/** Characters of one customer managed policy (IAM quotas, "Managed policy size"). */
export const MANAGED_POLICY_MAX_CHARACTERS = 6144;
/** Characters of all inline policies of a role together (IAM quotas, "Role policy size"). */
export const INLINE_POLICY_MAX_CHARACTERS = 10240;
/** Managed policies attached to a role by default (IAM quotas; AWS raises it to 20 on request). */
export const DEFAULT_MAX_MANAGED_POLICIES = 10;

/**
 * Compile a selection of a catalog into IAM policy documents AWS will accept, plus AWS managed policy ARNs.
 *
 * Steps: resolve the selection (integrations not offered in the partition are left out with a warning); fill in
 * ARN templates (`${Partition}`, `${AccountId}` or `*`, `${Region}` or `*`); expand every action to AWS's
 * canonical, concrete names (catalog wildcards included, so documents list exact actions by default; with
 * `wildcards: 'keep'` the catalog's wildcards stay as written, each checked to match at least one action today);
 * add the extra actions on Resource `*`; merge (see {@link mergeStatements}); with `wildcards: 'compact'`, write
 * word-boundary wildcards of one access level where they grant exactly the same today (see `compactActions`) and
 * warn; then split across customer managed policies of at most 6,144
 * characters, at most `maxManagedPolicies` (10) managed policies in all counting the AWS managed ones (see
 * {@link splitDocuments}), or, with `inline`, one inline policy of at most 10,240 characters.
 *
 * Deterministic: the same input gives byte-identical output, whatever the order of the selection.
 * Throws `TrustgateError` for a user's mistake: `INVALID_SELECTION` (unknown product/integration, or nothing to
 * grant), `UNKNOWN_ACTION` (an extra action), `POLICY_TOO_LARGE` (with the numbers), `INVALID_INPUT`,
 * `INVALID_PARTITION`, `INVALID_ACCOUNT_ID`.
 */
export function compilePolicies(options: CompileOptions, actionList: ActionList): CompiledPolicies {
  const { catalog, partition } = options;
  checkOptions(options);
  const wildcardMode = wildcardModeOf(options);
  const values: TemplateValues = {
    partition,
    ...(options.accountId ? { accountId: options.accountId } : {}),
    ...(options.region ? { region: options.region } : {}),
  };
  const { selected, warnings } = resolveSelection(catalog, options.selection, partition);

  // What the documents write (entries as the mode writes them) and what that is today (concrete actions).
  const collected: NormalStatement[] = [];
  const concrete: NormalStatement[] = [];
  const requiredActions: CompiledPolicies['requiredActions'] = [];
  for (const { product, integration, path } of selected) {
    const allowed: string[] = [];
    integration.statements.forEach((statement, s) => {
      const written: string[] = [];
      const actions = statement.actions.flatMap((entry, a) => {
        const expanded = expandOrThrow(entry, actionList, `${path}.statements[${s}].actions[${a}]`);
        written.push(...writtenEntries(entry, expanded, wildcardMode));
        return expanded;
      });
      const effect = statement.effect ?? 'Allow';
      if (effect === 'Allow') allowed.push(...actions);
      const conditions = statement.conditions ? resolveConditions(statement.conditions, values) : undefined;
      const rest = {
        effect,
        resources: (statement.resources ?? ['*']).map((r) => resolveTemplate(r, values)),
        ...(conditions ? { conditions } : {}),
      };
      collected.push(normalStatement({ ...rest, actions: written }));
      concrete.push(normalStatement({ ...rest, actions }));
    });
    requiredActions.push({ productId: product.id, integrationId: integration.id, actions: uniqueActions(allowed) });
  }
  const extraWritten: string[] = [];
  const extraActions = uniqueActions(
    (options.extraActions ?? []).flatMap((entry, n) => {
      const expanded = expandOrThrow(entry, actionList, `extraActions[${n}]`);
      extraWritten.push(...writtenEntries(entry, expanded, wildcardMode));
      return expanded;
    }),
  );
  if (extraActions.length > 0) {
    collected.push(normalStatement({ effect: 'Allow', actions: extraWritten, resources: ['*'] }));
    concrete.push(normalStatement({ effect: 'Allow', actions: extraActions, resources: ['*'] }));
  }

  // IAM names are unique regardless of case, so `ReadOnlyAccess` and `readonlyaccess` are one policy (and one
  // attachment against the quota); the first spelling is kept (IAM User Guide, "IAM identifiers" > friendly names).
  const managedByName = new Map<string, string>();
  for (const name of [
    ...selected.flatMap(({ integration }) => integration.managedPolicies),
    ...(options.managedPolicies ?? []),
  ]) {
    const arn = managedPolicyArn(name, partition);
    if (!managedByName.has(arn.toLowerCase())) managedByName.set(arn.toLowerCase(), arn);
  }
  const managedPolicyArns = [...managedByName.values()];
  if (collected.length === 0 && managedPolicyArns.length === 0) {
    throw new TrustgateError(
      'INVALID_SELECTION',
      `the selection grants nothing in ${partition}: select products or integrations offered there`,
      {
        findings: warnings,
        field: 'selection',
      },
    );
  }

  const { statements, notice } = applyWildcardMode(mergeStatements(collected), wildcardMode, actionList);
  if (notice) warnings.push(notice);
  const wildcards = wildcardsOf(statements);

  const documents = layOut(statements, managedPolicyArns.length, options);
  const characters = documents.reduce((n, d) => n + d.size, 0);
  return {
    partition,
    mode: options.inline ? 'inline' : 'managed',
    documents,
    managedPolicyArns,
    requiredActions,
    extraActions,
    wildcardMode,
    wildcards,
    wildcardDetails: describeWildcards(wildcards, actionList),
    warnings,
    figures: {
      actions: uniqueActions(concrete.flatMap((s) => s.actions)).length,
      documents: documents.length,
      characters,
      naiveCharacters: naiveSize(concrete),
    },
  };
}

function checkOptions(options: CompileOptions): void {
  if (!isPartition(options.partition)) {
    throw new TrustgateError(
      'INVALID_PARTITION',
      `unknown partition "${String(options.partition)}"; use aws, aws-us-gov or aws-cn`,
      { field: 'partition' },
    );
  }
  if (options.accountId !== undefined) assertNoErrors(validateAccountId(options.accountId, 'accountId'));
  if (options.region !== undefined) assertNoErrors(validateRegion(options.region, { partition: options.partition }));
  if (options.namePrefix !== undefined && !/^[\w+=,.@-]{1,120}$/.test(options.namePrefix)) {
    throw new TrustgateError(
      'INVALID_INPUT',
      `name prefix "${options.namePrefix}" must be 1-120 characters of letters, digits and +=,.@_- (IAM policy names)`,
      { field: 'namePrefix' },
    );
  }
  const max = options.maxManagedPolicies ?? DEFAULT_MAX_MANAGED_POLICIES;
  if (!Number.isInteger(max) || max < 1 || max > 20) {
    throw new TrustgateError(
      'INVALID_INPUT',
      `maxManagedPolicies must be 1-20 (AWS's highest quota is 20), not ${max}`,
      { field: 'maxManagedPolicies' },
    );
  }
}

function expandOrThrow(entry: string, actionList: ActionList, path: string): string[] {
  const check = checkAction(entry, actionList);
  if (check.ok) return check.canonical;
  const finding: Finding = { code: check.code, severity: 'error', path, message: check.message };
  throw new TrustgateError('UNKNOWN_ACTION', `${path}: ${check.message}`, {
    findings: [finding],
    field: path,
    details: { action: entry, suggestions: check.suggestions },
  });
}

function resolveConditions(conditions: ConditionBlock, values: TemplateValues): ConditionBlock {
  const out: ConditionBlock = {};
  for (const [operator, entries] of Object.entries(conditions)) {
    out[operator] = {};
    for (const [key, value] of Object.entries(entries)) {
      const fill = (v: string | number | boolean): string | number | boolean =>
        typeof v === 'string' ? resolveTemplate(v, values) : v;
      out[operator][key] = Array.isArray(value) ? value.map(fill) : fill(value);
    }
  }
  return out;
}

/** Pack statements into documents and enforce AWS's limits, with the numbers in the error. */
function layOut(statements: NormalStatement[], awsManaged: number, options: CompileOptions): CompiledDocument[] {
  const prefix = options.namePrefix ?? 'trustgate-permissions';
  const maxPolicies = options.maxManagedPolicies ?? DEFAULT_MAX_MANAGED_POLICIES;
  if (awsManaged > maxPolicies) {
    throw new TrustgateError(
      'POLICY_TOO_LARGE',
      `${awsManaged} AWS managed policies are requested, but a role may have at most ${maxPolicies} managed policies attached`,
      {
        details: { awsManagedPolicies: awsManaged, maxManagedPolicies: maxPolicies },
      },
    );
  }
  const describe = (d: { Statement: unknown[] }, name: string): CompiledDocument => ({
    name,
    document: d as CompiledDocument['document'],
    size: policySize(d),
    actions: (d.Statement as Array<{ Action?: string | string[] }>).reduce(
      (n, s) => n + [s.Action ?? []].flat().length,
      0,
    ),
  });
  if (statements.length === 0) return [];
  if (options.inline) {
    const document = { Version: '2012-10-17' as const, Statement: statements.map((s) => renderStatement(s)) };
    const size = policySize(document);
    if (size > INLINE_POLICY_MAX_CHARACTERS) {
      throw new TrustgateError(
        'POLICY_TOO_LARGE',
        `the selection needs ${size.toLocaleString('en-US')} characters as an inline policy, but a role's inline policies may hold at most ${INLINE_POLICY_MAX_CHARACTERS.toLocaleString('en-US')} characters in all; use managed policies (without --inline), --wildcards keep or compact, or select fewer integrations`,
        { details: { characters: size, maxCharacters: INLINE_POLICY_MAX_CHARACTERS } },
      );
    }
    return [describe(document, prefix)];
  }
  let documents;
  try {
    documents = splitDocuments(statements, MANAGED_POLICY_MAX_CHARACTERS);
  } catch (error) {
    if (!(error instanceof StatementTooLargeError)) throw error;
    throw new TrustgateError(
      'POLICY_TOO_LARGE',
      `a statement with resources ${JSON.stringify(error.statement.resources)} needs ${error.size.toLocaleString('en-US')} characters even with one action; a managed policy holds at most ${MANAGED_POLICY_MAX_CHARACTERS.toLocaleString('en-US')}`,
      {
        details: { characters: error.size, maxCharacters: MANAGED_POLICY_MAX_CHARACTERS },
      },
    );
  }
  const total = documents.length + awsManaged;
  if (total > maxPolicies) {
    const characters = documents.reduce((n, d) => n + policySize(d), 0);
    throw new TrustgateError(
      'POLICY_TOO_LARGE',
      `the selection needs ${documents.length} customer managed policies (${characters.toLocaleString('en-US')} characters, at most ${MANAGED_POLICY_MAX_CHARACTERS.toLocaleString('en-US')} each) plus ${awsManaged} AWS managed = ${total} managed policies, but a role may have at most ${maxPolicies} attached; select fewer integrations, try --wildcards keep (the catalog's own wildcards) or compact, or raise the quota (up to 20) with --max-managed-policies`,
      {
        details: {
          documentsNeeded: documents.length,
          characters,
          awsManagedPolicies: awsManaged,
          maxManagedPolicies: maxPolicies,
          maxCharacters: MANAGED_POLICY_MAX_CHARACTERS,
        },
      },
    );
  }
  const described = documents.map((d, i) => describe(d, `${prefix}-${i + 1}`));
  const over = described.find((d) => d.size > MANAGED_POLICY_MAX_CHARACTERS);
  if (over)
    throw new TrustgateError(
      'INTERNAL',
      `packing produced ${over.name} of ${over.size} characters, over ${MANAGED_POLICY_MAX_CHARACTERS}`,
    );
  return described;
}

/** Characters of the naive listing: every (statement, action) pair as its own statement, in one document. */
function naiveSize(statements: NormalStatement[]): number {
  if (statements.length === 0) return 0;
  const seen = new Set<string>();
  let size = JSON.stringify({ Version: '2012-10-17', Statement: [] }).length - 1;
  for (const s of statements) {
    for (const action of s.actions) {
      const json = JSON.stringify(renderStatement({ ...s, actions: [action] }));
      if (seen.has(json)) continue;
      seen.add(json);
      size += json.length + 1;
    }
  }
  return size;
}

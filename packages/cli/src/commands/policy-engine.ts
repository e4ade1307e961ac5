import { Option, type Command } from 'commander';
import {
  discoverAllowingContext,
  evaluateRequest,
  isAccountId,
  loadIamReference,
  splitArn,
  TrustgateError,
  validatePolicyDocument,
  type ContextValue,
  type EvaluationRequest,
  type EvaluationResult,
  type Finding,
  type PolicyDocument,
  type PolicyDocumentKind,
  type PolicySet,
} from '@trustgate/core';
import { readTextFile } from './read-text-file.ts';
import { collect } from './repeatable-options.ts';

const KINDS: PolicyDocumentKind[] = ['identity', 'resource', 'trust', 'session', 'boundary', 'scp', 'rcp'];

/** Read and parse a JSON policy document; `FILE_NOT_READABLE` names the option and the cause. */
function readPolicyFile(file: string, field: string): unknown {
  const text = readTextFile(file, { field });
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new TrustgateError(
      'FILE_NOT_READABLE',
      `${file} is not JSON: ${error instanceof Error ? error.message : String(error)}`,
      { field, cause: error },
    );
  }
}

/** Guess the kind of a document: statements with Principal are trust (sts actions) or resource policies. */
export function guessPolicyKind(document: unknown): PolicyDocumentKind {
  const statements = (document as { Statement?: unknown })?.Statement;
  const list = (Array.isArray(statements) ? statements : [statements]).filter(
    (s): s is Record<string, unknown> => typeof s === 'object' && s !== null,
  );
  if (!list.some((s) => s.Principal !== undefined || s.NotPrincipal !== undefined)) return 'identity';
  const actions = list.flatMap((s) => [s.Action ?? []].flat()).filter((a): a is string => typeof a === 'string');
  return actions.length > 0 &&
    actions.every((a) => /^sts:(AssumeRole|TagSession|SetSourceIdentity|SetContext)/i.test(a))
    ? 'trust'
    : 'resource';
}

/** Service prefixes a document's actions name, to load only their part of AWS's reference. */
function servicesOf(document: unknown): string[] {
  const text = JSON.stringify(document);
  return [...new Set([...text.matchAll(/"([a-z0-9-]+):[A-Za-z*?]/g)].map((m) => m[1]!))];
}

/**
 * Parse `--context k=v`: repeated keys and comma-separated values make a multivalued key
 * (`aws:TagKeys=env,team`); `k=` sets an empty string.
 */
export function parseContext(pairs: string[]): Record<string, ContextValue> {
  const out: Record<string, ContextValue> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0)
      throw new TrustgateError('INVALID_INPUT', `--context expects key=value, got "${pair}"`, { field: 'context' });
    const key = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    const values = value.includes(',') ? value.split(',') : [value];
    const previous = out[key];
    if (previous === undefined) out[key] = values.length > 1 ? values : values[0]!;
    else out[key] = [...[previous].flat().map(String), ...values];
  }
  return out;
}

function printFindings(file: string, findings: Finding[]): void {
  if (findings.length === 0) {
    process.stdout.write(`${file}: no findings\n`);
    return;
  }
  for (const f of findings)
    process.stdout.write(`${file}: ${f.severity} ${f.code}${f.path ? ` at ${f.path}` : ''}: ${f.message}\n`);
}

function printResult(result: EvaluationResult): void {
  const out = [
    `decision: ${result.decision} (${result.explanation.reason})`,
    ...result.explanation.summary.map((s) => `  ${s}`),
  ];
  for (const kind of result.explanation.policies) {
    if (kind.result === 'NotApplicable') continue;
    out.push(`${kind.policy}: ${kind.result}`);
    for (const s of kind.statements) {
      const where = `${kind.policy}[${s.policyIndex}]${s.level !== undefined ? ` level ${s.level}` : ''} Statement[${s.statementIndex}]${s.sid ? ` (${s.sid})` : ''}`;
      out.push(
        `  ${s.matched ? 'matched' : 'not matched'} ${s.effect} ${where}${s.principalMatch ? ` principal: ${s.principalMatch}` : ''}`,
      );
      for (const c of s.conditions) {
        const req = c.requestValues === undefined ? 'absent' : JSON.stringify(c.requestValues);
        out.push(
          `    ${c.matched ? 'ok  ' : 'FAIL'} ${c.operator} ${c.key} ${JSON.stringify(c.policyValues)} request: ${req}${c.note ? ` (${c.note})` : ''}`,
        );
      }
    }
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

interface CheckOptions {
  kind?: PolicyDocumentKind;
  accountId?: string;
  format: 'text' | 'json';
}

interface SimulateOptions {
  policy?: string[];
  trust?: string;
  resourcePolicy?: string;
  boundary?: string;
  sessionPolicy?: string[];
  scp?: string[];
  action?: string;
  resource?: string;
  principal?: string;
  principalType: 'AWS' | 'Service' | 'Federated';
  resourceAccount?: string;
  context?: string[];
  discover?: boolean;
  expect?: string;
  format: 'text' | 'json';
}

/**
 * Adds `trustgate policy check FILE...` (validate documents; findings with paths; exit 2 when any has an
 * error) and `trustgate policy simulate --policy FILE [--trust FILE] [--boundary FILE] [--session-policy FILE]
 * --action A --resource R [--principal ARN] [--context k=v ...]` (evaluate one request as AWS would, with the
 * explanation; `--expect` turns a different decision into exit 7, `--discover` lists context values that
 * would allow a denied request) to the `policy` command.
 */
export function registerPolicyEngine(program: Command): void {
  const policy = program.commands.find((c) => c.name() === 'policy') ?? program.command('policy');

  policy
    .command('check')
    .description(
      "Validate IAM policy documents as IAM would, plus a reviewer's checks (unknown actions, keys, open trust).",
    )
    .argument('<files...>', 'policy documents (JSON)')
    .addOption(new Option('--kind <kind>', 'policy kind (default: guessed from the document)').choices(KINDS))
    .option('--account-id <id>', 'the account that owns the role or resource (tells cross-account trust)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (files: string[], opts: CheckOptions) => {
      const documents = files.map((file, i) => ({ file, document: readPolicyFile(file, `files[${i}]`) }));
      const reference = await loadIamReference(documents.flatMap((d) => servicesOf(d.document)));
      const results = documents.map(({ file, document }) => {
        const kind = opts.kind ?? guessPolicyKind(document);
        return {
          file,
          kind,
          findings: validatePolicyDocument(document, {
            kind,
            reference,
            ...(opts.accountId ? { accountId: opts.accountId } : {}),
          }),
        };
      });
      if (opts.format === 'json') process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
      else for (const r of results) printFindings(`${r.file} (${r.kind})`, r.findings);
      const errors = results.flatMap((r) =>
        r.findings.filter((f) => f.severity === 'error').map((f) => ({ ...f, path: `${r.file}:${f.path}` })),
      );
      if (errors.length > 0)
        throw new TrustgateError('INVALID_POLICY', `${errors.length} error(s) in ${files.length} document(s)`, {
          findings: errors,
        });
    });

  policy
    .command('simulate')
    .description(
      'Evaluate one request against identity, trust/resource, boundary, session and SCP policies, and explain the decision.',
    )
    .option('--policy <file>', 'identity policy of the principal (repeatable)', collect)
    .option('--trust <file>', "the role's trust policy (the resource policy for sts:AssumeRole)")
    .option('--resource-policy <file>', 'a resource-based policy (bucket, key, queue policy)')
    .option('--boundary <file>', 'permissions boundary of the principal')
    .option('--session-policy <file>', 'session policy (repeatable)', collect)
    .option('--scp <file>', 'service control policy; each file is one level, root first (repeatable)', collect)
    .option('--action <action>', 'the action, e.g. sts:AssumeRole')
    .option('--resource <arn>', 'the resource ARN, or * for actions without resource-level permissions')
    .option('--principal <arn>', "who asks (default: a user in the resource's account)")
    .addOption(
      new Option('--principal-type <type>', 'principal type').choices(['AWS', 'Service', 'Federated']).default('AWS'),
    )
    .option('--resource-account <id>', "the resource's account, for ARNs without one (S3)")
    .option('--context <key=value>', 'a request context key (repeatable; a,b for several values)', collect)
    .option('--discover', 'when denied, list context values that would allow the request')
    .addOption(
      new Option('--expect <decision>', 'fail (exit 7) unless the decision is this').choices([
        'Allowed',
        'ExplicitlyDenied',
        'ImplicitlyDenied',
      ]),
    )
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action((opts: SimulateOptions) => {
      if (!opts.action) throw new TrustgateError('INVALID_INPUT', 'missing --action', { field: 'action' });
      if (!opts.resource) throw new TrustgateError('INVALID_INPUT', 'missing --resource', { field: 'resource' });
      if (opts.trust && opts.resourcePolicy)
        throw new TrustgateError(
          'INVALID_INPUT',
          '--trust and --resource-policy are both the resource policy: give one',
          { field: 'trust' },
        );
      const doc = (file: string, field: string) => readPolicyFile(file, field) as PolicyDocument;
      const policies: PolicySet = { identityPolicies: (opts.policy ?? []).map((f, i) => doc(f, `policy[${i}]`)) };
      const resourceFile = opts.trust ?? opts.resourcePolicy;
      if (resourceFile) policies.resourcePolicy = doc(resourceFile, opts.trust ? 'trust' : 'resourcePolicy');
      if (opts.boundary) policies.permissionsBoundary = doc(opts.boundary, 'boundary');
      if (opts.sessionPolicy?.length)
        policies.sessionPolicies = opts.sessionPolicy.map((f, i) => doc(f, `sessionPolicy[${i}]`));
      if (opts.scp?.length) policies.serviceControlPolicies = opts.scp.map((f, i) => [doc(f, `scp[${i}]`)]);
      const arnAccount = splitArn(opts.resource)?.account;
      const resourceAccount = opts.resourceAccount ?? (isAccountId(arnAccount) ? arnAccount : '123456789012');
      const request: EvaluationRequest = {
        principal: {
          arn: opts.principal ?? `arn:aws:iam::${resourceAccount}:user/simulated`,
          type: opts.principalType,
        },
        action: opts.action,
        resource: opts.resource,
        ...(opts.resourceAccount ? { resourceAccountId: opts.resourceAccount } : {}),
        context: parseContext(opts.context ?? []),
      };
      const result = evaluateRequest(request, policies);
      const discovered =
        opts.discover && result.decision !== 'Allowed' ? discoverAllowingContext(request, policies) : undefined;
      if (opts.format === 'json')
        process.stdout.write(`${JSON.stringify({ ...result, ...(discovered ? { discovered } : {}) }, null, 2)}\n`);
      else {
        printResult(result);
        if (discovered) {
          if (discovered.length === 0)
            process.stdout.write('discover: no change of context values allows this request\n');
          for (const d of discovered) {
            const changes = Object.entries(d.context)
              .map(([k, v]) => (v === null ? `omit ${k}` : `${k}=${[v].flat().join(',')}`))
              .join(' ');
            process.stdout.write(
              `discover: ${changes}  (satisfies ${d.statement.policy}[${d.statement.policyIndex}] Statement[${d.statement.statementIndex}]${d.statement.sid ? ` ${d.statement.sid}` : ''})\n`,
            );
          }
        }
      }
      if (opts.expect && opts.expect !== result.decision) {
        throw new TrustgateError(
          'VERIFICATION_FAILED',
          `expected ${opts.expect}, got ${result.decision} (${result.explanation.reason})`,
          { details: { reason: result.explanation.reason } },
        );
      }
    });
}

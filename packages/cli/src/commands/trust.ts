import { Option, type Command } from 'commander';
// Subpaths of @trustgate/core, not its index: `trustgate external-id` loads no catalog or compiler.
import { TrustgateError } from '@trustgate/core/errors';
import { isPartition, type Partition } from '@trustgate/core/partition';
import {
  generateExternalId,
  parseScopedExternalId,
  scopedExternalId,
  scopedExternalIdPatterns,
  validateExternalId,
  type RunPhase,
} from '@trustgate/core/external-id';
import {
  buildTrustPolicy,
  type ConfusedDeputyCondition,
  type ExternalIdCondition,
  type TrustPrincipalSpec,
} from '@trustgate/core/trust';
import { collect } from './repeatable-options.ts';
import { scopeOf, wantsScope } from './scoped-id-options.ts';

/** Options of `trustgate trust-policy`. */
interface TrustPolicyOptions {
  partition: string;
  platformAccount?: string;
  platformRoleArn?: string;
  externalId?: string[];
  accountName?: string;
  integration?: string;
  stack?: string;
  phase?: string;
  service?: string;
  sourceAccount?: string;
  sourceScope?: 'account' | 'region' | 'resource';
  sourceRegion?: string;
  sourceService?: string;
  sourceResource?: string;
  sourceArn?: string;
  oidcIssuer?: string;
  oidcAccount?: string;
  audience?: string[];
  subject?: string[];
  maxSize?: string;
}

function externalIdOf(opts: TrustPolicyOptions): ExternalIdCondition {
  if (wantsScope(opts)) {
    if (opts.externalId?.length)
      throw new TrustgateError(
        'INVALID_INPUT',
        '--external-id cannot be combined with scoped IDs (--account-name/--integration/--stack/--phase)',
        { field: 'externalId' },
      );
    return { scope: scopeOf(opts) };
  }
  if (!opts.externalId?.length)
    throw new TrustgateError(
      'INVALID_EXTERNAL_ID',
      '--external-id is required (repeat it during a rotation), or use --account-name and --integration for scoped IDs',
      { field: 'externalId' },
    );
  return { ids: opts.externalId };
}

function principalsOf(opts: TrustPolicyOptions): TrustPrincipalSpec[] {
  const principals: TrustPrincipalSpec[] = [];
  if (opts.platformRoleArn)
    principals.push({ type: 'role', roleArn: opts.platformRoleArn, externalId: externalIdOf(opts) });
  else if (opts.platformAccount)
    principals.push({ type: 'account', accountId: opts.platformAccount, externalId: externalIdOf(opts) });
  if (opts.service) {
    let confusedDeputy: ConfusedDeputyCondition | undefined;
    if (opts.sourceAccount) {
      const scope =
        opts.sourceScope ??
        (opts.sourceArn ? 'resource' : opts.sourceResource ? (opts.sourceRegion ? 'region' : 'account') : undefined);
      let sourceArn: ConfusedDeputyCondition['sourceArn'];
      if (scope === 'resource') sourceArn = { scope, arn: opts.sourceArn ?? '' };
      else if (scope === 'region')
        sourceArn = {
          scope,
          region: opts.sourceRegion ?? '',
          service: opts.sourceService ?? 'ec2',
          resource: opts.sourceResource ?? '',
        };
      else if (scope === 'account')
        sourceArn = { scope, service: opts.sourceService ?? 'ec2', resource: opts.sourceResource ?? '' };
      confusedDeputy = { sourceAccount: opts.sourceAccount, ...(sourceArn ? { sourceArn } : {}) };
    }
    principals.push({ type: 'service', service: opts.service, ...(confusedDeputy ? { confusedDeputy } : {}) });
  }
  if (opts.oidcIssuer) {
    principals.push({
      type: 'oidc',
      issuer: opts.oidcIssuer,
      accountId: opts.oidcAccount ?? '',
      audiences: opts.audience ?? [],
      subjects: opts.subject ?? [],
    });
  }
  if (principals.length === 0) {
    throw new TrustgateError(
      'INVALID_INPUT',
      'give a principal: --platform-account, --platform-role-arn, --service or --oidc-issuer',
      { field: 'principals' },
    );
  }
  return principals;
}

/**
 * `trustgate trust-policy` prints a role trust policy (JSON) for the platform's account or role with external
 * IDs (exact, rotating, or scoped), an AWS service with confused-deputy conditions, or an OIDC issuer. Its size
 * and any warnings go to stderr; an oversized policy fails with TRUST_POLICY_TOO_LARGE.
 *
 * `trustgate external-id` generates an external ID, checks a custom one (`--check ID`), builds a scoped one
 * (`--scoped --account-name A --integration I --stack S --phase read|write`) or prints the StringLike patterns
 * of a scope (`--patterns`).
 */
export function registerTrust(program: Command): void {
  program
    .command('trust-policy')
    .description('Print a role trust policy: platform account/role with external IDs, service principal, or OIDC.')
    .addOption(
      new Option('--partition <partition>', 'AWS partition').choices(['aws', 'aws-us-gov', 'aws-cn']).default('aws'),
    )
    .option('--platform-account <id>', "the platform's 12-digit account in this partition (trusts its root)")
    .option('--platform-role-arn <arn>', 'the platform role to trust (narrower than the account)')
    .option('--external-id <id>', 'external ID the platform passes (repeat while rotating)', collect)
    .option('--account-name <name>', 'scoped IDs: the platform account name')
    .option('--integration <id>', 'scoped IDs: the integration ID')
    .option('--stack <slug>', 'scoped IDs: lock to one stack')
    .option('--phase <phase>', 'scoped IDs: lock to read (plan) or write (apply)')
    .option('--service <name>', 'an AWS service principal, e.g. spotfleet or ec2')
    .option('--source-account <id>', 'confused deputy: aws:SourceAccount (the customer account)')
    .addOption(
      new Option('--source-scope <scope>', 'confused deputy: aws:SourceArn scope').choices([
        'account',
        'region',
        'resource',
      ]),
    )
    .option('--source-region <region>', 'confused deputy: region of the region scope')
    .option('--source-service <service>', 'confused deputy: service of the source ARN (default ec2)')
    .option('--source-resource <pattern>', 'confused deputy: resource pattern, e.g. spot-fleet-request/sfr-*')
    .option('--source-arn <arn>', 'confused deputy: the one resource ARN (resource scope)')
    .option('--oidc-issuer <issuer>', 'web identity: OIDC issuer (host/path) registered in the customer account')
    .option('--oidc-account <id>', 'web identity: the customer account holding the OIDC provider')
    .option('--audience <aud>', 'web identity: allowed aud (repeatable)', collect)
    .option('--subject <sub>', 'web identity: allowed sub, wildcards allowed (repeatable)', collect)
    .option('--max-size <n>', 'trust policy size limit (default 2048; up to 4096 by quota increase)')
    .action((opts: TrustPolicyOptions) => {
      if (!isPartition(opts.partition))
        throw new TrustgateError('INVALID_PARTITION', `unknown partition ${opts.partition}`, { field: 'partition' });
      const maxSize = opts.maxSize === undefined ? undefined : Number(opts.maxSize);
      const result = buildTrustPolicy({
        partition: opts.partition as Partition,
        principals: principalsOf(opts),
        ...(maxSize !== undefined ? { maxSize } : {}),
      });
      for (const w of result.warnings) process.stderr.write(`warning: ${w.message}\n`);
      process.stderr.write(`# ${result.size} of ${maxSize ?? 2048} characters\n`);
      process.stdout.write(`${JSON.stringify(result.document, null, 2)}\n`);
    });

  program
    .command('external-id')
    .description('Generate an external ID, check a custom one, or build scoped IDs and their patterns.')
    .option('--bytes <n>', 'random bytes (at least 16 = 128 bits; default 24)')
    .option('--prefix <text>', 'text before the random part')
    .option('--check <id>', "check a customer-supplied external ID against AWS's rules")
    .option('--scoped', 'print <account-name>@<integration>@<stack>@<read|write>')
    .option('--patterns', 'print the StringLike patterns for a scope (stack and phase optional)')
    .option('--parse <id>', 'take a scoped external ID apart')
    .option('--account-name <name>', 'scoped: platform account name')
    .option('--integration <id>', 'scoped: integration ID')
    .option('--stack <slug>', 'scoped: stack slug')
    .option('--phase <phase>', 'scoped: read (plan) or write (apply)')
    .action(
      (opts: {
        bytes?: string;
        prefix?: string;
        check?: string;
        scoped?: boolean;
        patterns?: boolean;
        parse?: string;
        accountName?: string;
        integration?: string;
        stack?: string;
        phase?: string;
      }) => {
        if (opts.check !== undefined) {
          const findings = validateExternalId(opts.check, 'externalId');
          const first = findings[0];
          if (first) throw new TrustgateError('INVALID_EXTERNAL_ID', first.message, { field: 'externalId', findings });
          process.stdout.write('valid\n');
          return;
        }
        if (opts.parse !== undefined) {
          const parts = parseScopedExternalId(opts.parse);
          if (!parts)
            throw new TrustgateError(
              'INVALID_EXTERNAL_ID',
              'externalId: not a scoped external ID <account-name>@<integration-id>@<stack-slug>@<read|write>',
              { field: 'externalId' },
            );
          process.stdout.write(`${JSON.stringify(parts, null, 2)}\n`);
          return;
        }
        if (opts.scoped || opts.patterns) {
          if (opts.patterns) {
            process.stdout.write(`${scopedExternalIdPatterns(scopeOf(opts)).join('\n')}\n`);
            return;
          }
          const scope = scopeOf(opts);
          process.stdout.write(
            `${scopedExternalId({ ...scope, stackSlug: scope.stackSlug ?? '', phase: scope.phase ?? ('' as RunPhase) })}\n`,
          );
          return;
        }
        if (wantsScope(opts)) {
          throw new TrustgateError(
            'INVALID_INPUT',
            '--account-name, --integration, --stack and --phase need --scoped or --patterns',
            { field: 'scoped' },
          );
        }
        const bytes = opts.bytes === undefined ? undefined : Number(opts.bytes);
        process.stdout.write(
          `${generateExternalId({ ...(bytes !== undefined ? { bytes } : {}), ...(opts.prefix !== undefined ? { prefix: opts.prefix } : {}) })}\n`,
        );
      },
    );
}

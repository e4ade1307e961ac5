import { readFileSync, writeFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import {
  BLUEPRINTS,
  DEFAULT_BLUEPRINT,
  DELIVERABLE_FORMATS,
  TrustgateError,
  buildBlueprint,
  compilePolicies,
  isDeliverableFormat,
  isPartition,
  parseArn,
  quickCreateLink,
  renderDeliverable,
  renderStackSet,
  type BlueprintOptions,
  type NamedPolicy,
  type Partition,
  type PolicyDocument,
} from '@trustgate/core';
import { loadCatalogFile } from './catalog.ts';
import { collect, commaList } from './repeatable-options.ts';
import { scopeOf, wantsScope, type ScopedIdOptions } from './scoped-id-options.ts';
import { addSelectionOptions, compileSelectionOf, type SelectionOptions } from './selection-options.ts';

/** Options of `trustgate template`, as commander parses them. */
interface TemplateOptions extends ScopedIdOptions, SelectionOptions {
  blueprint: string;
  format: string;
  partition: string;
  policyFile?: string[];
  platformAccount?: string;
  platformRoleArn?: string;
  externalId?: string[];
  customerAccount?: string;
  region?: string;
  roleName?: string;
  userName?: string;
  maxSessionDuration?: string;
  maxTrustPolicySize?: string;
  callbackTopic?: string;
  callbackProperty?: string[];
  kmsKeyArn?: string;
  spotFleetRegion?: string;
  spotFleetRequestArn?: string;
  stackSet?: boolean;
  ou?: string[];
  stackSetName?: string;
  callAs?: 'SELF' | 'DELEGATED_ADMIN';
  quickCreate?: string;
  stackName?: string;
  out?: string;
}

/** Policies from the compiler (with --catalog) and/or from JSON policy files. */
async function permissionsOf(
  opts: TemplateOptions,
  partition: Partition,
): Promise<{ policies: NamedPolicy[]; managedPolicyArns: string[] }> {
  const policies: NamedPolicy[] = [];
  const managedPolicyArns: string[] = [];
  if (opts.catalog) {
    const { catalog, actionList } = await loadCatalogFile(opts.catalog);
    const compiled = compilePolicies(
      {
        catalog,
        ...compileSelectionOf(opts),
        partition,
        ...(opts.customerAccount ? { accountId: opts.customerAccount } : {}),
        ...(opts.region ? { region: opts.region } : {}),
      },
      actionList,
    );
    for (const w of compiled.warnings) process.stderr.write(`warning: ${w.message}\n`);
    policies.push(...compiled.documents.map((d) => ({ name: d.name, document: d.document })));
    managedPolicyArns.push(...compiled.managedPolicyArns);
  } else if (opts.managedPolicies?.length) {
    throw new TrustgateError(
      'INVALID_INPUT',
      '--managed-policies needs --catalog (the compiler turns names into partition-correct ARNs)',
      { field: 'managedPolicies' },
    );
  }
  for (const [i, file] of (opts.policyFile ?? []).entries()) {
    let document: PolicyDocument;
    try {
      document = JSON.parse(readFileSync(file, 'utf8')) as PolicyDocument;
    } catch (error) {
      throw new TrustgateError(
        'FILE_NOT_READABLE',
        `--policy-file ${file}: ${error instanceof Error ? error.message : String(error)}`,
        { field: `policyFile[${i}]`, cause: error },
      );
    }
    const name = file
      .replace(/^.*\//, '')
      .replace(/\.json$/i, '')
      .replace(/[^\w+=,.@-]/g, '-');
    policies.push({ name, document });
  }
  return { policies, managedPolicyArns };
}

function numberOf(value: string | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n))
    throw new TrustgateError('INVALID_INPUT', `--${field}: "${value}" is not a whole number`, { field });
  return n;
}

function callbackOf(opts: TemplateOptions): BlueprintOptions['callback'] {
  if (!opts.callbackTopic) {
    if (opts.callbackProperty?.length)
      throw new TrustgateError('INVALID_INPUT', '--callback-property needs --callback-topic', {
        field: 'callbackTopic',
      });
    return undefined;
  }
  const properties: Record<string, string> = {};
  for (const pair of opts.callbackProperty ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0)
      throw new TrustgateError('INVALID_INPUT', `--callback-property "${pair}": use Name=Value`, {
        field: 'callbackProperty',
      });
    properties[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return { serviceToken: opts.callbackTopic, properties };
}

/**
 * `trustgate template --blueprint NAME --format cloudformation-json|cloudformation-yaml|terraform|cli|json` writes a
 * blueprint's deliverable. Permissions come from the policy compiler (`--catalog FILE` with `--default`,
 * `--products`, `--integrations`, `--extra-actions`, `--managed-policies`) and/or `--policy-file` JSON documents.
 * `--stack-set --ou ou-...` prints the StackSet variant (template and API parameters) as JSON;
 * `--quick-create TEMPLATE_URL` prints the console quick-create link instead. `--out FILE` writes to a file.
 */
export function registerTemplate(program: Command): void {
  const template = program
    .command('template')
    .description(
      "Write a blueprint's deliverable: CloudFormation (JSON/YAML, StackSet), Terraform, AWS CLI script or raw JSON.",
    )
    .addOption(new Option('--blueprint <name>', 'blueprint').default(DEFAULT_BLUEPRINT))
    .addOption(new Option('--format <format>', 'output format').default('cloudformation-yaml'))
    .addOption(new Option('--partition <partition>', 'AWS partition').default('aws'));
  addSelectionOptions(template)
    .option('--policy-file <file>', 'a policy document (JSON) to create and attach (repeatable)', collect)
    .option('--platform-account <id>', "the platform's account in this partition")
    .option('--platform-role-arn <arn>', 'the platform role to trust instead of the account root')
    .option('--external-id <id>', 'external ID (repeat while rotating; generated when absent)', collect)
    .option(
      '--account-name <name>',
      'scoped external IDs: the platform account name (trust <name>@<integration>@<stack>@<read|write>)',
    )
    .option('--integration <id>', 'scoped external IDs: the integration ID')
    .option('--stack <slug>', 'scoped external IDs: lock the role to one stack')
    .option('--phase <phase>', 'scoped external IDs: lock the role to read (plan) or write (apply)')
    .option('--customer-account <id>', "the customer's account (spot-fleet needs it; fills ${AccountId})")
    .option('--region <region>', "the customer's region, for ${Region} and quick-create links")
    .option('--role-name <name>', 'role name')
    .option('--user-name <name>', 'installer-user: user name')
    .option('--max-session-duration <seconds>', 'role MaxSessionDuration, 3600-43200')
    .option('--max-trust-policy-size <n>', 'trust policy size limit (default 2048, up to 4096)')
    .option('--callback-topic <arn>', "automatic connect: the platform's SNS topic ARN (CloudFormation only)")
    .option(
      '--callback-property <name=value>',
      'automatic connect: a property sent with the callback (repeatable)',
      collect,
    )
    .option('--kms-key-arn <arn>', 'spot-fleet: the KMS key of encrypted AMIs/snapshots, for the create-grant step')
    .option(
      '--spot-fleet-region <region>',
      'spot-fleet: trust Spot Fleet requests of this region only (default: any region)',
    )
    .option('--spot-fleet-request-arn <arn>', 'spot-fleet: trust this one Spot Fleet request only')
    .option(
      '--stack-set',
      'print the StackSet variant (JSON: template, create-stack-set and create-stack-instances parameters)',
    )
    .option('--ou <id>', 'StackSet target organizational unit or root (comma-separated, repeatable)', commaList)
    .option('--stack-set-name <name>', 'StackSet name', 'trustgate')
    .addOption(
      new Option(
        '--call-as <who>',
        'StackSet: SELF in the management account, DELEGATED_ADMIN in a delegated administrator account',
      ).choices(['SELF', 'DELEGATED_ADMIN']),
    )
    .option(
      '--quick-create <templateUrl>',
      'print the console quick-create link for a template stored at this https URL',
    )
    .option('--stack-name <name>', 'stack name of the quick-create link', 'trustgate')
    .option('--out <file>', 'write to this file instead of stdout')
    .action(async (opts: TemplateOptions) => {
      if (!isPartition(opts.partition))
        throw new TrustgateError(
          'INVALID_PARTITION',
          `--partition: "${opts.partition}" is not one of aws, aws-us-gov, aws-cn`,
          { field: 'partition' },
        );
      if (!Object.prototype.hasOwnProperty.call(BLUEPRINTS, opts.blueprint))
        buildBlueprint(opts.blueprint, { partition: opts.partition }); // throws UNKNOWN_BLUEPRINT
      if (!isDeliverableFormat(opts.format))
        throw new TrustgateError(
          'INVALID_INPUT',
          `--format: "${opts.format}" is not one of ${DELIVERABLE_FORMATS.join(', ')}`,
          { field: 'format' },
        );
      const partition = opts.partition as Partition;
      if (wantsScope(opts) && opts.externalId?.length) {
        throw new TrustgateError(
          'INVALID_INPUT',
          '--external-id cannot be combined with scoped IDs (--account-name/--integration/--stack/--phase)',
          { field: 'externalId' },
        );
      }
      const { policies, managedPolicyArns } = await permissionsOf(opts, partition);
      const maxSessionDuration = numberOf(opts.maxSessionDuration, 'maxSessionDuration');
      const maxTrustPolicySize = numberOf(opts.maxTrustPolicySize, 'maxTrustPolicySize');
      const callback = callbackOf(opts);
      const options: BlueprintOptions = {
        partition,
        ...(opts.platformAccount
          ? {
              platform: {
                [partition]: {
                  accountId: opts.platformAccount,
                  ...(opts.platformRoleArn ? { roleArn: opts.platformRoleArn } : {}),
                },
              },
            }
          : {}),
        ...(opts.externalId?.length ? { externalIds: opts.externalId } : {}),
        ...(wantsScope(opts) ? { externalIdScope: scopeOf(opts) } : {}),
        ...(opts.customerAccount ? { customerAccountId: opts.customerAccount } : {}),
        ...(opts.roleName ? { roleName: opts.roleName } : {}),
        ...(opts.userName ? { userName: opts.userName } : {}),
        ...(maxSessionDuration !== undefined ? { maxSessionDuration } : {}),
        ...(maxTrustPolicySize !== undefined ? { maxTrustPolicySize } : {}),
        ...(callback ? { callback } : {}),
        ...(opts.kmsKeyArn ? { kmsKeyArn: opts.kmsKeyArn } : {}),
        ...(opts.spotFleetRequestArn
          ? { spotFleetSourceArn: { scope: 'resource' as const, arn: opts.spotFleetRequestArn } }
          : opts.spotFleetRegion
            ? {
                spotFleetSourceArn: {
                  scope: 'region' as const,
                  region: opts.spotFleetRegion,
                  service: 'ec2',
                  resource: 'spot-fleet-request/sfr-*',
                },
              }
            : {}),
        policies,
        managedPolicyArns,
      };
      const model = buildBlueprint(opts.blueprint, options);
      for (const note of model.notes) process.stderr.write(`note: ${note}\n`);
      // A custom resource's ServiceToken must be in the stack's region: the callback topic picks the default.
      const token = callback === undefined ? undefined : parseArn(callback.serviceToken, 'callbackTopic');
      const tokenRegion = token?.ok && token.arn.region !== '' ? token.arn.region : undefined;
      const stackRegion = opts.region ?? tokenRegion;
      if ((opts.quickCreate || opts.stackSet) && tokenRegion !== undefined && stackRegion !== tokenRegion) {
        throw new TrustgateError(
          'INVALID_INPUT',
          `--region: the stack would be created in ${stackRegion}, but --callback-topic is in ${tokenRegion}; a custom resource's service token must be in the stack's region`,
          { field: 'region' },
        );
      }
      let text: string;
      if (opts.quickCreate) {
        const params = Object.fromEntries(model.parameters.map((p) => [p.name, p.value]));
        text = `${quickCreateLink({ partition, ...(stackRegion ? { region: stackRegion } : {}), templateUrl: opts.quickCreate, stackName: opts.stackName ?? 'trustgate', parameters: params })}\n`;
      } else if (opts.stackSet) {
        const stackSet = renderStackSet(model, {
          stackSetName: opts.stackSetName ?? 'trustgate',
          organizationalUnitIds: opts.ou ?? [],
          ...(stackRegion ? { region: stackRegion } : {}),
          ...(opts.callAs ? { callAs: opts.callAs } : {}),
        });
        text = `${JSON.stringify(stackSet, null, 2)}\n`;
      } else {
        text = renderDeliverable(model, opts.format);
      }
      if (opts.out) {
        try {
          writeFileSync(opts.out, text, { mode: opts.format === 'cli' ? 0o755 : 0o644 });
        } catch (error) {
          throw new TrustgateError(
            'FILE_NOT_READABLE',
            `--out ${opts.out}: ${error instanceof Error ? error.message : String(error)}`,
            { field: 'out', cause: error },
          );
        }
        process.stderr.write(`wrote ${opts.out}\n`);
      } else {
        process.stdout.write(text);
      }
    });
}

import { Option, type Command } from 'commander';
import { TrustgateError } from '@trustgate/core';
import { collect, commaList } from '../../commands/repeatable-options.ts';
import {
  labelsOf,
  oneOf,
  readBodyFile,
  type CreateConnectionBody,
  type UpdateConnectionBody,
} from './connections-input.ts';

/** The flags `connections create` and `edit` share, as commander parses them. */
export interface ConnectionFlags {
  file?: string;
  name?: string;
  label?: string[];
  products?: string[];
  integrations?: string[];
  default?: boolean;
  extraActions?: string[];
  managedPolicies?: string[];
  wildcards?: string;
  catalog?: string;
  space?: string;
  region?: string;
  sessionTagging?: boolean;
  oidc?: boolean;
  externalIdTrust?: string;
  audience?: string;
  oidcStacks?: string[];
  trustedStacks?: string[];
  phases?: string[];
}

/** The flags only `create` has. */
export interface CreateFlags extends ConnectionFlags {
  account?: string[];
  organization?: string;
  ou?: string[];
  partition?: string;
  mode?: string;
  roleName?: string;
}

const PHASES = ['read', 'write'] as const;

/** Declares the flags `create` and `edit` share (the selection, naming, trust and session settings). */
export function addConnectionFlags(command: Command, verb: 'create' | 'edit'): Command {
  const replaces = verb === 'edit' ? ' (replaces the list)' : '';
  return command
    .option('-f, --file <file>', `the request body as JSON or YAML (the API's fields); flags given too override it`)
    .option('--name <name>', "the connection's name")
    .option('--label <key=value>', 'a label (repeatable)', collect)
    .option('--products <ids>', 'select every integration of these products (comma-separated, repeatable)', commaList)
    .option('--integrations <ids>', 'select these integrations, by id or product/id (comma-separated)', commaList)
    .option('--default', "select the catalog's default integrations")
    .option('--extra-actions <actions>', `more allowed actions (comma-separated)${replaces}`, commaList)
    .option('--managed-policies <names>', `AWS managed policies to attach (comma-separated)${replaces}`, commaList)
    .addOption(
      new Option('--wildcards <mode>', "how the catalog's wildcards are written").choices([
        'expand',
        'keep',
        'compact',
      ]),
    )
    .option('--catalog <name>', "the organization's catalog to compile from (default: the built-in catalog)")
    .option('--space <id>', verb === 'edit' ? 'move to this space (none: no space)' : 'the space it belongs to')
    .option('--region <region>', "the region of the role's STS calls")
    .option('--session-tagging', "let runs' sessions carry session tags and a source identity")
    .option('--oidc', "trust trustgate's OIDC issuer instead of an external ID")
    .addOption(
      new Option('--external-id-trust <kind>', 'exact external ID, or scoped <id>@<stack>@<phase>').choices([
        'exact',
        'scoped',
      ]),
    )
    .option('--audience <aud>', 'OIDC: the audience the role requires (default sts.amazonaws.com)')
    .option('--oidc-stacks <ids>', 'OIDC: trust only these stack IDs (comma-separated)', commaList)
    .option('--trusted-stacks <slugs>', 'scoped external ID: trust only these stack slugs (comma-separated)', commaList)
    .option(
      '--phases <phases>',
      'OIDC or scoped trust: the phases trusted, read and/or write (default both)',
      commaList,
    );
}

function phasesOf(flags: ConnectionFlags): ('read' | 'write')[] {
  const phases = flags.phases ?? [...PHASES];
  for (const p of phases) oneOf(p, PHASES, '--phases');
  return phases as ('read' | 'write')[];
}

/** The fields both bodies share, from the flags (only those given). */
function commonFields(flags: ConnectionFlags): UpdateConnectionBody {
  if (flags.default === true && (flags.products !== undefined || flags.integrations !== undefined))
    throw new TrustgateError('INVALID_INPUT', '--default cannot be combined with --products or --integrations.', {
      field: 'selection',
    });
  if (flags.oidc === true && flags.externalIdTrust !== undefined)
    throw new TrustgateError('INVALID_INPUT', '--oidc trust carries no external ID: drop --external-id-trust.', {
      field: 'trust',
    });
  const body: UpdateConnectionBody = {};
  if (flags.name !== undefined) body.name = flags.name;
  const labels = labelsOf(flags.label);
  if (labels !== undefined) body.labels = labels;
  if (flags.default === true) body.selection = { mode: 'default' };
  if (flags.products !== undefined || flags.integrations !== undefined)
    body.selection = {
      mode: 'custom',
      ...(flags.products === undefined ? {} : { products: flags.products }),
      ...(flags.integrations === undefined ? {} : { integrations: flags.integrations }),
    };
  if (flags.extraActions !== undefined) body.extraActions = flags.extraActions;
  if (flags.managedPolicies !== undefined) body.managedPolicies = flags.managedPolicies;
  if (flags.wildcards !== undefined) body.wildcards = flags.wildcards as NonNullable<UpdateConnectionBody['wildcards']>;
  if (flags.catalog !== undefined) body.catalogName = flags.catalog;
  if (flags.space !== undefined) body.spaceId = flags.space === 'none' ? null : flags.space;
  if (flags.region !== undefined) body.region = flags.region;
  if (flags.sessionTagging !== undefined) body.sessionTagging = flags.sessionTagging;
  if (flags.oidc === true)
    body.trust = {
      kind: 'oidc',
      phases: phasesOf(flags),
      ...(flags.audience === undefined ? {} : { audience: flags.audience }),
      ...(flags.oidcStacks === undefined ? {} : { stackIds: flags.oidcStacks }),
    };
  if (flags.externalIdTrust === 'exact') body.externalIdTrust = { kind: 'exact' };
  if (flags.externalIdTrust === 'scoped')
    body.externalIdTrust = {
      kind: 'scoped',
      phases: phasesOf(flags),
      ...(flags.trustedStacks === undefined ? {} : { stacks: flags.trustedStacks }),
    };
  return body;
}

/**
 * The body of `POST /v1/connections`: `--file`'s fields, then the flags given over them. A scope is `--account`
 * (one, or several: an accounts scope) or `--organization o-... [--ou ...]`. The service validates the rest and names
 * the field it refuses.
 */
export function createBodyOf(flags: CreateFlags): CreateConnectionBody {
  const body: Record<string, unknown> = flags.file === undefined ? {} : readBodyFile(flags.file);
  if (flags.account !== undefined && flags.organization !== undefined)
    throw new TrustgateError('INVALID_INPUT', '--account and --organization are two scopes: give one.', {
      field: 'scope',
    });
  if (flags.account !== undefined)
    body.scope =
      flags.account.length === 1
        ? { kind: 'account', accountId: flags.account[0] }
        : { kind: 'accounts', accountIds: flags.account };
  if (flags.organization !== undefined)
    body.scope = {
      kind: 'organization',
      organizationId: flags.organization,
      ...(flags.ou === undefined ? {} : { organizationalUnitIds: flags.ou }),
    };
  if (flags.partition !== undefined) body.partition = flags.partition;
  if (flags.mode !== undefined) body.mode = flags.mode;
  if (flags.roleName !== undefined) body.roleName = flags.roleName;
  Object.assign(body, commonFields(flags));
  if (body.name === undefined)
    throw new TrustgateError('INVALID_INPUT', 'Name the connection: --name NAME (or name in --file).', {
      field: 'name',
    });
  if (body.scope === undefined)
    throw new TrustgateError(
      'INVALID_INPUT',
      'Which AWS accounts? --account ID (repeatable), --organization o-... , or scope in --file.',
      { field: 'scope' },
    );
  return body as CreateConnectionBody;
}

/**
 * The body of `PATCH /v1/connections/{id}`: `--file`'s fields, then the flags; `labels` is `current` with `--label`
 * set and `--remove-label` removed (the API replaces the whole mapping). INVALID_INPUT when nothing would change.
 */
export function updateBodyOf(
  flags: ConnectionFlags & { removeLabel?: string[] },
  current: Record<string, string> | undefined,
): UpdateConnectionBody {
  const body: Record<string, unknown> = flags.file === undefined ? {} : readBodyFile(flags.file);
  const fields = commonFields(flags);
  if (fields.labels !== undefined || flags.removeLabel !== undefined) {
    const labels: Record<string, string> = { ...(current ?? {}), ...(fields.labels ?? {}) };
    for (const key of flags.removeLabel ?? []) delete labels[key];
    fields.labels = labels;
  }
  Object.assign(body, fields);
  if (Object.keys(body).length === 0)
    throw new TrustgateError(
      'INVALID_INPUT',
      'Nothing to change: give --products, --integrations, --default, --extra-actions, --label, --name ... or --file.',
      { field: 'file' },
    );
  return body as UpdateConnectionBody;
}

import { Option, type Command } from 'commander';
import { unwrap } from '@trustgate/client';
import type { RemoteContext } from '../remote-command.ts';
import { remoteCommand } from '../remote-command.ts';
import { collect, commaList } from '../../commands/repeatable-options.ts';
import {
  addConnectionFlags,
  createBodyOf,
  updateBodyOf,
  type ConnectionFlags,
  type CreateFlags,
} from './connections-body.ts';
import { confirmOrRefuse, labelFilters, type ConnectionView } from './connections-input.ts';
import { registerDeliverables } from './connections-deliverables.ts';
import { registerVerify, registerWait, roleLines } from './connections-verify.ts';

const STATUSES = ['pending', 'connected', 'needs-update', 'insecure', 'broken'];

/** What a connection's scope covers, in a few words. */
export function scopeText(scope: ConnectionView['scope']): string {
  if (scope.kind === 'account') return scope.accountId;
  if (scope.kind === 'accounts') return scope.accountIds.join(',');
  return `${scope.organizationId}${scope.organizationalUnitIds?.length ? ` (${scope.organizationalUnitIds.join(',')})` : ''}`;
}

/** The fields `show` prints, in this order. */
const SHOW_FIELDS = [
  'id',
  'name',
  'status',
  'statusReason',
  'mode',
  'partition',
  'scopeText',
  'roleName',
  'region',
  'spaceId',
  'labels',
  'trustKind',
  'externalId',
  'previousExternalId',
  'selectionText',
  'managedPolicies',
  'extraActions',
  'wildcards',
  'catalogName',
  'sessionTagging',
  'sessionsRevokedBefore',
  'accessLevel',
  'lastVerifiedAt',
  'createdAt',
  'updatedAt',
];

/** Prints one connection: `key: value` lines and a line per role (table), or the API's object (json). */
function printConnection(ctx: RemoteContext, c: ConnectionView): void {
  if (ctx.output === 'json') return ctx.printRecord(c);
  const selection =
    c.selection.mode === 'default'
      ? 'default'
      : `custom: ${[...(c.selection.products ?? []), ...(c.selection.integrations ?? [])].join(',')}`;
  ctx.printRecord(
    {
      ...c,
      scopeText: `${c.scope.kind} ${scopeText(c.scope)}`,
      trustKind: c.trust.kind === 'oidc' ? 'oidc' : `external-id (${c.externalIdTrust.kind})`,
      selectionText: selection,
      labels: Object.entries(c.labels).map(([k, v]) => `${k}=${v}`),
    },
    SHOW_FIELDS,
  );
  for (const line of roleLines(c)) ctx.say(line);
  if (c.pendingChanges?.changed === true)
    ctx.say(
      `pending changes: +${c.pendingChanges.added.length} / -${c.pendingChanges.removed.length} integration(s): re-apply the template`,
    );
}

/** The next steps after a create, for people. */
function nextSteps(ctx: RemoteContext, c: ConnectionView): void {
  const id = c.id;
  ctx.say('');
  ctx.say('Next:');
  ctx.say(`  trustgate connections deliverables ${id} --format cloudformation-yaml --out trustgate-role.yaml`);
  if (c.mode === 'automatic') {
    ctx.say('  apply it in the account (the stack reports back), then:');
    ctx.say(`  trustgate connections wait ${id} --status connected --timeout 10m`);
  } else {
    ctx.say('  apply it in the account, then paste the role ARN it outputs:');
    ctx.say(`  trustgate connections verify ${id} --role-arn ARN --wait`);
  }
}

/** Prints a selection change's diff for people. */
function printDiff(
  ctx: RemoteContext,
  answer: { connection: ConnectionView; diff: NonNullable<ConnectionView['pendingChanges']> },
): void {
  if (ctx.output === 'json') return ctx.printRecord(answer);
  const { connection: c, diff } = answer;
  ctx.say(`Connection ${c.name} (${c.id}) updated: ${c.status}: ${c.statusReason}`);
  if (!diff.changed) return ctx.say("The role's permissions do not change.");
  for (const a of diff.added) ctx.say(`  + ${a.productId}/${a.integrationId} (${a.actions.length} action(s))`);
  for (const r of diff.removed) ctx.say(`  - ${r.productId}/${r.integrationId} (${r.actions.length} action(s))`);
  for (const m of diff.managedPoliciesAdded) ctx.say(`  + managed policy ${m}`);
  for (const m of diff.managedPoliciesRemoved) ctx.say(`  - managed policy ${m}`);
  for (const w of diff.wildcardsAdded) ctx.say(`  + wildcard ${w}`);
  for (const w of diff.wildcardsRemoved) ctx.say(`  - wildcard ${w}`);
  ctx.say(`Re-apply the template: trustgate connections deliverables ${c.id} --format cloudformation-yaml --out FILE`);
}

/** `trustgate connections`: connections to AWS accounts: create, deliverables, verify, wait, rotate, revoke sessions, delete. */
export function registerConnections(program: Command): Command {
  const group = program
    .command('connections')
    .description('Connections to AWS accounts: create, deliverables, verify, wait, rotate, revoke sessions, delete');

  remoteCommand<CreateFlags>(
    group,
    'create',
    'Create a connection from flags or --file (JSON/YAML): its external ID and every deliverable',
    (c) =>
      addConnectionFlags(
        c
          .option('--account <ids>', 'the AWS account(s) it covers (comma-separated, repeatable)', commaList)
          .option('--organization <id>', 'every account of this AWS Organization (o-...)')
          .option('--ou <ids>', 'with --organization: the StackSet deliverable targets these OUs', commaList)
          .addOption(new Option('--partition <partition>').choices(['aws', 'aws-us-gov', 'aws-cn']))
          .addOption(
            new Option('--mode <mode>', 'manual: paste the role ARN; automatic: the stack reports back').choices([
              'manual',
              'automatic',
            ]),
          )
          .option('--role-name <name>', "the IAM role's name in each account"),
        'create',
      ),
    async (ctx, _args, flags) => {
      const created = await unwrap(ctx.client.POST('/v1/connections', { body: createBodyOf(flags) }));
      if (ctx.output === 'json') return ctx.printRecord(created);
      const c = created.connection;
      ctx.printRecord({ ...c, scopeText: `${c.scope.kind} ${scopeText(c.scope)}` }, [
        'id',
        'name',
        'status',
        'mode',
        'scopeText',
        'roleName',
        'externalId',
      ]);
      for (const w of created.deliverables.warnings) ctx.say(`warning ${w.code}: ${w.message}`);
      nextSteps(ctx, c);
    },
  );

  remoteCommand<{ status?: string; space?: string; label?: string[] }>(
    group,
    'list',
    'List the connections you can see, filtered by status, space and labels',
    (c) =>
      c
        .addOption(new Option('--status <status>').choices(STATUSES))
        .option('--space <id>', 'only this space')
        .option('--label <key=value>', 'only connections with this label (repeatable: every one must match)', collect),
    async (ctx, _args, o) => {
      const label = labelFilters(o.label);
      const rows = await unwrap(
        ctx.client.GET('/v1/connections', {
          params: {
            query: {
              ...(o.status === undefined ? {} : { status: o.status as ConnectionView['status'] }),
              ...(o.space === undefined ? {} : { space: o.space }),
              ...(label === undefined ? {} : { label }),
            },
          },
        }),
      );
      ctx.printList(rows, [
        { header: 'id', value: (r) => r.id },
        { header: 'name', value: (r) => r.name },
        { header: 'status', value: (r) => r.status },
        { header: 'mode', value: (r) => r.mode },
        { header: 'scope', value: (r) => scopeText(r.scope) },
        { header: 'space', value: (r) => r.spaceId },
        { header: 'labels', value: (r) => Object.entries(r.labels).map(([k, v]) => `${k}=${v}`) },
      ]);
    },
  );

  remoteCommand(
    group,
    'show <id>',
    'One connection: its status, trust, selection and roles',
    (c) => c,
    async (ctx, [id]) => {
      printConnection(ctx, await unwrap(ctx.client.GET('/v1/connections/{id}', { params: { path: { id: id! } } })));
    },
  );

  remoteCommand<ConnectionFlags & { removeLabel?: string[] }>(
    group,
    'edit <id>',
    "Change a connection: its selection (the role's permissions: needs-update with a diff until re-applied), name, labels, space",
    (c) =>
      addConnectionFlags(c, 'edit')
        .option('--remove-label <key>', 'remove this label (repeatable)', collect)
        .option('--no-session-tagging', 'stop allowing session tags'),
    async (ctx, [id], flags) => {
      const path = { params: { path: { id: id! } } };
      const needsLabels = flags.label !== undefined || flags.removeLabel !== undefined;
      const current = needsLabels ? (await unwrap(ctx.client.GET('/v1/connections/{id}', path))).labels : undefined;
      const body = updateBodyOf(flags, current);
      printDiff(ctx, await unwrap(ctx.client.PATCH('/v1/connections/{id}', { ...path, body })));
    },
  );

  registerDeliverables(group);
  registerVerify(group);
  registerWait(group);

  remoteCommand(
    group,
    'rotate-external-id <id>',
    'Rotate the external ID: the role accepts the old and the new until it is verified with the new one',
    (c) => c,
    async (ctx, [id]) => {
      const c = await unwrap(
        ctx.client.POST('/v1/connections/{id}/rotate-external-id', { params: { path: { id: id! } } }),
      );
      if (ctx.output === 'json') return ctx.printRecord(c);
      ctx.printRecord(c, ['id', 'externalId', 'previousExternalId', 'status', 'statusReason']);
      ctx.say(
        `Re-apply the template (trustgate connections deliverables ${c.id} --format cloudformation-yaml --out FILE), then verify: the previous ID is dropped once the role accepts the new one.`,
      );
    },
  );

  remoteCommand(
    group,
    'revoke-sessions <id>',
    "Revoke the connection's sessions issued before now; prints the role policy that makes AWS deny them too",
    (c) => c,
    async (ctx, [id]) => {
      const answer = await unwrap(
        ctx.client.POST('/v1/connections/{id}/revoke-sessions', { params: { path: { id: id! } } }),
      );
      if (ctx.output === 'json') return ctx.printRecord(answer);
      ctx.say(`Sessions issued before ${answer.revokedBefore} are revoked: trustgate serves none of them again.`);
      ctx.say(`So that AWS denies them too, add the inline policy ${answer.remedy.policyName} to the role:`);
      ctx.say(`  ${answer.remedy.cli}`);
      ctx.say(`  (or the IAM console: ${answer.remedy.consoleUrl})`);
    },
  );

  remoteCommand<{ yes?: boolean }>(
    group,
    'delete <id>',
    'Delete a connection (owners; --yes when not at a terminal)',
    (c) => c.option('-y, --yes', 'do not ask'),
    async (ctx, [id], o) => {
      const c = await unwrap(ctx.client.GET('/v1/connections/{id}', { params: { path: { id: id! } } }));
      await confirmOrRefuse(`connection ${c.name} (${c.id})`, o.yes);
      const answer = await unwrap(ctx.client.DELETE('/v1/connections/{id}', { params: { path: { id: id! } } }));
      if (ctx.output === 'json') return ctx.printRecord(answer);
      ctx.say(`Connection ${c.name} (${c.id}) deleted. The role stays in AWS: delete its stack there.`);
    },
  );

  return group;
}

import type { Command } from 'commander';
import { TrustgateError } from '@trustgate/core';
import { unwrap, type paths } from '@trustgate/client';
import { remoteCommand, type RemoteContext } from '../remote-command.ts';
import { collect } from '../../commands/repeatable-options.ts';
import { confirmOrRefuse, labelFilters, labelsOf } from './connections-input.ts';
import { addAttachFlags, attach, ATTACHMENT_COLUMNS, type AttachFlags } from './attachments.ts';
import { resolveStackId } from './stacks-resolve.ts';

type StackView = paths['/v1/stacks/{id}']['get']['responses'][200]['content']['application/json'];
type StackPatch = NonNullable<paths['/v1/stacks/{id}']['patch']['requestBody']>['content']['application/json'];

const labelText = (labels: Record<string, string>) => Object.entries(labels).map(([k, v]) => `${k}=${v}`);

/** Prints a stack (table: `key: value` lines; json: the API's object). */
function printStack(ctx: RemoteContext, s: StackView): void {
  if (ctx.output === 'json') return ctx.printRecord(s);
  ctx.printRecord({ ...s, labels: labelText(s.labels) }, [
    'id',
    'slug',
    'name',
    'spaceId',
    'labels',
    'createdAt',
    'updatedAt',
  ]);
}

/** `trustgate stacks`: stacks (what runs act for) and their attachments to connections. */
export function registerStacks(program: Command): Command {
  const group = program
    .command('stacks')
    .description('Stacks (what runs act for) and their attachments to connections');

  remoteCommand<{ slug: string; name?: string; space?: string; label?: string[] }>(
    group,
    'create',
    'Create a stack: its slug (part of scoped external IDs, never changes), name, space and labels',
    (c) =>
      c
        .requiredOption('--slug <slug>', 'a-z, 0-9 and "-" (what runs name: trustgate creds --stack SLUG)')
        .option('--name <name>', 'for people (default: the slug)')
        .option('--space <id>', 'the space it belongs to')
        .option('--label <key=value>', 'a label (repeatable)', collect),
    async (ctx, _args, o) => {
      const labels = labelsOf(o.label);
      const body = {
        slug: o.slug,
        name: o.name ?? o.slug,
        ...(o.space === undefined ? {} : { spaceId: o.space }),
        ...(labels === undefined ? {} : { labels }),
      };
      printStack(ctx, await unwrap(ctx.client.POST('/v1/stacks', { body })));
    },
  );

  remoteCommand<{ space?: string; label?: string[] }>(
    group,
    'list',
    "The organization's stacks, filtered by space and labels",
    (c) =>
      c
        .option('--space <id>', 'only this space')
        .option('--label <key=value>', 'only stacks with this label (repeatable: every one must match)', collect),
    async (ctx, _args, o) => {
      const label = labelFilters(o.label);
      const query = {
        ...(o.space === undefined ? {} : { space: o.space }),
        ...(label === undefined ? {} : { label }),
      };
      ctx.printList(await unwrap(ctx.client.GET('/v1/stacks', { params: { query } })), [
        { header: 'id', value: (s) => s.id },
        { header: 'slug', value: (s) => s.slug },
        { header: 'name', value: (s) => s.name },
        { header: 'space', value: (s) => s.spaceId },
        { header: 'labels', value: (s) => labelText(s.labels) },
      ]);
    },
  );

  remoteCommand(
    group,
    'show <stack>',
    'One stack (ID or slug) and its attachments',
    (c) => c,
    async (ctx, [ref]) => {
      const id = await resolveStackId(ctx.client, ref!);
      const stack = await unwrap(ctx.client.GET('/v1/stacks/{id}', { params: { path: { id } } }));
      printStack(ctx, stack);
      if (ctx.output === 'json') return;
      const attachments = await unwrap(ctx.client.GET('/v1/stacks/{id}/attachments', { params: { path: { id } } }));
      ctx.say('');
      ctx.printList(attachments, ATTACHMENT_COLUMNS);
    },
  );

  remoteCommand<{ name?: string; space?: string; label?: string[]; removeLabel?: string[] }>(
    group,
    'edit <stack>',
    "Change a stack's name, space or labels (its slug cannot change)",
    (c) =>
      c
        .option('--name <name>', 'the new name')
        .option('--space <id>', 'move it to this space (none: no space)')
        .option('--label <key=value>', 'set a label (repeatable)', collect)
        .option('--remove-label <key>', 'remove a label (repeatable)', collect),
    async (ctx, [ref], o) => {
      const id = await resolveStackId(ctx.client, ref!);
      const body: StackPatch = {};
      if (o.name !== undefined) body.name = o.name;
      if (o.space !== undefined) body.spaceId = o.space === 'none' ? null : o.space;
      if (o.label !== undefined || o.removeLabel !== undefined) {
        const current = await unwrap(ctx.client.GET('/v1/stacks/{id}', { params: { path: { id } } }));
        const labels = { ...current.labels, ...(labelsOf(o.label) ?? {}) };
        for (const key of o.removeLabel ?? []) delete labels[key];
        body.labels = labels;
      }
      if (Object.keys(body).length === 0)
        throw new TrustgateError(
          'INVALID_INPUT',
          'Nothing to change: give --name, --space, --label or --remove-label.',
          {
            field: 'name',
          },
        );
      printStack(ctx, await unwrap(ctx.client.PATCH('/v1/stacks/{id}', { params: { path: { id } }, body })));
    },
  );

  remoteCommand<{ yes?: boolean }>(
    group,
    'delete <stack>',
    'Delete a stack and its attachments (--yes when not at a terminal)',
    (c) => c.option('-y, --yes', 'do not ask'),
    async (ctx, [ref], o) => {
      const id = await resolveStackId(ctx.client, ref!);
      await confirmOrRefuse(`stack ${ref} (${id}) and its attachments`, o.yes);
      const answer = await unwrap(ctx.client.DELETE('/v1/stacks/{id}', { params: { path: { id } } }));
      if (ctx.output === 'json') return ctx.printRecord(answer);
      ctx.say(`Stack ${ref} (${id}) deleted, with its attachments.`);
    },
  );

  remoteCommand<AttachFlags>(
    group,
    'attach <stack>',
    'Attach a connection to the stack: phases, duration, region, session mode (verified first; same as attachments create)',
    addAttachFlags,
    async (ctx, [ref], o) => attach(ctx, ref!, o),
  );

  return group;
}

import type { Command } from 'commander';
import { unwrap } from '@trustgate/client';
import type { Column } from '../output.ts';
import { remoteCommand } from '../remote-command.ts';
import { confirmDeletion } from './users.ts';

/** A space as the API shows it. */
interface SpaceView {
  id: string;
  name: string;
  createdAt: string;
}

const COLUMNS: readonly Column<SpaceView>[] = [
  { header: 'id', value: (s) => s.id },
  { header: 'name', value: (s) => s.name },
  { header: 'created', value: (s) => s.createdAt },
];

/** `trustgate spaces`: spaces that group stacks and connections. */
export function registerSpaces(program: Command): Command {
  const group = program.command('spaces').description('Spaces that group stacks and connections');

  remoteCommand(
    group,
    'list',
    'Spaces of your organization',
    (c) => c,
    async (ctx) => {
      ctx.printList(await unwrap(ctx.client.GET('/v1/spaces')), COLUMNS);
    },
  );

  remoteCommand(
    group,
    'create <name>',
    'Create a space (admins)',
    (c) => c,
    async (ctx, [name]) => {
      ctx.printRecord(await unwrap(ctx.client.POST('/v1/spaces', { body: { name: name! } })));
    },
  );

  remoteCommand<{ yes?: boolean }>(
    group,
    'delete <id>',
    'Delete a space (admins)',
    (c) => c.option('-y, --yes', 'delete without asking (needed when not in a terminal)'),
    async (ctx, [spaceId], options) => {
      await confirmDeletion(`space ${spaceId}`, options.yes);
      const answer = await unwrap(
        ctx.client.DELETE('/v1/spaces/{spaceId}', { params: { path: { spaceId: spaceId! } } }),
      );
      if (ctx.output === 'json') ctx.printRecord(answer);
      else ctx.say(`Space ${spaceId} deleted.`);
    },
  );
  return group;
}

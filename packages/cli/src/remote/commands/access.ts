import { Option, type Command } from 'commander';
import { unwrap } from '@trustgate/client';
import { remoteCommand } from '../remote-command.ts';
import { resolveUserId, type UserView } from './users.ts';

/** The access levels, weakest first (the API's ACCESS_LEVELS). */
const LEVELS = ['viewer', 'user', 'editor', 'owner'] as const;
type Level = (typeof LEVELS)[number];

/** `trustgate access`: who may use a connection: grants of owner, editor, user or viewer. */
export function registerAccess(program: Command): Command {
  const group = program
    .command('access')
    .description('Who may use a connection: grants of owner, editor, user or viewer');

  remoteCommand(
    group,
    'list <connection>',
    "Access grants on a connection (its owners); the table names each user, JSON is the API's grants",
    (c) => c,
    async (ctx, [id]) => {
      const grants = await unwrap(ctx.client.GET('/v1/connections/{id}/access', { params: { path: { id: id! } } }));
      if (ctx.output === 'json') {
        ctx.printList(grants, []);
        return;
      }
      // Names for people; a token that may not list users still sees the IDs.
      const users = await unwrap(ctx.client.GET('/v1/users')).catch((): UserView[] => []);
      const byId = new Map(users.map((u) => [u.id, u]));
      ctx.printList(grants, [
        { header: 'user', value: (g) => g.userId },
        { header: 'email', value: (g) => byId.get(g.userId)?.email },
        { header: 'name', value: (g) => byId.get(g.userId)?.name },
        { header: 'level', value: (g) => g.level },
      ]);
    },
  );

  remoteCommand<{ level: Level }>(
    group,
    'grant <connection> <user>',
    'Give a user (ID or email) an access level on a connection, replacing the one they had (owners)',
    (c) =>
      c.addOption(
        new Option(
          '--level <level>',
          'viewer (reads it), user (uses it in runs), editor (changes it) or owner (manages access)',
        )
          .choices(LEVELS)
          .makeOptionMandatory(),
      ),
    async (ctx, [id, given], options) => {
      const userId = await resolveUserId(ctx.client, given!);
      const grant = await unwrap(
        ctx.client.PUT('/v1/connections/{id}/access/{userId}', {
          params: { path: { id: id!, userId } },
          body: { level: options.level },
        }),
      );
      ctx.printRecord(grant);
    },
  );

  remoteCommand(
    group,
    'revoke <connection> <user>',
    "Remove a user's (ID or email) access to a connection (owners)",
    (c) => c,
    async (ctx, [id, given]) => {
      const userId = await resolveUserId(ctx.client, given!);
      const answer = await unwrap(
        ctx.client.DELETE('/v1/connections/{id}/access/{userId}', { params: { path: { id: id!, userId } } }),
      );
      if (ctx.output === 'json') ctx.printRecord(answer);
      else ctx.say(`Access of ${given} to ${id} removed.`);
    },
  );
  return group;
}

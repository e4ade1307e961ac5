import { createInterface } from 'node:readline/promises';
import { Option, type Command } from 'commander';
import { TrustgateError } from '@trustgate/core';
import { unwrap, type TrustgateClient } from '@trustgate/client';
import type { Column } from '../output.ts';
import { remoteCommand } from '../remote-command.ts';

/** A user as the API shows it. */
export interface UserView {
  id: string;
  email: string;
  name: string;
  role: 'admin' | 'member';
  createdAt: string;
}

/** The columns of `users list`. */
export const USER_COLUMNS: readonly Column<UserView>[] = [
  { header: 'id', value: (u) => u.id },
  { header: 'email', value: (u) => u.email },
  { header: 'name', value: (u) => u.name },
  { header: 'role', value: (u) => u.role },
  { header: 'created', value: (u) => u.createdAt },
];

/**
 * A user named by ID, or by email (looked up in the organization's users; the API takes IDs). An email no user has
 * is NOT_FOUND, as an unknown ID is.
 */
export async function resolveUserId(client: TrustgateClient, given: string): Promise<string> {
  if (!given.includes('@')) return given;
  const users = await unwrap(client.GET('/v1/users'));
  const user = users.find((u) => u.email.toLowerCase() === given.toLowerCase());
  if (user === undefined)
    throw new TrustgateError('NOT_FOUND', `No user with the email ${given} in your organization.`, { field: 'user' });
  return user.id;
}

/**
 * Asks before something is deleted: `--yes` goes ahead; without it a terminal is asked (y/N), and a script (stdin
 * not a terminal) is refused with INVALID_INPUT naming `--yes`, so nothing is deleted by accident.
 */
export async function confirmDeletion(what: string, yes: boolean | undefined): Promise<void> {
  if (yes === true) return;
  if (!process.stdin.isTTY)
    throw new TrustgateError('INVALID_INPUT', `Deleting ${what} needs --yes when not run in a terminal.`, {
      field: 'yes',
    });
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const answer = await rl.question(`Delete ${what}? [y/N] `);
  rl.close();
  if (!/^y(es)?$/i.test(answer.trim()))
    throw new TrustgateError('INVALID_INPUT', `Not deleted: ${what}.`, { field: 'yes' });
}

/** `trustgate users`: users of your organization. */
export function registerUsers(program: Command): Command {
  const group = program.command('users').description('Users of your organization');

  remoteCommand(
    group,
    'list',
    'Users of your organization',
    (c) => c,
    async (ctx) => {
      ctx.printList(await unwrap(ctx.client.GET('/v1/users')), USER_COLUMNS);
    },
  );

  remoteCommand(
    group,
    'show <user>',
    'One user, by ID or email',
    (c) => c,
    async (ctx, [given]) => {
      const userId = await resolveUserId(ctx.client, given!);
      ctx.printRecord(await unwrap(ctx.client.GET('/v1/users/{userId}', { params: { path: { userId } } })));
    },
  );

  remoteCommand<{ email: string; name: string; role?: 'admin' | 'member' }>(
    group,
    'create',
    'Add a user (admins); give them a token with trustgate tokens create --user ID',
    (c) =>
      c
        .requiredOption('--email <email>', "the user's email")
        .requiredOption('--name <name>', "the user's name")
        .addOption(new Option('--role <role>', 'admin or member (default member)').choices(['admin', 'member'])),
    async (ctx, _args, options) => {
      const user = await unwrap(
        ctx.client.POST('/v1/users', {
          body: { email: options.email, name: options.name, ...(options.role ? { role: options.role } : {}) },
        }),
      );
      ctx.printRecord(user);
    },
  );

  remoteCommand<{ yes?: boolean }>(
    group,
    'delete <user>',
    'Delete a user, by ID or email (admins)',
    (c) => c.option('-y, --yes', 'delete without asking (needed when not in a terminal)'),
    async (ctx, [given], options) => {
      const userId = await resolveUserId(ctx.client, given!);
      await confirmDeletion(`user ${given}`, options.yes);
      const answer = await unwrap(ctx.client.DELETE('/v1/users/{userId}', { params: { path: { userId } } }));
      if (ctx.output === 'json') ctx.printRecord(answer);
      else ctx.say(`User ${given} deleted.`);
    },
  );
  return group;
}

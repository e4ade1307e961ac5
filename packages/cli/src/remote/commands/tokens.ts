import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { TrustgateError } from '@trustgate/core';
import { unwrap } from '@trustgate/client';
import { commaList } from '../../commands/repeatable-options.ts';
import type { Column } from '../output.ts';
import { remoteCommand } from '../remote-command.ts';
import { resolveUserId } from './users.ts';

/** A token as the API shows it: metadata only (the secret is never listed). */
interface TokenView {
  id: string;
  userId: string;
  name: string;
  scopes: string[];
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  issueRestriction: { spaceIds?: string[]; stackIds?: string[] } | null;
}

/** The scopes a token may have (the API's TOKEN_SCOPES). */
const SCOPES = ['admin', 'connections:read', 'connections:write', 'audit:read', 'credentials:issue'] as const;

/** A token's restriction, in one cell. */
const restriction = (t: TokenView): string =>
  t.issueRestriction === null
    ? ''
    : [
        ...(t.issueRestriction.spaceIds ?? []).map((id) => `space:${id}`),
        ...(t.issueRestriction.stackIds ?? []).map((id) => `stack:${id}`),
      ].join(',');

const COLUMNS: readonly Column<TokenView>[] = [
  { header: 'id', value: (t) => t.id },
  { header: 'name', value: (t) => t.name },
  { header: 'user', value: (t) => t.userId },
  { header: 'scopes', value: (t) => t.scopes },
  { header: 'restricted to', value: restriction },
  { header: 'expires', value: (t) => t.expiresAt },
  { header: 'last used', value: (t) => t.lastUsedAt },
  { header: 'revoked', value: (t) => t.revokedAt },
];

/** Options of `tokens create`. */
interface CreateOptions {
  scope: string[];
  user?: string;
  expiresInDays?: string;
  space?: string[];
  stack?: string[];
  secretFile?: string;
}

/** Checks `--scope` values against the API's scopes (the service checks again). */
function checkScopes(scopes: string[]): (typeof SCOPES)[number][] {
  for (const scope of scopes)
    if (!(SCOPES as readonly string[]).includes(scope))
      throw new TrustgateError('INVALID_INPUT', `--scope ${JSON.stringify(scope)}: use one of ${SCOPES.join(', ')}.`, {
        field: 'scope',
      });
  return scopes as (typeof SCOPES)[number][];
}

/** Writes the secret to a new file only its owner may read (an existing file is not overwritten). */
function writeSecretFile(path: string, secret: string): void {
  try {
    writeFileSync(path, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new TrustgateError(
      code === 'EEXIST' ? 'CONFLICT' : 'FILE_NOT_READABLE',
      `--secret-file ${path}: cannot create the file (${code}); the token was issued: revoke it with trustgate tokens revoke.`,
      { field: 'secretFile' },
    );
  }
}

/** `trustgate tokens`: API tokens: create (the secret is shown once), list, revoke. */
export function registerTokens(program: Command): Command {
  const group = program.command('tokens').description('API tokens: create (the secret is shown once), list, revoke');

  remoteCommand(
    group,
    'list',
    'API tokens: your own (admins: every token of the organization); never their secrets',
    (c) => c,
    async (ctx) => {
      ctx.printList(await unwrap(ctx.client.GET('/v1/tokens')), COLUMNS);
    },
  );

  remoteCommand<CreateOptions>(
    group,
    'create <name>',
    'Issue an API token; its secret is printed once (or written to --secret-file), never again',
    (c) =>
      c
        .requiredOption(
          '--scope <scopes>',
          `what it may do, comma-separated or repeated: ${SCOPES.join(', ')}`,
          commaList,
        )
        .option('--user <user>', 'for another user of the organization, by ID or email (admins)')
        .option('--expires-in-days <days>', 'expires after this many days (1-3650; default never)')
        .option(
          '--space <ids>',
          'credentials:issue only for stacks in these spaces (comma-separated or repeated)',
          commaList,
        )
        .option('--stack <ids>', 'credentials:issue only for these stacks (comma-separated or repeated)', commaList)
        .option('--secret-file <file>', 'write the secret to this new file (mode 0600) instead of printing it'),
    async (ctx, [name], options) => {
      const scopes = checkScopes(options.scope);
      let expiresInDays: number | undefined;
      if (options.expiresInDays !== undefined) {
        expiresInDays = Number(options.expiresInDays);
        if (!Number.isInteger(expiresInDays) || expiresInDays < 1 || expiresInDays > 3650)
          throw new TrustgateError('INVALID_INPUT', '--expires-in-days: a whole number of days, 1-3650.', {
            field: 'expiresInDays',
          });
      }
      const userId = options.user === undefined ? undefined : await resolveUserId(ctx.client, options.user);
      const restricted = options.space !== undefined || options.stack !== undefined;
      const issued = await unwrap(
        ctx.client.POST('/v1/tokens', {
          body: {
            name: name!,
            scopes,
            ...(userId === undefined ? {} : { userId }),
            ...(expiresInDays === undefined ? {} : { expiresInDays }),
            ...(restricted
              ? {
                  issueRestriction: {
                    ...(options.space === undefined ? {} : { spaceIds: options.space }),
                    ...(options.stack === undefined ? {} : { stackIds: options.stack }),
                  },
                }
              : {}),
          },
        }),
      );
      if (options.secretFile !== undefined) {
        writeSecretFile(options.secretFile, issued.secret);
        // JSON: the token's metadata (the API's token object) without the secret, which is in the file.
        ctx.printRecord(issued.token);
        ctx.say(`\nThe secret is in ${options.secretFile} (mode 0600); it is not shown again.`);
        return;
      }
      if (ctx.output === 'json') {
        ctx.printRecord(issued);
        return;
      }
      ctx.printRecord(issued.token);
      ctx.say(`\nThe token's secret (shown once; it cannot be read again):\n${issued.secret}`);
    },
  );

  remoteCommand(
    group,
    'revoke <id>',
    'Revoke an API token at once (your own; admins: any of the organization)',
    (c) => c,
    async (ctx, [tokenId]) => {
      const answer = await unwrap(
        ctx.client.DELETE('/v1/tokens/{tokenId}', { params: { path: { tokenId: tokenId! } } }),
      );
      if (ctx.output === 'json') ctx.printRecord(answer);
      else ctx.say(`Token ${tokenId} revoked.`);
    },
  );
  return group;
}

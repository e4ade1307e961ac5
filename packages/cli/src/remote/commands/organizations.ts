import type { Command } from 'commander';
import { TrustgateError } from '@trustgate/core';
import { createTrustgateClient, unwrap } from '@trustgate/client';
import { URL_ENV } from '../../service-client.ts';
import { OPERATOR_TOKEN_ENV, readOperatorToken } from '../../commands/serve.ts';
import { collect } from '../../commands/repeatable-options.ts';
import { formatRecord, outputFormat } from '../output.ts';
import { remoteCommand, requestTimeoutMs } from '../remote-command.ts';
import { DEFAULT_PROFILE, PROFILE_ENV, checkProfileName, configPath, readConfig } from '../target.ts';
import { serviceBaseUrl } from '../../service-client.ts';

/** Options of `organizations create` (the operator's command: no API token, the operator token instead). */
interface CreateOptions {
  adminEmail: string;
  adminName: string;
  url?: string;
  profile?: string;
  operatorTokenFile?: string;
  output?: string;
  timeout?: string;
}

/** The service `organizations create` calls: `--url`, else TRUSTGATE_URL, else the profile's URL. */
function operatorBaseUrl(options: CreateOptions): string {
  const url = options.url ?? process.env[URL_ENV];
  if (url !== undefined) return serviceBaseUrl({ url, env: {} });
  const name = checkProfileName(options.profile ?? process.env[PROFILE_ENV] ?? DEFAULT_PROFILE);
  const profile = readConfig(configPath()).profiles[name];
  if (profile === undefined)
    throw new TrustgateError('INVALID_INPUT', `Which trustgate service? Pass --url URL or set ${URL_ENV}.`, {
      field: 'url',
    });
  return serviceBaseUrl({ url: profile.url, env: {} });
}

/**
 * `trustgate organizations create NAME`: the service operator's command (POST /v1/organizations). The operator
 * token comes from TRUSTGATE_OPERATOR_TOKEN or `--operator-token-file` (as `trustgate serve` reads it), never from
 * an argument. Prints the organization, its first admin and the admin's first API token — the secret once, here only.
 */
function registerCreate(group: Command): void {
  group
    .command('create <name>')
    .description("Create an organization with its first admin (service operators; prints the admin's API token once)")
    .requiredOption('--admin-email <email>', "the first admin's email")
    .requiredOption('--admin-name <name>', "the first admin's name")
    .option('--url <url>', `the trustgate service (default: ${URL_ENV}, else the profile's URL)`)
    .option('--profile <name>', 'a profile whose URL to use (its token is not used)')
    .option('--operator-token-file <file>', `a file holding the operator token (default: ${OPERATOR_TOKEN_ENV})`)
    .option('-o, --output <format>', 'table for people, json for scripts')
    .option('--timeout <seconds>', 'how long the request may take', '30')
    .action(async (name: string, options: CreateOptions) => {
      const output = outputFormat(options.output);
      const baseUrl = operatorBaseUrl(options);
      const token = await readOperatorToken(
        { operatorToken: process.env[OPERATOR_TOKEN_ENV], operatorTokenFile: options.operatorTokenFile },
        'env',
      );
      if (token === undefined)
        throw new TrustgateError(
          'UNAUTHENTICATED',
          `Creating organizations needs the service operator token: set ${OPERATOR_TOKEN_ENV} or pass --operator-token-file.`,
          { field: 'operatorToken' },
        );
      const client = createTrustgateClient({
        baseUrl,
        token,
        timeoutMs: requestTimeoutMs(options.timeout),
        refusedHint: ` (the operator token from ${options.operatorTokenFile === undefined ? OPERATOR_TOKEN_ENV : '--operator-token-file'} was refused)`,
      });
      const created = await unwrap(
        client.POST('/v1/organizations', {
          body: { name, adminEmail: options.adminEmail, adminName: options.adminName },
        }),
      );
      if (output === 'json') {
        process.stdout.write(formatRecord(created, 'json'));
        return;
      }
      process.stdout.write(
        formatRecord(
          {
            organization: created.organization.id,
            name: created.organization.name,
            admin: created.admin.id,
            adminEmail: created.admin.email,
            tokenId: created.token.token.id,
            scopes: created.token.token.scopes,
          },
          'table',
        ),
      );
      process.stdout.write(
        `\nThe admin's API token (shown once; store it now, e.g. trustgate login --url ${baseUrl} --token-file FILE):\n${created.token.secret}\n`,
      );
    });
}

/** `trustgate organizations`: organizations of the service (the operator's) and your own. */
export function registerOrganizations(program: Command): Command {
  const group = program
    .command('organizations')
    .description("Organizations of the service (the operator's) and your own");
  registerCreate(group);

  remoteCommand(
    group,
    'show',
    'Your organization, and who you are in it (GET /v1/organization and /v1/me)',
    (c) => c,
    async (ctx) => {
      const [organization, me] = await Promise.all([
        unwrap(ctx.client.GET('/v1/organization')),
        unwrap(ctx.client.GET('/v1/me')),
      ]);
      if (ctx.output === 'json') {
        ctx.printRecord({ organization, user: me.user, token: me.token });
        return;
      }
      ctx.printRecord({
        id: organization.id,
        name: organization.name,
        createdAt: organization.createdAt,
        user: `${me.user.name} <${me.user.email}> (${me.user.id})`,
        role: me.user.role,
        token: `${me.token.name} (${me.token.id})`,
        scopes: me.token.scopes,
      });
    },
  );

  remoteCommand(
    group,
    'rename <name>',
    'Rename your organization (admins)',
    (c) => c,
    async (ctx, [name]) => {
      const organization = await unwrap(ctx.client.PATCH('/v1/organization', { body: { name: name! } }));
      ctx.printRecord(organization);
    },
  );

  const subject = group
    .command('oidc-subject')
    .description("The organization's OIDC subject template: what runs' tokens carry and what roles trust");
  remoteCommand(
    subject,
    'show',
    'The template in use and the templates roles are told to trust',
    (c) => c,
    async (ctx) => {
      ctx.printRecord(await unwrap(ctx.client.GET('/v1/organization/oidc-subject')));
    },
  );
  remoteCommand<{ template?: string; default?: boolean; alsoTrust?: string[] }>(
    subject,
    'set',
    'Set the template (admins; replaces the setting: --also-trust lists every extra template, none when omitted): trust both forms, switch, drop the old one',
    (c) =>
      c
        .option('--template <template>', 'the template runs’ tokens carry from now on')
        .option('--default', "trustgate's default template")
        .option('--also-trust <template>', 'a template roles trust as well, during a migration (repeatable)', collect),
    async (ctx, _args, options) => {
      if (options.template !== undefined && options.default === true)
        throw new TrustgateError('INVALID_INPUT', 'Give --template or --default, not both.', { field: 'template' });
      // PUT replaces the setting: without --template or --default the current template is kept.
      let template: string | null;
      if (options.default === true) template = null;
      else if (options.template !== undefined) template = options.template;
      else {
        const current = await unwrap(ctx.client.GET('/v1/organization/oidc-subject'));
        template = current.isDefault ? null : current.template;
      }
      const body = { template, alsoTrusted: options.alsoTrust ?? [] };
      ctx.printRecord(await unwrap(ctx.client.PUT('/v1/organization/oidc-subject', { body })));
    },
  );
  return group;
}

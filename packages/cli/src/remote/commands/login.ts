import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import type { Command } from 'commander';
import { TrustgateError } from '@trustgate/core';
import { createTrustgateClient, unwrap } from '@trustgate/client';
import { serviceBaseUrl } from '../../service-client.ts';
import {
  DEFAULT_PROFILE,
  checkProfileName,
  checkToken,
  configPath,
  readConfig,
  writeConfig,
  PROFILE_ENV,
} from '../target.ts';
import { formatList, outputFormat } from '../output.ts';
import { readFileSync } from 'node:fs';

/** Reads the token: from a file, piped on stdin, or typed at a prompt that does not echo it. */
async function readToken(tokenFile: string | undefined): Promise<string> {
  if (tokenFile !== undefined) {
    try {
      return readFileSync(tokenFile, 'utf8').trim();
    } catch (error) {
      throw new TrustgateError(
        'FILE_NOT_READABLE',
        `--token-file ${tokenFile}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'}).`,
        { field: 'tokenFile' },
      );
    }
  }
  if (!process.stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8').trim();
  }
  process.stderr.write('API token (not shown): ');
  const muted = new Writable({ write: (_chunk, _encoding, done) => done() });
  const rl = createInterface({ input: process.stdin, output: muted, terminal: true });
  const line = await new Promise<string>((resolve) => rl.once('line', resolve));
  rl.close();
  process.stderr.write('\n');
  return line.trim();
}

/** `trustgate login`, `logout` and `profiles`: named profiles of services and tokens, stored with mode 0600. */
export function registerLogin(program: Command): void {
  program
    .command('login')
    .description(
      'Store a profile: the service URL and an API token (read from --token-file, stdin, or a prompt — never an argument), checked with the service first',
    )
    .requiredOption('--url <url>', 'the trustgate service, e.g. https://trustgate.example.com')
    .option('--profile <name>', `the profile's name (default: ${PROFILE_ENV}, else ${DEFAULT_PROFILE})`)
    .option('--token-file <file>', 'a file holding the API token')
    .action(async (options: { url: string; profile?: string; tokenFile?: string }) => {
      const baseUrl = serviceBaseUrl({ url: options.url, env: {} });
      const name = checkProfileName(options.profile ?? process.env[PROFILE_ENV] ?? DEFAULT_PROFILE);
      const token = checkToken(await readToken(options.tokenFile), options.tokenFile ?? 'the token');
      const client = createTrustgateClient({
        baseUrl,
        token,
        refusedHint: ' (the token was refused: revoked, expired or mistyped; nothing was stored)',
      });
      const me = await unwrap(client.GET('/v1/me'));
      const path = configPath();
      const config = readConfig(path);
      config.profiles[name] = { url: baseUrl, token };
      writeConfig(path, config);
      process.stdout.write(
        `Logged in to ${baseUrl} as ${me.user.name} (${me.user.role}, token ${me.token.name}); profile ${name} saved in ${path}.\n`,
      );
    });

  program
    .command('logout')
    .description('Remove a profile (the token stays valid on the service: revoke it with trustgate tokens revoke)')
    .option('--profile <name>', `the profile (default: ${PROFILE_ENV}, else ${DEFAULT_PROFILE})`)
    .action((options: { profile?: string }) => {
      const name = checkProfileName(options.profile ?? process.env[PROFILE_ENV] ?? DEFAULT_PROFILE);
      const path = configPath();
      const config = readConfig(path);
      if (config.profiles[name] === undefined)
        throw new TrustgateError('NOT_FOUND', `No profile ${name} in ${path}.`, { field: 'profile' });
      delete config.profiles[name];
      writeConfig(path, config);
      process.stdout.write(`Profile ${name} removed from ${path}.\n`);
    });

  program
    .command('profiles')
    .description('List the stored profiles (names and URLs; never the tokens)')
    .option('-o, --output <format>', 'table or json', 'table')
    .action((options: { output: string }) => {
      const config = readConfig(configPath());
      const current = process.env[PROFILE_ENV] ?? DEFAULT_PROFILE;
      const rows = Object.entries(config.profiles).map(([name, p]) => ({
        name,
        url: p.url,
        current: name === current,
      }));
      process.stdout.write(
        formatList(
          rows,
          [
            { header: 'name', value: (r) => r.name },
            { header: 'url', value: (r) => r.url },
            { header: 'current', value: (r) => (r.current ? '*' : '') },
          ],
          outputFormat(options.output),
        ),
      );
    });
}

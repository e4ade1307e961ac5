import { Option, type Command } from 'commander';
import { TrustgateError } from '@trustgate/core';
import { DEFAULT_TIMEOUT_MS, errorFromAnswer, serviceBaseUrl } from '../service-client.ts';
import { OPERATOR_TOKEN_ENV, readOperatorToken } from './serve.ts';

/** Options every `trustgate issuer` command takes: where the service is and the operator token. */
interface IssuerOptions {
  url?: string;
  operatorToken?: string;
  operatorTokenFile?: string;
  json?: boolean;
}

/** Each subcommand takes the options itself, so they may follow it (`trustgate issuer keys --json`). */
function withOptions(command: Command): Command {
  return command
    .option('--url <url>', 'the service (default TRUSTGATE_URL)')
    .addOption(new Option('--operator-token <token>').env(OPERATOR_TOKEN_ENV).hideHelp())
    .option('--operator-token-file <file>', `a file holding the operator token (else ${OPERATOR_TOKEN_ENV})`)
    .option('--json', 'print the answer as JSON');
}

/** One signing key as the service lists it (never a private key). */
interface KeyView {
  kid: string;
  generation: number;
  algorithm: string;
  createdAt: string;
  activatesAt: string;
  state: string;
}

const REFUSED = ` (the operator token from ${OPERATOR_TOKEN_ENV} or --operator-token-file was refused)`;

/** Calls an operator route of the OIDC issuer; the answer's JSON, or the service's error (never the token). */
async function call(command: Command, method: string, path: string): Promise<unknown> {
  const options = command.opts<IssuerOptions>();
  const base = serviceBaseUrl({ ...(options.url === undefined ? {} : { url: options.url }) });
  const token = await readOperatorToken(options, command.getOptionValueSource('operatorToken'));
  if (token === undefined)
    throw new TrustgateError(
      'INVALID_INPUT',
      `The issuer's keys are managed with the service operator token: set ${OPERATOR_TOKEN_ENV} or pass --operator-token-file.`,
      { field: 'operatorToken' },
    );
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(DEFAULT_TIMEOUT_MS),
  });
  const text = await res.text();
  if (!res.ok) throw errorFromAnswer(res.status, text, [token], REFUSED);
  return JSON.parse(text) as unknown;
}

/** The keys as lines: kid, generation, algorithm, state, activatesAt. */
function table(keys: KeyView[]): string {
  return keys
    .map((k) => `${k.kid}  gen ${k.generation}  ${k.algorithm}  ${k.state}  signs from ${k.activatesAt}\n`)
    .join('');
}

function print(answer: { keys: KeyView[] }, json: boolean): void {
  process.stdout.write(json ? `${JSON.stringify(answer, null, 2)}\n` : table(answer.keys));
}

/**
 * `trustgate issuer keys|rotate|revoke`: the OIDC issuer's signing keys, for the service operator (issue 13). The
 * token comes from TRUSTGATE_OPERATOR_TOKEN or `--operator-token-file` (as `trustgate serve` reads it).
 */
export function registerIssuer(program: Command): void {
  const issuer = program
    .command('issuer')
    .description("the OIDC issuer's signing keys (service operators): list, rotate, revoke");
  withOptions(issuer.command('keys'))
    .description('list the signing keys, newest first: next (published, not signing yet), signing, retired')
    .action(async (_o: unknown, command: Command) => {
      print(
        (await call(command, 'GET', '/v1/issuer/keys')) as { keys: KeyView[] },
        command.opts<IssuerOptions>().json === true,
      );
    });
  withOptions(issuer.command('rotate'))
    .description('publish a new key now; it signs after publishAheadMs (the old one stays until its tokens expire)')
    .action(async (_o: unknown, command: Command) => {
      const answer = (await call(command, 'POST', '/v1/issuer/keys/rotate')) as { key: KeyView; keys: KeyView[] };
      print({ keys: answer.keys }, command.opts<IssuerOptions>().json === true);
    });
  withOptions(issuer.command('revoke'))
    .argument('<kid>', 'the key to revoke')
    .description('revoke a (compromised) key: it leaves the JWKS at once and the tokens it signed fail')
    .action(async (kid: string, _o: unknown, command: Command) => {
      const answer = (await call(command, 'DELETE', `/v1/issuer/keys/${encodeURIComponent(kid)}`)) as {
        keys: KeyView[];
      };
      print(answer, command.opts<IssuerOptions>().json === true);
    });
}

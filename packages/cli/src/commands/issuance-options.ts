import { randomBytes } from 'node:crypto';
import { Option, type Command } from 'commander';
import type { RunPhase } from '@trustgate/core/external-id';
import { TOKEN_ENV, URL_ENV, type IssuanceRequest, type ServiceClientOptions } from '../service-client.ts';

/** The options `trustgate creds` and `trustgate exec` share: what to issue, and where from. */
export interface IssuanceOptions {
  stack: string;
  phase: RunPhase;
  run?: string;
  account?: string;
  region?: string;
  connection?: string;
  url?: string;
  tokenFile?: string;
}

/**
 * A run ID for a command run without `--run`: `cli-` and 12 random hex digits, so each invocation is its own run
 * (a session of its own in per-run mode). Give `--run` to share a run (and its cached session) across invocations.
 */
export function randomRunId(): string {
  return `cli-${randomBytes(6).toString('hex')}`;
}

/** Adds the shared options to `command`. */
export function addIssuanceOptions(command: Command): Command {
  return command
    .requiredOption('--stack <stack>', "the stack's slug or ID")
    .addOption(
      new Option('--phase <phase>', 'read (plan) or write (apply)').choices(['read', 'write']).makeOptionMandatory(),
    )
    .option('--run <run>', 'the run ID the session is named for and audited under (default: a random cli-... ID)')
    .option('--account <account>', "the AWS account ID, when the stack's attachment covers several accounts")
    .option('--region <region>', "the credentials' region (default: the attachment's)")
    .option('--connection <id>', 'the connection, when several are attached to the stack for this phase')
    .option('--url <url>', `the trustgate service (default: ${URL_ENV})`)
    .option('--token-file <file>', `a file holding the API token (default: ${TOKEN_ENV}; never pass a token itself)`);
}

/** The issuance these options ask for. */
export function issuanceRequest(options: IssuanceOptions): IssuanceRequest {
  return {
    stack: options.stack,
    phase: options.phase,
    runId: options.run ?? randomRunId(),
    ...(options.account === undefined ? {} : { accountId: options.account }),
    ...(options.region === undefined ? {} : { region: options.region }),
    ...(options.connection === undefined ? {} : { connectionId: options.connection }),
  };
}

/** The client options these options give. */
export function clientOptions(options: IssuanceOptions): ServiceClientOptions {
  return { url: options.url, tokenFile: options.tokenFile };
}

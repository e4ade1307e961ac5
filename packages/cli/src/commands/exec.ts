import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { TrustgateError, isTrustgateError } from '@trustgate/core/errors';
import { createServiceClient, type IssuanceAnswer, type ServiceClient } from '../service-client.ts';
import { addIssuanceOptions, clientOptions, issuanceRequest, type IssuanceOptions } from './issuance-options.ts';
import { startLocalContainerEndpoint, type LocalContainerEndpoint } from './local-container-endpoint.ts';
import { errorCode, startTokenFileRefresher, webIdentityEnv, writeTokenFile } from './web-identity-file.ts';

/** Options of `trustgate exec`. */
interface ExecOptions extends IssuanceOptions {
  server?: boolean;
  lifetime?: string;
}

/** How long the command may run when `--server` is given without `--lifetime`: one hour. */
export const DEFAULT_LIFETIME_SECONDS = 3_600;

/**
 * Variables the child never inherits: trustgate's tokens (the child must not hold the orchestrator's token), and
 * every AWS credential or profile setting that would take precedence over, or be confused with, the credentials
 * exec gives it (as aws-vault exec clears them).
 */
const DROPPED = new Set([
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_SECURITY_TOKEN',
  'AWS_CREDENTIAL_EXPIRATION',
  'AWS_PROFILE',
  'AWS_DEFAULT_PROFILE',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_ROLE_ARN',
  'AWS_ROLE_SESSION_NAME',
]);
const DROPPED_PATTERN = /^TRUSTGATE_\w*TOKEN/;

/** The child's environment: `base` without {@link DROPPED} (and any TRUSTGATE_*TOKEN*), then `add`. */
export function childEnvironment(base: NodeJS.ProcessEnv, add: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(base))
    if (!DROPPED.has(name) && !DROPPED_PATTERN.test(name)) env[name] = value;
  return { ...env, ...add };
}

/** Signals a terminal or a supervisor sends that the child must see (its own exit code then decides). */
const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH'];

/**
 * Runs `command args` with `env`, stdio inherited, forwarding {@link FORWARDED} to it; resolves with its exit code,
 * 128 + the signal's number when a signal ended it (as a shell reports it), 127 when it was not found, 126 when it
 * could not be run.
 */
export function runChild(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    // The handlers go in before the child starts: a signal sent as soon as the child shows signs of life (a
    // supervisor, a test) would otherwise find none and end trustgate with the child left running. A signal that
    // arrives meanwhile is handled after this synchronous code, when `child` is set.
    const forward = (signal: NodeJS.Signals): void => {
      child.kill(signal);
    };
    for (const s of FORWARDED) process.on(s, forward);
    const child = spawn(command, args, { env, stdio: 'inherit' });
    const done = (code: number): void => {
      for (const s of FORWARDED) process.off(s, forward);
      resolve(code);
    };
    child.once('error', (error: NodeJS.ErrnoException) => {
      process.stderr.write(
        `trustgate exec: ${command}: ${error.code === 'ENOENT' ? 'command not found' : (error.code ?? error.message)}\n`,
      );
      done(error.code === 'ENOENT' ? 127 : 126);
    });
    child.once('exit', (code, signal) => done(code ?? 128 + (signal === null ? 0 : (constants.signals[signal] ?? 0))));
  });
}

function parseLifetime(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 60 || n > 43_200)
    throw new TrustgateError('INVALID_INPUT', '--lifetime: whole seconds, 60-43200 (12 hours)', { field: 'lifetime' });
  return n;
}

/**
 * Runs the command with the run's web identity token in a file of a private temp folder (0700; the file 0600) and
 * AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN, AWS_ROLE_SESSION_NAME and the region set: the child's AWS CLI or SDK
 * assumes the role by itself and re-reads the file whenever it refreshes. While the child runs, the file is replaced
 * (atomically) with a fresh token from the service, with the run token, before the current one expires; the
 * service's final refusal (the run is over, its sessions were revoked) removes it. The folder is removed after.
 */
async function runWithTokenFile(
  client: ServiceClient,
  answer: IssuanceAnswer & { webIdentity: NonNullable<IssuanceAnswer['webIdentity']> },
  command: string,
  args: string[],
): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'trustgate-exec-'));
  const file = join(dir, 'web-identity-token');
  const told = new Set<string>();
  try {
    writeTokenFile(file, answer.webIdentity.token);
    const runToken = answer.runToken;
    const refresher =
      runToken === undefined
        ? undefined
        : startTokenFileRefresher({
            path: file,
            expiresAt: answer.webIdentity.expiresAt,
            refresh: async () => {
              const next = (await client.refresh(runToken)).webIdentity;
              if (next === undefined)
                throw new TrustgateError('INTERNAL', 'The service answered no web identity token.');
              return next;
            },
            isFinal: isFinalRefusal,
            onError: (error) => {
              const code = errorCode(error);
              if (told.has(code)) return;
              told.add(code);
              const then = isFinalRefusal(error)
                ? 'the token file was removed: the command gets no more sessions'
                : 'retrying; the current token serves until it expires';
              process.stderr.write(`trustgate exec: refreshing the web identity token failed [${code}] (${then})\n`);
            },
          });
    try {
      return await runChild(command, args, childEnvironment(process.env, webIdentityEnv(answer.webIdentity, file)));
    } finally {
      refresher?.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The answer's formats; an assume-on-worker attachment has none to give a child. */
function formatsOf(answer: IssuanceAnswer): NonNullable<IssuanceAnswer['formats']> {
  if (answer.formats !== undefined) return answer.formats;
  throw new TrustgateError(
    'INVALID_INPUT',
    "The stack's attachment assumes the role on the worker: the service gives the assumption parameters (trustgate creds --format json), not credentials to run a command with.",
  );
}

/**
 * A refusal no retry changes: the run token expired (the run's `--lifetime` is over) or was refused after the
 * connection's sessions were revoked (UNAUTHENTICATED), or the run may no longer have credentials (FORBIDDEN,
 * NOT_FOUND: the attachment or stack is gone). The local endpoint then stops serving the current credentials too.
 */
export function isFinalRefusal(error: unknown): boolean {
  return isTrustgateError(error) && ['UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND'].includes(error.code);
}

/** Starts the local endpoint for `answer`, refreshing with its run token; refresh failures are told once per code. */
function serveFor(client: ServiceClient, answer: IssuanceAnswer): Promise<LocalContainerEndpoint> {
  const runToken = answer.runToken;
  if (runToken === undefined)
    throw new TrustgateError('INTERNAL', 'The service answered no run token; the local endpoint could not refresh.');
  const told = new Set<string>();
  return startLocalContainerEndpoint({
    initial: formatsOf(answer).container,
    refresh: async () => formatsOf(await client.refresh(runToken)).container,
    isFinal: isFinalRefusal,
    onRefreshError: (error) => {
      const code = isTrustgateError(error) ? error.code : 'INTERNAL';
      if (told.has(code)) return;
      told.add(code);
      const message = isTrustgateError(error) ? error.message : 'unexpected failure';
      const then = isFinalRefusal(error)
        ? 'the command gets no more credentials'
        : 'retrying; the current ones serve until they expire';
      process.stderr.write(`trustgate exec: refreshing the credentials failed [${code}]: ${message} (${then})\n`);
    },
  });
}

/**
 * Issues the run's credentials and runs the command with them; resolves with the command's exit code.
 * Static keys (AWS_ACCESS_KEY_ID ... AWS_CREDENTIAL_EXPIRATION) unless `--server`, or `--lifetime` longer than the
 * session's remaining life: then a run token is asked for too and the child gets a local container credentials
 * endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI, AWS_CONTAINER_AUTHORIZATION_TOKEN) that refreshes through the
 * service ahead of expiry until the run token expires (after `--lifetime`); after that, or once the service refuses
 * the run token (sessions revoked), it serves nothing. An OIDC connection's assume-on-worker attachment answers a
 * web identity token instead: the command gets it as a token file that is refreshed while it runs (runWithTokenFile).
 */
export async function runExec(command: string, args: string[], options: ExecOptions): Promise<number> {
  const lifetime = parseLifetime(options.lifetime);
  const client = createServiceClient(clientOptions(options));
  // Always a run token: which delivery the attachment makes is known only from the answer, and a web identity
  // token file is refreshed with it (it bounds the token's life to the run); exec keeps it, the child never sees it.
  const answer = await client.issue({
    ...issuanceRequest(options),
    runToken: { lifetimeSeconds: lifetime ?? DEFAULT_LIFETIME_SECONDS },
  });
  if (answer.webIdentity !== undefined) {
    if (options.server === true)
      process.stderr.write(
        'trustgate exec: the attachment hands the run a web identity token: the command gets a token file, not a local endpoint.\n',
      );
    return runWithTokenFile(client, { ...answer, webIdentity: answer.webIdentity }, command, args);
  }
  const formats = formatsOf(answer);
  const sessionLeftMs = Date.parse(formats.container.Expiration) - Date.now();
  const serve = options.server === true || (lifetime !== undefined && lifetime * 1000 > sessionLeftMs);
  if (!serve) return runChild(command, args, childEnvironment(process.env, formats.env));
  if (options.server !== true)
    process.stderr.write(
      `trustgate exec: the session ends in ${Math.round(sessionLeftMs / 1000)} s, before --lifetime ${lifetime} s: the command gets a local container credentials endpoint that refreshes.\n`,
    );
  const endpoint = await serveFor(client, answer);
  try {
    const region: Record<string, string> = {};
    for (const name of ['AWS_REGION', 'AWS_DEFAULT_REGION']) {
      const value = formats.env[name];
      if (value !== undefined) region[name] = value;
    }
    return await runChild(command, args, childEnvironment(process.env, { ...region, ...endpoint.env }));
  } finally {
    await endpoint.close();
  }
}

/** `trustgate exec --stack S --phase read|write [--run R] [--server | --lifetime SECONDS] -- COMMAND [ARGS...]`. */
export function registerExec(program: Command): void {
  addIssuanceOptions(
    program
      .command('exec')
      .description(
        "Run a command with a run's short-lived AWS credentials (like aws-vault exec); its exit code is passed through",
      )
      .argument('<command>', 'the command to run (after --)')
      .argument('[args...]', 'its arguments'),
  )
    .option(
      '--server',
      'give the command a local container credentials endpoint (127.0.0.1, refreshed ahead of expiry) instead of static keys',
    )
    .option(
      '--lifetime <seconds>',
      `how long the command may run (default: ${DEFAULT_LIFETIME_SECONDS}); longer than the session, it implies --server; the endpoint (or a web identity token file) is refreshed no longer`,
    )
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  trustgate exec --stack web --phase write -- terraform apply',
        '  trustgate exec --stack web --phase read --lifetime 7200 -- ./long-scan.sh',
        '',
        'The command never sees TRUSTGATE_TOKEN; AWS_PROFILE and other AWS credential variables are cleared. With the',
        'endpoint, a [default] profile in ~/.aws/credentials still comes first for the AWS CLI and SDKs.',
      ].join('\n'),
    )
    .action(async (command: string, args: string[], options: ExecOptions) => {
      process.exitCode = await runExec(command, args, options);
    });
}

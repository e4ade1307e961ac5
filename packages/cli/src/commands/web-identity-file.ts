import { randomBytes } from 'node:crypto';
import { chmodSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { TrustgateError, isTrustgateError } from '@trustgate/core/errors';
import type { IssuanceAnswer, WebIdentityAnswer } from '../service-client.ts';

/** The variable the AWS CLI and SDKs read the token file's path from (with AWS_ROLE_ARN and AWS_ROLE_SESSION_NAME). */
export const TOKEN_FILE_ENV = 'AWS_WEB_IDENTITY_TOKEN_FILE';

/**
 * Writes `token` to `path` atomically with mode 0600: into a new file beside it (same folder, so the rename is
 * atomic; `wx`, so no file an attacker placed is followed), then renamed over `path`. A reader — an SDK refreshing its
 * session — sees the old token or the new one, never a partial file. INVALID_INPUT naming the path when it fails.
 */
export function writeTokenFile(path: string, token: string): void {
  const target = resolve(path);
  const temp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    writeFileSync(temp, token, { mode: 0o600, flag: 'wx' });
    chmodSync(temp, 0o600); // the umask may have narrowed it further, never widened: set exactly
    renameSync(temp, target);
  } catch (error) {
    rmSync(temp, { force: true });
    throw new TrustgateError(
      'INVALID_INPUT',
      `--web-identity-token-file ${path}: cannot write the token file (${(error as NodeJS.ErrnoException).code ?? 'error'}).`,
      { field: 'webIdentityTokenFile' },
    );
  }
}

/** The answer's web identity delivery; an answer of credentials (trustgate assumes the role itself) has none. */
export function webIdentityOf(answer: IssuanceAnswer): WebIdentityAnswer {
  if (answer.webIdentity !== undefined) return answer.webIdentity;
  throw new TrustgateError(
    'INVALID_INPUT',
    "The stack's attachment does not hand the run a web identity token (only an OIDC connection's attachment with assumeOnWorker does): use --format env, json or credential-process.",
    { field: 'format' },
  );
}

/** The variables the AWS CLI and SDKs assume the role with by themselves: the answer's, and the token file's path. */
export function webIdentityEnv(webIdentity: WebIdentityAnswer, tokenFile: string): Record<string, string> {
  return { ...webIdentity.env, [TOKEN_FILE_ENV]: resolve(tokenFile) };
}

/** Options of {@link startTokenFileRefresher}. */
export interface TokenFileRefresherOptions {
  path: string;
  /** When the token now in the file expires. */
  expiresAt: string;
  /** A fresh token (`POST /v1/issuances/refresh` with the run token). */
  refresh: () => Promise<WebIdentityAnswer>;
  /** A refusal no retry changes: the file is removed and no refresh is tried again. */
  isFinal: (error: unknown) => boolean;
  onError?: (error: unknown) => void;
  /** The clock; default Date.now. */
  now?: () => number;
}

/** A running refresher of a token file. */
export interface TokenFileRefresher {
  /** Stops refreshing (the file stays: its owner removes it). */
  stop(): void;
}

/** Least wait between attempts, so a token about to expire is not asked for in a busy loop. */
const MIN_WAIT_MS = 1_000;

/**
 * Keeps a web identity token file fresh while a command runs: a new token is written (atomically) when half of
 * the current one's remaining life is spent, so an SDK that re-reads the file to refresh its session always finds
 * a token with time left; a failed refresh is tried again sooner (a quarter of what is left, at least a second) while
 * the current token lives. A final refusal (the run is over, its sessions were revoked) removes the file: the
 * command gets no more sessions.
 */
export function startTokenFileRefresher(options: TokenFileRefresherOptions): TokenFileRefresher {
  const now = options.now ?? Date.now;
  let expiresAt = Date.parse(options.expiresAt);
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const schedule = (fraction: number): void => {
    if (stopped) return;
    const left = expiresAt - now();
    timer = setTimeout(() => void tick(), Math.max(MIN_WAIT_MS, left * fraction));
    timer.unref();
  };
  const tick = async (): Promise<void> => {
    try {
      const next = await options.refresh();
      if (stopped) return;
      writeTokenFile(options.path, next.token);
      expiresAt = Date.parse(next.expiresAt);
      schedule(1 / 2);
    } catch (error) {
      if (stopped) return;
      options.onError?.(error);
      if (options.isFinal(error)) {
        stopped = true;
        rmSync(options.path, { force: true });
        return;
      }
      if (expiresAt - now() > 0) schedule(1 / 4);
      else schedule(0); // expired: keep asking, a second apart, until the service answers or refuses for good
    }
  };
  schedule(1 / 2);
  return {
    stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}

/** The code of a refresh failure, for telling each kind once. */
export function errorCode(error: unknown): string {
  return isTrustgateError(error) ? error.code : 'INTERNAL';
}

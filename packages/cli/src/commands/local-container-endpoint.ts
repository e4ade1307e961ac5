import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ContainerCredentials } from '../service-client.ts';

/** Options of {@link startLocalContainerEndpoint}. */
export interface LocalContainerEndpointOptions {
  /** The credentials to serve first. */
  initial: ContainerCredentials;
  /** Fetches the run's next credentials (through the service's refresh route). */
  refresh: () => Promise<ContainerCredentials>;
  /**
   * Refresh this long before the served credentials expire; default 5 minutes, and never more than half of the
   * remaining lifetime (a 15-minute session is refreshed after 7.5 minutes).
   */
  refreshAheadMs?: number;
  /** When a refresh failed or brought no later expiry, try again after this long; default 15 s. */
  retryMs?: number;
  /** Credentials this close to expiry are not served without a refresh first; default 60 s. */
  minRemainingMs?: number;
  /** Called with each refresh failure (the caller reports it; it never carries a secret). */
  onRefreshError?: (error: unknown) => void;
  /**
   * Whether a refresh failure is the service's final refusal (the run token expired, or the connection's sessions
   * were revoked): then the current credentials are no longer served either, and no refresh is tried again.
   * Default: none is final (served until they expire, refreshes retried).
   */
  isFinal?: (error: unknown) => boolean;
  now?: () => number;
}

/** A running endpoint: give a process `env` and it reads its credentials from here. */
export interface LocalContainerEndpoint {
  /** `http://127.0.0.1:<port>/credentials`. */
  url: string;
  /** AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_AUTHORIZATION_TOKEN for the child process. */
  env: { AWS_CONTAINER_CREDENTIALS_FULL_URI: string; AWS_CONTAINER_AUTHORIZATION_TOKEN: string };
  /** The expiry of the credentials served now. */
  expiration(): string;
  close(): Promise<void>;
}

const PATH = '/credentials';

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

/**
 * Serves a run's credentials the way the ECS/EKS container credentials endpoint does, on 127.0.0.1 at a random
 * port, for one child process: `GET /credentials` with the per-endpoint authorization token (random, 32 bytes, as
 * AWS_CONTAINER_AUTHORIZATION_TOKEN sends it in the Authorization header; compared in constant time) answers
 * `{ AccessKeyId, SecretAccessKey, Token, Expiration }`; errors are `{ Code, Message }` as the SDKs read them
 * (https://docs.aws.amazon.com/sdkref/latest/guide/feature-container-credentials.html). The Host header must name
 * the endpoint itself (127.0.0.1 or localhost and its port), so a page that rebinds a DNS name to loopback is
 * refused even before the token is checked.
 *
 * Credentials are refreshed in the background ahead of expiry ({@link LocalContainerEndpointOptions.refreshAheadMs});
 * a request that finds them within `minRemainingMs` of expiry waits for one refresh (one at a time). While a
 * refresh fails the current credentials are served until they expire; after that the answer is 503. After a final
 * refusal ({@link LocalContainerEndpointOptions.isFinal}) nothing is served (403).
 */
export async function startLocalContainerEndpoint(
  options: LocalContainerEndpointOptions,
): Promise<LocalContainerEndpoint> {
  const now = options.now ?? Date.now;
  const refreshAheadMs = options.refreshAheadMs ?? 5 * 60_000;
  const retryMs = options.retryMs ?? 15_000;
  const minRemainingMs = options.minRemainingMs ?? 60_000;
  const token = randomBytes(32).toString('base64url');
  const tokenDigest = digest(token);
  let current = options.initial;
  let inFlight: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let refused = false;
  let port = 0;

  const remaining = (): number => Date.parse(current.Expiration) - now();

  function schedule(afterMs: number): void {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(() => void refresh(), Math.max(afterMs, 0));
    timer.unref();
  }

  function scheduleAhead(): void {
    const left = remaining();
    schedule(Math.max(left - Math.min(refreshAheadMs, left / 2), retryMs));
  }

  function refresh(): Promise<void> {
    if (refused) return Promise.resolve();
    inFlight ??= (async () => {
      const before = Date.parse(current.Expiration);
      try {
        // Whatever the service answers is served from now on, even a session expiring no later: after a revocation
        // the old session may be denied by the customer's role while the new one works.
        current = await options.refresh();
        if (Date.parse(current.Expiration) > before) scheduleAhead();
        else schedule(retryMs); // no later expiry (the same session, still cached by the service): ask again shortly
      } catch (error) {
        options.onRefreshError?.(error);
        if (options.isFinal?.(error) === true) {
          refused = true;
          clearTimeout(timer);
        } else schedule(retryMs);
      } finally {
        inFlight = undefined;
      }
    })();
    return inFlight;
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const host = req.headers.host ?? '';
      if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`)
        return send(res, 403, { Code: 'AccessDenied', Message: 'Wrong Host header.' });
      const auth = req.headers.authorization;
      if (auth === undefined || !timingSafeEqual(digest(auth), tokenDigest))
        return send(res, 401, {
          Code: 'AccessDenied',
          Message: 'Send AWS_CONTAINER_AUTHORIZATION_TOKEN in the Authorization header.',
        });
      if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== PATH)
        return send(res, 404, { Code: 'NotFound', Message: `GET ${PATH} only.` });
      if (!refused && remaining() < minRemainingMs) await refresh();
      if (refused)
        return send(res, 403, {
          Code: 'AccessDenied',
          Message:
            "trustgate refused to refresh the run's credentials (run over, or sessions revoked); none are served.",
        });
      if (remaining() <= 0)
        return send(res, 503, {
          Code: 'CredentialsUnavailable',
          Message: "The run's credentials expired and trustgate could not refresh them; see trustgate exec's errors.",
        });
      send(res, 200, current);
    })();
  });
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  scheduleAhead();
  const url = `http://127.0.0.1:${port}${PATH}`;
  return {
    url,
    env: { AWS_CONTAINER_CREDENTIALS_FULL_URI: url, AWS_CONTAINER_AUTHORIZATION_TOKEN: token },
    expiration: () => current.Expiration,
    async close() {
      closed = true;
      clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

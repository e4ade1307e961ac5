import { readFileSync } from 'node:fs';
import { TrustgateError } from '@trustgate/core/errors';
import type { RunPhase } from '@trustgate/core/external-id';
import { errorFromAnswer as sharedErrorFromAnswer } from '@trustgate/client';
import { httpPost, type PostAnswer } from './http-post.ts';

/** The environment variable that holds the API token the CLI calls the service with. */
export const TOKEN_ENV = 'TRUSTGATE_TOKEN';
/** The environment variable that holds the service's base URL (`--url` wins). */
export const URL_ENV = 'TRUSTGATE_URL';
/** How long one request may take before it is abandoned: an issuance may wait on STS retries. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** What `POST /v1/issuances` takes (packages/server/src/http/issuance-schemas.ts). */
export interface IssuanceRequest {
  stack: string;
  phase: RunPhase;
  runId: string;
  accountId?: string;
  connectionId?: string;
  region?: string;
  runToken?: { lifetimeSeconds: number };
}

/** The container credentials format, as the AWS SDKs' container provider reads it. */
export interface ContainerCredentials {
  AccessKeyId: string;
  SecretAccessKey: string;
  Token: string;
  Expiration: string;
}

/**
 * An OIDC connection's assume-on-worker delivery: the run's web identity token (a secret) and what the AWS CLI and
 * SDKs need beside the token file to assume the role by themselves.
 */
export interface WebIdentityAnswer {
  token: string;
  roleArn: string;
  roleSessionName: string;
  expiresAt: string;
  durationSeconds: number;
  /** AWS_ROLE_ARN, AWS_ROLE_SESSION_NAME, AWS_REGION, AWS_DEFAULT_REGION. */
  env: Record<string, string>;
}

/** What an issuance answers (the fields the CLI uses are typed; the rest is passed through to `--format json`). */
export interface IssuanceAnswer {
  phase: RunPhase;
  runId: string;
  stackId: string;
  accountId: string;
  region: string;
  sessionName: string;
  durationSeconds: number;
  assumedRoleArn?: string;
  expiration?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
  formats?: {
    env: Record<string, string>;
    credentialProcess: {
      Version: 1;
      AccessKeyId: string;
      SecretAccessKey: string;
      SessionToken: string;
      Expiration: string;
    };
    configProfile: string;
    container: ContainerCredentials;
  };
  /** Assume on worker: the assumption parameters, and no credentials. */
  assumeRole?: Record<string, unknown>;
  /** An OIDC connection's assume-on-worker attachment: the run's web identity token. */
  webIdentity?: WebIdentityAnswer;
  runToken?: string;
  runTokenExpiresAt?: string;
  [field: string]: unknown;
}

/** Where and as whom the CLI calls the service. */
export interface ServiceClientOptions {
  /** `--url`; else TRUSTGATE_URL. */
  url?: string | undefined;
  /** `--token-file`: a file holding the API token (wins over TRUSTGATE_TOKEN). */
  tokenFile?: string | undefined;
  /** Default {@link DEFAULT_TIMEOUT_MS}. */
  timeoutMs?: number;
  /** Default process.env. */
  env?: NodeJS.ProcessEnv;
}

/** A small typed client of the trustgate service's credential broker routes. */
export interface ServiceClient {
  /** The service's origin and path prefix, without a trailing slash. */
  readonly baseUrl: string;
  /** `POST /v1/issuances` with the API token. */
  issue(request: IssuanceRequest): Promise<IssuanceAnswer>;
  /** `POST /v1/issuances/refresh` with a run token (the API token is not sent). */
  refresh(runToken: string): Promise<IssuanceAnswer>;
}

/** A token goes into an HTTP header: visible ASCII without spaces (fetch's own error would quote the value). */
const TOKEN_SHAPE = /^[\x21-\x7e]{1,4096}$/;

/** The API token from `--token-file` (its one line) or TRUSTGATE_TOKEN; no message ever repeats it. */
export function readApiToken(options: Pick<ServiceClientOptions, 'tokenFile' | 'env'>): string {
  let token: string | undefined;
  let from: string;
  if (options.tokenFile !== undefined) {
    from = `--token-file ${options.tokenFile}`;
    try {
      token = readFileSync(options.tokenFile, 'utf8').trim();
    } catch (error) {
      throw new TrustgateError(
        'FILE_NOT_READABLE',
        `${from}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'}).`,
        { field: 'tokenFile' },
      );
    }
  } else {
    from = TOKEN_ENV;
    token = (options.env ?? process.env)[TOKEN_ENV]?.trim();
    if (token === undefined || token === '')
      throw new TrustgateError(
        'UNAUTHENTICATED',
        `No API token: set ${TOKEN_ENV} or pass --token-file FILE (a token with the credentials:issue scope).`,
        { field: 'token' },
      );
  }
  if (!TOKEN_SHAPE.test(token))
    throw new TrustgateError(
      'INVALID_INPUT',
      `${from}: the token must be one line of visible characters without spaces (is it the right file?).`,
      { field: 'token' },
    );
  return token;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * The service's base URL from `--url` or TRUSTGATE_URL. Plain http is accepted only to loopback: the token would
 * otherwise cross the network readable.
 */
export function serviceBaseUrl(options: Pick<ServiceClientOptions, 'url' | 'env'>): string {
  const text = options.url ?? (options.env ?? process.env)[URL_ENV];
  const field = options.url === undefined ? URL_ENV : '--url';
  if (text === undefined || text === '')
    throw new TrustgateError('INVALID_INPUT', `Which trustgate service? Pass --url URL or set ${URL_ENV}.`, {
      field: 'url',
    });
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new TrustgateError('INVALID_INPUT', `${field}: not a URL (expected https://host[:port]).`, { field: 'url' });
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)))
    throw new TrustgateError(
      'INVALID_INPUT',
      `${field}: use https (plain http is accepted only to 127.0.0.1, [::1] or localhost, where the token does not cross a network).`,
      { field: 'url' },
    );
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '')
    throw new TrustgateError('INVALID_INPUT', `${field}: give the service's address only, without user, query or #.`, {
      field: 'url',
    });
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** What an UNAUTHENTICATED answer adds: which token was refused. */
const API_TOKEN_REFUSED = ` (the token from ${TOKEN_ENV} or --token-file was refused: revoked, expired or mistyped)`;
const RUN_TOKEN_REFUSED =
  " (the run token was refused: the run's lifetime is over, or its connection's sessions were revoked)";

/**
 * The error for a non-2xx answer (@trustgate/client's, shared with the service commands): the API's error shape as a
 * TrustgateError of its code, `secrets` replaced in the message, `refused` added to an UNAUTHENTICATED one (default:
 * the API token's).
 */
export function errorFromAnswer(
  status: number,
  text: string,
  secrets: readonly string[] = [],
  refused: string = API_TOKEN_REFUSED,
): TrustgateError {
  return sharedErrorFromAnswer(status, text, secrets, refused);
}

/** Builds a {@link ServiceClient}: the URL and the token are read (and checked) now, once. */
export function createServiceClient(options: ServiceClientOptions): ServiceClient {
  const baseUrl = serviceBaseUrl(options);
  const apiToken = readApiToken(options);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  async function post(
    path: string,
    authorization: string,
    secrets: string[],
    body: unknown,
    refused?: string,
  ): Promise<IssuanceAnswer> {
    let res: PostAnswer;
    try {
      const headers: Record<string, string> = { authorization, accept: 'application/json' };
      if (body !== undefined) headers['content-type'] = 'application/json';
      res = await httpPost(
        `${baseUrl}${path}`,
        headers,
        body === undefined ? undefined : JSON.stringify(body),
        timeoutMs,
      );
    } catch (error) {
      const cause = error as { name?: string; code?: string; message?: string };
      const why =
        cause.name === 'TimeoutError'
          ? `no answer within ${timeoutMs / 1000} s`
          : (cause.code ?? cause.message ?? 'unreachable');
      throw new TrustgateError('CREDENTIALS_UNAVAILABLE', `Cannot reach the trustgate service at ${baseUrl}: ${why}.`);
    }
    // A redirect is not followed (it could carry the token elsewhere).
    if (res.status >= 300 && res.status < 400)
      throw new TrustgateError(
        'CREDENTIALS_UNAVAILABLE',
        `Cannot reach the trustgate service at ${baseUrl}: unexpected redirect.`,
      );
    const text = res.text;
    if (res.status >= 400) throw errorFromAnswer(res.status, text, secrets, refused);
    try {
      return JSON.parse(text) as IssuanceAnswer;
    } catch {
      throw new TrustgateError('INTERNAL', `The service at ${baseUrl} answered ${path} with something not JSON.`);
    }
  }

  return {
    baseUrl,
    issue: (request) => post('/v1/issuances', `Bearer ${apiToken}`, [apiToken], request),
    refresh: (runToken) => {
      if (!TOKEN_SHAPE.test(runToken))
        return Promise.reject(new TrustgateError('INVALID_INPUT', 'The run token is malformed.'));
      return post('/v1/issuances/refresh', `Bearer ${runToken}`, [apiToken, runToken], {}, RUN_TOKEN_REFUSED);
    },
  };
}

import createClient, { type Client } from 'openapi-fetch';
import { TrustgateError } from '@trustgate/core/errors';
import type { paths } from './api-types.ts';
import { errorFromAnswer } from './error-from-answer.ts';

/** How long one request may take by default before it is abandoned (an issuance may wait on STS retries). */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** Options of {@link createTrustgateClient}. */
export interface TrustgateClientOptions {
  /** The service's origin and path prefix (`https://trustgate.example.com`), without a trailing slash. */
  baseUrl: string;
  /** The API token (`tg_...`) or a run token; sent as a bearer token, never echoed in an error. */
  token?: string;
  /** Per request; default {@link DEFAULT_TIMEOUT_MS}. */
  timeoutMs?: number;
  /** Replace fetch (a browser's, or a test's). */
  fetch?: (request: Request) => Promise<Response>;
  /** Added to an UNAUTHENTICATED error's message: which token was refused and how to fix it. */
  refusedHint?: string;
}

/** The typed client: openapi-fetch's `GET`/`POST`/`PATCH`/`PUT`/`DELETE` over the API's `paths`. */
export type TrustgateClient = Client<paths> & { readonly baseUrl: string };

/** An openapi-fetch result: data on 2xx, the error body otherwise, and the response. */
export interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/**
 * A client of trustgate's HTTP API, typed by the OpenAPI document the service serves (src/api-types.ts, generated).
 * Shared by the CLI and the console. Answers are turned into values or errors by {@link unwrap}.
 */
export function createTrustgateClient(options: TrustgateClientOptions): TrustgateClient {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const baseFetch = options.fetch ?? ((request: Request) => globalThis.fetch(request));
  const client = createClient<paths>({
    baseUrl: options.baseUrl,
    headers: {
      accept: 'application/json',
      ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
    },
    fetch: async (request: Request) => {
      try {
        return await baseFetch(new Request(request, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error' }));
      } catch (error) {
        const cause = error as { name?: string; cause?: { code?: string; message?: string } };
        const why =
          cause.name === 'TimeoutError'
            ? `no answer within ${timeoutMs / 1000} s`
            : (cause.cause?.code ?? cause.cause?.message ?? 'unreachable');
        // Never read as an answer: a service that cannot be reached said nothing, least of all "allowed".
        throw new TrustgateError(
          'CREDENTIALS_UNAVAILABLE',
          `Cannot reach the trustgate service at ${options.baseUrl}: ${why}.`,
          { details: { unreachable: true } },
        );
      }
    },
  });
  const secrets = options.token === undefined ? [] : [options.token];
  client.use({
    async onResponse({ response }) {
      if (response.ok) return undefined;
      const text = await response.clone().text();
      throw errorFromAnswer(response.status, text, secrets, options.refusedHint ?? '');
    },
  });
  return Object.assign(client, { baseUrl: options.baseUrl });
}

/**
 * The data of a successful answer (an error answer has thrown already in the client's middleware; a 204 has no
 * data, so `undefined` is allowed for it).
 */
export async function unwrap<T>(pending: Promise<FetchResult<T>>): Promise<T> {
  const { data, error, response } = await pending;
  if (error !== undefined && !response.ok) throw errorFromAnswer(response.status, error);
  return data as T;
}

import { createTrustgateClient, unwrap, type components, type paths } from '@trustgate/client';

/**
 * The console's API client: @trustgate/client (openapi-fetch typed by the service's /openapi.json, regenerated with
 * `npm run generate:client`), so a page that calls a route or reads a field the API does not have fails to
 * typecheck. Same origin, authenticated by the HttpOnly session cookie; every request carries
 * `X-Trustgate-Console: 1`, which the service requires of cookie-authenticated writes (CSRF defence).
 *
 *     const list = await unwrap(api.GET('/v1/connections', { params: { query: { status: 'broken' } } }));
 *
 * A refused request throws a TrustgateError (`code`, `message`, `field`): show it with <FormError> / <Field>.
 */
export const api = createTrustgateClient({ baseUrl: window.location.origin });
api.use({
  onRequest({ request }) {
    request.headers.set('x-trustgate-console', '1');
    return request;
  },
});

export { unwrap };
export type { components, paths };

/** A JSON body of a 200 answer of `GET path`. */
export type ApiResponse<P extends keyof paths, M extends keyof paths[P] = 'get'> = paths[P][M] extends {
  responses: { 200: { content: { 'application/json': infer R } } };
}
  ? R
  : paths[P][M] extends { responses: { 201: { content: { 'application/json': infer R } } } }
    ? R
    : never;

/** What the console shows of a failed call: the message and the input field it names, if any. */
export interface ApiError {
  code: string;
  message: string;
  field?: string;
}

/** Any thrown value as an {@link ApiError} (a TrustgateError from the client, or anything else). */
export function apiError(error: unknown): ApiError {
  const e = error as { code?: unknown; message?: unknown; field?: unknown };
  return {
    code: typeof e?.code === 'string' ? e.code : 'INTERNAL',
    message: typeof e?.message === 'string' ? e.message : String(error),
    ...(typeof e?.field === 'string' ? { field: e.field } : {}),
  };
}

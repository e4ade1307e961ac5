/** The narrow HTTP port used to answer CloudFormation's ResponseURLs and confirm SNS subscriptions (global fetch fits). */
export type FetchPort = (
  url: string,
  init: { method: string; headers?: Record<string, string>; body?: string; signal?: AbortSignal },
) => Promise<{ ok: boolean; status: number }>;

/** A URL without its query string (a presigned URL's signature) or fragment: what may appear in a log. */
export function loggableUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return '(not a URL)';
  }
}

/** What went wrong with one fetch, without the URL's query string (an error message may quote the URL). */
export function describeFetchFailure(error: unknown, url: string): string {
  const cause =
    error instanceof Error && error.cause instanceof Error
      ? ` (${(error.cause as Error & { code?: string }).code ?? error.cause.message})`
      : '';
  const text = error instanceof Error ? `${error.name}: ${error.message}${cause}` : 'unknown error';
  return text.split(url).join(loggableUrl(url)).slice(0, 300);
}

/** How long one fetch of a ResponseURL or SubscribeURL may take before it is given up. */
export const FETCH_TIMEOUT_MS = 30_000;

/** Global fetch, given up after {@link FETCH_TIMEOUT_MS}: a URL that never answers must not hold a task forever. */
export const boundedFetch: FetchPort = (url, init) =>
  fetch(url, {
    ...init,
    signal:
      init.signal === undefined
        ? AbortSignal.timeout(FETCH_TIMEOUT_MS)
        : AbortSignal.any([init.signal, AbortSignal.timeout(FETCH_TIMEOUT_MS)]),
  });

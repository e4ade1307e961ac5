/** The narrow HTTP port used to answer CloudFormation's ResponseURLs and confirm SNS subscriptions (global fetch fits). */
export type FetchPort = (url: string, init: { method: string; headers?: Record<string, string>; body?: string; signal?: AbortSignal }) => Promise<{ ok: boolean; status: number }>;

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
  const cause = error instanceof Error && error.cause instanceof Error ? ` (${(error.cause as Error & { code?: string }).code ?? error.cause.message})` : '';
  const text = error instanceof Error ? `${error.name}: ${error.message}${cause}` : 'unknown error';
  return text.split(url).join(loggableUrl(url)).slice(0, 300);
}

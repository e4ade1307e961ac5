import { useEffect, useState, useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from 'react';

/**
 * A tiny client-side router over the History API (no dependency): paths like `/connections/:id`, links that
 * navigate without a reload, and search parameters as page state. The server answers index.html for any
 * non-API path, so every route survives a reload.
 */

const listeners = new Set<() => void>();
const notify = (): void => listeners.forEach((listener) => listener());
window.addEventListener('popstate', notify);

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The current path and search (`/connections?status=broken`), re-rendering on every navigation. */
export function useLocation(): { pathname: string; search: string } {
  const href = useSyncExternalStore(subscribe, () => window.location.pathname + window.location.search);
  const url = new URL(href, window.location.origin);
  return { pathname: url.pathname, search: url.search };
}

/** Goes to `to` (a path with optional search); `replace` keeps the history entry (filters). */
export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  notify();
}

/** The parameters of `pattern` (`/connections/:id`) in `pathname`, or null when it does not match. */
export function matchPath(pattern: string, pathname: string): Record<string, string> | null {
  const want = pattern.split('/').filter(Boolean);
  const have = pathname.split('/').filter(Boolean);
  if (want.length !== have.length) return null;
  const params: Record<string, string> = {};
  for (const [i, part] of want.entries()) {
    const value = have[i] as string;
    if (part.startsWith(':')) params[part.slice(1)] = decodeURIComponent(value);
    else if (part !== value) return null;
  }
  return params;
}

/** A search parameter as state: reading it from the URL, writing it back with `replaceState`. */
export function useSearchParam(name: string): [string, (value: string) => void] {
  const { search } = useLocation();
  const value = new URLSearchParams(search).get(name) ?? '';
  const set = (next: string): void => {
    const params = new URLSearchParams(window.location.search);
    if (next === '') params.delete(name);
    else params.set(name, next);
    const query = params.toString();
    navigate(`${window.location.pathname}${query === '' ? '' : `?${query}`}`, { replace: true });
  };
  return [value, set];
}

/** An `<a>` that navigates in the page (a modified click — new tab, download — is left to the browser). */
export function Link({ to, onClick, ...rest }: { to: string } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  const handle = (event: MouseEvent<HTMLAnchorElement>): void => {
    onClick?.(event);
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
    event.preventDefault();
    navigate(to);
  };
  return <a href={to} onClick={handle} {...rest} />;
}

/** Navigates to `to` once rendered (a redirect). */
export function Redirect({ to }: { to: string }) {
  const [done, setDone] = useState(false);
  useEffect(() => {
    if (!done) {
      setDone(true);
      navigate(to, { replace: true });
    }
  }, [done, to]);
  return null;
}

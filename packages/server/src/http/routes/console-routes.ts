import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * Serves the web console (packages/console, built by `npm run build` into its dist/) at `/`: the built files with
 * their content types, hashed assets (`/assets/*`) cached for a year, everything else revalidated; any other GET
 * a browser navigates to (Accept: text/html) that is not an API path answers index.html, so the console's own
 * routes (`/connections`, `/stacks/...`) survive a reload. Every answer carries a strict Content-Security-Policy.
 * Without a build, `/` answers a page that says how to make one.
 */

/** Paths the console never answers: the API and the service's own endpoints keep their 404s. */
const RESERVED = /^\/(?:v1(?:\/|$)|healthz$|readyz$|metrics$|openapi\.json$|docs(?:\/|$)|\.well-known(?:\/|$))/;

/** No inline script or style, nothing from another origin, no framing. */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

interface BuiltFile {
  path: string;
  type: string;
}

/** The files of `dir` by URL path (`/assets/index-abc.js`); an empty map when there is no build. */
function scan(dir: string): Map<string, BuiltFile> {
  const files = new Map<string, BuiltFile>();
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) {
        const dot = entry.name.lastIndexOf('.');
        const type = TYPES[dot < 0 ? '' : entry.name.slice(dot)] ?? 'application/octet-stream';
        files.set(`/${relative(dir, path).split(sep).join('/')}`, { path, type });
      }
    }
  };
  try {
    walk(dir);
  } catch {
    return new Map();
  }
  return files;
}

/** The page `/` answers when the console was not built. */
const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>trustgate: console not built</title></head>
<body><main><h1>The trustgate console is not built</h1>
<p>The API is running (see <a href="/docs">/docs</a>). To serve the web console here, build it once from the
repository root and reload this page:</p>
<pre>npm run build</pre>
<p>(or only the console: <code>npm run build -w packages/console</code>).</p></main></body></html>
`;

function secure(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', CONSOLE_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY');
}

/** Registers the console at `/` from the build in `dir` (read again whenever index.html changes). */
export function registerConsoleRoutes(app: FastifyInstance, dir: string): void {
  let files = new Map<string, BuiltFile>();
  let builtAt = -1;
  const current = (): Map<string, BuiltFile> => {
    let mtime = 0;
    try {
      mtime = statSync(join(dir, 'index.html')).mtimeMs;
    } catch {
      mtime = 0;
    }
    if (mtime !== builtAt) {
      files = mtime === 0 ? new Map() : scan(dir);
      builtAt = mtime;
    }
    return files;
  };

  const answer = async (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0] ?? '/';
    if (RESERVED.test(path)) return reply.callNotFound();
    const built = current();
    const file = built.get(path === '/' ? '/index.html' : path);
    // A page is a path without a file extension that a browser navigates to; a missing file stays a 404.
    const wantsPage =
      path === '/' ||
      (!/\.[^/]*$/.test(path) && !path.startsWith('/assets/') && (request.headers.accept ?? '').includes('text/html'));
    if (file === undefined && !wantsPage) return reply.callNotFound();
    const index = built.get('/index.html');
    if (index === undefined)
      return secure(reply)
        .status(503)
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .send(NOT_BUILT);
    const served = file ?? index;
    const hashed = served !== index && path.startsWith('/assets/');
    return secure(reply)
      .type(served.type)
      .header('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache')
      .send(readFileSync(served.path));
  };
  app.get('/', { schema: { hide: true } }, answer);
  app.get('/*', { schema: { hide: true } }, answer);
}

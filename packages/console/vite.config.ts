import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

/**
 * @trustgate/client needs only core's error catalog (TrustgateError, ERROR_CATALOG); core's index also carries the
 * permission catalog and Node-only helpers (node:crypto). The browser gets core's errors module alone.
 */
const coreErrors = fileURLToPath(new URL('../core/src/errors/index.ts', import.meta.url));

/**
 * The console's build: `vite build` writes dist/ (index.html and hashed files under assets/), which
 * `trustgate serve` serves at `/`. `vite` (npm run dev -w packages/console) proxies the API to a running
 * `trustgate serve` on :8080 so the cookie stays same-origin.
 */
export default defineConfig({
  plugins: [react()],
  resolve: {
    // The workspace packages' TypeScript sources (their "@trustgate/source" export), not their dist/: the console
    // builds without the other packages built first.
    conditions: ['@trustgate/source', 'module', 'browser', 'development|production'],
    alias: [{ find: /^@trustgate\/core$/, replacement: coreErrors }],
  },
  build: { outDir: 'dist', emptyOutDir: true, reportCompressedSize: true, sourcemap: false },
  server: {
    proxy: Object.fromEntries(
      ['/v1', '/openapi.json', '/healthz'].map((path) => [path, { target: 'http://127.0.0.1:8080' }]),
    ),
  },
});

// The entry of the catalog worker thread when the service runs from its TypeScript sources (the test runner; see
// parse-in-worker.ts — the built service starts dist/.../catalog-worker.js directly). A worker thread does not
// inherit the main thread's loader, so this registers tsx and resolves the workspace packages to their sources (the
// "@trustgate/source" export condition, as the test runner does), then runs the worker's program.
import { register } from 'node:module';
import { register as registerTsx } from 'tsx/esm/api';

registerTsx();
register(
  'data:text/javascript,export function resolve(s, c, next) { return next(s, { ...c, conditions: [...c.conditions, "@trustgate/source"] }); }',
);
await import('./catalog-worker.ts');

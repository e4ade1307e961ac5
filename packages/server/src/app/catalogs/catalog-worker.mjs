// The entry of the catalog worker thread (see parse-in-worker.ts). A worker thread does not inherit the loader
// that lets the main thread run TypeScript (tsx, registered by the CLI or by the test runner), so it registers
// tsx itself, then runs the worker's program.
import { register } from 'tsx/esm/api';

register();
await import('./catalog-worker.ts');

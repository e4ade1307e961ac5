import { Worker } from 'node:worker_threads';
import {
  CATALOG_LIMITS,
  TrustgateError,
  type Catalog,
  type CompiledPolicies,
  type CompileOptions,
  type ErrorCode,
  type Finding,
} from '@trustgate/core';

/**
 * How long checking one catalog may take in the worker before the worker is stopped and the catalog refused:
 * 20 s. A catalog at every limit of CATALOG_LIMITS takes about 1 s, the costliest input the limits let through
 * to the parser (1,000,000 characters of one flow sequence) about 5 s; this is the backstop for what the limits
 * did not foresee, so that no catalog holds the worker (and every catalog queued behind it) for longer.
 */
export const CATALOG_CHECK_DEADLINE_MS = 20_000;

/**
 * The worker's old-generation heap: 512 MB. The costliest input the limits let through grows the heap to about
 * 330 MB, AWS's action list takes 20 MB; a catalog that needs more is refused instead of running the process out of memory.
 */
export const CATALOG_WORKER_HEAP_MB = 512;

/**
 * How long compiling one selection may take in the worker before it is refused: 20 s (the largest selection of a
 * catalog at every limit takes about 10 s on a loaded machine, and is refused as too large anyway).
 */
export const COMPILE_DEADLINE_MS = 20_000;

/** A catalog to check, or a selection to compile (core's compilePolicies without the action list), as the worker receives it. */
export type WorkerRequest =
  | { id: number; kind: 'parse'; source: string; fileName: string }
  | { id: number; kind: 'compile'; options: CompileOptions };

/** A TrustgateError as it crosses to the main thread (structured clone keeps no class). */
export interface WorkerRefusal {
  code: ErrorCode;
  message: string;
  field?: string;
  findings: Finding[];
  details: Record<string, unknown>;
}

/**
 * What the worker posts: that it is ready, core's result for a request (a parsed catalog, compiled policies, or the
 * compiler's refusal), or a failure (a bug in core).
 */
export type WorkerAnswer =
  | { ready: true }
  | { id: number; result: { catalog?: Catalog; findings: Finding[] } }
  | { id: number; compiled: CompiledPolicies }
  | { id: number; refusal: WorkerRefusal }
  | { id: number; failure: string };

/** A worker's answer to one request. */
type JobAnswer = Exclude<WorkerAnswer, { ready: true }>;

interface Job {
  request: WorkerRequest;
  deadlineMs: number;
  /** Settles the caller's promise with the worker's answer (a failure has been turned into `reject` already). */
  answer(answer: JobAnswer): void;
  /** Settles it when the worker gave up: past the deadline, or out of memory. */
  gaveUp(why: string): void;
  reject(error: Error): void;
}

interface Thread {
  worker: Worker;
  ready: boolean;
  /** The job the worker is on, and its deadline. */
  current?: { job: Job; timer: NodeJS.Timeout };
}

let thread: Thread | undefined;
const queue: Job[] = [];
let lastId = 0;

/**
 * Parses and validates catalog text with core's {@link parseCatalog} in a worker thread, so that the work (linear
 * in the text and bounded by CATALOG_LIMITS, but about 2 s of CPU at the limits) never blocks the service's event
 * loop: health checks and every other tenant's requests are answered meanwhile.
 *
 * One worker, started on first use and kept (unreferenced while idle, so it never keeps the process alive); it
 * checks one catalog at a time, in the order asked. A catalog still being checked after `deadlineMs` (default
 * {@link CATALOG_CHECK_DEADLINE_MS}), or that runs the worker out of its {@link CATALOG_WORKER_HEAP_MB} heap, is
 * answered with a `CATALOG_LIMIT` finding and the worker is replaced. A worker that fails otherwise is a bug:
 * INTERNAL.
 */
export function parseCatalogInWorker(
  input: { source: string; fileName: string },
  options: { deadlineMs?: number } = {},
): Promise<{ catalog?: Catalog; findings: Finding[] }> {
  return new Promise((resolve, reject) => {
    queue.push({
      request: { id: ++lastId, kind: 'parse', source: input.source, fileName: input.fileName },
      deadlineMs: options.deadlineMs ?? CATALOG_CHECK_DEADLINE_MS,
      answer: (a) => ('result' in a ? resolve(a.result) : reject(new TrustgateError('INTERNAL', 'Unexpected answer.'))),
      gaveUp: (why) => resolve(refused(input.fileName, why)),
      reject,
    });
    next();
  });
}

/**
 * Core's {@link compilePolicies} of `options` in the catalog worker (issue 16, "Event loop"): compiling the largest
 * selection a body may carry over the largest catalog takes seconds of CPU, which on the event loop would hold
 * `/healthz` and every other request. The compiler's refusal (POLICY_TOO_LARGE, UNKNOWN_ACTION, ...) is thrown as
 * the TrustgateError it was; a compile past `deadlineMs` (default {@link COMPILE_DEADLINE_MS}) is POLICY_TOO_LARGE.
 * Shares the worker (and its queue) with {@link parseCatalogInWorker}.
 */
export function compilePoliciesInWorker(
  options: CompileOptions,
  o: { deadlineMs?: number } = {},
): Promise<CompiledPolicies> {
  return new Promise((resolve, reject) => {
    queue.push({
      request: { id: ++lastId, kind: 'compile', options },
      deadlineMs: o.deadlineMs ?? COMPILE_DEADLINE_MS,
      answer(a) {
        if ('compiled' in a) resolve(a.compiled);
        else if ('refusal' in a) {
          const { code, message, field, findings, details } = a.refusal;
          reject(new TrustgateError(code, message, { findings, details, ...(field === undefined ? {} : { field }) }));
        } else reject(new TrustgateError('INTERNAL', 'Unexpected answer.'));
      },
      gaveUp: (why) =>
        reject(
          new TrustgateError(
            'POLICY_TOO_LARGE',
            `Compiling the selection ${why}; select fewer integrations or actions.`,
            {
              field: 'selection',
            },
          ),
        ),
      reject,
    });
    next();
  });
}

/** Stops the worker (if any) and refuses the queued jobs; the next parse starts a new one. For shutdown and tests. */
export async function stopCatalogWorker(): Promise<void> {
  const stopping = thread;
  thread = undefined;
  for (const job of queue.splice(0)) job.reject(new TrustgateError('INTERNAL', 'The catalog worker was stopped.'));
  if (stopping !== undefined) {
    if (stopping.current !== undefined) {
      clearTimeout(stopping.current.timer);
      stopping.current.job.reject(new TrustgateError('INTERNAL', 'The catalog worker was stopped.'));
    }
    await stopping.worker.terminate();
  }
}

/** Gives the next queued job to the worker, starting one when there is none. */
function next(): void {
  if (queue.length === 0) return;
  const t = thread ?? start();
  if (!t.ready || t.current !== undefined) return;
  const job = queue.shift()!;
  const timer = setTimeout(() => {
    finish(t, (j) =>
      j.gaveUp(`${j.request.kind === 'parse' ? 'checking' : 'compiling'} it took longer than ${j.deadlineMs / 1000} s`),
    );
    void t.worker.terminate();
  }, job.deadlineMs);
  t.current = { job, timer };
  t.worker.ref();
  t.worker.postMessage(job.request);
}

/** Ends the current job of `t` with `settle`; a worker that is no longer `thread` is dropped. */
function finish(t: Thread, settle: (job: Job) => void, keep = false): void {
  if (!keep && thread === t) thread = undefined;
  const current = t.current;
  t.current = undefined;
  if (current !== undefined) {
    clearTimeout(current.timer);
    settle(current.job);
  }
  if (keep) t.worker.unref();
  next();
}

/**
 * The worker's entry: the built catalog-worker.js beside this module, or, when this module runs from its TypeScript
 * source (the tests), catalog-worker.mjs, which registers a TypeScript loader in the worker first.
 */
const WORKER_ENTRY = new URL(
  import.meta.url.endsWith('.ts') ? './catalog-worker.mjs' : './catalog-worker.js',
  import.meta.url,
);

function start(): Thread {
  const worker = new Worker(WORKER_ENTRY, {
    resourceLimits: { maxOldGenerationSizeMb: CATALOG_WORKER_HEAP_MB },
  });
  const t: Thread = { worker, ready: false };
  worker.unref();
  worker.on('message', (answer: WorkerAnswer) => {
    if ('ready' in answer) {
      t.ready = true;
      next();
    } else if (t.current?.job.request.id === answer.id) {
      if (!('failure' in answer)) finish(t, (job) => job.answer(answer), true);
      else
        finish(
          t,
          (job) =>
            job.reject(
              new TrustgateError('INTERNAL', 'Checking the catalog failed.', { cause: new Error(answer.failure) }),
            ),
          true,
        );
    }
  });
  worker.on('error', (error: Error & { code?: string }) => {
    if (!t.ready) failQueued(t, error);
    else if (error.code === 'ERR_WORKER_OUT_OF_MEMORY')
      finish(t, (job) =>
        job.gaveUp(
          `${job.request.kind === 'parse' ? 'checking' : 'compiling'} it needed more than ${CATALOG_WORKER_HEAP_MB} MB`,
        ),
      );
    else finish(t, (job) => job.reject(new TrustgateError('INTERNAL', 'The catalog worker failed.', { cause: error })));
  });
  worker.on('exit', (exitCode) => {
    if (!t.ready) failQueued(t, new Error(`the catalog worker exited with ${exitCode} before it was ready`));
    else finish(t, (job) => job.reject(new TrustgateError('INTERNAL', 'The catalog worker stopped.')));
  });
  thread = t;
  return t;
}

/** A worker that could not start: every queued job fails with INTERNAL (rather than starting workers forever). */
function failQueued(t: Thread, cause: Error): void {
  if (thread === t) thread = undefined;
  for (const job of queue.splice(0))
    job.reject(new TrustgateError('INTERNAL', 'The catalog worker could not start.', { cause }));
}

/** The answer for a catalog the worker had to give up on. */
function refused(fileName: string, why: string): { findings: Finding[] } {
  const message = `${fileName}: ${why}; a catalog within CATALOG_LIMITS (at most ${CATALOG_LIMITS.actions.toLocaleString('en-US')} actions, ${CATALOG_LIMITS.sourceLength.toLocaleString('en-US')} characters) takes far less: make it smaller`;
  return { findings: [{ code: 'CATALOG_LIMIT', severity: 'error', path: '', message }] };
}

import { TrustgateError } from '@trustgate/core';
import type { AuditEvent } from '../../model/records.ts';
import { MAX_APPEND_MANY, type AuditEventInput } from '../../store/audit-repository.ts';

/** The narrow store port the batcher writes through (a Store fits). */
export interface AuditBatcherPort {
  audit: { appendMany(events: readonly AuditEventInput[]): Promise<unknown> };
}

/** Group-commit settings: the most events per INSERT, and how long the first of a batch waits for company. */
export interface AuditBatcherOptions {
  /** At most this many events per write (1 to 1,000). Default 256. */
  maxBatch?: number;
  /**
   * A batch is written at the latest this long after its first event arrived (while no write runs). Default 0:
   * on the event loop's next turn, so the events of every request handled in this turn share one INSERT and a
   * lone request does not wait (a fixed 5 ms delay bounded 16 concurrent callers to about 2,300 issuances/s).
   */
  maxDelayMs?: number;
}

/** Audit events appended through one writer that groups them into multi-row INSERTs. */
export interface AuditBatcher {
  /**
   * Queues an event (its `at` is now) and resolves once the INSERT holding it committed; rejects with that
   * write's error when it failed (nothing of the batch is stored then).
   */
  append(event: Omit<AuditEvent, 'id' | 'at'>): Promise<void>;
  /** Writes what is queued; resolves once the queue is empty and no write runs (each waiter learns its outcome). */
  flush(): Promise<void>;
  /** Flushes, then refuses every later append. */
  close(): Promise<void>;
}

interface Waiter {
  event: AuditEventInput;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Runs `fn` after `ms` (0: on the next turn of the event loop, after the I/O callbacks of this one). */
function later(fn: () => void, ms: number): { cancel(): void } {
  if (ms === 0) {
    const handle = setImmediate(fn);
    return { cancel: () => clearImmediate(handle) };
  }
  const handle = setTimeout(fn, ms);
  return { cancel: () => clearTimeout(handle) };
}

/**
 * Group commit for the audit log (as PostgreSQL's commit_delay groups commits): at most one write runs at a time;
 * events arriving while it runs form the next batch, written as soon as it ends; an idle batcher writes a batch
 * `maxDelayMs` after its first event, or at once when `maxBatch` events are queued. Each append resolves only
 * after its row committed, so a caller that answers after `append` never answers for an unaudited action. A
 * failed write rejects exactly its batch's waiters; the next batch is tried afresh.
 */
export function createAuditBatcher(port: AuditBatcherPort, options: AuditBatcherOptions = {}): AuditBatcher {
  const maxBatch = options.maxBatch ?? 256;
  const maxDelayMs = options.maxDelayMs ?? 0;
  if (!Number.isInteger(maxBatch) || maxBatch < 1 || maxBatch > MAX_APPEND_MANY)
    throw new TrustgateError('INTERNAL', `The audit batch size must be an integer from 1 to ${MAX_APPEND_MANY}.`);
  if (!(maxDelayMs >= 0)) throw new TrustgateError('INTERNAL', 'The audit batch delay must be 0 ms or more.');

  const queue: Waiter[] = [];
  let writing: Promise<void> | undefined;
  let timer: { cancel(): void } | undefined;
  let closed = false;

  function cancelTimer(): void {
    timer?.cancel();
    timer = undefined;
  }

  /** Writes the oldest queued events now, unless a write runs (it starts the next batch when it ends). */
  function write(): void {
    if (writing !== undefined || queue.length === 0) return;
    cancelTimer();
    const batch = queue.splice(0, maxBatch);
    writing = (async () => {
      try {
        await port.audit.appendMany(batch.map((w) => w.event));
        for (const w of batch) w.resolve();
      } catch (error) {
        for (const w of batch) w.reject(error);
      } finally {
        writing = undefined;
      }
      write();
    })();
  }

  /** After an arrival: write at once when a batch is full, else within maxDelayMs (a running write goes first). */
  function schedule(): void {
    if (writing !== undefined) return;
    if (queue.length >= maxBatch) write();
    else timer ??= later(write, maxDelayMs);
  }

  async function flush(): Promise<void> {
    while (writing !== undefined || queue.length > 0) {
      write();
      await writing;
    }
  }

  return {
    append(event) {
      if (closed) return Promise.reject(new TrustgateError('INTERNAL', 'The audit log is closed.'));
      return new Promise<void>((resolve, reject) => {
        queue.push({ event: { ...event, at: new Date().toISOString() }, resolve, reject });
        schedule();
      });
    },
    flush,
    async close() {
      closed = true;
      await flush();
    },
  };
}

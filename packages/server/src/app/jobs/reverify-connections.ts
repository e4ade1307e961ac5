import type { ConnectionDeps } from '../deps.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { verifyAndRecord } from '../connections/verify-connection.ts';

/** Options for {@link reverifyDueConnections}. */
export interface ReverifyOptions {
  /** Re-verify connections last verified longer ago than this; also the job's period. Default 6 hours. */
  intervalMs?: number;
  /** This instance's name in `job_runs`. */
  holder: string;
  /** At most this many connections per run. Default 100. */
  batch?: number;
  now?: Date;
}

/**
 * The scheduled re-verification: once per period across every instance sharing the store (see
 * `claimJobRun`), re-verifies each due connection's roles, catching roles deleted or changed in customers'
 * accounts (they turn `broken`, `insecure` or `needs-update`). Returns whether this instance ran it.
 */
export async function reverifyDueConnections(
  deps: ConnectionDeps,
  options: ReverifyOptions,
): Promise<{ ran: boolean; verified: number }> {
  const intervalMs = options.intervalMs ?? 6 * 3_600_000;
  const now = options.now ?? new Date();
  if (!(await deps.store.claimJobRun({ name: 'reverify-connections', intervalMs, holder: options.holder, now })))
    return { ran: false, verified: 0 };
  const due = await deps.store.connections.listDueForReverification(
    new Date(now.getTime() - intervalMs).toISOString(),
    options.batch ?? 100,
  );
  let verified = 0;
  for (const connection of due) {
    let latest = connection;
    const before = connection.status;
    for (const role of await deps.store.connections.listRoles(connection.id)) {
      try {
        latest = (await verifyAndRecord(deps, latest, role.roleArn)).connection;
        verified++;
      } catch (error) {
        // One bad connection must not stop the run; its role row keeps the last result, and the operator is told.
        deps.log?.warn(
          { err: error, connectionId: connection.id, roleArn: role.roleArn },
          're-verification: a role could not be verified; it keeps its last result',
        );
      }
    }
    if (latest.status !== before) {
      await recordAudit(deps.store, {
        principal: null,
        organizationId: connection.organizationId,
        action: 'connection.reverify',
        connectionId: connection.id,
        details: { from: before, to: latest.status },
      });
    }
  }
  return { ran: true, verified };
}

/**
 * Runs {@link reverifyDueConnections} every `tickMs` (default 1 minute) until stopped; a run still going when the
 * next tick comes is not doubled. The timer does not keep the process alive. `stop()` starts no further run and
 * resolves once the running one (if any) has finished: shutting down never cuts a verification half-way through
 * recording its result.
 */
export function startReverifyScheduler(
  deps: ConnectionDeps,
  options: ReverifyOptions & { tickMs?: number; onError?: (error: unknown) => void },
): { stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  let stopped = false;
  const timer = setInterval(() => {
    if (running !== undefined || stopped) return;
    running = reverifyDueConnections(deps, options)
      .then(
        () => undefined,
        (error: unknown) => options.onError?.(error),
      )
      .finally(() => {
        running = undefined;
      });
  }, options.tickMs ?? 60_000);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}

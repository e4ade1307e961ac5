/** How long in-flight requests may take to finish on SIGTERM/SIGINT by default (`shutdown.graceMs`). */
export const DEFAULT_SHUTDOWN_GRACE_MS = 30_000;

/** What {@link stopOnSignal} stops: the running service (its HTTP server) and the whole of `serve`. */
export interface Stoppable {
  service: { app: { server: { closeAllConnections(): void; closeIdleConnections(): void } } };
  stop(): Promise<void>;
}

/**
 * Waits for SIGTERM or SIGINT, then stops `running` as an orchestrator expects: the listener closes (new
 * connections are refused, requests on open ones answered 503), in-flight requests finish, the jobs stop (a
 * running one finishes), the store and the cache close. Requests still running after `graceMs` — or at a second
 * signal — are cut. Resolves with the exit code: 0 when everything finished, 1 when requests were cut or closing
 * failed. A handle left open after that (none should be) does not keep the process from exiting.
 */
export function stopOnSignal(
  running: Stoppable,
  options: { graceMs: number; out: NodeJS.WritableStream; err: NodeJS.WritableStream },
): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false;
    let cut = false;
    const cutNow = () => {
      if (cut) return;
      cut = true;
      running.service.app.server.closeAllConnections();
    };
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        options.err.write(`${signal} again: cutting the requests still running\n`);
        cutNow();
        return;
      }
      stopping = true;
      options.out.write('stopping\n');
      // A keep-alive connection whose request finishes after the listener closed is closed as soon as it is idle.
      const idle = setInterval(() => running.service.app.server.closeIdleConnections(), 50);
      const grace = setTimeout(() => {
        options.err.write(`shutdown: requests still running after ${options.graceMs} ms are cut\n`);
        cutNow();
      }, options.graceMs);
      running
        .stop()
        .then(
          () => 0,
          (error: unknown) => {
            options.err.write(`shutdown: ${error instanceof Error ? error.message : String(error)}\n`);
            return 1;
          },
        )
        .then((code) => {
          clearTimeout(grace);
          clearInterval(idle);
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
          const exitCode = cut ? 1 : code;
          // Everything is closed: a stray handle must not keep an orchestrator waiting (unref: only if one does).
          setTimeout(() => process.exit(exitCode), 1_000).unref();
          resolve(exitCode);
        });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

import type { FastifyRequest } from 'fastify';
import type { Principal } from '../auth/principal.ts';
import type { ConnectionDeps } from '../app/deps.ts';
import type { FetchPort } from '../aws/fetch-port.ts';
import type { ServiceMetrics } from './metrics.ts';

/** Work started by a request that outlives it (callback verification); awaited on close and in tests. */
export class BackgroundTasks {
  private readonly running = new Set<Promise<unknown>>();

  /** Tracks `task` until it settles. */
  add(task: Promise<unknown>): void {
    const tracked = task.finally(() => this.running.delete(tracked));
    this.running.add(tracked);
  }

  /** Resolves when every task started so far (and those they started) has settled. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }
}

/** What the routes need. */
export interface AppContext {
  deps: ConnectionDeps;
  fetchPort: FetchPort;
  /** Service operators create organizations with this bearer token; without it the route is closed. */
  operatorToken?: string;
  background: BackgroundTasks;
  /** The instance's Prometheus metrics (http/metrics.ts). */
  metrics: ServiceMetrics;
  /** The request's principal: its bearer header, or the console's session cookie (console-session.ts). */
  authenticate(request: FastifyRequest): Promise<Principal>;
  /** The principal of an `Authorization: Bearer <token>` header value (the console's sign-in checks a token so). */
  authenticateHeader(header: string | undefined): Promise<Principal>;
}

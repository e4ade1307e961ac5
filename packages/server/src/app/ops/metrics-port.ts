/**
 * The narrow metrics port the use cases report to (http/metrics.ts fills it with prom-client counters); each call
 * is a counter increment, cheap enough for the hot path.
 */
export interface MetricsPort {
  /** A role of a connection was verified for real; `outcome` is the role's resulting status. */
  verification(outcome: string): void;
}

/** Node's errors of a socket to the database that failed or was cut (what `pg` throws as they are). */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

/** What `pg` (and pg-pool) say when the server went away or a connection could not be made or used. */
const PG_CONNECTION_MESSAGES =
  /^(Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect|Client was closed)/;

/**
 * Whether `error`, as the store's driver threw it, means the database is unreachable or busy rather than a fault of
 * trustgate or of the request: a socket to PostgreSQL refused, reset or cut; a connection exception (SQLSTATE class
 * 08) or the server shutting down or starting (57P01-57P03, PostgreSQL Appendix A, "Error Codes"); SQLite's
 * SQLITE_BUSY / SQLITE_LOCKED (another process holds the file's lock past the busy timeout). Only the error itself is
 * looked at, not its causes: an HTTP call's network failure wrapped by its adapter is not the database's.
 */
export function isStoreUnreachable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { code, syscall } = error as { code?: unknown; syscall?: unknown };
  if (typeof code === 'string') {
    if (SOCKET_CODES.has(code) && typeof syscall === 'string') return true;
    if (/^08[0-9A-Z]{3}$/.test(code) || /^57P0[123]$/.test(code)) return true;
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') return true;
  }
  return PG_CONNECTION_MESSAGES.test(error.message);
}

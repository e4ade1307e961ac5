/**
 * Paging through the audit log newest first. GET /v1/audit answers the newest events first (by time, then id) and
 * its `until` is exclusive, so the page after one ending at time T asks `until` = T + 1 ms (the store keeps
 * milliseconds) and drops the events it already shows: those at T that closed the page. Asking one more than a page
 * tells whether another page follows. (The API's `after` cursor reads oldest first, for followers of the log.)
 */

/** What a page needs of an event. */
export interface PagedEvent {
  id: string;
  at: string;
}

/** The query of the page after `shown` (every event shown so far, newest first), or of the first page. */
export function pageQuery(shown: readonly PagedEvent[], pageSize: number): { limit: number; until?: string } {
  const last = shown[shown.length - 1];
  if (last === undefined) return { limit: pageSize + 1 };
  const tied = shown.filter((e) => e.at === last.at).length;
  return { limit: Math.min(pageSize + tied + 1, 1000), until: new Date(Date.parse(last.at) + 1).toISOString() };
}

/** The next page out of the answer to {@link pageQuery}: the events not shown yet, and whether more follow. */
export function nextPage<E extends PagedEvent>(
  shown: readonly PagedEvent[],
  answer: readonly E[],
  pageSize: number,
): { events: E[]; more: boolean } {
  const seen = new Set(shown.map((e) => e.id));
  const fresh = answer.filter((e) => !seen.has(e.id));
  return { events: fresh.slice(0, pageSize), more: fresh.length > pageSize };
}

import { describe, expect, it } from 'vitest';
import { nextPage, pageQuery, type PagedEvent } from './audit-paging.ts';

/** The log as the API orders it: newest first by time, then id (descending). */
const log: PagedEvent[] = [
  { id: 'e9', at: '2026-12-07T10:00:05.000Z' },
  { id: 'e8', at: '2026-12-07T10:00:04.000Z' },
  { id: 'e7', at: '2026-12-07T10:00:04.000Z' },
  { id: 'e6', at: '2026-12-07T10:00:04.000Z' },
  { id: 'e5', at: '2026-12-07T10:00:03.000Z' },
  { id: 'e4', at: '2026-12-07T10:00:02.000Z' },
];

/** What GET /v1/audit answers for a query: until exclusive, newest first, at most limit. */
const answer = (q: { limit: number; until?: string }) =>
  log.filter((e) => q.until === undefined || e.at < q.until).slice(0, q.limit);

describe('paging the audit log newest first', () => {
  it('walks every event once, in order, even when a page ends inside events of one millisecond', () => {
    for (const size of [1, 2, 3, 4, 6, 10]) {
      let shown: PagedEvent[] = [];
      let more = true;
      let pages = 0;
      while (more) {
        const page = nextPage(shown, answer(pageQuery(shown, size)), size);
        expect(page.events.length).toBeLessThanOrEqual(size);
        shown = [...shown, ...page.events];
        more = page.more;
        pages++;
      }
      expect(shown.map((e) => e.id)).toEqual(log.map((e) => e.id));
      expect(pages).toBe(Math.max(1, Math.ceil(log.length / size)));
    }
  });

  it('asks one more than a page, past the events of the last millisecond shown', () => {
    expect(pageQuery([], 2)).toEqual({ limit: 3 });
    expect(pageQuery(log.slice(0, 3), 2)).toEqual({ limit: 5, until: '2026-12-07T10:00:04.001Z' });
  });
});

import { describe, expect, it } from 'vitest';
import { sessionDuration } from './index.ts';

describe('sessionDuration', () => {
  it('keeps a request inside every limit, without a clamped note', () => {
    expect(sessionDuration({ requestedSeconds: 3600, chained: false })).toEqual({ seconds: 3600 });
    expect(sessionDuration({ requestedSeconds: 900, roleMaxSessionDuration: 3600, chained: true })).toEqual({
      seconds: 900,
    });
    expect(sessionDuration({ requestedSeconds: 43200, roleMaxSessionDuration: 43200, chained: false })).toEqual({
      seconds: 43200,
    });
  });

  it('raises a request below 900 seconds and says why', () => {
    const r = sessionDuration({ requestedSeconds: 60, roleMaxSessionDuration: 3600, chained: true });
    expect(r.seconds).toBe(900);
    expect(r.clamped).toMatchObject({ from: 60, to: 900 });
    expect(r.clamped?.reason).toMatch(/shortest session/);
  });

  it("lowers a request to the role's maximum session duration", () => {
    const r = sessionDuration({ requestedSeconds: 7200, roleMaxSessionDuration: 3600, chained: false });
    expect(r).toMatchObject({ seconds: 3600, clamped: { from: 7200, to: 3600 } });
    expect(r.clamped?.reason).toMatch(/role's maximum session duration \(3600 seconds\)/);
  });

  it('caps a chained session at one hour even when the role allows 12, and names role chaining', () => {
    const r = sessionDuration({ requestedSeconds: 14400, roleMaxSessionDuration: 43200, chained: true });
    expect(r).toMatchObject({ seconds: 3600, clamped: { from: 14400, to: 3600 } });
    expect(r.clamped?.reason).toMatch(/role chaining/);
    // Unchained, the same request is served in full.
    expect(sessionDuration({ requestedSeconds: 14400, roleMaxSessionDuration: 43200, chained: false })).toEqual({
      seconds: 14400,
    });
  });

  it("without the role's maximum, caps at 43,200 seconds (STS's largest)", () => {
    const r = sessionDuration({ requestedSeconds: 50000, chained: false });
    expect(r).toMatchObject({ seconds: 43200, clamped: { from: 50000, to: 43200 } });
    expect(sessionDuration({ requestedSeconds: 50000, chained: true }).seconds).toBe(3600);
  });

  it('refuses nonsense with INVALID_INPUT naming the field', () => {
    for (const [input, field] of [
      [{ requestedSeconds: 0, chained: false }, 'requestedSeconds'],
      [{ requestedSeconds: 1.5, chained: false }, 'requestedSeconds'],
      [{ requestedSeconds: Number.NaN, chained: false }, 'requestedSeconds'],
      [{ requestedSeconds: 3600, roleMaxSessionDuration: 1800, chained: false }, 'roleMaxSessionDuration'],
      [{ requestedSeconds: 3600, roleMaxSessionDuration: 50000, chained: false }, 'roleMaxSessionDuration'],
    ] as const) {
      expect(() => sessionDuration(input), JSON.stringify(input)).toThrow(
        expect.objectContaining({ code: 'INVALID_INPUT', field }),
      );
    }
  });
});

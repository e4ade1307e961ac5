import { createHash } from 'node:crypto';
import { TrustgateError } from '../errors/index.ts';

/** One part of a cache key: a scalar, a list (order kept), a map (order ignored), or absent. */
export type CacheKeyPart = string | number | undefined | string[] | Record<string, string>;

function canonical(value: unknown, path: string): unknown {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value))
      throw new TrustgateError('INVALID_INPUT', `${path}: a finite number is required`, { field: path });
    return value;
  }
  if (Array.isArray(value))
    return value.map((v, i) => {
      if (typeof v !== 'string')
        throw new TrustgateError('INVALID_INPUT', `${path}[${i}]: a string is required`, { field: `${path}[${i}]` });
      return v;
    });
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, string> = Object.create(null) as Record<string, string>;
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (typeof v !== 'string')
        throw new TrustgateError('INVALID_INPUT', `${path}.${key}: a string is required`, { field: `${path}.${key}` });
      out[key] = v;
    }
    return out;
  }
  throw new TrustgateError('INVALID_INPUT', `${path}: a string, number, list or map is required`, { field: path });
}

/**
 * The credential cache's key for one assumption: SHA-256 (hex) of a canonical JSON of `parts` — keys sorted at
 * every level, `undefined` parts left out (so adding an optional part later keeps old keys), maps sorted by key,
 * lists kept in order (a list's order can matter, for example transitive tag keys). Two part sets give the same
 * key exactly when they are equal in that sense. The key reveals nothing of the parts, so it may appear in logs
 * and in Redis. Throws INVALID_INPUT for a part of another type (a nested object, a non-finite number, ...).
 */
export function credentialCacheKey(parts: Record<string, CacheKeyPart>): string {
  if (typeof parts !== 'object' || parts === null || Array.isArray(parts))
    throw new TrustgateError('INVALID_INPUT', 'parts: a map of key parts is required', { field: 'parts' });
  // Null-prototype objects, so a part named __proto__ is kept like any other.
  const body: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const name of Object.keys(parts).sort()) {
    const value = parts[name];
    if (value !== undefined) body[name] = canonical(value, name);
  }
  return createHash('sha256').update(JSON.stringify(body), 'utf8').digest('hex');
}

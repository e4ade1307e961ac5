import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createClient } from 'redis';
import type { SecretLedger } from './secret-ledger.ts';

/** What {@link recordAtRest} read. */
export interface AtRest {
  tables: number;
  rows: number;
  /** Every api_tokens.token_hash. */
  tokenHashes: Set<string>;
  files: string[];
  redisEntries: number;
}

/** A column's value as text; bytes as they are (latin1), in base64 and in hex. */
function cellText(value: unknown): string {
  return Buffer.isBuffer(value)
    ? `${value.toString('latin1')} ${value.toString('base64')} ${value.toString('hex')}`
    : String(value);
}

/**
 * Records as places what the service keeps at rest: every row of every table of its SQLite store `db`, every
 * entry of the broker's Redis cache (`trustgate:credentials:*`, those of other services on this Redis too) and,
 * as bytes, every file of `dir` (the database with its free pages, the WAL, the keys it made).
 */
export async function recordAtRest(ledger: SecretLedger, db: string, dir: string, redisUrl: string): Promise<AtRest> {
  const store = new Database(db, { readonly: true });
  let rows = 0;
  let tokenHashes = new Set<string>();
  const tables = store.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
  try {
    for (const { name } of tables) {
      const all = store.prepare(`SELECT * FROM "${name}"`).all() as Record<string, unknown>[];
      rows += all.length;
      ledger.place(`store table ${name}`, all.map((row) => Object.values(row).map(cellText).join('\t')).join('\n'));
    }
    const hashes = store.prepare('SELECT token_hash FROM api_tokens').all() as { token_hash: string }[];
    tokenHashes = new Set(hashes.map((r) => r.token_hash));
  } finally {
    store.close();
  }
  const redis = createClient({ url: redisUrl });
  await redis.connect();
  const cached: string[] = [];
  try {
    for await (const keys of redis.scanIterator({ MATCH: 'trustgate:credentials:*', COUNT: 1000 }))
      for (const key of keys) cached.push(`${key} ${(await redis.get(key)) ?? ''}`);
  } finally {
    await redis.quit();
  }
  ledger.place('Redis cache entries', cached.join('\n'));
  const files = readdirSync(dir).filter((name) => statSync(join(dir, name)).isFile());
  for (const name of files) ledger.place(`file ${name}`, readFileSync(join(dir, name)).toString('latin1'));
  return { tables: tables.length, rows, tokenHashes, files, redisEntries: cached.length };
}

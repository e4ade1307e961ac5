import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { TrustgateError } from '@trustgate/core';
import { openDatabase } from '../../store/open-database.ts';
import {
  appliedSchemaVersion,
  countStoredRows,
  insertStoredRows,
  readEveryStoredRow,
  STORE_TABLE_NAMES,
  type StoreTableName,
} from '../../store/export-rows.ts';
import {
  formatStoreExport,
  parseStoreExport,
  STORE_EXPORT_FORMAT,
  STORE_EXPORT_FORMAT_VERSION,
  STORE_SCHEMA_VERSION,
  type StoreExport,
} from './store-export-file.ts';

/** Which store: its URL (`postgres://...` or a SQLite file) and, on PostgreSQL, its schema. */
export interface StoreLocation {
  url: string;
  schema?: string;
}

/** Rows per table (every table, zeros included). */
export type TableCounts = Record<StoreTableName, number>;

function counts(tables: StoreExport['tables']): TableCounts {
  return Object.fromEntries(STORE_TABLE_NAMES.map((t) => [t, tables[t].length])) as TableCounts;
}

async function openAt(location: StoreLocation, migrate: boolean) {
  return openDatabase({
    url: location.url,
    ...(location.schema === undefined ? {} : { schema: location.schema }),
    poolSize: 2,
    migrate,
  });
}

/** Where the store is, for a message: the URL without its password, and the schema. */
function where(location: StoreLocation): string {
  const url = location.url.replace(/\/\/[^@/]*@/, '//***@');
  return location.schema === undefined ? url : `${url} (schema ${location.schema})`;
}

/**
 * Reads the whole store at `location` without writing to it (no migration: a store of another schema version is
 * refused with what to do, and a missing SQLite file is not created).
 */
export async function readStoreExport(location: StoreLocation, now = new Date()): Promise<StoreExport> {
  const isFile = !/^postgres(ql)?:\/\//.test(location.url) && location.url !== ':memory:';
  const missing = () =>
    new TrustgateError('NOT_FOUND', `No trustgate store at ${where(location)}: check --db (and --db-schema).`, {
      field: 'db',
    });
  if (isFile && !existsSync(location.url)) throw missing();
  const opened = await openAt(location, false);
  try {
    const version = await appliedSchemaVersion(opened.db);
    if (version === undefined) throw missing();
    if (version !== STORE_SCHEMA_VERSION)
      throw new TrustgateError(
        'INVALID_INPUT',
        `The store at ${where(location)} is at schema version ${version}; this trustgate exports ${STORE_SCHEMA_VERSION}. Export it with the trustgate version that last ran on it, or run this version's serve on it once (it applies the migrations).`,
        { field: 'db' },
      );
    // One transaction, so the tables are read at one moment while the service keeps running (PostgreSQL gives the
    // transaction one snapshot only at REPEATABLE READ; SQLite's read transaction is one snapshot already).
    const begin = opened.db.transaction();
    const tables = await (
      opened.dialect.name === 'postgres' ? begin.setIsolationLevel('repeatable read') : begin
    ).execute((trx) => readEveryStoredRow(trx));
    return {
      format: STORE_EXPORT_FORMAT,
      formatVersion: STORE_EXPORT_FORMAT_VERSION,
      schemaVersion: STORE_SCHEMA_VERSION,
      exportedAt: now.toISOString(),
      source: opened.dialect.name,
      tables,
    };
  } finally {
    await opened.close();
  }
}

/**
 * Writes `data` to `file` with mode 0600 (it holds what the database holds: token hashes, sealed keys and the
 * service's shared settings): written to a new file beside it first, then renamed over `file`, so a reader never
 * sees half an export and an older file's wider mode is not kept.
 */
export async function writeStoreExportFile(file: string, data: StoreExport): Promise<void> {
  const temporary = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temporary, 'wx', 0o600);
  try {
    await handle.writeFile(formatStoreExport(data));
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temporary, { force: true });
    throw error;
  } finally {
    await handle.close().catch(() => undefined);
  }
  await chmod(temporary, 0o600);
  await rename(temporary, file);
}

/**
 * Shared settings whose value is a secret of the service itself (the callback-token and run-token HMAC keys; the
 * demo's key sealing the signing keys when configuration gives none): the store holds them as they are, so the
 * export does too — a restored service must keep verifying the tokens deployed templates carry.
 */
export const SECRET_SETTINGS: readonly string[] = [
  'callback-secret',
  'run-token-secret',
  'identity-key-encryption-key',
];

/** What an export wrote: rows per table, and which {@link SECRET_SETTINGS} the file holds. */
export interface ExportSummary {
  tables: TableCounts;
  secretSettings: string[];
}

/** `trustgate store export FILE`: every table of the store to `file` (mode 0600). */
export async function exportStore(location: StoreLocation, file: string): Promise<ExportSummary> {
  const data = await readStoreExport(location);
  await writeStoreExportFile(file, data);
  const secretSettings = data.tables.settings.map((s) => String(s.name)).filter((n) => SECRET_SETTINGS.includes(n));
  return { tables: counts(data.tables), secretSettings };
}

/**
 * Imports `data` into the (empty) store at `location` in one transaction: refused with CONFLICT naming the tables
 * that hold rows when the store is not empty, and nothing written. The rows go in exactly as exported.
 */
export async function importStoreExport(location: StoreLocation, data: StoreExport): Promise<TableCounts> {
  const opened = await openAt(location, true);
  try {
    await opened.db.transaction().execute(async (trx) => {
      const held = await countStoredRows(trx);
      const names = Object.entries(held).map(([t, n]) => `${t} (${n})`);
      if (names.length > 0)
        throw new TrustgateError(
          'CONFLICT',
          `The store is not empty: ${names.join(', ')}. Import into a new, empty store (a new SQLite file or PostgreSQL schema); nothing was written.`,
          { field: 'store' },
        );
      try {
        await insertStoredRows(trx, data.tables);
      } catch (error) {
        // A row the schema refuses (a duplicate key, a reference to a row not in the file): the transaction rolls back.
        throw new TrustgateError(
          'INVALID_INPUT',
          `The export's rows do not fit the store (${error instanceof Error ? error.message : String(error)}); nothing was written.`,
          { field: 'tables', cause: error },
        );
      }
    });
  } finally {
    await opened.close();
  }
  return counts(data.tables);
}

/**
 * `trustgate store import FILE`: the export in `file`, checked whole (format, schema version, every table and
 * column) before the store is opened, then imported by {@link importStoreExport}.
 */
export async function importStore(location: StoreLocation, file: string): Promise<TableCounts> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new TrustgateError(
      'INVALID_INPUT',
      `Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}.`,
      {
        field: 'file',
      },
    );
  }
  return importStoreExport(location, parseStoreExport(text, file));
}

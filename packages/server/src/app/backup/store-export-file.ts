import { TrustgateError } from '@trustgate/core';
import { z } from 'zod';
import { MIGRATIONS } from '../../store/migrations.ts';
import { STORE_TABLES, STORE_TABLE_NAMES, type StoreTableName, type StoredRow } from '../../store/export-rows.ts';

/** What the first field of every export file says it is. */
export const STORE_EXPORT_FORMAT = 'trustgate-store-export';

/** The layout of the file itself (not of the tables): bumped only if the envelope below changes. */
export const STORE_EXPORT_FORMAT_VERSION = 1;

/** The schema version this code writes and reads: the name of its latest migration. */
export const STORE_SCHEMA_VERSION = Object.keys(MIGRATIONS).at(-1) ?? '';

/**
 * A whole store as one JSON document: every table of the schema, every row with every column exactly as the store
 * holds it — token hashes and sealed keys as stored, no secret of a token ever (the store never holds one).
 */
export interface StoreExport {
  format: typeof STORE_EXPORT_FORMAT;
  formatVersion: typeof STORE_EXPORT_FORMAT_VERSION;
  /** The latest migration of the store exported ({@link STORE_SCHEMA_VERSION} of the trustgate that wrote it). */
  schemaVersion: string;
  exportedAt: string;
  /** The dialect exported from (informative: any dialect imports it). */
  source: string;
  tables: Record<StoreTableName, StoredRow[]>;
}

const envelope = z.object({
  format: z.literal(STORE_EXPORT_FORMAT),
  formatVersion: z.literal(STORE_EXPORT_FORMAT_VERSION),
  schemaVersion: z.string(),
  exportedAt: z.string(),
  source: z.string(),
  tables: z.record(z.string(), z.array(z.record(z.string(), z.union([z.string(), z.number(), z.null()])))),
});

function refuse(message: string, field = 'file'): TrustgateError {
  return new TrustgateError('INVALID_INPUT', message, { field });
}

/**
 * The export in `text`, checked before anything is written: a trustgate store export of this schema version,
 * every table of the schema present with exactly its columns, each value text, a number or null. Refused with
 * INVALID_INPUT saying what is wrong (the schema version first, so a file of another trustgate says so).
 */
export function parseStoreExport(text: string, fileName: string): StoreExport {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw refuse(`${fileName} is not a trustgate store export: it is not JSON.`);
  }
  const head = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>;
  if (head.format !== STORE_EXPORT_FORMAT)
    throw refuse(`${fileName} is not a trustgate store export (no "format": "${STORE_EXPORT_FORMAT}").`, 'format');
  if (head.schemaVersion !== STORE_SCHEMA_VERSION)
    throw refuse(
      `${fileName} is an export of schema version ${JSON.stringify(head.schemaVersion)}; this trustgate's store is at ${STORE_SCHEMA_VERSION}. Import it with the trustgate version that exported it (then upgrade), or export again with this one.`,
      'schemaVersion',
    );
  const parsed = envelope.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw refuse(`${fileName}: ${issue?.path.join('.') || 'the file'}: ${issue?.message ?? 'invalid'}.`, 'tables');
  }
  const tables = parsed.data.tables;
  const unknown = Object.keys(tables).filter((t) => !(t in STORE_TABLES));
  if (unknown.length > 0) throw refuse(`${fileName}: tables.${unknown[0]}: no such table in the store.`, 'tables');
  for (const table of STORE_TABLE_NAMES) {
    const rows = tables[table];
    if (rows === undefined) throw refuse(`${fileName}: tables.${table} is missing.`, 'tables');
    const columns: readonly string[] = STORE_TABLES[table].columns;
    rows.forEach((row, i) => {
      const extra = Object.keys(row).find((c) => !columns.includes(c));
      if (extra !== undefined)
        throw refuse(`${fileName}: tables.${table}[${i}].${extra}: no such column in ${table}.`, 'tables');
      const missing = columns.find((c) => !(c in row));
      if (missing !== undefined) throw refuse(`${fileName}: tables.${table}[${i}].${missing} is missing.`, 'tables');
    });
  }
  return { ...parsed.data, format: STORE_EXPORT_FORMAT, formatVersion: STORE_EXPORT_FORMAT_VERSION } as StoreExport;
}

/** The export as JSON text, one row a line (diffable, and readable with `jq`). */
export function formatStoreExport(data: StoreExport): string {
  const { tables, ...head } = data;
  const header = JSON.stringify(head).slice(0, -1);
  const body = STORE_TABLE_NAMES.map((table) => {
    const rows = tables[table].map((row) => `      ${JSON.stringify(row)}`).join(',\n');
    return `    ${JSON.stringify(table)}: [${rows === '' ? '' : `\n${rows}\n    `}]`;
  }).join(',\n');
  return `${header},\n  "tables": {\n${body}\n  }\n}\n`;
}

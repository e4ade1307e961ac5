import { TrustgateError } from '@trustgate/core';

/** How a service command prints: a table for people (default), or the API's JSON for scripts. */
export const OUTPUT_FORMATS = ['table', 'json'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** A column of a table: its header and how a row shows in it. */
export interface Column<T> {
  header: string;
  value: (row: T) => unknown;
}

/** Checks `--output`. */
export function outputFormat(value: string | undefined): OutputFormat {
  const format = value ?? 'table';
  if (!(OUTPUT_FORMATS as readonly string[]).includes(format))
    throw new TrustgateError('INVALID_INPUT', `--output ${JSON.stringify(format)}: use table or json.`, {
      field: 'output',
    });
  return format as OutputFormat;
}

/** A cell's text: one line (control characters shown as spaces), `-` for nothing, lists joined by commas. */
export function cellText(value: unknown): string {
  if (value === undefined || value === null || value === '') return '-';
  if (Array.isArray(value)) return value.length === 0 ? '-' : value.map(cellText).join(',');
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  // eslint-disable-next-line no-control-regex -- a value from the service must not move the terminal's cursor
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, ' ');
}

/** Rows as an aligned text table with a header line (the last column is not padded). */
export function renderTable<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const cells = rows.map((row) => columns.map((c) => cellText(c.value(row))));
  const headers = columns.map((c) => c.header.toUpperCase());
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => (i === values.length - 1 ? v : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...cells.map(line)].join('\n') + '\n';
}

/** One object as `key: value` lines (nested objects as JSON), for `show` commands. */
export function renderRecord(record: Record<string, unknown>, fields?: readonly string[]): string {
  const keys = fields ?? Object.keys(record);
  const width = Math.max(0, ...keys.map((k) => k.length));
  return keys.map((k) => `${`${k}:`.padEnd(width + 1)} ${cellText(record[k])}`).join('\n') + '\n';
}

/** The text for a list answer: the API's JSON array (`json`), or a table. */
export function formatList<T>(rows: readonly T[], columns: readonly Column<T>[], format: OutputFormat): string {
  if (format === 'json') return `${JSON.stringify(rows, null, 2)}\n`;
  return rows.length === 0 ? '(none)\n' : renderTable(rows, columns);
}

/** The text for one object: the API's JSON (`json`), or `key: value` lines of `fields`. */
export function formatRecord(
  record: Record<string, unknown>,
  format: OutputFormat,
  fields?: readonly string[],
): string {
  if (format === 'json') return `${JSON.stringify(record, null, 2)}\n`;
  return renderRecord(record, fields);
}

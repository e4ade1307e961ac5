import { createInterface } from 'node:readline';
import { parse } from 'yaml';
import { TrustgateError } from '@trustgate/core';
import type { paths } from '@trustgate/client';
import { readTextFile } from '../../commands/read-text-file.ts';

/** A connection as the API answers it. */
export type ConnectionView = paths['/v1/connections/{id}']['get']['responses'][200]['content']['application/json'];
/** The body of `POST /v1/connections`. */
export type CreateConnectionBody = NonNullable<
  paths['/v1/connections']['post']['requestBody']
>['content']['application/json'];
/** The body of `PATCH /v1/connections/{id}`. */
export type UpdateConnectionBody = NonNullable<
  paths['/v1/connections/{id}']['patch']['requestBody']
>['content']['application/json'];

/**
 * Reads `--file`: a JSON or YAML mapping (YAML is a superset of JSON, so one parser reads both). FILE_NOT_READABLE
 * naming the file when it cannot be read, is not YAML, or is not a mapping.
 */
export function readBodyFile(file: string): Record<string, unknown> {
  const text = readTextFile(file, { field: 'file' });
  let parsed: unknown;
  try {
    parsed = parse(text);
  } catch (error) {
    throw new TrustgateError('FILE_NOT_READABLE', `--file ${file}: not JSON or YAML (${(error as Error).message}).`, {
      field: 'file',
      cause: error,
    });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new TrustgateError('FILE_NOT_READABLE', `--file ${file}: the file must hold one mapping of fields.`, {
      field: 'file',
    });
  return parsed as Record<string, unknown>;
}

/** Splits `key=value` (or `key:value`, the API's filter form) at the first `=` or `:`; INVALID_INPUT otherwise. */
export function splitLabel(item: string, option: string): [string, string] {
  const at = item.search(/[=:]/);
  if (at <= 0)
    throw new TrustgateError('INVALID_INPUT', `${option} ${JSON.stringify(item)}: use key=value.`, { field: 'label' });
  return [item.slice(0, at), item.slice(at + 1)];
}

/** `--label key=value` repeated, as a labels mapping. */
export function labelsOf(items: readonly string[] | undefined, option = '--label'): Record<string, string> | undefined {
  if (items === undefined || items.length === 0) return undefined;
  return Object.fromEntries(items.map((i) => splitLabel(i, option)));
}

/** `--label key=value` filters in the API's `key:value` form. */
export function labelFilters(items: readonly string[] | undefined): string[] | undefined {
  if (items === undefined || items.length === 0) return undefined;
  return items.map((i) => splitLabel(i, '--label').join(':'));
}

/** A duration: `90` or `90s`, `10m`, `1h`, `500ms`, in milliseconds; INVALID_INPUT naming `option` otherwise. */
export function parseDuration(value: string, option: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
  const ms = match === null ? NaN : Number(match[1]) * unit[(match[2] ?? 's') as keyof typeof unit];
  if (!Number.isFinite(ms) || ms <= 0)
    throw new TrustgateError(
      'INVALID_INPUT',
      `${option} ${JSON.stringify(value)}: use a duration such as 90s, 10m or 1h.`,
      {
        field: option.replace(/^--/, ''),
      },
    );
  return ms;
}

/** Checks a value is one of `choices`; INVALID_INPUT naming the option otherwise. */
export function oneOf<T extends string>(
  value: string | undefined,
  choices: readonly T[],
  option: string,
): T | undefined {
  if (value === undefined) return undefined;
  if (!(choices as readonly string[]).includes(value))
    throw new TrustgateError('INVALID_INPUT', `${option} ${JSON.stringify(value)}: use ${choices.join(', ')}.`, {
      field: option.replace(/^--/, ''),
    });
  return value as T;
}

/**
 * Asks before destroying something: `--yes` goes ahead; without it, a terminal is asked to type `y`, and anything not a
 * terminal (a script, CI) is refused with INVALID_INPUT saying to pass `--yes`, so nothing is deleted by accident.
 */
export async function confirmOrRefuse(what: string, yes: boolean | undefined): Promise<void> {
  if (yes === true) return;
  if (!process.stdin.isTTY || !process.stderr.isTTY)
    throw new TrustgateError('INVALID_INPUT', `Not a terminal: pass --yes to delete ${what}.`, { field: 'yes' });
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const answer = await new Promise<string>((resolve) => rl.question(`Delete ${what}? [y/N] `, resolve));
  rl.close();
  if (!/^y(es)?$/i.test(answer.trim()))
    throw new TrustgateError('INVALID_INPUT', `Not deleted: ${what}.`, { field: 'yes' });
}

/** Lines for people (a table's output), or stderr when stdout is JSON (so it stays parseable). */
export function progressWriter(output: 'table' | 'json'): (line: string) => void {
  return (line) => (output === 'json' ? process.stderr : process.stdout).write(`${line}\n`);
}

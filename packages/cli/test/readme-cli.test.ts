import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ERROR_CATALOG } from '@trustgate/core';

const README = readFileSync(fileURLToPath(new URL('../../../README.md', import.meta.url)), 'utf8');

describe("the README's CLI section", () => {
  it("lists every error code of core's catalog with its exit code, once", () => {
    const table = README.slice(README.indexOf('<a id="exit-codes"></a>')).split('\n\n')[1] ?? '';
    const listed = new Map<string, number>();
    for (const row of table.split('\n').slice(2)) {
      const [codes = '', exit = ''] = row.split('|').slice(1, 3);
      for (const quoted of codes.match(/`[A-Z_]+`/g) ?? []) {
        const code = quoted.slice(1, -1);
        expect(listed.has(code), `${code} listed twice`).toBe(false);
        listed.set(code, Number.parseInt(exit.trim(), 10));
      }
    }
    expect(Object.fromEntries(listed)).toEqual(
      Object.fromEntries(Object.entries(ERROR_CATALOG).map(([code, e]) => [code, e.exit])),
    );
  });
});

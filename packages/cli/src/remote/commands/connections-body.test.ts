import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createBodyOf, updateBodyOf } from './connections-body.ts';
import { labelFilters, parseDuration } from './connections-input.ts';

const dir = mkdtempSync(join(tmpdir(), 'tg-connections-body-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('connection bodies from flags and files', () => {
  it('builds a create body: one account or several, the selection, trust and labels', () => {
    expect(createBodyOf({ name: 'a', account: ['111111111111'], label: ['team=infra', 'env:prod'] })).toEqual({
      name: 'a',
      scope: { kind: 'account', accountId: '111111111111' },
      labels: { team: 'infra', env: 'prod' },
    });
    expect(
      createBodyOf({
        name: 'b',
        account: ['111111111111', '222222222222'],
        products: ['cost-inventory'],
        oidc: true,
        phases: ['read'],
      }),
    ).toEqual({
      name: 'b',
      scope: { kind: 'accounts', accountIds: ['111111111111', '222222222222'] },
      selection: { mode: 'custom', products: ['cost-inventory'] },
      trust: { kind: 'oidc', phases: ['read'] },
    });
    expect(createBodyOf({ name: 'c', organization: 'o-abc', ou: ['ou-1'], externalIdTrust: 'scoped' })).toEqual({
      name: 'c',
      scope: { kind: 'organization', organizationId: 'o-abc', organizationalUnitIds: ['ou-1'] },
      externalIdTrust: { kind: 'scoped', phases: ['read', 'write'] },
    });
  });

  it('reads --file as YAML or JSON, flags over its fields; refuses what cannot be sent, naming the field', () => {
    const yaml = join(dir, 'c.yaml');
    writeFileSync(yaml, 'name: from-file\nscope: { kind: account, accountId: "111111111111" }\nmode: automatic\n');
    expect(createBodyOf({ file: yaml, name: 'flag' })).toMatchObject({ name: 'flag', mode: 'automatic' });
    const list = join(dir, 'list.json');
    writeFileSync(list, '[1, 2]');
    expect(() => createBodyOf({ file: list })).toThrow(expect.objectContaining({ code: 'FILE_NOT_READABLE' }));
    expect(() => createBodyOf({ name: 'x' })).toThrow(expect.objectContaining({ field: 'scope' }));
    expect(() => createBodyOf({ account: ['1'] })).toThrow(expect.objectContaining({ field: 'name' }));
    expect(() => createBodyOf({ name: 'x', account: ['1'], organization: 'o-1' })).toThrow(/two scopes/);
    expect(() => createBodyOf({ name: 'x', account: ['1'], default: true, products: ['p'] })).toThrow(/--default/);
    expect(() => createBodyOf({ name: 'x', account: ['1'], oidc: true, phases: ['plan'] })).toThrow(/--phases/);
    expect(() => createBodyOf({ name: 'x', account: ['1'], label: ['novalue'] })).toThrow(/key=value/);
  });

  it('builds an edit body: labels merged with the current ones, nothing to change refused', () => {
    expect(updateBodyOf({ label: ['env=prod'], removeLabel: ['old'], default: true }, { team: 'a', old: 'x' })).toEqual(
      { labels: { team: 'a', env: 'prod' }, selection: { mode: 'default' } },
    );
    expect(updateBodyOf({ space: 'none', sessionTagging: false }, undefined)).toEqual({
      spaceId: null,
      sessionTagging: false,
    });
    expect(() => updateBodyOf({}, undefined)).toThrow(/Nothing to change/);
  });

  it('parses durations and label filters', () => {
    expect([parseDuration('90', '--t'), parseDuration('10m', '--t'), parseDuration('500ms', '--t')]).toEqual([
      90_000, 600_000, 500,
    ]);
    expect(() => parseDuration('soon', '--timeout')).toThrow(expect.objectContaining({ field: 'timeout' }));
    expect(labelFilters(['a=b', 'c:d'])).toEqual(['a:b', 'c:d']);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOG_LIMITS, loadAwsActionList, type ActionList } from '@trustgate/core';
import { bigCatalog } from '../../core/test/support/big-catalog.ts';
import { DIALECTS } from './test-stores.ts';
import { startTestService, type TestService, NO_AWS } from './service-harness.ts';

/** The nested-anchor alias bomb of issue 11 (item 4): 9^6 x's from 60 aliases. */
const ALIAS_BOMB = [
  'a: &a [x, x, x, x, x, x, x, x, x]',
  ...['b', 'c', 'd', 'e', 'f'].map((name, i) => `${name}: &${name} [${Array(9).fill(`*${'abcde'[i]}`).join(', ')}]`),
  `g: [${Array(9).fill('*f').join(', ')}]`,
].join('\n');

/** `k0: v\nk1: v\n...`: `count` top-level keys, or as many as fit in `length` characters. */
function manyKeys(options: { count?: number; length?: number }): string {
  const lines: string[] = [];
  let length = 0;
  for (let i = 0; options.count === undefined || i < options.count; i++) {
    const line = `k${i}: v\n`;
    if (options.length !== undefined && length + line.length > options.length) break;
    lines.push(line);
    length += line.length;
  }
  return lines.join('');
}

/**
 * Polls `/healthz` one request after another until `work` settles; returns the work's result and the longest
 * time between two answers (from the start to the first answer, then answer to answer, then to the end).
 */
async function whilePolling<T>(
  url: string,
  work: () => Promise<T>,
): Promise<{ result: T; longestGapMs: number; answers: number }> {
  let done = false;
  let longestGapMs = 0;
  let answers = 0;
  const poller = (async () => {
    let last = performance.now();
    while (!done) {
      const res = await fetch(`${url}/healthz`);
      await res.text();
      if (res.status !== 200) throw new Error(`/healthz answered ${res.status}`);
      const now = performance.now();
      longestGapMs = Math.max(longestGapMs, now - last);
      last = now;
      answers++;
    }
  })();
  try {
    return { result: await work(), longestGapMs, answers };
  } finally {
    done = true;
    await poller;
  }
}

// Regressions of issue 11, items 1 and 4, on both stores: one catalog upload cannot freeze the service or be a 500.
describe.each(DIALECTS)('catalog limits on %s', (dialect) => {
  let t: TestService;
  let token: string;
  let actionList: ActionList;
  beforeAll(async () => {
    t = await startTestService({ dialect, partitions: NO_AWS });
    token = (await t.newOrganization('Limits')).adminToken;
    actionList = await loadAwsActionList();
  });
  afterAll(async () => t?.close());

  const upload = (name: string, source: string) =>
    t.api('POST', '/v1/catalogs', { token, body: { name, fileName: `${name}.yaml`, source } });
  const refusal = (res: Awaited<ReturnType<typeof upload>>) => {
    expect(res.status, res.text.slice(0, 500)).toBe(422);
    expect(res.body.error.code).toBe('INVALID_CATALOG');
    return res.body.error.findings as Array<{ code: string; message: string; path: string }>;
  };

  it('answers /healthz within a second while the largest accepted and the largest refused catalogs are checked', async () => {
    const accepted = bigCatalog(actionList);
    const refused = {
      issue: manyKeys({ count: 40_000 }),
      nearLength: manyKeys({ length: CATALOG_LIMITS.sourceLength }),
      overLength: manyKeys({ length: CATALOG_LIMITS.sourceLength + 100 }),
    };
    const { result, longestGapMs, answers } = await whilePolling(t.url, async () => ({
      accepted: await upload('biggest', accepted),
      issue: await upload('issue', refused.issue),
      nearLength: await upload('near-length', refused.nearLength),
      overLength: await upload('over-length', refused.overLength),
    }));

    expect(result.accepted.status, result.accepted.text.slice(0, 500)).toBe(201);
    expect(result.accepted.body.findings.filter((f: { severity: string }) => f.severity === 'error')).toEqual([]);
    expect(refusal(result.issue)).toEqual([
      expect.objectContaining({
        code: 'CATALOG_LIMIT',
        message: expect.stringMatching(
          /^issue\.yaml:1:1: 40,000 keys in one mapping; at most 1,000 \(CATALOG_LIMITS\.mappingKeys\)/,
        ),
      }),
    ]);
    expect(refusal(result.nearLength)).toEqual([
      expect.objectContaining({
        code: 'CATALOG_LIMIT',
        message: expect.stringMatching(/keys in one mapping; at most 1,000 \(CATALOG_LIMITS\.mappingKeys\)/),
      }),
    ]);
    expect(refusal(result.overLength)).toEqual([
      expect.objectContaining({
        code: 'CATALOG_LIMIT',
        message: expect.stringMatching(/characters; at most 1,000,000 \(CATALOG_LIMITS\.sourceLength\)/),
      }),
    ]);
    expect(answers).toBeGreaterThan(10);
    expect(longestGapMs).toBeLessThan(1_000);
    const listed = await t.api('GET', '/v1/catalogs', { token });
    expect(listed.body.map((c: { name: string }) => c.name)).toEqual(['biggest']);
  }, 120_000);

  it('refuses the alias bomb with 422 INVALID_CATALOG and a finding, not a 500', async () => {
    const findings = refusal(await upload('bomb', ALIAS_BOMB));
    expect(findings[0]).toMatchObject({ code: 'CATALOG_ALIAS' });
    expect(findings[0]!.message).toMatch(/^bomb\.yaml:2:\d+: the alias \*a is not accepted in a catalog/);
  }, 30_000);

  it('refuses an alias to no anchor, and collections nested 100,000 deep, with 422 and a finding', async () => {
    expect(refusal(await upload('unresolved', 'version: 1\nproducts: *nope\n'))[0]).toMatchObject({
      code: 'CATALOG_ALIAS',
    });
    expect(refusal(await upload('deep', `${'- '.repeat(100_000)}x\n`))[0]!.message).toMatch(/CATALOG_LIMITS\.depth/);
  }, 30_000);

  it('documents the limits in the upload route of the API description', async () => {
    const openapi = (await t.api('GET', '/openapi.json')).body;
    const body = JSON.stringify(openapi.paths['/v1/catalogs'].post.requestBody);
    expect(body).toContain('CATALOG_LIMITS');
    expect(body).toContain('1,000,000 characters');
    expect(body).toContain('1,000 keys');
  });
});

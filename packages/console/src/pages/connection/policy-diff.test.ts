import { describe, expect, it } from 'vitest';
import { canonicalJson, foldUnchanged, sameDocument, sideBySide } from './policy-diff.ts';

const doc = (actions: string[]) => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }],
});

describe('the side-by-side policy diff', () => {
  it('ignores the order of keys but not of array items', () => {
    expect(sameDocument({ a: 1, b: [1, 2] }, { b: [1, 2], a: 1 })).toBe(true);
    expect(sameDocument({ b: [1, 2] }, { b: [2, 1] })).toBe(false);
    expect(canonicalJson({ b: 1, a: { d: 1, c: 2 } })).toBe('{\n  "a": {\n    "c": 2,\n    "d": 1\n  },\n  "b": 1\n}');
  });

  it('an unchanged document is all same rows, each line on both sides', () => {
    const rows = sideBySide(doc(['s3:GetObject']), doc(['s3:GetObject']));
    expect(rows.every((r) => r.kind === 'same' && r.left === r.right)).toBe(true);
    expect(rows.map((r) => r.left).join('\n')).toBe(canonicalJson(doc(['s3:GetObject'])));
  });

  it('a cut action is a removed row; a replaced one pairs the two lines in one changed row', () => {
    const cut = sideBySide(doc(['ec2:DescribeInstances', 's3:GetObject']), doc(['ec2:DescribeInstances']));
    expect(cut.filter((r) => r.kind !== 'same')).toEqual([
      { kind: 'changed', left: '        "ec2:DescribeInstances",', right: '        "ec2:DescribeInstances"' },
      { kind: 'removed', left: '        "s3:GetObject"' },
    ]);
    const swapped = sideBySide(doc(['s3:GetObject']), doc(['s3:PutObject']));
    expect(swapped.filter((r) => r.kind !== 'same')).toEqual([
      { kind: 'changed', left: '        "s3:GetObject"', right: '        "s3:PutObject"' },
    ]);
    // Both sides keep every line of their own document, in order.
    const left = cut.flatMap((r) => (r.left === undefined ? [] : [r.left])).join('\n');
    const right = cut.flatMap((r) => (r.right === undefined ? [] : [r.right])).join('\n');
    expect(left).toBe(canonicalJson(doc(['ec2:DescribeInstances', 's3:GetObject'])));
    expect(right).toBe(canonicalJson(doc(['ec2:DescribeInstances'])));
  });

  it('a policy the role lacks is all removed; one the template does not write is all added', () => {
    expect(sideBySide(doc(['s3:GetObject']), undefined).every((r) => r.kind === 'removed')).toBe(true);
    expect(sideBySide(undefined, doc(['s3:GetObject'])).every((r) => r.kind === 'added')).toBe(true);
  });
});

describe('folding unchanged lines', () => {
  const same = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ kind: 'same' as const, left: `${i}`, right: `${i}` }));
  const change = { kind: 'changed' as const, left: 'a', right: 'b' };

  it('keeps the context around each change and folds the rest, losing no row', () => {
    const rows = [...same(10), change, ...same(20), change, ...same(5)];
    const folded = foldUnchanged(rows, 3);
    expect(folded.map((r) => (r.kind === 'fold' ? `fold ${r.rows.length}` : r.kind))).toEqual([
      'fold 7',
      'same',
      'same',
      'same',
      'changed',
      'same',
      'same',
      'same',
      'fold 14',
      'same',
      'same',
      'same',
      'changed',
      'same',
      'same',
      'same',
      'same',
      'same',
    ]);
    expect(folded.flatMap((r) => (r.kind === 'fold' ? r.rows : [r]))).toEqual(rows);
  });

  it('folds nothing shorter than the context it would keep, and an unchanged document whole', () => {
    const rows = [change, ...same(7), change];
    expect(foldUnchanged(rows, 3)).toEqual(rows);
    expect(foldUnchanged(same(5), 3)).toEqual([{ kind: 'fold', rows: same(5) }]);
  });
});

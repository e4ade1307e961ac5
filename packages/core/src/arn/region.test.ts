import { describe, expect, it } from 'vitest';
import { PARTITIONS, partitionOfRegion, type Partition } from '../partition/index.ts';
import cases from './region-cases.json' with { type: 'json' };
import { REGION_PATTERN, isRegion, validateRegion } from './index.ts';

const valid = cases.valid as Array<{ region: string; partition: Partition | null; note?: string }>;

describe('REGION_PATTERN / isRegion', () => {
  it.each(valid)('accepts $region', ({ region }) => {
    expect(isRegion(region)).toBe(true);
    expect(REGION_PATTERN.test(region)).toBe(true);
  });

  it.each(cases.invalid)('refuses $region ($why)', ({ region }) => {
    expect(isRegion(region)).toBe(false);
    expect(validateRegion(region)[0]).toMatchObject({ code: 'INVALID_INPUT', path: 'region' });
  });

  it('refuses what is not a string', () => {
    for (const value of [undefined, null, 1, ['us-east-1']]) expect(isRegion(value)).toBe(false);
  });

  it('accepts the cases the old inline patterns disagreed on', () => {
    const oldCompiler = /^[a-z]{2}(?:-[a-z]+)+-\d$/;
    const oldLinkAndTrust = /^[a-z]{2}(?:-[a-z]+)+-\d+$/;
    expect(oldCompiler.test('ap-southeast-12')).toBe(false);
    expect(oldLinkAndTrust.test('eusc-de-east-1')).toBe(false);
    expect(isRegion('ap-southeast-12')).toBe(true);
    expect(isRegion('eusc-de-east-1')).toBe(true);
  });
});

describe('partitionOfRegion', () => {
  it.each(valid)('puts $region in $partition', ({ region, partition }) => {
    expect(partitionOfRegion(region)).toBe(partition ?? undefined);
  });
});

describe('validateRegion with a partition', () => {
  it.each(valid)('accepts $region only in $partition', ({ region, partition }) => {
    for (const p of PARTITIONS) {
      const findings = validateRegion(region, { partition: p, path: 'stack.region' });
      if (p === partition) expect(findings).toEqual([]);
      else
        expect(findings).toEqual([
          expect.objectContaining({ code: 'INVALID_PARTITION', severity: 'error', path: 'stack.region' }),
        ]);
    }
  });

  it('says which partition a region belongs to, or that trustgate serves none of it', () => {
    expect(validateRegion('cn-north-1', { partition: 'aws' })[0]?.message).toBe(
      'region: "cn-north-1" is a region of partition aws-cn, not aws',
    );
    expect(validateRegion('us-iso-east-1', { partition: 'aws' })[0]?.message).toMatch(
      /^region: "us-iso-east-1" is a region of a partition trustgate does not serve/,
    );
  });

  it('checks the shape before the partition', () => {
    expect(validateRegion('us-east-1a', { partition: 'aws' })[0]?.code).toBe('INVALID_INPUT');
  });
});

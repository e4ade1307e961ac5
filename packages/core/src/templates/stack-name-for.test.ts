import { describe, expect, it } from 'vitest';
import { isStackName } from '../arn/index.ts';
import { stackNameFor } from './stack-name-for.ts';

describe('stackNameFor', () => {
  it.each([
    ['Acme production', 'trustgate-Acme-production'],
    ['acme/prod (eu)', 'trustgate-acme-prod-eu'],
    ['--edge--', 'trustgate-edge'],
    ['a--b', 'trustgate-a--b'],
    ['', 'trustgate-connection'],
    ['!!!', 'trustgate-connection'],
    ['Zürich', 'trustgate-Z-rich'],
  ])('%j -> %j', (name, expected) => {
    expect(stackNameFor(name)).toBe(expected);
  });

  it('always gives a name CloudFormation accepts, cut to 110 characters', () => {
    for (const name of ['x'.repeat(500), `${'a '.repeat(80)}`, '9 lives', '-', 'ü'.repeat(200)]) {
      const stackName = stackNameFor(name);
      expect(isStackName(stackName), stackName).toBe(true);
      expect(stackName.length).toBeLessThanOrEqual(110);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { evaluate, NO_VALUE, references, type IntrinsicEnv } from './intrinsics.ts';

const env = (overrides: Partial<IntrinsicEnv> = {}): IntrinsicEnv => ({
  refs: { Env: 'prod', List: ['a', 'b'], 'AWS::Region': 'us-east-1', 'AWS::AccountId': '111122223333' },
  conditions: { IsProd: true, IsDev: false },
  mappings: { M: { prod: { Size: 3 } } },
  azs: (r) => [`${r}a`, `${r}b`],
  region: 'us-east-1',
  resourceRef: (id) => (id === 'Role' ? 'role-name' : undefined),
  resourceAttribute: (id, attr) => {
    if (id === 'Role' && attr === 'Arn') return 'arn:aws:iam::111122223333:role/role-name';
    throw new Error(`no ${id}.${attr}`);
  },
  ...overrides,
});

describe('intrinsic functions', () => {
  it('Ref resolves parameters, pseudo parameters and resources; AWS::NoValue removes the property', () => {
    expect(
      evaluate(
        { a: { Ref: 'Env' }, b: { Ref: 'Role' }, c: { Ref: 'AWS::NoValue' }, d: [{ Ref: 'AWS::NoValue' }, 1] },
        env(),
      ),
    ).toEqual({ a: 'prod', b: 'role-name', d: [1] });
    expect(() => evaluate({ Ref: 'Missing' }, env())).toThrow('Unresolved resource dependencies [Missing]');
  });

  it('Fn::Sub with ${Param}, ${Resource.Attr}, ${!Literal} and a variable map', () => {
    expect(evaluate({ 'Fn::Sub': 'arn:${AWS::Region}:${Role.Arn}:${!Keep}:${Env}' }, env())).toBe(
      'arn:us-east-1:arn:aws:iam::111122223333:role/role-name:${Keep}:prod',
    );
    expect(evaluate({ 'Fn::Sub': ['${X}-${Env}', { X: { Ref: 'Role' } }] }, env())).toBe('role-name-prod');
  });

  it('Fn::If, Fn::Equals, Fn::Not, Fn::And, Fn::Or and Condition', () => {
    expect(evaluate({ 'Fn::If': ['IsProd', 'yes', 'no'] }, env())).toBe('yes');
    expect(evaluate({ 'Fn::If': ['IsDev', 'yes', { Ref: 'AWS::NoValue' }] }, env())).toBe(NO_VALUE);
    expect(
      evaluate(
        { 'Fn::And': [{ 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] }, { 'Fn::Not': [{ Condition: 'IsDev' }] }] },
        env(),
      ),
    ).toBe(true);
    expect(evaluate({ 'Fn::Or': [{ Condition: 'IsDev' }, { 'Fn::Equals': ['a', 'b'] }] }, env())).toBe(false);
    expect(() => evaluate({ 'Fn::If': ['Nope', 1, 2] }, env())).toThrow('unresolved condition');
  });

  it('Fn::Join, Fn::Select, Fn::Split, Fn::FindInMap, Fn::GetAZs, Fn::Base64, Fn::GetAtt', () => {
    expect(evaluate({ 'Fn::Join': [',', { Ref: 'List' }] }, env())).toBe('a,b');
    expect(evaluate({ 'Fn::Select': [1, { 'Fn::Split': ['/', 'x/y/z'] }] }, env())).toBe('y');
    expect(evaluate({ 'Fn::FindInMap': ['M', { Ref: 'Env' }, 'Size'] }, env())).toBe(3);
    expect(evaluate({ 'Fn::GetAZs': '' }, env())).toEqual(['us-east-1a', 'us-east-1b']);
    expect(evaluate({ 'Fn::Base64': 'hi' }, env())).toBe('aGk=');
    expect(evaluate({ 'Fn::GetAtt': 'Role.Arn' }, env())).toBe('arn:aws:iam::111122223333:role/role-name');
    expect(() => evaluate({ 'Fn::Select': [5, ['a']] }, env())).toThrow('Fn::Select');
  });

  it('collects the logical IDs a fragment depends on', () => {
    const deps = references({
      a: { Ref: 'A' },
      b: { 'Fn::GetAtt': ['B', 'Arn'] },
      c: { 'Fn::Sub': ['${C.Arn}-${v}-${!Lit}', { v: { Ref: 'D' } }] },
      e: 'plain',
    });
    expect([...deps].sort()).toEqual(['A', 'B', 'C', 'D']);
  });
});

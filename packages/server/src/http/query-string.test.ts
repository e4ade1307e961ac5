import { describe, expect, it } from 'vitest';
import { malformedQueryParameter, parseQueryString } from './query-string.ts';

describe('parseQueryString', () => {
  it('reads pairs as find-my-way does: decoded, + as a space, a repeated key an array, no prototype', () => {
    const query = parseQueryString('a=1&b=x%20y+z&a=2&c&__proto__=p&%C3%A9=%E2%82%AC&=e');
    expect(Object.entries(query)).toEqual([
      ['a', ['1', '2']],
      ['b', 'x y z'],
      ['c', ''],
      ['__proto__', 'p'],
      ['é', '€'],
      ['', 'e'],
    ]);
    expect(Object.getPrototypeOf(query)).toBeNull();
    expect(malformedQueryParameter(query)).toBeUndefined();
    expect({ ...parseQueryString('') }).toEqual({});
  });

  it.each([
    ['action=a%ED%A0%80b', 'action'],
    ['limit=1&after=%zz', 'after'],
    ['x=%E0%A4%A', 'x'],
    ['x=%', 'x'],
    ['ok=1&%C0%AF=1', '%C0%AF'],
  ])('remembers the parameter whose percent-escape does not decode: %s names %s', (text, name) => {
    expect(malformedQueryParameter(parseQueryString(text))).toBe(name);
  });
});

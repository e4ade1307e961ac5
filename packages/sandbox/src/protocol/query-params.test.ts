import { describe, expect, it } from 'vitest';
import { QueryParams } from './query-params.ts';
import { errorXml, successXml, toXml } from './xml.ts';

describe('Query protocol parameters and XML', () => {
  it('reads flattened lists, structure lists and tags', () => {
    const p = QueryParams.parse(
      'Action=CreateRole&Tags.member.1.Key=a&Tags.member.1.Value=1&Tags.member.2.Key=b&Tags.member.2.Value=&ClientIDList.member.1=x&ClientIDList.member.2=y&Empty=',
    );
    expect(p.get('Action')).toBe('CreateRole');
    expect(p.tags()).toEqual([
      { Key: 'a', Value: '1' },
      { Key: 'b', Value: '' },
    ]);
    expect(p.list('ClientIDList')).toEqual(['x', 'y']);
    expect(p.list('Empty')).toEqual([]);
    expect(p.list('Missing')).toBeUndefined();
    expect(() => p.required('RoleName')).toThrow(
      "Value null at 'roleName' failed to satisfy constraint: Member must not be null",
    );
  });

  it('writes lists as member elements and escapes text', () => {
    expect(
      toXml('R', { A: ['x', 'y'], B: { C: 'a<b&"c"' }, D: undefined, E: new Date('2024-01-02T03:04:05.678Z') }),
    ).toBe(
      '<R><A><member>x</member><member>y</member></A><B><C>a&lt;b&amp;&quot;c&quot;</C></B><E>2024-01-02T03:04:05Z</E></R>',
    );
    expect(
      successXml({ service: 'sts', action: 'GetCallerIdentity', result: { Account: '1' }, requestId: 'r' }),
    ).toContain(
      '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Account>1</Account></GetCallerIdentityResult>',
    );
    expect(errorXml({ service: 'iam', type: 'Sender', code: 'NoSuchEntity', message: 'x', requestId: 'r' })).toContain(
      '<Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>x</Message></Error><RequestId>r</RequestId>',
    );
  });
});

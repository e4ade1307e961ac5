import { describe, expect, it } from 'vitest';
import type { Attachment } from '../../model/broker-records.ts';
import { reverificationReasons } from './update-attachment.ts';

const base: Attachment = {
  id: 'att_1',
  organizationId: 'org_1',
  stackId: 'stk_1',
  connectionId: 'con_1',
  accountIds: ['111111111111', '222222222222'],
  phases: ['read'],
  durationSeconds: 3600,
  region: null,
  readOnlySessionPolicy: false,
  sessionMode: 'per-run',
  assumeOnWorker: false,
  customExternalId: null,
  verification: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};

describe('reverificationReasons: what asks the role for more is verified again, a narrowing is not', () => {
  const cases: [string, Partial<Attachment>, string[]][] = [
    ['a phase added', { phases: ['read', 'write'] }, ['phases']],
    ['a phase swapped', { phases: ['write'] }, ['phases']],
    ['an account added', { accountIds: ['111111111111', '333333333333'] }, ['accountIds']],
    ['every account instead of a list', { accountIds: null }, ['accountIds']],
    ['a longer duration', { durationSeconds: 7200 }, ['durationSeconds']],
    ['another region', { region: 'eu-west-1' }, ['region']],
    ['the read-only policy on', { readOnlySessionPolicy: true }, ['readOnlySessionPolicy']],
    ['assume on worker', { assumeOnWorker: true }, ['assumeOnWorker']],
    ['a custom external ID', { assumeOnWorker: true, customExternalId: 'x' }, ['assumeOnWorker', 'customExternalId']],
    ['an account removed', { accountIds: ['111111111111'] }, []],
    ['a shorter duration', { durationSeconds: 900 }, []],
    ['another session mode', { sessionMode: 'shared' }, []],
    ['nothing', {}, []],
  ];
  it.each(cases)('%s', (_name, change, reasons) => {
    expect(reverificationReasons(base, { ...base, ...change })).toEqual(reasons);
  });
  it('the policy turned off and a phase removed ask nothing new', () => {
    const wide: Attachment = { ...base, phases: ['read', 'write'], readOnlySessionPolicy: true };
    expect(reverificationReasons(wide, { ...wide, phases: ['read'], readOnlySessionPolicy: false })).toEqual([]);
    expect(reverificationReasons({ ...base, accountIds: null }, { ...base, accountIds: ['111111111111'] })).toEqual([]);
  });
});

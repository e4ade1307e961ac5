import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from './test-stores.ts';
import { startTestService, type TestService, NO_AWS } from './service-harness.ts';

// Regressions of the defects found by attacking the service (issue 11), on both stores.
describe.each(DIALECTS)('attack regressions on %s', (dialect) => {
  let t: TestService;
  let token: string;
  beforeAll(async () => {
    t = await startTestService({ dialect, partitions: NO_AWS });
    token = (await t.newOrganization('Attacked')).adminToken;
  });
  afterAll(async () => t?.close());

  const create = async (name: string) => {
    const res = await t.api('POST', '/v1/connections', {
      token,
      body: { name, scope: { kind: 'account', accountId: '222222222222' } },
    });
    expect(res.status, res.text).toBe(201);
    return res.body.connection.id as string;
  };

  it('renaming a connection to a taken name is 409 CONFLICT naming the field, as creating one is, and changes nothing', async () => {
    await create('taken');
    const id = await create('mine');
    const renamed = await t.api('PATCH', `/v1/connections/${id}`, { token, body: { name: 'taken' } });
    expect(renamed.status, renamed.text).toBe(409);
    expect(renamed.body.error).toMatchObject({ code: 'CONFLICT', field: 'name' });
    const again = await t.api('POST', '/v1/connections', {
      token,
      body: { name: 'taken', scope: { kind: 'account', accountId: '222222222222' } },
    });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'CONFLICT', field: 'name' });
    expect((await t.api('GET', `/v1/connections/${id}`, { token })).body.name).toBe('mine');
  });

  it('renaming the organization is audited with the old and the new name', async () => {
    const before = (await t.api('GET', '/v1/organization', { token })).body.name as string;
    const renamed = await t.api('PATCH', '/v1/organization', { token, body: { name: 'Renamed Inc' } });
    expect(renamed.status, renamed.text).toBe(200);
    expect(renamed.body.name).toBe('Renamed Inc');
    const audit = await t.api('GET', '/v1/audit', { token });
    const event = (audit.body as { action: string; details: Record<string, unknown> }[]).find(
      (e) => e.action === 'organization.rename',
    );
    expect(event?.details).toEqual({ from: before, to: 'Renamed Inc' });
  });
});

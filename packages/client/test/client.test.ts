import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrustgateError } from '@trustgate/core';
import { NO_AWS, startTestService, type TestService } from '../../server/test/service-harness.ts';
import { createTrustgateClient, unwrap } from '../src/index.ts';

let t: TestService;
let admin: { organizationId: string; adminToken: string };
let other: { organizationId: string; adminToken: string };

beforeAll(async () => {
  t = await startTestService({ dialect: 'sqlite', partitions: NO_AWS });
  admin = await t.newOrganization('client-a');
  other = await t.newOrganization('client-b');
});
afterAll(() => t.close());

async function refusal(pending: Promise<unknown>): Promise<TrustgateError> {
  const error = await pending.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TrustgateError);
  return error as TrustgateError;
}

describe('@trustgate/client against a running service', () => {
  it('reads typed answers with the bearer token', async () => {
    const client = createTrustgateClient({ baseUrl: t.url, token: admin.adminToken });
    const me = await unwrap(client.GET('/v1/me'));
    expect(me.user.name).toBe('client-a admin');
    expect(me.token.scopes).toContain('admin');
    const space = await unwrap(client.POST('/v1/spaces', { body: { name: 'platform' } }));
    const spaces = await unwrap(client.GET('/v1/spaces'));
    expect(JSON.stringify(spaces)).toContain(space.id);
  });

  it('turns error answers into TrustgateErrors of the API\u2019s code, field and exit code, never echoing the token', async () => {
    const client = createTrustgateClient({ baseUrl: t.url, token: admin.adminToken });
    const bad = await refusal(client.POST('/v1/spaces', { body: { name: '' } }));
    expect(bad.code).toBe('INVALID_INPUT');
    expect(bad.field).toBe('name');
    expect(bad.exitCode).toBe(2);
    expect(bad.details.status).toBe(400);

    const foreignSpace = await unwrap(
      createTrustgateClient({ baseUrl: t.url, token: other.adminToken }).POST('/v1/spaces', {
        body: { name: 'theirs' },
      }),
    );
    const foreign = await refusal(
      client.DELETE('/v1/spaces/{spaceId}', { params: { path: { spaceId: foreignSpace.id } } }),
    );
    const random = await refusal(
      client.DELETE('/v1/spaces/{spaceId}', { params: { path: { spaceId: 'spc_doesnotexist' } } }),
    );
    expect(foreign.code).toBe('NOT_FOUND');
    expect(foreign.message).toBe(random.message);

    const wrongToken = `tg_${'A'.repeat(43)}`;
    const refused = await refusal(
      createTrustgateClient({ baseUrl: t.url, token: wrongToken, refusedHint: ' (check TRUSTGATE_TOKEN)' }).GET(
        '/v1/me',
      ),
    );
    expect(refused.code).toBe('UNAUTHENTICATED');
    expect(refused.message).toMatch(/check TRUSTGATE_TOKEN/);
    expect(`${refused.message}${JSON.stringify(refused.details)}`).not.toContain(wrongToken);
  });

  it('reports a service it cannot reach, or one that does not answer in time, as unavailable', async () => {
    const down = await refusal(
      createTrustgateClient({ baseUrl: 'http://127.0.0.1:9', token: admin.adminToken }).GET('/v1/me'),
    );
    expect(down.code).toBe('CREDENTIALS_UNAVAILABLE');
    expect(down.details.unreachable).toBe(true);
    expect(down.message).toContain('http://127.0.0.1:9');

    const slow = await refusal(
      createTrustgateClient({
        baseUrl: t.url,
        token: admin.adminToken,
        timeoutMs: 50,
        fetch: (request) =>
          new Promise<Response>((_resolve, reject) =>
            request.signal.addEventListener('abort', () => reject(request.signal.reason)),
          ),
      }).GET('/v1/me'),
    );
    expect(slow.code).toBe('CREDENTIALS_UNAVAILABLE');
    expect(slow.message).toMatch(/no answer within 0.05 s/);
  });
});

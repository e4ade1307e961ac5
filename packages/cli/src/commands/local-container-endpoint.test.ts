import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { ContainerCredentials } from '../service-client.ts';
import { startLocalContainerEndpoint, type LocalContainerEndpoint } from './local-container-endpoint.ts';

/** Credentials that are plainly fake, expiring `inMs` from now. */
function fakeCredentials(n: number, inMs: number): ContainerCredentials {
  return {
    AccessKeyId: `ASIAFAKE${n}`,
    SecretAccessKey: `fake-secret-${n}`,
    Token: `fake-token-${n}`,
    Expiration: new Date(Date.now() + inMs).toISOString(),
  };
}

/** A GET with chosen headers (fetch would not let a test set Host). */
function get(url: string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end();
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the local container credentials endpoint', () => {
  let endpoint: LocalContainerEndpoint | undefined;
  afterEach(async () => {
    await endpoint?.close();
    endpoint = undefined;
  });

  it('serves only a request with its authorization token and its own Host; the refusals carry no credentials', async () => {
    const initial = fakeCredentials(1, 3_600_000);
    endpoint = await startLocalContainerEndpoint({ initial, refresh: () => Promise.reject(new Error('unused')) });
    const { AWS_CONTAINER_CREDENTIALS_FULL_URI: url, AWS_CONTAINER_AUTHORIZATION_TOKEN: token } = endpoint.env;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/credentials$/);
    const host = new URL(url).host;
    const refusals = [
      await get(url, { host }),
      await get(url, { host, authorization: `${token}x` }),
      await get(url, { host, authorization: token.slice(1) }),
      await get(url, { host, authorization: `Bearer ${token}` }),
      // DNS rebinding: a page on another name that resolves to 127.0.0.1 sends its own Host.
      await get(url, { host: `attacker.example:${new URL(url).port}`, authorization: token }),
      await get(url.replace('/credentials', '/other'), { host, authorization: token }),
    ];
    expect(refusals.map((r) => r.status)).toEqual([401, 401, 401, 401, 403, 404]);
    for (const r of refusals) {
      expect(r.text.includes(initial.SecretAccessKey)).toBe(false);
      expect(JSON.parse(r.text)).toMatchObject({ Code: expect.any(String), Message: expect.any(String) });
    }
    const ok = await get(url, { host, authorization: token });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.text)).toEqual(initial);
  });

  it('refreshes ahead of expiry; while refreshing fails it serves the current credentials until they expire, then 503', async () => {
    let calls = 0;
    let failing = false;
    const errors: unknown[] = [];
    endpoint = await startLocalContainerEndpoint({
      initial: fakeCredentials(1, 1_200),
      refresh: async () => {
        calls++;
        if (failing) throw new Error('service down');
        return fakeCredentials(calls + 1, 1_200);
      },
      refreshAheadMs: 800,
      retryMs: 50,
      minRemainingMs: 0,
      onRefreshError: (e) => errors.push(e),
    });
    const { AWS_CONTAINER_CREDENTIALS_FULL_URI: url, AWS_CONTAINER_AUTHORIZATION_TOKEN: token } = endpoint.env;
    const read = async () => {
      const r = await get(url, { host: new URL(url).host, authorization: token });
      return {
        status: r.status,
        key: r.status === 200 ? (JSON.parse(r.text) as ContainerCredentials).AccessKeyId : '',
      };
    };
    expect(await read()).toEqual({ status: 200, key: 'ASIAFAKE1' });
    // Half of a 1.2 s session (600 ms, less than 800 ms ahead) later the next session is served, before the first ended.
    await sleep(800);
    expect(calls).toBe(1);
    expect(await read()).toEqual({ status: 200, key: 'ASIAFAKE2' });
    failing = true;
    await sleep(700); // the refresh at ~600 ms failed; session 2 is still valid
    expect(errors.length).toBeGreaterThan(0);
    expect(await read()).toEqual({ status: 200, key: 'ASIAFAKE2' });
    await sleep(700); // session 2 has expired and nothing replaced it
    expect(await read()).toEqual({ status: 503, key: '' });
    failing = false;
    await sleep(150); // the next retry succeeds
    expect(await read()).toMatchObject({ status: 200 });
  });

  it('after a final refusal (run over, sessions revoked) it serves nothing more, even credentials not yet expired', async () => {
    let calls = 0;
    endpoint = await startLocalContainerEndpoint({
      initial: fakeCredentials(1, 3_600_000),
      refresh: () => {
        calls++;
        return Promise.reject(new Error('refused'));
      },
      isFinal: () => true,
      minRemainingMs: 7_200_000, // every request refreshes first
    });
    const { AWS_CONTAINER_CREDENTIALS_FULL_URI: url, AWS_CONTAINER_AUTHORIZATION_TOKEN: token } = endpoint.env;
    for (let i = 0; i < 2; i++) {
      const r = await get(url, { host: new URL(url).host, authorization: token });
      expect(r.status).toBe(403);
      expect(r.text.includes('fake-secret')).toBe(false);
    }
    expect(calls).toBe(1);
  });
});

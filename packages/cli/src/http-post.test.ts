import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpPost } from './http-post.ts';
import { createServiceClient } from './service-client.ts';

let server: Server;
let base: string;
const seen: { method?: string; headers: IncomingMessage['headers']; body: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method, headers: req.headers, body });
      if (req.url === '/slow') return void setTimeout(() => res.end('{}'), 2_000);
      if (req.url === '/v1/issuances' && req.headers.authorization === 'Bearer tg_redirect')
        return void res.writeHead(302, { location: 'http://elsewhere.example/' }).end();
      res
        .writeHead(201, { 'content-type': 'application/json' })
        .end(JSON.stringify({ echo: body, long: 'é'.repeat(70_000) }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('httpPost (the CLI service client without fetch)', () => {
  it('sends the body with its length and headers, and reads the whole answer (multi-byte, several chunks)', async () => {
    const answer = await httpPost(`${base}/echo`, { 'content-type': 'application/json' }, '{"a":"ü"}', 5_000);
    expect(answer.status).toBe(201);
    const parsed = JSON.parse(answer.text) as { echo: string; long: string };
    expect(parsed.echo).toBe('{"a":"ü"}');
    expect(parsed.long).toBe('é'.repeat(70_000));
    const last = seen.at(-1)!;
    expect(last.method).toBe('POST');
    expect(last.headers['content-length']).toBe(String(Buffer.byteLength('{"a":"ü"}')));
  });

  it('gives up after the timeout with a TimeoutError, and names a refused connection by its code', async () => {
    await expect(httpPost(`${base}/slow`, {}, undefined, 200)).rejects.toMatchObject({ name: 'TimeoutError' });
    await expect(httpPost('http://127.0.0.1:9/', {}, '{}', 5_000)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('through the service client: a redirect is refused, not followed, and the token is never in the message', async () => {
    const client = createServiceClient({ url: base, env: { TRUSTGATE_TOKEN: 'tg_redirect' } });
    const error = await client.issue({ stack: 'web', phase: 'read', runId: 'run-1' }).catch((e: Error) => e);
    expect(error).toMatchObject({ code: 'CREDENTIALS_UNAVAILABLE' });
    expect((error as Error).message).toContain('unexpected redirect');
    expect((error as Error).message).not.toContain('tg_redirect');
    const slow = createServiceClient({ url: 'http://127.0.0.1:9', env: { TRUSTGATE_TOKEN: 'tg_x' } });
    await expect(slow.issue({ stack: 'web', phase: 'read', runId: 'run-1' })).rejects.toThrow(/ECONNREFUSED/);
  });
});

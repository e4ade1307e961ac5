import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CATALOG, type ErrorCode } from '@trustgate/core';
import { DIALECTS } from './test-stores.ts';
import { startTestService, type TestService } from './service-harness.ts';

/**
 * Every answer the service gives to a request it cannot use — refused by Node's HTTP parser, by Fastify's router,
 * by a body parser, or matching no route — is the documented `{ "error": { "code", "message" } }` as JSON, with the
 * status core's error catalog gives that code, a message that says what to fix, and nothing of the request echoed
 * (no URL, no header value, no stack). The parser-level cases go over a raw socket: fetch will not send them.
 */

/** One HTTP answer as received. */
interface Answer {
  status: number;
  contentType: string | undefined;
  text: string;
}

/** Writes `request` as is to the service's port and reads the answer until the server closes the connection. */
async function rawRequest(url: string, request: string): Promise<Answer> {
  const { hostname, port } = new URL(url);
  const received = await new Promise<string>((resolve, reject) => {
    const socket: Socket = connect(Number(port), hostname, () => socket.write(request));
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
    socket.setTimeout(5_000, () => socket.destroy(new Error(`no answer within 5 s; received ${JSON.stringify(text)}`)));
  });
  const [head = '', ...rest] = received.split('\r\n\r\n');
  const [statusLine = '', ...headerLines] = head.split('\r\n');
  const headers = new Map(
    headerLines.map((line) => [
      line.slice(0, line.indexOf(':')).toLowerCase(),
      line.slice(line.indexOf(':') + 1).trim(),
    ]),
  );
  const text = rest.join('\r\n\r\n');
  if (headers.has('content-length'))
    expect(Buffer.byteLength(text), `Content-Length of ${JSON.stringify(received)}`).toBe(
      Number(headers.get('content-length')),
    );
  return {
    status: Number(/^HTTP\/1\.1 (\d{3}) /.exec(statusLine)?.[1]),
    contentType: headers.get('content-type'),
    text,
  };
}

async function fetchAnswer(
  t: TestService,
  method: string,
  path: string,
  options: Parameters<TestService['api']>[2] = {},
): Promise<Answer> {
  const res = await t.api(method, path, options);
  return { status: res.status, contentType: res.headers.get('content-type') ?? undefined, text: res.text };
}

/** Checks the documented shape and returns the message. */
function expectErrorAnswer(
  answer: Answer,
  expected: { code: ErrorCode; says: RegExp; echoes: string[] },
  what: string,
): void {
  const context = `${what} -> ${answer.status} ${answer.contentType} ${answer.text}`;
  expect(answer.status, context).toBe(ERROR_CATALOG[expected.code]?.http);
  expect(answer.contentType, context).toMatch(/^application\/json\b/);
  const body = JSON.parse(answer.text) as { error: { code: string; message: string } };
  expect(Object.keys(body), context).toEqual(['error']);
  expect(Object.keys(body.error).sort(), context).toEqual(['code', 'message']);
  expect(body.error.code, context).toBe(expected.code);
  expect(body.error.message, context).toMatch(expected.says);
  for (const echoed of expected.echoes) expect(answer.text, context).not.toContain(echoed);
  expect(answer.text, context).not.toMatch(/FST_|HPE_|\bat .+:\d+:\d+|stack/i);
}

describe.each(DIALECTS)('error answers on %s', (dialect) => {
  let t: TestService;
  let token: string;
  let host: string;
  beforeAll(async () => {
    t = await startTestService({ dialect, partitions: {} });
    token = (await t.newOrganization('Answers')).adminToken;
    host = new URL(t.url).host;
  });
  afterAll(async () => t?.close());

  it("refuses a path parameter over the router's limit as INVALID_INPUT, before authentication, without echoing it", async () => {
    const long = `x${'a'.repeat(100)}`;
    for (const auth of [{}, { token }]) {
      const answer = await fetchAnswer(t, 'GET', `/v1/connections/${long}`, auth);
      expectErrorAnswer(
        answer,
        {
          code: 'INVALID_INPUT',
          says: /path parameter.*100 characters/,
          echoes: [long.slice(0, 40), '/v1/connections'],
        },
        'GET /v1/connections/<101 characters>',
      );
    }
  });

  it('refuses a malformed percent-escape in the path as INVALID_INPUT without echoing the URL', async () => {
    for (const path of ['/v1/connections/%zz', '/v1/connections/%E0%A4%A', '/v1/users/abc%']) {
      const answer = await fetchAnswer(t, 'GET', path, { token });
      expectErrorAnswer(
        answer,
        { code: 'INVALID_INPUT', says: /percent-escape/, echoes: [path, path.slice(path.lastIndexOf('/'))] },
        `GET ${path}`,
      );
    }
  });

  it("answers an unknown route and a method a route does not take with NOT_FOUND pointing at the API's list of routes", async () => {
    for (const [method, path] of [
      ['GET', '/v1/nowhere-to-be-found'],
      ['PUT', '/v1/connections'],
      ['PATCH', '/v1/tokens'],
    ] as const) {
      const answer = await fetchAnswer(t, method, path, { token });
      expectErrorAnswer(answer, { code: 'NOT_FOUND', says: /\/openapi\.json/, echoes: [path] }, `${method} ${path}`);
    }
  });

  it('refuses a body that is not JSON by its content type with UNSUPPORTED_MEDIA_TYPE (415), after authentication', async () => {
    for (const contentType of ['application/xml', 'application/x-www-form-urlencoded']) {
      const answer = await fetchAnswer(t, 'POST', '/v1/spaces', { token, rawBody: '<space name="x"/>', contentType });
      expectErrorAnswer(
        answer,
        { code: 'UNSUPPORTED_MEDIA_TYPE', says: /Content-Type: application\/json/, echoes: [contentType, '<space'] },
        `POST /v1/spaces as ${contentType}`,
      );
    }
    expect(
      (await fetchAnswer(t, 'POST', '/v1/spaces', { rawBody: '<x/>', contentType: 'application/xml' })).status,
    ).toBe(401);
  });

  it('refuses an empty or malformed JSON body and a body over the limit, naming the limit', async () => {
    for (const rawBody of ['', '{"name":', '{"__proto__":{"admin":true}}']) {
      const answer = await fetchAnswer(t, 'POST', '/v1/spaces', { token, rawBody, contentType: 'application/json' });
      expectErrorAnswer(
        answer,
        { code: 'INVALID_INPUT', says: /^The request body is not valid JSON\.$/, echoes: ['"name":', '__proto__'] },
        `POST /v1/spaces ${JSON.stringify(rawBody)}`,
      );
    }
    const tooLarge = await fetchAnswer(t, 'POST', '/v1/spaces', { token, body: { name: 'x'.repeat(1024 * 1024) } });
    expectErrorAnswer(
      tooLarge,
      { code: 'PAYLOAD_TOO_LARGE', says: /1 MiB/, echoes: ['xxxxxxxx'] },
      'POST /v1/spaces with 1 MiB',
    );
  });

  it("answers a control character in the Authorization header, refused by Node's parser, with INVALID_INPUT and never the header's value", async () => {
    for (const [value, secret] of [
      [`Bearer tg_se\x01cret${'s'.repeat(20)}`, `cret${'s'.repeat(20)}`],
      [`Bearer tg_del\x7fsecret-value`, 'secret-value'],
      ['Bearer tg_cr\rsecret-after-cr', 'secret-after-cr'],
    ] as const) {
      const answer = await rawRequest(
        t.url,
        `GET /v1/connections HTTP/1.1\r\nHost: ${host}\r\nAuthorization: ${value}\r\nConnection: close\r\n\r\n`,
      );
      expectErrorAnswer(
        answer,
        { code: 'INVALID_INPUT', says: /header.*(control character|line break)/, echoes: [secret, 'tg_', 'Bearer'] },
        `Authorization: ${JSON.stringify(value)}`,
      );
    }
  });

  it("answers a URL over 16 KB, refused by Node's parser, with HEADERS_TOO_LARGE (431) and never the URL", async () => {
    const query = `filter=${'q'.repeat(17 * 1024)}`;
    const answer = await rawRequest(
      t.url,
      `GET /v1/connections?${query} HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${token}\r\nConnection: close\r\n\r\n`,
    );
    expectErrorAnswer(
      answer,
      { code: 'HEADERS_TOO_LARGE', says: /16 KB/, echoes: ['qqqqqqqq', token] },
      'GET /v1/connections?<17 KB>',
    );
  });

  it("answers other requests Node's parser refuses (bad method, bad Content-Length, no Host) in the same shape", async () => {
    const cases: [string, string, RegExp][] = [
      ['method', `G@T /v1/connections HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`, /method/],
      [
        'Content-Length',
        `POST /v1/spaces HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 5\r\nContent-Length: 6\r\nConnection: close\r\n\r\nabcde`,
        /Content-Length/,
      ],
      [
        'Host',
        `GET /v1/connections HTTP/1.1\r\nAuthorization: Bearer ${token}\r\nConnection: close\r\n\r\n`,
        /Host header/,
      ],
    ];
    for (const [what, request, says] of cases)
      expectErrorAnswer(
        await rawRequest(t.url, request),
        { code: 'INVALID_INPUT', says, echoes: [token, 'G@T'] },
        what,
      );
  });

  it("answers a request whose headers did not arrive in time (Node's ERR_HTTP_REQUEST_TIMEOUT) with REQUEST_TIMEOUT (408)", async () => {
    // Node's headersTimeout (60 s, checked every 30 s) emits exactly this clientError on the connection's socket.
    const server = t.service.app.server;
    const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));
    const { hostname, port } = new URL(t.url);
    const client = connect(Number(port), hostname, () =>
      client.write(`GET /v1/connections HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${token}\r\n`),
    );
    let text = '';
    client.setEncoding('utf8');
    client.on('data', (chunk: string) => (text += chunk));
    const closed = new Promise<void>((resolve) => client.on('close', () => resolve()));
    const socket = await accepted;
    await new Promise((r) => setTimeout(r, 50));
    server.emit(
      'clientError',
      Object.assign(new Error('Request timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' }),
      socket,
    );
    await closed;
    const [head = '', body = ''] = text.split('\r\n\r\n');
    const answer: Answer = {
      status: Number(/^HTTP\/1\.1 (\d{3}) /.exec(head)?.[1]),
      contentType: /\r\ncontent-type: ([^\r]+)/i.exec(head)?.[1],
      text: body,
    };
    expectErrorAnswer(
      answer,
      { code: 'REQUEST_TIMEOUT', says: /send the request again/, echoes: [token] },
      'headers timeout',
    );
  });
});

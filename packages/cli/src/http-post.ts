import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** A service's answer: the status and the body as text. */
export interface PostAnswer {
  status: number;
  text: string;
}

/**
 * POSTs `body` to `url` with node:http(s) and reads the whole answer, on a connection of its own (closed after it,
 * so nothing keeps the process alive). Not fetch: on Node 20 fetch's first call loads undici and compiles its HTTP
 * parser, about 150 ms and 40 MiB, which `credential_process = trustgate creds ...` would pay on every AWS call.
 * Rejects with the socket's error (its `code`, e.g. ECONNREFUSED), or with an Error named `TimeoutError` when the
 * whole exchange takes longer than `timeoutMs`.
 */
export function httpPost(
  url: string,
  headers: Readonly<Record<string, string>>,
  body: string | undefined,
  timeoutMs: number,
): Promise<PostAnswer> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const send = target.protocol === 'https:' ? httpsRequest : target.protocol === 'http:' ? httpRequest : undefined;
    if (send === undefined) {
      reject(new Error(`unsupported protocol ${target.protocol}`));
      return;
    }
    const payload = body === undefined ? undefined : Buffer.from(body, 'utf8');
    const req = send(target, {
      method: 'POST',
      agent: false,
      headers: {
        ...headers,
        connection: 'close',
        'content-length': String(payload?.length ?? 0),
      },
    });
    const timer = setTimeout(() => {
      const timeout = new Error(`no answer within ${timeoutMs} ms`);
      timeout.name = 'TimeoutError';
      req.destroy(timeout);
    }, timeoutMs);
    const fail = (error: Error): void => {
      clearTimeout(timer);
      reject(error);
    };
    req.on('error', fail);
    req.on('response', (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', fail);
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
      });
    });
    req.end(payload);
  });
}

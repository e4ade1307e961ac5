import { connect } from 'node:net';

/** A request written byte for byte to the service's socket (no client normalizes or refuses anything on the way). */
export interface RawRequest {
  method: string;
  /** The request target as sent: percent-escapes, bad ones included, are not touched. */
  target: string;
  headers: Record<string, string>;
  body?: Buffer | string;
}

/** The answer as received. */
export interface RawAnswer {
  status: number;
  headers: Map<string, string>;
  text: string;
}

function decodeChunked(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', at);
    if (lineEnd < 0) break;
    const size = Number.parseInt(body.subarray(at, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

/**
 * Sends one request with `Connection: close` and reads the answer until the server closes the connection (bounded
 * by 10 s). A connection the server resets before answering is an answer of status 0.
 */
export async function sendRaw(origin: string, request: RawRequest): Promise<RawAnswer> {
  const { hostname, port } = new URL(origin);
  const body = request.body === undefined ? undefined : Buffer.from(request.body);
  const headerLines = [
    `${request.method} ${request.target} HTTP/1.1`,
    `Host: ${hostname}:${port}`,
    'Connection: close',
    ...Object.entries(request.headers).map(([k, v]) => `${k}: ${v}`),
    ...(body === undefined ? [] : [`Content-Length: ${body.length}`]),
    '',
    '',
  ].join('\r\n');
  const received = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(Number(port), hostname, () => {
      socket.write(Buffer.from(headerLines, 'latin1'));
      if (body !== undefined) socket.write(body);
    });
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('close', () => resolve(Buffer.concat(chunks)));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // The server may close while a large request is still being written, after answering it.
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') resolve(Buffer.concat(chunks));
      else reject(error);
    });
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer within 10 s')));
  });
  const split = received.indexOf('\r\n\r\n');
  if (split < 0) return { status: 0, headers: new Map(), text: received.toString('utf8') };
  const [statusLine = '', ...lines] = received.subarray(0, split).toString('latin1').split('\r\n');
  const headers = new Map(
    lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
  );
  let rest = received.subarray(split + 4);
  if (headers.get('transfer-encoding') === 'chunked') rest = decodeChunked(rest);
  return { status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0), headers, text: rest.toString('utf8') };
}

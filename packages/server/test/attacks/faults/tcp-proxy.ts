import { createConnection, createServer, type Server, type Socket } from 'node:net';

/** A TCP proxy the test owns, in front of a shared server (PostgreSQL, Redis, the sandbox) that must not be stopped. */
export interface TcpProxy {
  /** `127.0.0.1:<port>` the proxy listens on. */
  host: string;
  port: number;
  /**
   * The upstream goes away: every open connection is reset and new ones are reset on arrival (as a stopped server's
   * port refuses), until {@link TcpProxy.restore}. The proxy keeps its port, so clients find it again.
   */
  cut(): void;
  /** Connections are forwarded again. */
  restore(): void;
  /** Connections accepted so far (to prove the service went through the proxy). */
  accepted(): number;
  close(): Promise<void>;
}

/**
 * Starts a proxy on a free loopback port forwarding every connection to `target` byte for byte (`node:net`), which
 * a test can cut and restore. Stopping the machine's PostgreSQL or Redis would break every other test running
 * beside; cutting the proxy is the same outage for the one service pointed at it.
 */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const open = new Set<Socket>();
  let down = false;
  let accepted = 0;
  const server: Server = createServer((client) => {
    accepted += 1;
    client.on('error', () => undefined);
    if (down) {
      client.resetAndDestroy();
      return;
    }
    const upstream = createConnection(target);
    open.add(client);
    open.add(upstream);
    const drop = () => {
      open.delete(client);
      open.delete(upstream);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the proxy has no TCP address');
  return {
    host: '127.0.0.1',
    port: address.port,
    cut() {
      down = true;
      for (const socket of open) socket.resetAndDestroy();
      open.clear();
    },
    restore() {
      down = false;
    },
    accepted: () => accepted,
    async close() {
      for (const socket of open) socket.destroy();
      open.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

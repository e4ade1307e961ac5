import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A running `moto_server` (an independent AWS emulator from the machine's PATH) on a free loopback port. */
export interface MotoServer {
  endpoint: string;
  /** Forget every resource (moto's reset API). */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/** Options of {@link startMoto}. */
export interface StartMotoOptions {
  /**
   * Load AWS managed policies (ReadOnlyAccess, service-role/AmazonEC2SpotFleetTaggingRole, ...), which moto
   * has only when asked for (`MOTO_IAM_LOAD_MANAGED_POLICIES=true`). Default false: it slows the start.
   */
  managedPolicies?: boolean;
}

/**
 * Starts `moto_server -H 127.0.0.1 -p PORT` and waits until it answers; throws (with its stderr) if it
 * exits or does not answer within a minute.
 */
export async function startMoto(options: StartMotoOptions = {}): Promise<MotoServer> {
  const port = await freePort();
  const env = options.managedPolicies ? { ...process.env, MOTO_IAM_LOAD_MANAGED_POLICIES: 'true' } : process.env;
  const child: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env,
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited: ${stderr}`);
    try {
      const r = await fetch(`${endpoint}/moto-api/`);
      await r.arrayBuffer();
      if (r.status < 500) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGTERM');
      throw new Error(`moto_server did not answer within 60 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    endpoint,
    async reset() {
      const r = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      await r.arrayBuffer();
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

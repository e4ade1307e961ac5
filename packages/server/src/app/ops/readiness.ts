/** What readiness asks of the store: its pending migrations, which also proves it answers. */
export interface ReadinessStorePort {
  pendingMigrations(): Promise<string[]>;
}

/** What readiness asks of Redis, where the service uses one: an answer to PING. */
export interface ReadinessRedisPort {
  ping(): Promise<void>;
}

/** The ports of {@link checkReadiness}. */
export interface ReadinessPorts {
  store: ReadinessStorePort;
  /** Present only when Redis is configured. */
  redis?: ReadinessRedisPort;
}

/** One check of {@link checkReadiness}. */
export interface ReadinessCheck {
  name: 'store' | 'migrations' | 'redis';
  ok: boolean;
  /** What is wrong (and what to do), or what was found. */
  message: string;
}

/** The answer of `/readyz`. */
export interface Readiness {
  ready: boolean;
  checks: ReadinessCheck[];
}

/** Default bound of each check: a load balancer's probe must get an answer, not hang on a dead peer. */
export const READINESS_TIMEOUT_MS = 2_000;

/** `work`, or a rejection naming `what` once `ms` passed without an answer. */
async function within<T>(what: string, ms: number, work: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} gave no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The error's message only (a driver's error may carry a connection string in other fields: never shown). */
function reasonOf(error: unknown): string {
  const e = error as { message?: unknown; code?: unknown };
  const message = typeof e?.message === 'string' && e.message !== '' ? e.message : String(error);
  const code = typeof e?.code === 'string' && !message.includes(e.code) ? ` (${e.code})` : '';
  return `${message}${code}`.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s@/]*@/gi, (m) => m.replace(/\/\/[^@]*@/, '//***@'));
}

/**
 * Whether this instance can serve (`/readyz`, for load balancers and orchestrators): the store answers, every
 * migration of this version is applied, and Redis answers where it is configured. The checks run at once, each
 * bounded by `timeoutMs`; a check that fails says what is wrong. Liveness (`/healthz`) asks nothing of them.
 */
export async function checkReadiness(ports: ReadinessPorts, options: { timeoutMs?: number } = {}): Promise<Readiness> {
  const ms = options.timeoutMs ?? READINESS_TIMEOUT_MS;
  const storeChecks = async (): Promise<ReadinessCheck[]> => {
    let pending: string[];
    try {
      pending = await within('the store', ms, () => ports.store.pendingMigrations());
    } catch (error) {
      return [
        { name: 'store', ok: false, message: `The store is unreachable: ${reasonOf(error)}.` },
        { name: 'migrations', ok: false, message: 'Unknown: the store is unreachable.' },
      ];
    }
    const migrations: ReadinessCheck =
      pending.length === 0
        ? { name: 'migrations', ok: true, message: 'Every migration is applied.' }
        : {
            name: 'migrations',
            ok: false,
            message: `${pending.length} migration(s) not applied: ${pending.join(', ')}. Start trustgate once against this store to apply them.`,
          };
    return [{ name: 'store', ok: true, message: 'The store answers.' }, migrations];
  };
  const redisCheck = async (redis: ReadinessRedisPort): Promise<ReadinessCheck> => {
    try {
      await within('Redis', ms, () => redis.ping());
      return { name: 'redis', ok: true, message: 'Redis answers.' };
    } catch (error) {
      return { name: 'redis', ok: false, message: `Redis is unreachable: ${reasonOf(error)}.` };
    }
  };
  const [store, redis] = await Promise.all([
    storeChecks(),
    ports.redis === undefined ? Promise.resolve([]) : redisCheck(ports.redis).then((c) => [c]),
  ]);
  const checks = [...store, ...redis];
  return { ready: checks.every((c) => c.ok), checks };
}

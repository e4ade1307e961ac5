import { DEFAULT_DATABASE_FILE } from '@trustgate/server';
import { ENV_SETTINGS, type TrustgateConfig } from './config-schema.ts';
import { DEFAULT_SHUTDOWN_GRACE_MS } from '../commands/serve-shutdown.ts';

/** What a secret is printed as. */
export const REDACTED = '(set, redacted)';

/** A URL with its password (and a user name alone) replaced by `***`; other text as is. */
export function redactUrl(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/)([^@/]*)@/i, '$1***@');
}

/**
 * The effective configuration for people: serve's defaults filled in (store, listen, aws.mode, sts pace, log level, shutdown grace),
 * every secret ({@link ENV_SETTINGS} marked secret) replaced by {@link REDACTED}, and passwords in URLs by `***`.
 */
export function effectiveForShow(config: TrustgateConfig): TrustgateConfig {
  const shown = structuredClone(config);
  shown.store = { ...shown.store, url: redactUrl(shown.store?.url ?? DEFAULT_DATABASE_FILE) };
  shown.listen = { host: '127.0.0.1', port: 8080, ...shown.listen };
  shown.aws = { mode: 'sandbox', ...shown.aws };
  shown.sts = { ratePerSecond: 50, ...shown.sts };
  shown.log = { level: 'warn', ...shown.log };
  shown.shutdown = { graceMs: DEFAULT_SHUTDOWN_GRACE_MS, ...shown.shutdown };
  if (shown.cache?.redisUrl !== undefined) shown.cache.redisUrl = redactUrl(shown.cache.redisUrl);
  for (const setting of ENV_SETTINGS.filter((s) => s.secret === true)) {
    let node: Record<string, unknown> = shown as Record<string, unknown>;
    for (const key of setting.path.slice(0, -1)) node = (node[key] ?? {}) as Record<string, unknown>;
    const last = setting.path[setting.path.length - 1]!;
    if (node[last] !== undefined) node[last] = REDACTED;
  }
  return shown;
}

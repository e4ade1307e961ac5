import { partitionInfo, type Partition } from '@trustgate/core';
import { openStore, DEFAULT_DATABASE_FILE } from '@trustgate/server';
import type { PartitionConfig, TrustgateConfig } from '../config/config-schema.ts';
import { redactUrl } from '../config/redact-config.ts';
import { describeSource, regionOf, whoAmI } from '../config/platform-identity.ts';
import { decodeKey } from '../commands/cache-options.ts';
import { readFile } from 'node:fs/promises';

/** What one check found: ok with a detail, or a problem and how to fix it. */
export type CheckResult = { ok: true; detail: string } | { ok: false; problem: string; fix: string };

/** One check of `trustgate doctor`: its title and how to run it. */
export interface DoctorCheck {
  title: string;
  run(): Promise<CheckResult>;
}

const ok = (detail: string): CheckResult => ({ ok: true, detail });
const fail = (problem: string, fix: string): CheckResult => ({ ok: false, problem, fix });
/** An error's message, with its cause's (a driver's "connection refused" under the store's own message). */
const messageOf = (error: unknown): string => {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? error.cause.message : undefined;
  return cause === undefined || error.message.includes(cause) ? error.message : `${error.message} (${cause})`;
};

/** Fetch with a bound: an address that never answers is a failure after `ms`, not a hang. */
async function fetchBounded(url: string, init: RequestInit = {}, ms = 5_000): Promise<Response> {
  return fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(ms) });
}

function storeCheck(config: TrustgateConfig): DoctorCheck {
  const url = config.store?.url ?? DEFAULT_DATABASE_FILE;
  return {
    title: `store ${redactUrl(url)}`,
    async run() {
      try {
        // Opened without migrating: the doctor reads, it does not change the schema.
        const store = await openStore({
          url,
          ...(config.store?.schema === undefined ? {} : { schema: config.store.schema }),
          poolSize: 1,
          migrate: false,
        });
        try {
          const pending = await store.pendingMigrations();
          if (pending.length > 0)
            return fail(
              `reachable (${store.dialect}), but ${pending.length} migration(s) not applied: ${pending.join(', ')}`,
              'start trustgate serve once with this configuration: it applies pending migrations at start (one instance at a time, under a lock).',
            );
          return ok(`reachable (${store.dialect}), migrations applied`);
        } finally {
          await store.close();
        }
      } catch (error) {
        return fail(
          `cannot open the store: ${messageOf(error)}`,
          url.startsWith('postgres')
            ? 'check store.url (TRUSTGATE_STORE_URL): is PostgreSQL running at that host and port, does the database exist, may that user connect?'
            : 'check store.url (TRUSTGATE_STORE_URL): the SQLite file must be in a folder this user can write to.',
        );
      }
    },
  };
}

function redisCheck(config: TrustgateConfig): DoctorCheck | undefined {
  const c = config.cache;
  if (c?.redisUrl === undefined) return undefined;
  const redisUrl = c.redisUrl;
  return {
    title: `Redis cache ${redactUrl(redisUrl)}`,
    async run() {
      let keyText = c.key;
      if (c.keyFile !== undefined) {
        try {
          keyText = await readFile(c.keyFile, 'utf8');
        } catch {
          return fail(`cannot read cache.keyFile ${c.keyFile}`, 'make the file readable by this user (mode 0600).');
        }
      }
      if (keyText === undefined || decodeKey(keyText) === undefined)
        return fail(
          'the cache key is missing or not 32 bytes',
          'set TRUSTGATE_CACHE_KEY or cache.keyFile to 32 bytes as base64 or hex (openssl rand -base64 32), the same on every instance.',
        );
      const { createClient } = await import('redis');
      const client = createClient({ url: redisUrl, socket: { connectTimeout: 3_000, reconnectStrategy: false } });
      client.on('error', () => undefined);
      try {
        await client.connect();
        const pong = await client.ping();
        return ok(`reachable (PING ${pong}), key of 32 bytes`);
      } catch (error) {
        return fail(
          `cannot reach Redis: ${messageOf(error)}`,
          'check cache.redisUrl (TRUSTGATE_CACHE_REDIS_URL): is Redis running there, and its password in the URL right?',
        );
      } finally {
        if (client.isOpen) await client.quit();
      }
    },
  };
}

/** The partitions the service runs with: the configured ones, else (as serve does) `aws` by the default chain. */
function partitionsOf(config: TrustgateConfig): [Partition, PartitionConfig][] {
  const configured = Object.entries(config.aws?.partitions ?? {}) as [Partition, PartitionConfig][];
  return configured.length > 0 ? configured : [['aws', {}]];
}

function identityChecks(config: TrustgateConfig): DoctorCheck[] {
  const mode = config.aws?.mode ?? 'sandbox';
  if (mode === 'sandbox')
    return [
      {
        title: 'AWS',
        run: async () => ok('aws.mode sandbox: serve starts the AWS sandbox in-process (set aws.mode default for AWS)'),
      },
    ];
  return partitionsOf(config).flatMap(([partition, p]) => {
    const regions = p.stsRegions ?? [regionOf(partition, p)];
    const checks: DoctorCheck[] = [];
    const identity = { ok: mode === 'none' };
    if (mode === 'default')
      checks.push({
        title: `platform identity in ${partition} (${describeSource(p)})`,
        async run() {
          try {
            const me = await whoAmI(partition, p);
            identity.ok = true;
            return ok(`${me.arn} (account ${me.accountId})`);
          } catch (error) {
            return fail(
              messageOf(error),
              p.profile !== undefined
                ? `check that profile ${p.profile} exists in ~/.aws/config or ~/.aws/credentials (AWS_CONFIG_FILE) and its keys are valid.`
                : p.webIdentity !== undefined
                  ? `check that ${p.webIdentity.tokenFile} holds a current token and ${p.webIdentity.roleArn} trusts its issuer.`
                  : `give the service credentials (AWS_PROFILE, AWS_ACCESS_KEY_ID, an instance role) or set aws.partitions.${partition}.profile.`,
            );
          }
        },
      });
    for (const region of regions)
      checks.push({
        title: `STS in ${region} (${partition})`,
        async run() {
          try {
            if (mode === 'default' && identity.ok) {
              await whoAmI(partition, p, region);
              return ok('reachable, the platform identity is valid there');
            }
            // No identity to sign with: any HTTP answer shows the endpoint is reachable.
            const url = p.endpoint ?? `https://sts.${region}.${partitionInfo(partition).dnsSuffix}/`;
            const res = await fetchBounded(url);
            return ok(
              `reachable (HTTP ${res.status})${mode === 'default' ? '; the identity was not usable (above)' : ''}`,
            );
          } catch (error) {
            return fail(
              `STS is not reachable in ${region}: ${messageOf(error)}`,
              `allow outbound HTTPS to sts.${region}.${partitionInfo(partition).dnsSuffix}, and enable the region in the account if it is opt-in; or drop it from aws.partitions.${partition}.stsRegions.`,
            );
          }
        },
      });
    return checks;
  });
}

function oidcCheck(config: TrustgateConfig): DoctorCheck | undefined {
  const issuer = config.oidc?.issuer;
  if (issuer === undefined) return undefined;
  return {
    title: `OIDC issuer ${issuer}`,
    async run() {
      const fix =
        "the issuer URL must serve this service's /.well-known/openid-configuration and JWKS over https (DNS and a TLS front pointing at publicUrl), and TRUSTGATE_IDENTITY_KEY must be set.";
      const key = config.oidc?.key;
      if (key === undefined || decodeKey(key) === undefined)
        return fail('TRUSTGATE_IDENTITY_KEY is missing or not 32 bytes', `${fix} (openssl rand -base64 32)`);
      try {
        const res = await fetchBounded(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
        if (!res.ok) return fail(`the discovery document answered HTTP ${res.status}`, fix);
        const doc = (await res.json()) as { issuer?: unknown; jwks_uri?: unknown };
        if (doc.issuer !== issuer.replace(/\/$/, ''))
          return fail(`the discovery document names issuer ${String(doc.issuer)}`, fix);
        const jwks = await fetchBounded(String(doc.jwks_uri));
        const keys = ((await jwks.json()) as { keys?: unknown[] }).keys ?? [];
        return ok(`discovery document and JWKS served (${keys.length} key(s))`);
      } catch (error) {
        return fail(`cannot read the discovery document: ${messageOf(error)}`, fix);
      }
    },
  };
}

function callbackCheck(config: TrustgateConfig): DoctorCheck {
  const base = (
    config.publicUrl ?? `http://${config.listen?.host ?? '127.0.0.1'}:${config.listen?.port ?? 8080}`
  ).replace(/\/$/, '');
  const url = `${base}/v1/callbacks/cloudformation`;
  return {
    title: `callback route ${url}`,
    async run() {
      try {
        // An empty notification: the route refuses it (4xx) and thereby shows it is there and is trustgate's.
        const res = await fetchBounded(url, {
          method: 'POST',
          headers: { 'content-type': 'text/plain' },
          body: '{}',
        });
        if (res.status === 404 || res.status >= 500)
          return fail(
            `the route answered HTTP ${res.status}`,
            'publicUrl must reach this service (no proxy path rewriting).',
          );
        return ok(`answered (HTTP ${res.status} to an empty notification, as expected)`);
      } catch (error) {
        return fail(
          `cannot reach the service: ${messageOf(error)}`,
          'start trustgate serve with this configuration, and set publicUrl (TRUSTGATE_PUBLIC_URL) to the URL SNS and customers reach it at.',
        );
      }
    },
  };
}

/** The checks of a configuration, in order: store, Redis, each platform identity, STS per region, OIDC, callbacks. */
export function doctorChecks(config: TrustgateConfig): DoctorCheck[] {
  return [
    storeCheck(config),
    redisCheck(config),
    ...identityChecks(config),
    oidcCheck(config),
    callbackCheck(config),
  ].filter((check): check is DoctorCheck => check !== undefined);
}

import { z } from 'zod';
import { PARTITIONS, REGION_PATTERN } from '@trustgate/core';

/**
 * trustgate's service configuration (issue 15): one zod schema for the YAML file (`--config FILE` or
 * TRUSTGATE_CONFIG_FILE) and the TRUSTGATE_* environment variables of {@link ENV_SETTINGS}, which win over the file.
 * Every object is strict, so an unknown key is refused by name. Secrets (the operator token, the cache key, the
 * OIDC issuer's key) are never read from the file: from their environment variables, or from a `*File` setting.
 */

const region = z.string().regex(REGION_PATTERN, { message: 'an AWS region such as us-east-1' });
const seconds = z.number().int().positive();
const url = (schemes: readonly string[], what: string) =>
  z.string().refine(
    (text) => {
      try {
        return schemes.includes(new URL(text).protocol.replace(/:$/, ''));
      } catch {
        return false;
      }
    },
    { message: what },
  );

/** One partition's platform identity and AWS settings. */
const partitionSchema = z
  .strictObject({
    /** A profile of ~/.aws/config (or AWS_CONFIG_FILE); neither this nor webIdentity: the SDK's default chain. */
    profile: z.string().min(1).optional(),
    /** AssumeRoleWithWebIdentity with a token file (EKS IRSA, GitHub OIDC): the platform identity is that role. */
    webIdentity: z.strictObject({ roleArn: z.string().startsWith('arn:'), tokenFile: z.string().min(1) }).optional(),
    /** The region STS is called in when a connection names none; default the partition's default region. */
    region: region.optional(),
    /** The regions the platform calls STS in (doctor checks each); default [region]. */
    stsRegions: z.array(region).min(1).optional(),
    /** An endpoint override for every AWS service (a sandbox, moto); default AWS's own. */
    endpoint: url(['http', 'https'], 'an http(s) URL').optional(),
    /** The platform role customers' trust policies name; default the account root. */
    platformRoleArn: z.string().startsWith('arn:').optional(),
    /** The SNS topic automatic-mode templates report to. */
    callbackTopic: z.string().startsWith('arn:').optional(),
    /** A private S3 bucket templates are published to (quick-create links carry presigned URLs). */
    templateBucket: z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { message: 'an S3 bucket name' })
      .optional(),
  })
  .refine((p) => p.profile === undefined || p.webIdentity === undefined, {
    message: 'give profile or webIdentity, not both',
    path: ['profile'],
  });

/** The configuration's schema; see README "Running in production" for each setting. */
export const configSchema = z.strictObject({
  store: z
    .strictObject({
      /** SQLite file, or postgres://user@host:5432/db. */
      url: z.string().min(1).optional(),
      /** PostgreSQL schema (search_path). */
      schema: z.string().min(1).optional(),
      /** PostgreSQL pool size per instance. */
      poolSize: z.number().int().min(1).max(1000).optional(),
    })
    .optional(),
  listen: z
    .strictObject({ host: z.string().min(1).optional(), port: z.number().int().min(0).max(65_535).optional() })
    .optional(),
  publicUrl: url(['http', 'https'], 'an http(s) URL').optional(),
  aws: z
    .strictObject({
      mode: z.enum(['sandbox', 'default', 'none']).optional(),
      partitions: z.partialRecord(z.enum(PARTITIONS), partitionSchema).optional(),
    })
    .optional(),
  sts: z.strictObject({ ratePerSecond: z.number().positive().max(10_000).optional() }).optional(),
  cache: z
    .strictObject({
      redisUrl: url(['redis', 'rediss'], 'a redis:// or rediss:// URL').optional(),
      keyFile: z.string().min(1).optional(),
      /** Secret, environment only (TRUSTGATE_CACHE_KEY). */
      key: z.string().min(1).optional(),
      /** Secret, environment only (TRUSTGATE_CACHE_PREVIOUS_KEYS): keys of before a rotation, read, never written. */
      previousKeys: z.array(z.string().min(1)).optional(),
      /** A cached session with less left than this is refreshed. */
      refreshAheadSeconds: seconds.optional(),
      /** When STS fails, a cached session is still served while more than this is left. */
      minRemainingSeconds: seconds.optional(),
    })
    .optional(),
  tokens: z.strictObject({ runTokenMaxSeconds: seconds.max(43_200).optional() }).optional(),
  oidc: z
    .strictObject({
      issuer: url(['https'], 'an https URL without a port').optional(),
      /** Secret, environment only (TRUSTGATE_IDENTITY_KEY). */
      key: z.string().min(1).optional(),
      /** A file holding the identity key; else TRUSTGATE_IDENTITY_KEY, else `<dataDir>/identity.key`. */
      keyFile: z.string().min(1).optional(),
      /** Secret, environment only (TRUSTGATE_IDENTITY_PREVIOUS_KEYS): keys of before a rotation. */
      previousKeys: z.array(z.string().min(1)).optional(),
      tokenLifetimeSeconds: seconds.max(3_600).optional(),
    })
    .optional(),
  /** Secret, environment only (TRUSTGATE_OPERATOR_TOKEN). */
  operatorToken: z.string().min(16, { message: 'the operator token must be at least 16 characters' }).optional(),
  operatorTokenFile: z.string().min(1).optional(),
  /** Where key files not configured are made on first start; default the SQLite file's folder, else ./.trustgate. */
  dataDir: z.string().min(1).optional(),
  log: z
    .strictObject({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional() })
    .optional(),
  shutdown: z
    .strictObject({
      /** On SIGTERM/SIGINT, how long (ms) in-flight requests may take to finish before they are cut; default 30,000. */
      graceMs: z.number().int().min(0).max(600_000).optional(),
    })
    .optional(),
});

/** The effective configuration, validated. */
export type TrustgateConfig = z.infer<typeof configSchema>;

/** One partition's settings. */
export type PartitionConfig = z.infer<typeof partitionSchema>;

/** How an environment variable's text becomes a value. */
export type EnvKind = 'string' | 'number' | 'list';

/** An environment variable and the setting it sets. */
export interface EnvSetting {
  env: string;
  path: readonly string[];
  kind: EnvKind;
  /** Read only from the environment, never the file; printed redacted. */
  secret?: boolean;
}

const PARTITION_KEYS: readonly [string, EnvKind][] = [
  ['profile', 'string'],
  ['region', 'string'],
  ['stsRegions', 'list'],
  ['endpoint', 'string'],
  ['platformRoleArn', 'string'],
  ['callbackTopic', 'string'],
  ['templateBucket', 'string'],
];

const SNAKE = (text: string) =>
  text
    .replace(/[A-Z]/g, (c) => `_${c}`)
    .replace(/-/g, '_')
    .toUpperCase();

/** Every TRUSTGATE_* variable of the configuration: the file's path in upper snake case. */
export const ENV_SETTINGS: readonly EnvSetting[] = [
  { env: 'TRUSTGATE_STORE_URL', path: ['store', 'url'], kind: 'string' },
  { env: 'TRUSTGATE_STORE_SCHEMA', path: ['store', 'schema'], kind: 'string' },
  { env: 'TRUSTGATE_STORE_POOL_SIZE', path: ['store', 'poolSize'], kind: 'number' },
  { env: 'TRUSTGATE_LISTEN_HOST', path: ['listen', 'host'], kind: 'string' },
  { env: 'TRUSTGATE_LISTEN_PORT', path: ['listen', 'port'], kind: 'number' },
  { env: 'TRUSTGATE_PUBLIC_URL', path: ['publicUrl'], kind: 'string' },
  { env: 'TRUSTGATE_AWS_MODE', path: ['aws', 'mode'], kind: 'string' },
  ...PARTITIONS.flatMap((p) => [
    ...PARTITION_KEYS.map(([key, kind]) => ({
      env: `TRUSTGATE_PARTITION_${SNAKE(p)}_${SNAKE(key)}`,
      path: ['aws', 'partitions', p, key],
      kind,
    })),
    {
      env: `TRUSTGATE_PARTITION_${SNAKE(p)}_WEB_IDENTITY_ROLE_ARN`,
      path: ['aws', 'partitions', p, 'webIdentity', 'roleArn'],
      kind: 'string' as const,
    },
    {
      env: `TRUSTGATE_PARTITION_${SNAKE(p)}_WEB_IDENTITY_TOKEN_FILE`,
      path: ['aws', 'partitions', p, 'webIdentity', 'tokenFile'],
      kind: 'string' as const,
    },
  ]),
  { env: 'TRUSTGATE_STS_RATE_PER_SECOND', path: ['sts', 'ratePerSecond'], kind: 'number' },
  { env: 'TRUSTGATE_CACHE_REDIS_URL', path: ['cache', 'redisUrl'], kind: 'string' },
  { env: 'TRUSTGATE_CACHE_KEY_FILE', path: ['cache', 'keyFile'], kind: 'string' },
  { env: 'TRUSTGATE_CACHE_KEY', path: ['cache', 'key'], kind: 'string', secret: true },
  { env: 'TRUSTGATE_CACHE_PREVIOUS_KEYS', path: ['cache', 'previousKeys'], kind: 'list', secret: true },
  { env: 'TRUSTGATE_CACHE_REFRESH_AHEAD_SECONDS', path: ['cache', 'refreshAheadSeconds'], kind: 'number' },
  { env: 'TRUSTGATE_CACHE_MIN_REMAINING_SECONDS', path: ['cache', 'minRemainingSeconds'], kind: 'number' },
  { env: 'TRUSTGATE_TOKENS_RUN_TOKEN_MAX_SECONDS', path: ['tokens', 'runTokenMaxSeconds'], kind: 'number' },
  { env: 'TRUSTGATE_OIDC_ISSUER', path: ['oidc', 'issuer'], kind: 'string' },
  { env: 'TRUSTGATE_IDENTITY_KEY', path: ['oidc', 'key'], kind: 'string', secret: true },
  { env: 'TRUSTGATE_IDENTITY_KEY_FILE', path: ['oidc', 'keyFile'], kind: 'string' },
  { env: 'TRUSTGATE_IDENTITY_PREVIOUS_KEYS', path: ['oidc', 'previousKeys'], kind: 'list', secret: true },
  { env: 'TRUSTGATE_OIDC_TOKEN_LIFETIME_SECONDS', path: ['oidc', 'tokenLifetimeSeconds'], kind: 'number' },
  { env: 'TRUSTGATE_OPERATOR_TOKEN', path: ['operatorToken'], kind: 'string', secret: true },
  { env: 'TRUSTGATE_OPERATOR_TOKEN_FILE', path: ['operatorTokenFile'], kind: 'string' },
  { env: 'TRUSTGATE_LOG_LEVEL', path: ['log', 'level'], kind: 'string' },
  { env: 'TRUSTGATE_SHUTDOWN_GRACE_MS', path: ['shutdown', 'graceMs'], kind: 'number' },
  { env: 'TRUSTGATE_DATA_DIR', path: ['dataDir'], kind: 'string' },
];

/** The variable naming the configuration file (`--config` wins). */
export const CONFIG_FILE_ENV = 'TRUSTGATE_CONFIG_FILE';

/**
 * TRUSTGATE_* variables that are not service settings: the CLI's own (its profile file, URL, token, profile,
 * debug), and the tests'. Any other TRUSTGATE_* variable stops start-up as an unknown setting.
 */
export const OTHER_ENV = new Set([
  CONFIG_FILE_ENV,
  'TRUSTGATE_CONFIG',
  'TRUSTGATE_URL',
  'TRUSTGATE_TOKEN',
  'TRUSTGATE_PROFILE',
  'TRUSTGATE_DEBUG',
  'TRUSTGATE_TEST_PG',
  'TRUSTGATE_PROPERTY_SEED',
  'TRUSTGATE_DIFF_RUNS',
  'TRUSTGATE_DIFF_SHRINK',
  'TRUSTGATE_EXTERNAL_ID',
  'TRUSTGATE_ROLE_NAME',
  'TRUSTGATE_OIDC_PROVIDER_ARN',
]);

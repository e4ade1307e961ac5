import type { Command } from 'commander';
import { TrustgateError, type Partition } from '@trustgate/core';
import type { PartitionServiceConfig, TrustgateServiceConfig } from '@trustgate/server';
import type { PartitionConfig, TrustgateConfig } from './config-schema.ts';
import { loadConfig } from './load-config.ts';
import { credentialsOf, regionOf, whoAmI } from './platform-identity.ts';

/** What the configuration gives `trustgate serve` beyond its flags. */
export interface ServeSettings {
  /** Every configured partition's platform identity (`aws.partitions`), resolved; undefined: serve's own. */
  partitions?: Partial<Record<Partition, PartitionServiceConfig>>;
  logLevel?: string;
  broker?: Omit<NonNullable<TrustgateServiceConfig['broker']>, 'stsRatePerSecond'>;
  databaseSchema?: string;
  databasePoolSize?: number;
  /** The OIDC issuer's token lifetime. */
  maxTokenLifetimeSeconds?: number;
  /** How long (ms) in-flight requests may take to finish on SIGTERM/SIGINT (`shutdown.graceMs`). */
  shutdownGraceMs?: number;
  /** Where key files not configured are made on first start (`dataDir`). */
  dataDir?: string;
  /** A file holding the identity key (`oidc.keyFile`); else TRUSTGATE_IDENTITY_KEY, else `<dataDir>/identity.key`. */
  identityKeyFile?: string;
}

/** serve's flags a setting of the configuration fills when the flag is not given (flags win). */
const FLAG_SETTINGS: readonly [flag: string, get: (c: TrustgateConfig) => string | undefined][] = [
  ['db', (c) => c.store?.url],
  ['host', (c) => c.listen?.host],
  ['port', (c) => (c.listen?.port === undefined ? undefined : String(c.listen.port))],
  ['aws', (c) => c.aws?.mode],
  ['publicUrl', (c) => c.publicUrl],
  ['oidcIssuer', (c) => c.oidc?.issuer],
  ['cache', (c) => c.cache?.redisUrl],
  ['cacheKeyFile', (c) => c.cache?.keyFile],
  ['stsRate', (c) => (c.sts?.ratePerSecond === undefined ? undefined : String(c.sts.ratePerSecond))],
  ['operatorTokenFile', (c) => c.operatorTokenFile],
];

/** The per-partition flags of `--aws default`, which win over the partition `--partition` names. */
const PARTITION_FLAGS = [
  ['platformRoleArn', 'platformRoleArn'],
  ['callbackTopic', 'callbackTopic'],
  ['templateBucket', 'templateBucket'],
] as const;

const PLATFORM_ONLY = ['profile', 'webIdentity', 'platformRoleArn', 'callbackTopic', 'templateBucket'] as const;

/** One configured partition as the service takes it: with the platform identity, or (`--aws none`) without. */
async function resolvePartition(
  partition: Partition,
  config: PartitionConfig,
  mode: string,
): Promise<PartitionServiceConfig> {
  const aws = {
    region: regionOf(partition, config),
    ...(config.endpoint === undefined ? {} : { endpoint: config.endpoint }),
  };
  if (mode === 'none') {
    const extra = PLATFORM_ONLY.find((key) => config[key] !== undefined);
    if (extra !== undefined)
      throw new TrustgateError(
        'INVALID_INPUT',
        `aws.partitions.${partition}.${extra}: aws.mode none has no platform AWS identity, so it takes no ${extra}.`,
        { field: `aws.partitions.${partition}.${extra}` },
      );
    return aws;
  }
  const credentials = credentialsOf(partition, config);
  const { accountId } = await whoAmI(partition, config);
  return {
    ...aws,
    accountId,
    ...(credentials === undefined ? {} : { credentials }),
    ...(config.platformRoleArn === undefined ? {} : { roleArn: config.platformRoleArn }),
    ...(config.callbackTopic === undefined ? {} : { callbackTopicArn: config.callbackTopic }),
    ...(config.templateBucket === undefined ? {} : { templateBucket: config.templateBucket }),
  };
}

/**
 * `trustgate serve`'s options with the configuration under them: loads it (`--config`, else TRUSTGATE_CONFIG_FILE,
 * and the TRUSTGATE_* variables; an unknown or invalid setting stops start-up naming it), fills every flag that was
 * not given on the command line, and resolves `aws.partitions` (each platform identity asked who it is). The
 * partition flags (`--platform-role-arn`, `--callback-topic`, `--template-bucket`) override the partition
 * `--partition` names.
 */
export async function applyConfig<O extends object>(
  options: O & { config?: string; partition: string },
  command: Pick<Command, 'getOptionValueSource'>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<O & { settings: ServeSettings }> {
  const { config } = await loadConfig({ ...(options.config === undefined ? {} : { file: options.config }), env });
  const merged: Record<string, unknown> = { ...options };
  for (const [flag, get] of FLAG_SETTINGS) {
    const value = get(config);
    if (value !== undefined && command.getOptionValueSource(flag) !== 'cli') merged[flag] = value;
  }
  const mode = String(merged.aws);
  const settings: ServeSettings = {
    ...(config.log?.level === undefined ? {} : { logLevel: config.log.level }),
    ...(config.shutdown?.graceMs === undefined ? {} : { shutdownGraceMs: config.shutdown.graceMs }),
    ...(config.store?.schema === undefined ? {} : { databaseSchema: config.store.schema }),
    ...(config.store?.poolSize === undefined ? {} : { databasePoolSize: config.store.poolSize }),
    ...(config.dataDir === undefined ? {} : { dataDir: config.dataDir }),
    ...(config.oidc?.keyFile === undefined ? {} : { identityKeyFile: config.oidc.keyFile }),
    ...(config.oidc?.tokenLifetimeSeconds === undefined
      ? {}
      : { maxTokenLifetimeSeconds: config.oidc.tokenLifetimeSeconds }),
  };
  const c = config.cache;
  if (c?.refreshAheadSeconds !== undefined || c?.minRemainingSeconds !== undefined || config.tokens !== undefined)
    settings.broker = {
      ...(config.tokens?.runTokenMaxSeconds === undefined
        ? {}
        : { runTokenMaxSeconds: config.tokens.runTokenMaxSeconds }),
      loadPolicy: {
        ...(c?.refreshAheadSeconds === undefined ? {} : { refreshAheadMs: c.refreshAheadSeconds * 1000 }),
        ...(c?.minRemainingSeconds === undefined ? {} : { minRemainingMs: c.minRemainingSeconds * 1000 }),
      },
    };
  const configured = config.aws?.partitions;
  if (configured !== undefined && Object.keys(configured).length > 0) {
    if (mode === 'sandbox')
      throw new TrustgateError(
        'INVALID_INPUT',
        'aws.partitions: the sandbox makes its own platform identity; set aws.mode default (or none) to use these.',
        { field: 'aws.partitions' },
      );
    const partitions: Partial<Record<Partition, PartitionServiceConfig>> = {};
    for (const [partition, p] of Object.entries(configured) as [Partition, PartitionConfig][]) {
      const flagged = { ...p };
      if (partition === options.partition)
        for (const [flag, key] of PARTITION_FLAGS)
          if (command.getOptionValueSource(flag) === 'cli') flagged[key] = merged[flag] as string;
      partitions[partition] = await resolvePartition(partition, flagged, mode);
    }
    settings.partitions = partitions;
  }
  return { ...(merged as O), settings };
}

import { readFile } from 'node:fs/promises';
import { DEFAULT_SHUTDOWN_GRACE_MS, stopOnSignal } from './serve-shutdown.ts';
import { consoleBuildDir } from './console-dir.ts';
import { CACHE_KEY_ENV, parseStsRate, readCacheSettings } from './cache-options.ts';
import { DEMO_OIDC_ISSUER, IDENTITY_KEY_ENV, readServeKeys } from './identity-options.ts';
import { dataDirOf } from '../keys/key-file.ts';
import { applyConfig, type ServeSettings } from '../config/serve-settings.ts';
import { Option, type Command } from 'commander';
import { TrustgateError, isPartition, type Partition } from '@trustgate/core';
import type { Sandbox } from '@trustgate/sandbox';
import type { PartitionServiceConfig, TrustgateService } from '@trustgate/server';
import { beginSandbox, wireSandbox, type SandboxWiring } from './serve-sandbox.ts';

/**
 * The default store: the server's DEFAULT_DATABASE_FILE, written out so that registering `serve` loads no server
 * module (a test holds them equal).
 */
export const SERVE_DEFAULT_DATABASE_FILE = './.trustgate/trustgate.db';

/** Options of `trustgate serve`. */
interface ServeOptions {
  db: string;
  port: string;
  host: string;
  /** `none`: no platform AWS identity at all, OIDC connections only (needs `oidcIssuer`). */
  aws: 'sandbox' | 'default' | 'none';
  partition: string;
  publicUrl?: string;
  platformRoleArn?: string;
  callbackTopic?: string;
  templateBucket?: string;
  /** The operator token, from `--operator-token` or TRUSTGATE_OPERATOR_TOKEN (commander reads both). */
  operatorToken?: string;
  /** A file holding the operator token (one line); wins over TRUSTGATE_OPERATOR_TOKEN. */
  operatorTokenFile?: string;
  /** `redis://...`: the broker's session cache shared by every instance. */
  cache?: string;
  /** A file holding the cache's 32-byte AES-256-GCM key (base64 or hex); else TRUSTGATE_CACHE_KEY. */
  cacheKeyFile?: string;
  /** AssumeRole calls a second per platform identity and region. */
  stsRate?: string;
  /** The OIDC issuer URL (issue 13); with the sandbox, default {@link DEMO_OIDC_ISSUER}. */
  oidcIssuer?: string;
  /** The configuration file (`--config`, else TRUSTGATE_CONFIG_FILE); and what it gives beyond the flags. */
  config?: string;
  settings?: ServeSettings;
}

/** What `serve` started, so it can be stopped (and tested). */
export interface RunningServe {
  url: string;
  adminToken: string;
  sandbox?: Sandbox;
  /** The S3 bucket templates are published to (quick-create links carry presigned URLs of them), if any. */
  templateBucket?: string;
  service: TrustgateService;
  stop(): Promise<void>;
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new TrustgateError('INVALID_INPUT', '--port: a TCP port 0-65535', { field: 'port' });
  return port;
}

/** The environment variable the operator token is best given in: a process's environment is private to its user. */
export const OPERATOR_TOKEN_ENV = 'TRUSTGATE_OPERATOR_TOKEN';

/** What `--operator-token` on the command line prints on stderr: the token is then in every local user's `ps`. */
export const OPERATOR_TOKEN_FLAG_WARNING = `warning: --operator-token is visible to every local user (ps, /proc/<pid>/cmdline) and stays in the shell's history; set ${OPERATOR_TOKEN_ENV} or use --operator-token-file instead.\n`;

/** The shortest operator token the service accepts (shorter ones leave the organizations route closed). */
const MIN_OPERATOR_TOKEN_LENGTH = 16;

/**
 * The operator token: read from `--operator-token-file` (surrounding whitespace and the final newline dropped),
 * else `--operator-token` (warned about on stderr) or TRUSTGATE_OPERATOR_TOKEN, as `source` says commander found
 * it; none leaves creating organizations closed. Both the flag and a file, an unreadable file, or a token under 16
 * characters is refused: the service would otherwise start with that route silently closed.
 */
export async function readOperatorToken(
  options: Pick<ServeOptions, 'operatorToken' | 'operatorTokenFile'>,
  source: string | undefined,
): Promise<string | undefined> {
  const fromFlag = source === 'cli';
  if (fromFlag) process.stderr.write(OPERATOR_TOKEN_FLAG_WARNING);
  if (options.operatorTokenFile === undefined) {
    // An empty TRUSTGATE_OPERATOR_TOKEN= is unset, as before; a short token would leave the route closed unannounced.
    if (options.operatorToken === undefined || (options.operatorToken === '' && !fromFlag)) return undefined;
    if (options.operatorToken.length < MIN_OPERATOR_TOKEN_LENGTH) {
      throw new TrustgateError(
        'INVALID_INPUT',
        `${fromFlag ? '--operator-token' : OPERATOR_TOKEN_ENV}: the operator token must be at least ${MIN_OPERATOR_TOKEN_LENGTH} characters.`,
        { field: 'operatorToken' },
      );
    }
    return options.operatorToken;
  }
  if (fromFlag)
    throw new TrustgateError(
      'INVALID_INPUT',
      'Give the operator token once: --operator-token-file or --operator-token, not both.',
      { field: 'operatorToken' },
    );
  let token: string;
  try {
    token = (await readFile(options.operatorTokenFile, 'utf8')).trim();
  } catch (error) {
    throw new TrustgateError('FILE_NOT_READABLE', `--operator-token-file: cannot read ${options.operatorTokenFile}.`, {
      field: 'operatorTokenFile',
      cause: error,
    });
  }
  if (token.length < MIN_OPERATOR_TOKEN_LENGTH || /\s/.test(token)) {
    throw new TrustgateError(
      'INVALID_INPUT',
      `--operator-token-file: the file must hold one operator token of at least ${MIN_OPERATOR_TOKEN_LENGTH} characters and no spaces.`,
      { field: 'operatorTokenFile' },
    );
  }
  return token;
}

/** Partition settings for the platform's own identity through the SDK's default credential chain. */
async function defaultAwsPartition(
  options: ServeOptions,
  { readPlatformAccount }: typeof import('@trustgate/server'),
): Promise<[Partition, PartitionServiceConfig]> {
  if (!isPartition(options.partition))
    throw new TrustgateError('INVALID_PARTITION', '--partition: aws, aws-us-gov or aws-cn', { field: 'partition' });
  const partition = options.partition;
  const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  const identity = await readPlatformAccount({ partition, ...(region === undefined ? {} : { region }) });
  return [
    partition,
    {
      region: identity.region,
      accountId: identity.accountId,
      ...(options.platformRoleArn === undefined ? {} : { roleArn: options.platformRoleArn }),
      ...(options.callbackTopic === undefined ? {} : { callbackTopicArn: options.callbackTopic }),
      ...(options.templateBucket === undefined ? {} : { templateBucket: options.templateBucket }),
    },
  ];
}

/**
 * Partition settings of an OIDC-only deployment (`--aws none`): how to reach AWS there (its real endpoints) and no
 * platform identity — no account, credentials, role, callback topic or template bucket — so it serves OIDC
 * connections only, and needs the OIDC issuer. INVALID_INPUT naming the flag otherwise.
 */
function oidcOnlyPartition(
  options: ServeOptions,
  identity: Awaited<ReturnType<typeof readServeKeys>>['identity'],
): [Partition, PartitionServiceConfig] {
  if (!isPartition(options.partition))
    throw new TrustgateError('INVALID_PARTITION', '--partition: aws, aws-us-gov or aws-cn', { field: 'partition' });
  if (identity === undefined)
    throw new TrustgateError(
      'INVALID_INPUT',
      `--aws none: a service with no platform AWS identity serves OIDC connections only; give --oidc-issuer (and ${IDENTITY_KEY_ENV}).`,
      { field: 'oidcIssuer' },
    );
  for (const [flag, field] of [
    ['--platform-role-arn', 'platformRoleArn'],
    ['--callback-topic', 'callbackTopic'],
    ['--template-bucket', 'templateBucket'],
  ] as const) {
    if (options[field] !== undefined)
      throw new TrustgateError(
        'INVALID_INPUT',
        `${flag}: --aws none has no platform AWS identity, so it takes no ${flag.slice(2)}.`,
        { field },
      );
  }
  const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  return [options.partition, region === undefined ? {} : { region }];
}

/**
 * Starts trustgate's service. With `--aws sandbox` (the default) it starts the AWS-compatible sandbox in this
 * process, creates the platform's IAM user in the sandbox's first account, and wires automatic-mode callbacks
 * through the sandbox's SNS delivery; with `--aws default` it uses the SDK's default credential chain and AWS's
 * real (regional) endpoints; with `--aws none` it holds no AWS identity at all and serves OIDC connections only
 * (`--oidc-issuer` required). Seeds the demo organization and returns the URL and a fresh admin token. The sandbox
 * starts first, so that its signing key is made while the service's modules load (those load only here).
 */
export async function startServe(options: ServeOptions): Promise<RunningServe> {
  const port = parsePort(options.port);
  const sandboxStart = options.aws === 'sandbox' ? await beginSandbox() : undefined;
  let sandbox: Sandbox | undefined;
  let service: TrustgateService;
  let partitions: Partial<Record<Partition, PartitionServiceConfig>>;
  let server: typeof import('@trustgate/server');
  try {
    const s = options.settings ?? {};
    const dataDir = dataDirOf(s.dataDir, options.db); // keys not configured: files made on first start (mode 0600)
    const cache = await readCacheSettings(options, process.env, dataDir);
    const stsRatePerSecond = parseStsRate(options.stsRate);
    const { identity: configured, storeKey } = await readServeKeys(options, { dataDir, keyFile: s.identityKeyFile });
    const lifetime = s.maxTokenLifetimeSeconds;
    const identity =
      configured && lifetime !== undefined ? { ...configured, maxTokenLifetimeSeconds: lifetime } : configured;
    server = await import('@trustgate/server');
    let wired: SandboxWiring | undefined;
    if (sandboxStart !== undefined) {
      sandbox = await sandboxStart.started;
      wired = await wireSandbox(sandbox);
      partitions = wired.partitions;
    } else if (s.partitions !== undefined) {
      partitions = s.partitions;
    } else {
      const [partition, config] =
        options.aws === 'none' ? oidcOnlyPartition(options, identity) : await defaultAwsPartition(options, server);
      partitions = { [partition]: config };
    }
    service = await server.createTrustgateService({
      databaseUrl: options.db,
      ...(s.databaseSchema === undefined ? {} : { databaseSchema: s.databaseSchema }),
      ...(s.databasePoolSize === undefined ? {} : { databasePoolSize: s.databasePoolSize }),
      partitions,
      publicUrl: options.publicUrl ?? `http://${options.host}:${port}`,
      ...(options.operatorToken === undefined ? {} : { operatorToken: options.operatorToken }),
      ...(wired === undefined
        ? {}
        : {
            isAllowedResponseUrl: wired.isAllowedResponseUrl,
            snsMessages: { isTrustedCertificateUrl: wired.isTrustedCertificateUrl },
          }),
      logger: { level: s.logLevel ?? process.env.TRUSTGATE_LOG_LEVEL ?? 'warn' },
      ...(cache === undefined ? {} : { cache }),
      broker: { ...s.broker, ...(stsRatePerSecond === undefined ? {} : { stsRatePerSecond }) },
      ...(identity === undefined ? {} : { identity }),
      storeKey,
      consoleDir: consoleBuildDir(),
    });
  } catch (error) {
    await (sandbox ?? (await sandboxStart?.started.catch(() => undefined)))?.stop();
    throw error;
  }
  const url = await service.listen({ port, host: options.host });
  if (options.publicUrl === undefined) service.deps.publicUrl = url;
  // The sandbox's STS fetches the issuer's discovery document and JWKS from this service, as AWS would over https.
  if (sandbox !== undefined && service.deps.identity !== undefined)
    sandbox.routeOidcIssuer(service.deps.identity.issuerUrl, url);
  const callbackTopic = partitions.aws?.callbackTopicArn;
  // Subscribed as SNS does: the service verifies the signed SubscriptionConfirmation and visits its SubscribeURL.
  if (sandbox !== undefined && callbackTopic !== undefined) {
    try {
      await sandbox.subscribe(callbackTopic, `${url}/v1/callbacks/cloudformation`, { confirm: true });
    } catch (error) {
      await service.close();
      await sandbox.stop();
      throw new TrustgateError(
        'INTERNAL',
        `The service did not confirm its subscription to the sandbox's SNS topic ${callbackTopic}.`,
        { cause: error },
      );
    }
  }
  const demo = await server.seedDemoOrganization(service.store);
  return {
    url,
    adminToken: demo.adminToken,
    ...(sandbox === undefined ? {} : { sandbox }),
    ...(partitions.aws?.templateBucket === undefined ? {} : { templateBucket: partitions.aws.templateBucket }),
    service,
    async stop() {
      await service.close();
      await sandbox?.stop();
    },
  };
}

/** Registers `trustgate serve`. */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description(
      'Run the connection service (HTTP API, OpenAPI at /openapi.json, docs at /docs). With no flags: embedded SQLite, the AWS sandbox in-process, a demo organization.',
    )
    .option(
      '--db <url>',
      'SQLite file, or postgres://user@host:5432/db for several instances',
      SERVE_DEFAULT_DATABASE_FILE,
    )
    .option('--port <port>', 'TCP port (0 picks a free one)', '8080')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .addOption(
      new Option(
        '--aws <mode>',
        "sandbox: the in-process AWS sandbox; default: the SDK's default credential chain and real endpoints; none: no platform AWS identity, OIDC connections only (with --oidc-issuer)",
      )
        .choices(['sandbox', 'default', 'none'])
        .default('sandbox'),
    )
    .option('--partition <partition>', 'with --aws default: the partition the platform identity serves', 'aws')
    .option(
      '--platform-role-arn <arn>',
      "with --aws default: the platform role customers' trust policies name (default: the account root)",
    )
    .option('--callback-topic <arn>', 'with --aws default: the SNS topic automatic-mode templates report to')
    .option(
      '--template-bucket <name>',
      'with --aws default: a private S3 bucket of the platform that templates are published to, so quick-create links carry presigned S3 URLs',
    )
    .option('--public-url <url>', 'the URL customers and templates reach the service at')
    .option(
      '--oidc-issuer <url>',
      `the OIDC issuer URL runs' tokens name (https, no port, no query), serving /.well-known/openid-configuration; signing keys sealed with ${IDENTITY_KEY_ENV}. Default with the sandbox: ${DEMO_OIDC_ISSUER}`,
    )
    .option(
      '--cache <url>',
      `redis://host:6379: the credential broker's session cache, shared (encrypted) by every instance; key from ${CACHE_KEY_ENV} or --cache-key-file. Default: each instance caches for itself`,
    )
    .option('--cache-key-file <file>', `a file holding the cache's 32-byte key (base64 or hex); else ${CACHE_KEY_ENV}`)
    .option(
      '--sts-rate <n>',
      'AssumeRole calls a second per platform identity and region, at most (bursts queue)',
      '50',
    )
    .addOption(
      new Option(
        '--operator-token-file <file>',
        `a file holding the bearer token allowed to create organizations (or set ${OPERATOR_TOKEN_ENV})`,
      ),
    )
    .addOption(
      new Option(
        '--operator-token <token>',
        `bearer token allowed to create organizations; visible to every local user in ps, so prefer ${OPERATOR_TOKEN_ENV} or --operator-token-file`,
      ).env(OPERATOR_TOKEN_ENV),
    )
    .option('--config <file>', 'a YAML configuration file (else TRUSTGATE_CONFIG_FILE); flags win over it')
    .action(async (flags: ServeOptions, command: Command) => {
      const options = await applyConfig(flags, command);
      const operatorToken = await readOperatorToken(options, command.getOptionValueSource('operatorToken'));
      const running = await startServe({ ...options, ...(operatorToken === undefined ? {} : { operatorToken }) });
      const out = process.stdout;
      out.write(`trustgate is serving at ${running.url}\n`);
      out.write(`  API docs:     ${running.url}/docs  (OpenAPI: ${running.url}/openapi.json)\n`);
      out.write(
        `  database:     ${options.db.startsWith('postgres') ? options.db.replace(/\/\/[^@]*@/, '//***@') : options.db}\n`,
      );
      if (running.service.deps.identity !== undefined)
        out.write(
          `  OIDC issuer:  ${running.service.deps.identity.issuerUrl} (discovery: ${running.url}/.well-known/openid-configuration)\n`,
        );
      out.write(
        `  credential cache: ${options.cache === undefined ? 'in this instance (use --cache redis://... to share it between instances)' : `${options.cache.replace(/\/\/[^@]*@/, '//***@')} (shared, AES-256-GCM)`}\n`,
      );
      // The token once, in a line a shell can run; the try line names the variable, not the token again.
      out.write(`  admin token of the demo organization (a new one each start); to try the API, paste into a shell:\n`);
      out.write(`    export TRUSTGATE_TOKEN=${running.adminToken}\n`);
      out.write(`    curl -H "Authorization: Bearer $TRUSTGATE_TOKEN" ${running.url}/v1/connections\n`);
      if (running.sandbox !== undefined) {
        out.write(
          `AWS sandbox at ${running.sandbox.endpoint} (region ${running.sandbox.region}); customer accounts to connect:\n`,
        );
        for (const account of running.sandbox.accounts.slice(1)) {
          out.write(
            `  account ${account.accountId}  AWS_ACCESS_KEY_ID=${account.accessKeyId} AWS_SECRET_ACCESS_KEY=${account.secretAccessKey}\n`,
          );
        }
        if (running.templateBucket !== undefined)
          out.write(
            `  templates:        published to the sandbox's S3 bucket ${running.templateBucket}; quick-create links carry presigned URLs (--template-url)\n`,
          );
        out.write(
          `  apply a template: aws --endpoint-url ${running.sandbox.endpoint} cloudformation create-stack --capabilities CAPABILITY_NAMED_IAM ...\n`,
        );
      }
      process.exitCode = await stopOnSignal(running, {
        graceMs: options.settings.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS,
        out,
        err: process.stderr,
      });
    });
}

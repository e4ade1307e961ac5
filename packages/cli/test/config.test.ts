import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isTrustgateError } from '@trustgate/core';
import { loadConfig } from '../src/config/load-config.ts';
import { effectiveForShow, REDACTED } from '../src/config/redact-config.ts';
import { applyConfig } from '../src/config/serve-settings.ts';
import { ENV_SETTINGS } from '../src/config/config-schema.ts';
import { runTrustgate } from './run-trustgate.ts';
import { startSandbox } from '@trustgate/sandbox';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = mkdtempSync(join(tmpdir(), 'trustgate-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** The problems loadConfig names, or a failure when it accepts the configuration. */
async function problems(options: Parameters<typeof loadConfig>[0]): Promise<string[]> {
  try {
    await loadConfig(options);
  } catch (error) {
    if (isTrustgateError(error) && error.code === 'INVALID_INPUT') return error.details.problems as string[];
    throw error;
  }
  throw new Error('the configuration was accepted');
}

const FILE = `store:
  url: postgres://trustgate:pw@db:5432/trustgate
listen:
  port: 8080
aws:
  mode: default
  partitions:
    aws:
      profile: platform
      stsRegions: [us-east-1, eu-west-1]
      callbackTopic: arn:aws:sns:us-east-1:111122223333:trustgate-connect
    aws-cn:
      webIdentity: { roleArn: 'arn:aws-cn:iam::111122223333:role/platform', tokenFile: /var/run/token }
cache:
  redisUrl: redis://:secretpw@redis:6379
  refreshAheadSeconds: 300
sts:
  ratePerSecond: 20
log:
  level: info
`;

describe('loadConfig', () => {
  it('reads the file, with the environment winning, and says which variable set what', async () => {
    const path = file('ok.yaml', FILE);
    const loaded = await loadConfig({
      env: {
        TRUSTGATE_CONFIG_FILE: path,
        TRUSTGATE_LISTEN_PORT: '9090',
        TRUSTGATE_PARTITION_AWS_STS_REGIONS: 'us-west-2, ap-south-1',
        TRUSTGATE_PARTITION_AWS_CN_REGION: 'cn-north-1',
        TRUSTGATE_CACHE_KEY: 'k'.repeat(44),
        TRUSTGATE_LOG_LEVEL: '',
        TRUSTGATE_TOKEN: 'a client token, not a setting',
        PATH: '/bin',
      },
    });
    expect(loaded.file).toBe(path);
    expect(loaded.config.listen).toEqual({ port: 9090 });
    expect(loaded.config.aws?.partitions?.aws?.stsRegions).toEqual(['us-west-2', 'ap-south-1']);
    expect(loaded.config.aws?.partitions?.['aws-cn']).toEqual({
      webIdentity: { roleArn: 'arn:aws-cn:iam::111122223333:role/platform', tokenFile: '/var/run/token' },
      region: 'cn-north-1',
    });
    expect(loaded.config.log).toEqual({ level: 'info' }); // an empty variable is unset
    expect(loaded.config.cache?.key).toBe('k'.repeat(44));
    expect([...loaded.fromEnv]).toEqual([
      ['listen.port', 'TRUSTGATE_LISTEN_PORT'],
      ['aws.partitions.aws.stsRegions', 'TRUSTGATE_PARTITION_AWS_STS_REGIONS'],
      ['aws.partitions.aws-cn.region', 'TRUSTGATE_PARTITION_AWS_CN_REGION'],
      ['cache.key', 'TRUSTGATE_CACHE_KEY'],
    ]);
  });

  it('names every unknown or invalid setting and where it came from', async () => {
    const path = file(
      'bad.yaml',
      `listen: { port: 70000, hots: x }
aws:
  mode: cloud
  partitions:
    aws-iso: {}
    aws: { profile: a, webIdentity: { roleArn: 'arn:aws:iam::1:role/r', tokenFile: t }, stsRegions: [moon-1] }
cache: { redisUrl: 'http://redis:6379' }
oidc: { issuer: 'http://issuer.example.com' }
`,
    );
    const found = await problems({ file: path, env: { TRUSTGATE_STS_RATE_PER_SECOND: 'fast' } });
    expect(found).toHaveLength(9);
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^listen\.port: .*65535.* \(in .*bad\.yaml\)$/),
        expect.stringMatching(/^listen\.hots: unknown setting \(in .*bad\.yaml\)$/),
        expect.stringMatching(/^aws\.mode: .*"sandbox".*"default".*"none"/),
        expect.stringMatching(/^aws\.partitions\.aws-iso: unknown setting/),
        expect.stringMatching(/^aws\.partitions\.aws\.stsRegions\.0: an AWS region such as us-east-1/),
        expect.stringMatching(/^aws\.partitions\.aws\.profile: give profile or webIdentity, not both/),
        expect.stringMatching(/^TRUSTGATE_STS_RATE_PER_SECOND \(sts\.ratePerSecond\): .*number/),
        expect.stringMatching(/^cache\.redisUrl: a redis:\/\/ or rediss:\/\/ URL/),
        expect.stringMatching(/^oidc\.issuer: an https URL/),
      ]),
    );
  });

  it('refuses an unknown TRUSTGATE_* variable, a secret written in the file, and a file that is not a mapping', async () => {
    expect(await problems({ env: { TRUSTGATE_STS_RATE: '5' } })).toEqual([
      'TRUSTGATE_STS_RATE: unknown setting (the settings: README, "Running in production")',
    ]);
    const secret = file('secret.yaml', 'operatorToken: abcdefghijklmnopqrstuvwx\ncache: { key: abc }\n');
    expect(await problems({ file: secret, env: {} })).toEqual([
      'cache.key: a secret is not read from the configuration file; set TRUSTGATE_CACHE_KEY or cache.keyFile',
      'operatorToken: a secret is not read from the configuration file; set TRUSTGATE_OPERATOR_TOKEN or operatorTokenFile',
    ]);
    await expect(loadConfig({ file: file('list.yaml', '- a\n'), env: {} })).rejects.toThrow(/a YAML mapping/);
    await expect(loadConfig({ file: join(dir, 'missing.yaml'), env: {} })).rejects.toMatchObject({
      code: 'FILE_NOT_READABLE',
    });
  });
});

describe('effectiveForShow', () => {
  it('fills the defaults in and redacts every secret and URL password', async () => {
    const { config } = await loadConfig({
      file: file('show.yaml', FILE),
      env: { TRUSTGATE_OPERATOR_TOKEN: 'operator-token-123456', TRUSTGATE_IDENTITY_KEY: 'x'.repeat(44) },
    });
    const shown = effectiveForShow(config);
    expect(shown.store?.url).toBe('postgres://***@db:5432/trustgate');
    expect(shown.cache?.redisUrl).toBe('redis://***@redis:6379');
    expect(shown.operatorToken).toBe(REDACTED);
    expect(shown.oidc?.key).toBe(REDACTED);
    expect(shown.listen).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(JSON.stringify(shown)).not.toMatch(/secretpw|:pw@|operator-token-123456|xxxx/);
    expect(config.operatorToken).toBe('operator-token-123456'); // the configuration itself is untouched
  });
});

describe('applyConfig (serve)', () => {
  const sources = (cli: string[]) => ({
    getOptionValueSource: (key: string) => (cli.includes(key) ? 'cli' : 'default'),
  });

  it("fills serve's options from the configuration where no flag was given: flags win", async () => {
    const path = file(
      'serve.yaml',
      'store: { url: ./from-file.db }\nlisten: { port: 9000, host: 0.0.0.0 }\nsts: { ratePerSecond: 7 }\n' +
        'tokens: { runTokenMaxSeconds: 3600 }\ncache: { minRemainingSeconds: 60 }\nlog: { level: debug }\n',
    );
    const flags = { config: path, partition: 'aws', db: 'default.db', port: '1234', host: '127.0.0.1', aws: 'sandbox' };
    const applied = await applyConfig(flags, sources(['port']), { TRUSTGATE_STORE_URL: './from-env.db' });
    expect(applied).toMatchObject({ db: './from-env.db', port: '1234', host: '0.0.0.0', stsRate: '7', aws: 'sandbox' });
    expect(applied.settings).toEqual({
      logLevel: 'debug',
      broker: { runTokenMaxSeconds: 3600, loadPolicy: { minRemainingMs: 60_000 } },
    });
  });

  it('resolves each configured platform identity (a profile, asked who it is), the partition flags winning', async () => {
    const sandbox = await startSandbox({ accounts: 1 });
    const saved = { ...process.env };
    try {
      const platform = sandbox.accounts[0]!;
      process.env.AWS_SHARED_CREDENTIALS_FILE = file(
        'credentials',
        `[platform]\naws_access_key_id = ${platform.accessKeyId}\naws_secret_access_key = ${platform.secretAccessKey}\n`,
      );
      process.env.AWS_CONFIG_FILE = file('aws-config', '');
      const path = file(
        'partitions.yaml',
        `aws:\n  mode: default\n  partitions:\n    aws:\n      profile: platform\n      endpoint: ${sandbox.endpoint}\n` +
          '      region: us-east-1\n      templateBucket: file-bucket\n      callbackTopic: arn:aws:sns:us-east-1:1:t\n',
      );
      const flags = { config: path, partition: 'aws', aws: 'sandbox', templateBucket: 'flag-bucket' };
      const applied = await applyConfig(flags, sources(['templateBucket']), {});
      const aws = applied.settings.partitions?.aws;
      expect(aws).toMatchObject({
        accountId: platform.accountId,
        endpoint: sandbox.endpoint,
        region: 'us-east-1',
        templateBucket: 'flag-bucket',
        callbackTopicArn: 'arn:aws:sns:us-east-1:1:t',
      });
      const credentials = aws?.credentials;
      expect(typeof credentials).toBe('function');
      if (typeof credentials === 'function') expect((await credentials()).accessKeyId).toBe(platform.accessKeyId);
      const missing = file('missing.yaml', 'aws:\n  mode: default\n  partitions:\n    aws: { profile: nobody }\n');
      await expect(applyConfig({ ...flags, config: missing }, sources([]), {})).rejects.toMatchObject({
        code: 'AWS_ERROR',
        field: 'aws.partitions.aws',
      });
    } finally {
      process.env = saved;
      await sandbox.stop();
    }
  });

  it('refuses partitions with the sandbox, and platform settings with aws.mode none, naming them', async () => {
    const partitions = 'aws:\n  mode: MODE\n  partitions:\n    aws: { callbackTopic: "arn:aws:sns:us-east-1:1:t" }\n';
    const flags = { partition: 'aws', aws: 'sandbox' };
    await expect(
      applyConfig({ ...flags, config: file('p1.yaml', partitions.replace('MODE', 'sandbox')) }, sources([]), {}),
    ).rejects.toMatchObject({ field: 'aws.partitions' });
    await expect(
      applyConfig({ ...flags, config: file('p2.yaml', partitions.replace('MODE', 'none')) }, sources([]), {}),
    ).rejects.toMatchObject({ field: 'aws.partitions.aws.callbackTopic' });
  });
});

describe('the CLI', () => {
  it('config show prints the effective configuration with secrets redacted', async () => {
    const run = await runTrustgate(['config', 'show', '--config', file('cli.yaml', FILE)], {
      env: { TRUSTGATE_CACHE_KEY: 'c'.repeat(44), TRUSTGATE_OPERATOR_TOKEN: 'operator-token-abcdef' },
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('# cache.key from TRUSTGATE_CACHE_KEY\n');
    expect(run.stdout).toContain('  url: postgres://***@db:5432/trustgate\n');
    expect(run.stdout).toContain(`  key: ${REDACTED}\n`);
    expect(run.stdout).toContain('shutdown:\n  graceMs: 30000\n');
    expect(run.stdout).not.toMatch(/cccc|operator-token-abcdef|secretpw/);
  });

  it('serve stops at start-up naming an unknown setting (exit 2)', async () => {
    const run = await runTrustgate(['serve', '--port', '0', '--config', file('typo.yaml', 'sts:\n  rate: 5\n')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /^error \[INVALID_INPUT\]: invalid configuration: sts\.rate: unknown setting \(in .*typo\.yaml\)\n$/,
    );
    expect(run.stdout).toBe('');
  });

  it("the README's example configuration is valid", async () => {
    const readme = readFileSync(fileURLToPath(new URL('../../../README.md', import.meta.url)), 'utf8');
    const section = readme.slice(readme.indexOf('## Running in production'));
    const example = /```yaml\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
    const { config } = await loadConfig({ file: file('readme.yaml', example), env: {} });
    expect(config.aws?.partitions?.aws?.profile).toBe('trustgate-platform');
  });

  it('the README documents every environment variable of the configuration', () => {
    const readme = readFileSync(fileURLToPath(new URL('../../../README.md', import.meta.url)), 'utf8');
    const missing = ENV_SETTINGS.map((s) =>
      s.env.replace(/^TRUSTGATE_PARTITION_(AWS_CN|AWS_US_GOV|AWS)_/, 'TRUSTGATE_PARTITION_<P>_'),
    ).filter((env) => !readme.includes(`\`${env}\``));
    expect([...new Set(missing)]).toEqual([]);
  });
});

/**
 * The credential formats read by real AWS tools, offline: botocore (the AWS CLI's and boto3's core) and the AWS SDK
 * for JavaScript v3 run the config profile's credential_process, from a folder whose name has a space, and get the
 * credentials back; /bin/sh and botocore's own splitter read the quoted command as the same arguments.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IAMClient } from '@aws-sdk/client-iam';
import { afterAll, describe, expect, it } from 'vitest';
import { credentialFormats, quoteCredentialProcessCommand } from '../../src/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'tg creds '));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const credentials = {
  accessKeyId: 'ASIAFAKEFAKEFAKE0002',
  secretAccessKey: 'fake/secret+key=value0123456789abcdefghij',
  sessionToken: 'FwoFAKEtoken//with+slashes=and==padding',
  expiration: new Date(Date.now() + 3_600_000),
};

function profileFile(): string {
  const printer = join(dir, 'print creds.cjs');
  const formats = credentialFormats({ credentials, region: 'eu-west-1', profileName: 'tg-test' });
  writeFileSync(printer, `process.stdout.write(${JSON.stringify(JSON.stringify(formats.credentialProcess))});\n`);
  const { configProfile } = credentialFormats({
    credentials,
    region: 'eu-west-1',
    profileName: 'tg-test',
    credentialProcessCommand: [process.execPath, printer, 'an argument with spaces'],
  });
  const config = join(dir, 'config');
  writeFileSync(config, configProfile);
  return config;
}

describe('credential formats with real AWS tools', () => {
  it('/bin/sh and botocore split the quoted command into the same arguments', () => {
    const argv = ['/opt/my tools/trustgate', 'creds', 'a&b', "it's", '~', 'x|y', 'A=b'];
    const quoted = quoteCredentialProcessCommand(argv);
    const sh = execFileSync('/bin/sh', ['-c', `printf '%s\\n' ${quoted}`], { encoding: 'utf8' });
    expect(sh.split('\n').slice(0, -1)).toEqual(argv);
    const py = execFileSync(
      'python3',
      [
        '-c',
        'import sys,json; from botocore.compat import compat_shell_split; print(json.dumps(compat_shell_split(sys.argv[1])))',
        quoted,
      ],
      { encoding: 'utf8' },
    );
    expect(JSON.parse(py)).toEqual(argv);
  });

  it('botocore (AWS CLI, boto3) runs the profile credential_process and reads the credentials', () => {
    const config = profileFile();
    const out = execFileSync(
      'python3',
      [
        '-c',
        'import botocore.session; c = botocore.session.Session(profile="tg-test").get_credentials().get_frozen_credentials(); print(c.access_key == "ASIAFAKEFAKEFAKE0002", c.secret_key == "fake/secret+key=value0123456789abcdefghij", c.token == "FwoFAKEtoken//with+slashes=and==padding")',
      ],
      {
        encoding: 'utf8',
        env: {
          PATH: process.env.PATH ?? '',
          HOME: dir,
          AWS_CONFIG_FILE: config,
          AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none'),
        },
      },
    );
    expect(out.trim()).toBe('True True True');
  });

  it('the AWS SDK for JavaScript v3 runs the profile credential_process and reads the credentials', async () => {
    const config = profileFile();
    const saved = { config: process.env.AWS_CONFIG_FILE, shared: process.env.AWS_SHARED_CREDENTIALS_FILE };
    process.env.AWS_CONFIG_FILE = config;
    process.env.AWS_SHARED_CREDENTIALS_FILE = join(dir, 'none');
    try {
      const client = new IAMClient({ region: 'eu-west-1', profile: 'tg-test' });
      const got = await client.config.credentials();
      expect(got.accessKeyId).toBe(credentials.accessKeyId);
      expect(got.secretAccessKey === credentials.secretAccessKey).toBe(true);
      expect(got.sessionToken === credentials.sessionToken).toBe(true);
      expect(Math.abs((got.expiration?.getTime() ?? 0) - credentials.expiration.getTime())).toBeLessThan(1000);
      client.destroy();
    } finally {
      if (saved.config === undefined) delete process.env.AWS_CONFIG_FILE;
      else process.env.AWS_CONFIG_FILE = saved.config;
      if (saved.shared === undefined) delete process.env.AWS_SHARED_CREDENTIALS_FILE;
      else process.env.AWS_SHARED_CREDENTIALS_FILE = saved.shared;
    }
  });
});

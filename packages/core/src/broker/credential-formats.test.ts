import { describe, expect, it } from 'vitest';
import { credentialFormats, quoteCredentialProcessCommand } from './index.ts';

// Fake values shaped like STS's; nothing here is a real credential.
const credentials = {
  accessKeyId: 'ASIAFAKEFAKEFAKE0001',
  secretAccessKey: 'fake/secret+key=value0123456789abcdefghij',
  sessionToken: 'FwoFAKEtoken//with+slashes=and==padding',
  expiration: new Date('2026-12-03T15:04:05.678Z'),
};

describe('credentialFormats', () => {
  const formats = credentialFormats({
    credentials,
    region: 'eu-west-1',
    profileName: 'trustgate-prod-read',
    credentialProcessCommand: ['trustgate', 'creds', '--stack', 'prod', '--phase', 'read'],
  });

  it('gives the environment variables the CLI and SDKs read, with the region twice and the expiry', () => {
    expect(formats.env).toEqual({
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_SESSION_TOKEN: credentials.sessionToken,
      AWS_SECURITY_TOKEN: credentials.sessionToken,
      AWS_REGION: 'eu-west-1',
      AWS_DEFAULT_REGION: 'eu-west-1',
      AWS_CREDENTIAL_EXPIRATION: '2026-12-03T15:04:05Z',
    });
  });

  it('gives credential_process JSON Version 1 and the container endpoint body, expiring in ISO 8601 UTC', () => {
    expect(formats.credentialProcess).toEqual({
      Version: 1,
      AccessKeyId: credentials.accessKeyId,
      SecretAccessKey: credentials.secretAccessKey,
      SessionToken: credentials.sessionToken,
      Expiration: '2026-12-03T15:04:05Z',
    });
    expect(formats.container).toEqual({
      AccessKeyId: credentials.accessKeyId,
      SecretAccessKey: credentials.secretAccessKey,
      Token: credentials.sessionToken,
      Expiration: '2026-12-03T15:04:05Z',
    });
    // Sub-seconds are cut, never rounded up past the real expiry.
    expect(new Date(formats.container.Expiration).getTime()).toBeLessThanOrEqual(credentials.expiration.getTime());
  });

  it('writes a config profile that runs the command and carries no key', () => {
    expect(formats.configProfile).toBe(
      '[profile trustgate-prod-read]\ncredential_process = trustgate creds --stack prod --phase read\nregion = eu-west-1\n',
    );
    expect(formats.configProfile.includes(credentials.secretAccessKey)).toBe(false);
    expect(formats.configProfile.includes(credentials.sessionToken)).toBe(false);
  });

  it('without a command, the profile holds the session keys', () => {
    const plain = credentialFormats({ credentials, region: 'us-east-1', profileName: 'p' });
    expect(plain.configProfile.split('\n')).toEqual([
      '[profile p]',
      `aws_access_key_id = ${credentials.accessKeyId}`,
      `aws_secret_access_key = ${credentials.secretAccessKey}`,
      `aws_session_token = ${credentials.sessionToken}`,
      'region = us-east-1',
      '',
    ]);
  });

  it('splits a command given as a string at white space', () => {
    const f = credentialFormats({
      credentials,
      region: 'eu-west-1',
      profileName: 'p',
      credentialProcessCommand: 'trustgate  creds --stack prod',
    });
    expect(f.configProfile).toContain('credential_process = trustgate creds --stack prod\n');
  });

  it('refuses bad input naming the field and never echoing a secret', () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ credentials: { ...credentials, secretAccessKey: '' } }, 'credentials.secretAccessKey'],
      [{ credentials: { ...credentials, sessionToken: `${credentials.sessionToken}\n` } }, 'credentials.sessionToken'],
      [{ credentials: { ...credentials, expiration: new Date('nope') } }, 'credentials.expiration'],
      [{ region: 'Europe' }, 'region'],
      [{ profileName: 'prod]\n[profile evil' }, 'profileName'],
      [{ profileName: '' }, 'profileName'],
      [{ credentialProcessCommand: [] }, 'credentialProcessCommand'],
    ];
    for (const [patch, field] of cases) {
      let error: unknown;
      try {
        credentialFormats({ credentials, region: 'eu-west-1', profileName: 'p', ...patch });
      } catch (e) {
        error = e;
      }
      expect(error, field).toMatchObject({ code: 'INVALID_INPUT', field });
      const text = `${(error as Error).message} ${JSON.stringify(error)}`;
      expect(text.includes(credentials.secretAccessKey) || text.includes(credentials.sessionToken)).toBe(false);
    }
  });
});

describe('quoteCredentialProcessCommand', () => {
  it('writes plain arguments bare and quotes those with spaces and shell characters', () => {
    expect(quoteCredentialProcessCommand(['/opt/bin/trustgate', 'creds', '--run', 'run-1'])).toBe(
      '/opt/bin/trustgate creds --run run-1',
    );
    expect(quoteCredentialProcessCommand(['/Users/Dave/my tools/tg', 'a&b', '~', "it's", 'x|y>z'])).toBe(
      `"/Users/Dave/my tools/tg" "a&b" "~" "it's" "x|y>z"`,
    );
    // A first word with "=" would be a shell variable assignment.
    expect(quoteCredentialProcessCommand(['A=b', 'c=d'])).toBe('"A=b" c=d');
  });

  it.each([['$HOME'], ['`id`'], ['a"b'], ['back\\slash'], ['bang!'], ['%PATH%'], ['x\ny'], ['# comment'], ['a;b']])(
    'ATTACK: refuses %j, which no quoting keeps literal in every shell and the config file',
    (arg) => {
      expect(() => quoteCredentialProcessCommand(['trustgate', arg])).toThrow(
        expect.objectContaining({ code: 'INVALID_INPUT', field: 'credentialProcessCommand[1]' }),
      );
    },
  );
});

import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { IssuanceAnswer } from '../service-client.ts';
import { formatCreds } from './creds.ts';

/** An answer as the service gives it, with plainly fake credentials (values a shell must keep as they are). */
const answer: IssuanceAnswer = {
  phase: 'read',
  runId: 'r1',
  stackId: 'stk_1',
  accountId: '123456789012',
  region: 'eu-west-1',
  sessionName: 'r1',
  durationSeconds: 900,
  formats: {
    env: {
      AWS_ACCESS_KEY_ID: 'ASIAFAKE',
      AWS_SECRET_ACCESS_KEY: `it's "$HOME" \`id\` \\ ; $(touch /tmp/x)`,
      AWS_SESSION_TOKEN: 'tok+/=\nsecond line',
      AWS_REGION: 'eu-west-1',
    },
    credentialProcess: {
      Version: 1,
      AccessKeyId: 'ASIAFAKE',
      SecretAccessKey: 's',
      SessionToken: 't',
      Expiration: '2030-01-01T00:00:00.000Z',
    },
    configProfile: '',
    container: { AccessKeyId: 'ASIAFAKE', SecretAccessKey: 's', Token: 't', Expiration: '2030-01-01T00:00:00.000Z' },
  },
  runToken: 'tgr_fake.run-token',
  runTokenExpiresAt: '2030-01-01T00:00:00.000Z',
};

describe('trustgate creds output', () => {
  it('env: a shell that evaluates the export lines gets every value exactly, running nothing inside them', () => {
    const script = `${formatCreds(answer, 'env')}node -e 'process.stdout.write(JSON.stringify(process.env))'`;
    const env = JSON.parse(
      execFileSync('sh', ['-c', script], { env: { PATH: process.env.PATH } }).toString(),
    ) as Record<string, string>;
    for (const [name, value] of Object.entries(answer.formats!.env)) expect(env[name] === value, name).toBe(true);
  });

  it('json: the whole answer without the run token; credential-process: the Version 1 object alone', () => {
    const json = formatCreds(answer, 'json');
    expect(json.includes('tgr_fake')).toBe(false);
    expect(JSON.parse(json)).toMatchObject({ sessionName: 'r1', formats: answer.formats });
    expect(JSON.parse(formatCreds(answer, 'credential-process'))).toEqual(answer.formats!.credentialProcess);
  });

  it('an assume-on-worker answer (no credentials) is refused for env and credential-process, printed for json', () => {
    // eslint-disable-next-line @typescript-eslint/no-unused-vars -- the formats are what an assume-on-worker answer lacks
    const { formats, ...rest } = answer;
    const onWorker: IssuanceAnswer = { ...rest, assumeRole: { roleArn: 'arn:aws:iam::1:role/x' } };
    expect(() => formatCreds(onWorker, 'env')).toThrow(/assumes the role on the worker/);
    expect(JSON.parse(formatCreds(onWorker, 'json')).assumeRole.roleArn).toBe('arn:aws:iam::1:role/x');
  });
});

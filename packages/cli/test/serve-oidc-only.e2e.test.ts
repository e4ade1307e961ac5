import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrustgateError } from '@trustgate/core';
import { startServe, type RunningServe } from '../src/commands/serve.ts';
import { IDENTITY_KEY_ENV } from '../src/commands/identity-options.ts';

const ISSUER = 'https://id.trustgate.test';

/** Every setting through which the SDK's default credential chain could find an AWS identity, cleared for the suite. */
const CLEARED_ENV: Record<string, string | undefined> = {
  AWS_ACCESS_KEY_ID: undefined,
  AWS_SECRET_ACCESS_KEY: undefined,
  AWS_SESSION_TOKEN: undefined,
  AWS_PROFILE: undefined,
  AWS_ROLE_ARN: undefined,
  AWS_WEB_IDENTITY_TOKEN_FILE: undefined,
  AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined,
  AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined,
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/trustgate-test/credentials',
  AWS_CONFIG_FILE: '/nonexistent/trustgate-test/config',
  AWS_EC2_METADATA_DISABLED: 'true',
  [IDENTITY_KEY_ENV]: randomBytes(32).toString('base64'),
};

/**
 * `trustgate serve --aws none`: an OIDC-only deployment with no AWS credentials in the environment and no profile —
 * it starts, serves its issuer, makes OIDC connections, and answers external-ID ones with a 400 that says why.
 */
describe('trustgate serve --aws none (OIDC only, no AWS identity)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tg-serve-oidc-only-'));
  const saved: Record<string, string | undefined> = {};
  let running: RunningServe | undefined;
  const serve = (extra: Record<string, string> = {}) =>
    startServe({
      db: join(dir, `tg-${randomBytes(3).toString('hex')}.sqlite`),
      port: '0',
      host: '127.0.0.1',
      aws: 'none',
      partition: 'aws',
      oidcIssuer: ISSUER,
      ...extra,
    });

  beforeAll(() => {
    for (const [key, value] of Object.entries(CLEARED_ENV)) {
      saved[key] = process.env[key];
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });
  afterAll(async () => {
    await running?.stop();
    rmSync(dir, { recursive: true, force: true });
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  it('starts with no platform identity, serves the issuer and OIDC connections; external-ID ones are 400', async () => {
    running = await serve();
    expect(running.sandbox).toBeUndefined();
    expect(running.service.deps.platforms).toEqual({});
    const doc = (await (await fetch(`${running.url}/.well-known/openid-configuration`)).json()) as { issuer: string };
    expect(doc.issuer).toBe(ISSUER);
    const post = (body: Record<string, unknown>) =>
      fetch(`${running!.url}/v1/connections`, {
        method: 'POST',
        headers: { authorization: `Bearer ${running!.adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ scope: { kind: 'account', accountId: '222222222222' }, ...body }),
      });
    const oidc = await post({ name: 'oidc', trust: { kind: 'oidc', phases: ['read'] } });
    expect(oidc.status).toBe(201);
    const external = await post({ name: 'ext' });
    expect(external.status).toBe(400);
    const error = ((await external.json()) as { error: { code: string; message: string } }).error;
    expect(error.code).toBe('INVALID_PARTITION');
    expect(error.message).toMatch(/OIDC connections only/);
  });

  it('refuses to start without --oidc-issuer, or with a platform setting, naming the flag', async () => {
    const refusal = async (options: Record<string, string | undefined>) => {
      const error = await serve(options as Record<string, string>).then(
        async (r) => {
          await r.stop();
          return undefined;
        },
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(TrustgateError);
      return (error as TrustgateError).field;
    };
    expect(await refusal({ oidcIssuer: undefined as unknown as string })).toBe('oidcIssuer');
    expect(await refusal({ callbackTopic: 'arn:aws:sns:us-east-1:111111111111:t' })).toBe('callbackTopic');
    expect(await refusal({ platformRoleArn: 'arn:aws:iam::111111111111:role/p' })).toBe('platformRoleArn');
  });
});

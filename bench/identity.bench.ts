/**
 * trustgate as an OIDC issuer (issue 13): run tokens minted per second (RS256 and ES256) against jose signing the
 * same claims with the same kind of key alone, and the discovery document and JWKS answered under load (autocannon
 * from another process) against the bare /healthz route of the same service.
 */
import { randomBytes } from 'node:crypto';
import { generateKeyPair, SignJWT } from 'jose';
import { createTrustgateService, mintRunToken, type RunTokenInput } from '@trustgate/server';
import { describeLoad, runLoad } from './load-generator.ts';
import { asyncOpsPerSecond } from './ops-per-second.ts';

const RUN: RunTokenInput = {
  organizationId: 'org_bench',
  spaceId: 'spc_bench',
  stackId: 'stk_bench',
  stackSlug: 'bench',
  phase: 'write',
  runId: 'run_bench',
  connectionId: 'con_bench',
  partition: 'aws',
};
const NO_AWS = {
  aws: {
    endpoint: 'http://127.0.0.1:9',
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIAUNUSED0000000000', secretAccessKey: 'unused' },
    accountId: '111111111111',
  },
};

export default async function run(): Promise<void> {
  for (const algorithm of ['RS256', 'ES256'] as const) {
    const service = await createTrustgateService({
      databaseUrl: ':memory:',
      partitions: NO_AWS, // an OIDC-only issuer needs no AWS credentials
      publicUrl: 'http://127.0.0.1',
      reverify: false,
      identity: { issuerUrl: 'https://id.trustgate.test', keyEncryptionKey: randomBytes(32), algorithm },
    });
    try {
      const identity = service.deps.identity!;
      await mintRunToken(identity, RUN); // the first key is made here, outside the measurement
      const { privateKey } = await generateKeyPair(algorithm, { modulusLength: 2048 });
      const now = Math.floor(Date.now() / 1000);
      const joseAlone = await asyncOpsPerSecond(
        () =>
          new SignJWT({ organization_id: 'org_bench', stack_id: 'stk_bench', run_id: 'run_bench' })
            .setProtectedHeader({ alg: algorithm, kid: 'k', typ: 'JWT' })
            .setIssuer('https://id.trustgate.test')
            .setAudience('sts.amazonaws.com')
            .setSubject('org:org_bench:space:spc_bench:stack:stk_bench:phase:write')
            .setIssuedAt(now)
            .setNotBefore(now)
            .setExpirationTime(now + 3600)
            .setJti(randomBytes(16).toString('hex'))
            .sign(privateKey),
        1500,
      );
      const minted = await asyncOpsPerSecond(() => mintRunToken(identity, RUN), 1500);
      console.log(
        `${algorithm}: mintRunToken ${minted.toFixed(0)} tokens/s, one at a time; jose signing alone ${joseAlone.toFixed(0)}/s (${((minted / joseAlone) * 100).toFixed(0)}% of it)`,
      );
      const parallel = 16;
      const start = process.hrtime.bigint();
      let count = 0;
      const until = start + 1_500_000_000n;
      await Promise.all(
        Array.from({ length: parallel }, async () => {
          while (process.hrtime.bigint() < until) {
            await mintRunToken(identity, RUN);
            count++;
          }
        }),
      );
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      console.log(
        `${algorithm}: mintRunToken ${(count / seconds).toFixed(0)} tokens/s with ${parallel} callers at once`,
      );
      if (algorithm === 'RS256') {
        const url = await service.listen({ port: 0 });
        const health = await runLoad({ url: `${url}/healthz`, durationSeconds: 4 });
        const discovery = await runLoad({ url: `${url}/.well-known/openid-configuration`, durationSeconds: 4 });
        const jwks = await runLoad({ url: `${url}/.well-known/jwks.json`, durationSeconds: 4 });
        console.log(`GET /healthz (baseline): ${describeLoad(health)}`);
        console.log(
          `GET /.well-known/openid-configuration: ${describeLoad(discovery)} (${((discovery.requestsPerSecond / health.requestsPerSecond) * 100).toFixed(0)}% of baseline)`,
        );
        console.log(
          `GET /.well-known/jwks.json: ${describeLoad(jwks)} (${((jwks.requestsPerSecond / health.requestsPerSecond) * 100).toFixed(0)}% of baseline)`,
        );
      }
    } finally {
      await service.close();
    }
  }
}

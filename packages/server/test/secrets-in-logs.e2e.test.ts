import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '@trustgate/sandbox';
import { createPlatformUser } from '../src/aws/create-platform-user.ts';
import { createTemplateBucket } from '../src/aws/create-template-bucket.ts';
import type { FetchPort } from '../src/aws/fetch-port.ts';
import { reverifyDueConnections } from '../src/app/jobs/reverify-connections.ts';
import { createTrustgateService, type TrustgateService } from '../src/create-service.ts';
import { DIALECTS, openSharedTestDatabase, type SharedTestDatabase } from './test-stores.ts';
import {
  applyStack,
  callbackTopicArn,
  OPERATOR_TOKEN,
  sandboxServiceSettings,
  startTestService,
  TEST_SERVICE_DEFAULTS,
} from './service-harness.ts';

/** A JSON answer of the API. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- bodies are asserted field by field
type ApiResponse = { status: number; body: any };

/** The pino levels the service may run at, least to most verbose: each must keep the same secrets out. */
const LEVELS = ['warn', 'info', 'debug', 'trace'] as const;

/** Anything of a presigned or signed URL's query, or a credential, by its name (AWS SigV4 and SigV2 query auth, SNS). */
const SIGNED_QUERY = /X-Amz-(Signature|Credential|Security-Token)|[?&](Signature|Expires|AWSAccessKeyId|Token)=/i;

/** How every session token the sandbox issues begins (as AWS's do). */
const SESSION_TOKEN_PREFIX = 'IQoJb3JpZ2luX2Vj';

/**
 * "Never logged", at every log level: the service runs against the sandbox with everything it logs captured, and
 * goes through what handles secrets — the operator token, API token secrets (issued, and presented in every
 * request's Authorization header), one-time callback tokens in automatic templates, presigned URLs (the
 * quick-create template's, CloudFormation's ResponseURL, SNS's SubscribeURL), the platform's AWS secret key and
 * the role sessions it gets — including the paths that log on purpose: an answer CloudFormation's ResponseURL
 * refused, and a re-verification STS failed. None of those secrets may appear in any line, at warn or below.
 */
describe.each(DIALECTS.flatMap((dialect) => LEVELS.map((level) => [dialect, level] as const)))(
  'secrets stay out of the log on %s at %s',
  (dialect, level) => {
    let sandbox: Sandbox;
    let service: TrustgateService;
    let db: SharedTestDatabase;
    let url = '';
    const log: string[] = [];
    /** ResponseURLs the service PUT answers to, in order; `refusals` are answered 403 first (an expired presigned URL). */
    const responseUrls: string[] = [];
    let refusals = 0;
    const fetchPort: FetchPort = async (target, init) => {
      if (init.method !== 'PUT') return fetch(target, init);
      responseUrls.push(target);
      if (refusals > 0) {
        refusals--;
        return { ok: false, status: 403 };
      }
      return fetch(target, init);
    };
    const bucket = () => `trustgate-templates-${sandbox.accounts[0]!.accountId}`;
    let platformSecret = '';

    beforeAll(async () => {
      sandbox = await startSandbox({ accounts: 2, customResourceTimeoutMs: 3_000 });
      const platform = sandbox.accounts[0]!;
      const adminCredentials = { accessKeyId: platform.accessKeyId, secretAccessKey: platform.secretAccessKey };
      const platformUser = await createPlatformUser({
        endpoint: sandbox.endpoint,
        region: sandbox.region,
        adminCredentials,
      });
      platformSecret = platformUser.credentials.secretAccessKey;
      await createTemplateBucket({
        endpoint: sandbox.endpoint,
        region: sandbox.region,
        adminCredentials,
        bucket: bucket(),
      });
      db = openSharedTestDatabase(dialect, 'tg-logs-');
      const settings = sandboxServiceSettings(sandbox, {
        accountId: platform.accountId,
        credentials: platformUser.credentials,
      });
      service = await createTrustgateService({
        ...db.config,
        ...TEST_SERVICE_DEFAULTS,
        ...settings,
        partitions: { aws: { ...settings.partitions.aws!, templateBucket: bucket() } },
        fetchPort,
        logger: { level, stream: { write: (line: string) => log.push(line) } },
      });
      url = await service.listen({ port: 0 });
      service.deps.publicUrl = url;
      // A confirmed subscription: the service follows SNS's SubscribeURL, whose query carries the subscription's token.
      await sandbox.subscribe(callbackTopicArn(platform.accountId), `${url}/v1/callbacks/cloudformation`, {
        confirm: true,
      });
    });
    afterAll(async () => {
      await service?.close();
      await sandbox?.stop();
      await db?.remove();
    });

    async function api(method: string, path: string, bearer: string, body?: unknown): Promise<ApiResponse> {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${bearer}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: res.status, body: await res.json() };
    }

    it('no token secret, callback token, presigned query or AWS secret key reaches any line', async () => {
      const customer = sandbox.accounts[1]!;
      const customerCredentials = { accessKeyId: customer.accessKeyId, secretAccessKey: customer.secretAccessKey };
      const organization = await api('POST', '/v1/organizations', OPERATOR_TOKEN, {
        name: 'Logs',
        adminEmail: 'admin@logs.test',
        adminName: 'Admin',
      });
      expect(organization.status).toBe(201);
      const admin: string = organization.body.token.secret;
      const issued = await api('POST', '/v1/tokens', admin, { name: 'ci', scopes: ['connections:read'] });
      expect(issued.status).toBe(201);
      const ci: string = issued.body.secret;
      expect((await api('GET', '/v1/me', ci)).status).toBe(200);

      // A manual connection verified for real: the service assumes the role and holds its session.
      const manual = await api('POST', '/v1/connections', admin, {
        name: 'manual',
        scope: { kind: 'account', accountId: customer.accountId },
        roleName: 'Tg-logs-manual',
      });
      expect(manual.status).toBe(201);
      const manualStack = await applyStack({
        endpoint: sandbox.endpoint,
        credentials: customerCredentials,
        stackName: 'tg-logs-manual',
        templateBody: manual.body.deliverables.formats['cloudformation-json'],
      });
      expect(manualStack.status, manualStack.reason).toBe('CREATE_COMPLETE');
      const verified = await api('POST', `/v1/connections/${manual.body.connection.id}/verify`, admin, {
        roleArn: manualStack.outputs.RoleArn,
      });
      expect(verified.body.status, verified.body.statusReason).toBe('connected');

      // An automatic connection: its template carries a one-time callback token, its quick-create link a presigned
      // template URL; CloudFormation's ResponseURL refuses the answer (403), which the service logs as a warning.
      const auto = await api('POST', '/v1/connections', admin, {
        name: 'auto',
        mode: 'automatic',
        scope: { kind: 'account', accountId: customer.accountId },
        roleName: 'Tg-logs-auto',
      });
      expect(auto.status).toBe(201);
      const template = auto.body.deliverables.formats['cloudformation-json'] as string;
      const resources = Object.values(
        (
          JSON.parse(template) as {
            Resources: Record<string, { Type: string; Properties: { CallbackToken?: string } }>;
          }
        ).Resources,
      );
      const callbackToken =
        resources.find((r) => r.Type === 'Custom::TrustgateConnection')?.Properties.CallbackToken ?? '';
      expect(callbackToken).toMatch(/^[A-Za-z0-9_-]{40,}$/);
      const templateUrl = new URL(
        decodeURIComponent(
          /templateURL=([^&]+)/.exec(auto.body.deliverables.formats['quick-create-link'] as string)?.[1] ?? '',
        ),
      );
      expect(templateUrl.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
      refusals = 1;
      const autoStack = applyStack({
        endpoint: sandbox.endpoint,
        credentials: customerCredentials,
        stackName: 'tg-logs-auto',
        templateBody: template,
      });
      for (let i = 0; i < 400 && responseUrls.length === 0; i++) await new Promise((r) => setTimeout(r, 25));
      await service.background.idle();
      expect((await api('GET', `/v1/connections/${auto.body.connection.id}`, admin)).body.status).toBe('connected');
      const responseUrl = new URL(responseUrls[0]!);
      expect(responseUrl.searchParams.get('Signature')).toBeTruthy();
      // Its answer never arrived: CloudFormation gives up on the stack (a Delete request follows, answered).
      expect((await autoStack).status).toMatch(/ROLLBACK_COMPLETE|CREATE_FAILED/);
      await service.background.idle();

      // Re-verification while STS fails: the service logs each role it could not verify, with the error.
      sandbox.faults.inject({ service: 'sts', action: 'AssumeRole', kind: 'server-error', count: Infinity });
      try {
        expect(
          (
            await reverifyDueConnections(service.deps, {
              holder: 'logs',
              intervalMs: 1_000,
              now: new Date(Date.now() + 60_000),
            })
          ).ran,
        ).toBe(true);
      } finally {
        sandbox.faults.clear();
      }

      const text = log.join('\n');
      const lines = log.map((line) => JSON.parse(line) as { level: number; msg: string; responseUrl?: string });
      // What was logged is what this level logs: the warnings at every level, request lines from info on.
      const undelivered = lines.find((l) =>
        l.msg.startsWith('callback: the answer could not be delivered to CloudFormation'),
      );
      expect(undelivered?.responseUrl).toBe(`${responseUrl.origin}${responseUrl.pathname}`);
      expect(lines.some((l) => l.msg.startsWith('re-verification: a role could not be verified'))).toBe(true);
      expect(lines.some((l) => l.msg === 'incoming request')).toBe(level !== 'warn');
      for (const secret of [
        OPERATOR_TOKEN,
        admin,
        admin.replace(/^tg_/, ''),
        ci,
        ci.replace(/^tg_/, ''),
        callbackToken,
        responseUrl.search.slice(1),
        responseUrl.searchParams.get('Signature')!,
        templateUrl.search.slice(1),
        templateUrl.searchParams.get('X-Amz-Signature')!,
        platformSecret,
        ...sandbox.accounts.map((a) => a.secretAccessKey),
        SESSION_TOKEN_PREFIX,
      ]) {
        expect(secret.length).toBeGreaterThan(10);
        expect(text, `a secret in the ${level} log: ${secret.slice(0, 12)}…`).not.toContain(secret);
      }
      expect(text).not.toMatch(SIGNED_QUERY);
      expect(text).not.toMatch(/Bearer\s/);
      expect(text).not.toMatch(/secretAccessKey|sessionToken/i);
    }, 60_000);
  },
);

/**
 * Fastify's own request serializer leaves headers out; an operator who logs them (a `req` serializer of their own,
 * passed as the service's logger settings) must still never see an Authorization header: the service's logger
 * redacts `req.headers.authorization` whatever else it is given.
 */
describe.each(LEVELS.filter((level) => level !== 'warn'))('an access log with request headers at %s', (level) => {
  it("shows every request's headers but the Authorization redacted, valid token or not", async () => {
    const log: string[] = [];
    const withHeaders = {
      req: (req: { method: string; url: string; headers: Record<string, string> }) => ({
        method: req.method,
        url: req.url,
        headers: req.headers,
      }),
    };
    const t = await startTestService({
      dialect: 'sqlite',
      partitions: {
        aws: {
          endpoint: 'http://127.0.0.1:9',
          region: 'us-east-1',
          credentials: { accessKeyId: 'AKIAUNUSED0000000000', secretAccessKey: 'unused' },
          accountId: '111111111111',
        },
      },
      logger: { level, serializers: withHeaders, stream: { write: (line: string) => log.push(line) } },
    });
    try {
      const { adminToken } = await t.newOrganization('Headers');
      const unknown = `tg_${'u'.repeat(43)}`;
      expect((await t.api('GET', '/v1/me', { token: adminToken })).status).toBe(200);
      expect((await t.api('GET', '/v1/me', { token: unknown })).status).toBe(401);
      const requests = log
        .map((line) => JSON.parse(line) as { msg: string; req?: { url: string; headers?: Record<string, string> } })
        .filter((l) => l.msg === 'incoming request');
      expect(requests.map((l) => l.req?.url)).toEqual(['/v1/organizations', '/v1/me', '/v1/me']);
      for (const l of requests) {
        expect(l.req?.headers?.host).toBe(new URL(t.url).host);
        expect(l.req?.headers?.authorization).toBe('[Redacted]');
      }
      const text = log.join('\n');
      for (const secret of [OPERATOR_TOKEN, adminToken, unknown]) expect(text).not.toContain(secret);
      expect(text).not.toMatch(/Bearer\s/);
    } finally {
      await t.close();
    }
  });
});

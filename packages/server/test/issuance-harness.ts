import { randomBytes } from 'node:crypto';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { startSandbox, type Sandbox, type SandboxAccount } from '@trustgate/sandbox';
import type { RunPhase } from '@trustgate/core';
import { createTrustgateService, type TrustgateService, type TrustgateServiceConfig } from '../src/create-service.ts';
import { createPlatformUser } from '../src/aws/create-platform-user.ts';
import { generateApiTokenSecret } from '../src/auth/api-token-secret.ts';
import type { Attachment, IssueRestriction, Stack } from '../src/model/broker-records.ts';
import type { TokenScope } from '../src/model/records.ts';
import type { DialectName } from '../src/store/open-database.ts';
import { newId, nowIso } from '../src/store/new-id.ts';
import { dropSchema, TEST_POSTGRES_URL } from './test-stores.ts';
import { OPERATOR_TOKEN, sandboxServiceSettings, TEST_SERVICE_DEFAULTS, type ApiResponse } from './service-harness.ts';

/** The AssumeRole calls that reached the sandbox are counted by a catch-all 0 ms latency fault (last rule). */
const COUNTER = { service: 'sts', action: 'AssumeRole', kind: 'latency' as const, latencyMs: 0, count: Infinity };

/** A sandbox, one service wired to it, an organization, and helpers to set up connections, stacks and attachments. */
export interface BrokerEnv {
  sandbox: Sandbox;
  platform: SandboxAccount;
  customer: SandboxAccount;
  service: TrustgateService;
  /** The service's configuration: another instance started with it shares the database (and a Redis cache). */
  config: TrustgateServiceConfig;
  url: string;
  /** Every line the service logged (pino JSON). */
  log: string[];
  organizationId: string;
  adminId: string;
  adminToken: string;
  api(
    method: string,
    path: string,
    o?: { token?: string; body?: unknown; authorization?: string },
  ): Promise<ApiResponse>;
  /** Creates a token in the store (a token can carry an issue restriction, which the token route does not set). */
  token(o: {
    userId?: string;
    organizationId?: string;
    scopes: TokenScope[];
    restriction?: IssueRestriction;
  }): Promise<{ id: string; secret: string }>;
  /**
   * A connection over the API and its role in the customer account (or in each of `accounts`: a multi-account
   * connection), trusting the platform as the deliverables say and allowed `*`, verified.
   */
  connect(
    name: string,
    accounts?: SandboxAccount[],
    extra?: Record<string, unknown>,
  ): Promise<{ id: string; externalId: string; roleName: string; roleArn: string }>;
  /** An IAM client of a sandbox account (its root user: the customer). */
  iamOf(account: SandboxAccount): IAMClient;
  stack(slug: string, spaceId?: string | null): Promise<Stack>;
  attach(stack: Stack, connectionId: string, o?: Partial<Attachment>): Promise<Attachment>;
  /** AssumeRole calls that reached the sandbox so far. */
  stsCalls(): number;
  /** Fault rules in force before the counter (cleared with `[]`). */
  setFaults(rules: Parameters<Sandbox['faults']['inject']>[0][]): void;
  close(): Promise<void>;
}

/** Starts the sandbox (3 accounts: platform, customer, other) and a service with the broker wired as configured. */
export async function startBrokerEnv(options: {
  dialect: DialectName;
  service?: Partial<TrustgateServiceConfig>;
}): Promise<BrokerEnv> {
  const sandbox = await startSandbox({ accounts: 3, faults: [COUNTER] });
  const [platform, customer] = sandbox.accounts as [SandboxAccount, SandboxAccount];
  const schema = options.dialect === 'postgres' ? `tg_${randomBytes(6).toString('hex')}` : undefined;
  const log: string[] = [];
  let service: TrustgateService | undefined;
  try {
    const platformUser = await createPlatformUser({
      endpoint: sandbox.endpoint,
      region: sandbox.region,
      adminCredentials: { accessKeyId: platform.accessKeyId, secretAccessKey: platform.secretAccessKey },
    });
    const config: TrustgateServiceConfig = {
      databaseUrl: options.dialect === 'postgres' ? TEST_POSTGRES_URL : ':memory:',
      ...(schema === undefined ? {} : { databaseSchema: schema, databasePoolSize: 3 }),
      ...TEST_SERVICE_DEFAULTS,
      ...sandboxServiceSettings(sandbox, { accountId: platform.accountId, credentials: platformUser.credentials }),
      logger: { level: 'info', stream: { write: (line: string) => log.push(line) } },
      ...options.service,
    };
    service = await createTrustgateService(config);
    const url = await service.listen({ port: 0 });
    service.deps.publicUrl = url;
    const api: BrokerEnv['api'] = async (method, path, o = {}) => {
      const headers: Record<string, string> = {};
      if (o.token !== undefined) headers.authorization = `Bearer ${o.token}`;
      if (o.authorization !== undefined) headers.authorization = o.authorization;
      if (o.body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(`${url}${path}`, {
        method,
        headers,
        ...(o.body === undefined ? {} : { body: JSON.stringify(o.body) }),
      });
      const text = await res.text();
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      return { status: res.status, body, text, headers: res.headers };
    };
    const created = await api('POST', '/v1/organizations', {
      token: OPERATOR_TOKEN,
      body: { name: 'Acme', adminEmail: 'admin@acme.test', adminName: 'Acme admin' },
    });
    if (created.status !== 201) throw new Error(`organization: ${created.status} ${created.text}`);
    const organizationId: string = created.body.organization.id;
    const adminId: string = created.body.admin.id;
    const adminToken: string = created.body.token.secret;
    const store = service.store;
    const iamOf = (account: SandboxAccount) =>
      new IAMClient({
        endpoint: sandbox.endpoint,
        region: sandbox.region,
        credentials: { accessKeyId: account.accessKeyId, secretAccessKey: account.secretAccessKey },
      });
    const running = service;
    return {
      sandbox,
      platform,
      customer,
      service,
      config,
      url,
      log,
      organizationId,
      adminId,
      adminToken,
      api,
      iamOf,
      async token(o) {
        const { secret, hash } = generateApiTokenSecret();
        const t = await store.tokens.create({
          organizationId: o.organizationId ?? organizationId,
          userId: o.userId ?? adminId,
          name: `t-${randomBytes(3).toString('hex')}`,
          scopes: o.scopes,
          tokenHash: hash,
          expiresAt: null,
          ...(o.restriction === undefined ? {} : { issueRestriction: o.restriction }),
        });
        return { id: t.id, secret };
      },
      async connect(name, accounts = [customer], extra = {}) {
        const roleName = `Tg-${name}`;
        const scope =
          accounts.length === 1
            ? { kind: 'account', accountId: customer.accountId }
            : { kind: 'accounts', accountIds: accounts.map((a) => a.accountId) };
        const res = await api('POST', '/v1/connections', {
          token: adminToken,
          body: { name, scope, roleName, ...extra },
        });
        if (res.status !== 201) throw new Error(`connection: ${res.status} ${res.text}`);
        let roleArn = '';
        for (const account of accounts) {
          const iam = iamOf(account);
          await iam.send(
            new CreateRoleCommand({
              RoleName: roleName,
              AssumeRolePolicyDocument: JSON.stringify(res.body.deliverables.trustPolicy),
            }),
          );
          await iam.send(
            new PutRolePolicyCommand({
              RoleName: roleName,
              PolicyName: 'everything',
              PolicyDocument: JSON.stringify({
                Version: '2012-10-17',
                Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
              }),
            }),
          );
          roleArn = `arn:aws:iam::${account.accountId}:role/${roleName}`;
          const verified = await api('POST', `/v1/connections/${res.body.connection.id}/verify`, {
            token: adminToken,
            body: { roleArn },
          });
          if (verified.status !== 200) throw new Error(`verify: ${verified.status} ${verified.text}`);
        }
        return { id: res.body.connection.id, externalId: res.body.connection.externalId, roleName, roleArn };
      },
      async stack(slug, spaceId = null) {
        const stack: Stack = {
          id: newId('stk'),
          organizationId,
          spaceId,
          slug,
          name: slug,
          labels: {},
          createdAt: nowIso(),
          updatedAt: nowIso(),
        };
        await store.stacks.insert(stack);
        return stack;
      },
      async attach(stack, connectionId, o = {}) {
        const attachment: Attachment = {
          id: newId('att'),
          organizationId: stack.organizationId,
          stackId: stack.id,
          connectionId,
          accountIds: null,
          phases: ['read', 'write'] as RunPhase[],
          durationSeconds: 3600,
          region: null,
          readOnlySessionPolicy: false,
          sessionMode: 'per-run',
          assumeOnWorker: false,
          customExternalId: null,
          verification: null,
          createdAt: nowIso(),
          updatedAt: nowIso(),
          ...o,
        };
        await store.attachments.insert(attachment);
        return attachment;
      },
      stsCalls: () => sandbox.faults.injected.filter((f) => f.service === 'sts' && f.action === 'AssumeRole').length,
      setFaults(rules) {
        sandbox.faults.clear();
        for (const rule of rules) sandbox.faults.inject(rule);
        sandbox.faults.inject(COUNTER);
      },
      async close() {
        await running.close();
        if (schema !== undefined) await dropSchema(schema);
        await sandbox.stop();
      },
    };
  } catch (error) {
    await service?.close();
    if (schema !== undefined) await dropSchema(schema);
    await sandbox.stop();
    throw error;
  }
}

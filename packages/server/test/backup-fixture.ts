import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { startSandbox } from '@trustgate/sandbox';
import { createTrustgateService, DEFAULT_CATALOG_FILE } from '../src/create-service.ts';
import { createPlatformUser } from '../src/aws/create-platform-user.ts';
import type { DialectName } from '../src/store/open-database.ts';
import { openSharedTestDatabase, type SharedTestDatabase } from './test-stores.ts';
import { applyStack, OPERATOR_TOKEN, sandboxServiceSettings, TEST_SERVICE_DEFAULTS } from './service-harness.ts';

/** The OIDC issuer of the populated store (its signing keys are sealed with {@link PopulatedStore.keyEncryptionKey}). */
export const BACKUP_ISSUER = 'https://id.backup.trustgate.test';

/** A store filled through the service's API against the sandbox, and the secrets the test must never find exported. */
export interface PopulatedStore {
  database: SharedTestDatabase;
  adminToken: string;
  memberToken: string;
  connectionId: string;
  keyEncryptionKey: Uint8Array;
  /** The signing key's kid the issuer published. */
  kid: string;
}

/**
 * A real store on `dialect` with a row in every table: the service (wired to a sandbox as to AWS, an OIDC issuer)
 * creates an organization, a member and their token, a space, a catalog, a connection whose CloudFormation template
 * the customer applies and which is then verified (its role row), an access grant, a stack and an attachment (the
 * audit rows, settings and signing key follow); the two tables no API call fills without a CloudFormation callback
 * or a scheduled job (callback_requests, job_runs) get their row through the store's own repositories.
 */
export async function populateStore(dialect: DialectName, prefix: string): Promise<PopulatedStore> {
  const sandbox = await startSandbox({ accounts: 2 });
  const database = openSharedTestDatabase(dialect, prefix);
  const keyEncryptionKey = randomBytes(32);
  try {
    const [platform, customer] = sandbox.accounts as [
      (typeof sandbox.accounts)[number],
      (typeof sandbox.accounts)[number],
    ];
    const platformUser = await createPlatformUser({
      endpoint: sandbox.endpoint,
      region: sandbox.region,
      adminCredentials: { accessKeyId: platform.accessKeyId, secretAccessKey: platform.secretAccessKey },
    });
    const service = await createTrustgateService({
      ...database.config,
      ...TEST_SERVICE_DEFAULTS,
      ...sandboxServiceSettings(sandbox, { accountId: platform.accountId, credentials: platformUser.credentials }),
      identity: { issuerUrl: BACKUP_ISSUER, keyEncryptionKey },
    });
    try {
      const url = await service.listen({ port: 0 });
      service.deps.publicUrl = url;
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- bodies are read field by field
      const api = async (method: string, path: string, token: string, body?: unknown): Promise<any> => {
        const res = await fetch(`${url}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        const text = await res.text();
        if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
        return JSON.parse(text) as unknown;
      };
      const org = await api('POST', '/v1/organizations', OPERATOR_TOKEN, {
        name: 'Backup',
        adminEmail: 'admin@backup.test',
        adminName: 'Backup admin',
      });
      const adminToken = org.token.secret as string;
      const member = await api('POST', '/v1/users', adminToken, { email: 'dev@backup.test', name: 'Dev' });
      const memberToken = (
        await api('POST', '/v1/tokens', adminToken, {
          name: 'ci',
          userId: member.id,
          scopes: ['connections:read', 'audit:read'],
        })
      ).secret as string;
      const space = await api('POST', '/v1/spaces', adminToken, { name: 'platform' });
      await api('POST', '/v1/catalogs', adminToken, {
        name: 'backup-catalog',
        source: await readFile(DEFAULT_CATALOG_FILE, 'utf8'),
      });
      const created = await api('POST', '/v1/connections', adminToken, {
        name: 'prod',
        spaceId: space.id,
        labels: { env: 'prod' },
        scope: { kind: 'account', accountId: customer.accountId },
        roleName: 'Tg-backup',
      });
      const connectionId = created.connection.id as string;
      const stack = await applyStack({
        endpoint: sandbox.endpoint,
        credentials: { accessKeyId: customer.accessKeyId, secretAccessKey: customer.secretAccessKey },
        stackName: 'tg-backup',
        templateBody: created.deliverables.formats['cloudformation-yaml'],
      });
      if (stack.status !== 'CREATE_COMPLETE') throw new Error(`stack: ${stack.status} ${stack.reason ?? ''}`);
      await api('POST', `/v1/connections/${connectionId}/verify`, adminToken, { roleArn: stack.outputs.RoleArn });
      await api('PUT', `/v1/connections/${connectionId}/access/${member.id}`, adminToken, { level: 'viewer' });
      const workload = await api('POST', '/v1/stacks', adminToken, { slug: 'net', name: 'Network', spaceId: space.id });
      await api('POST', `/v1/stacks/${workload.id}/attachments`, adminToken, {
        connectionId,
        phases: ['read', 'write'],
      });
      const jwks = (await (await fetch(`${url}/.well-known/jwks.json`)).json()) as { keys: Array<{ kid: string }> };
      await service.store.claimJobRun({ name: 'backup-test-job', intervalMs: 60_000, holder: 'backup-test' });
      await service.store.callbackRequests.claim(
        { stackId: 'arn:aws:cloudformation:us-east-1:1:stack/s/1', requestId: 'r-1', logicalResourceId: 'Connect' },
        { requestType: 'Create', digest: 'a'.repeat(64), holder: 'backup-test', leaseMs: 60_000 },
      );
      return { database, adminToken, memberToken, connectionId, keyEncryptionKey, kid: jwks.keys[0]?.kid ?? '' };
    } finally {
      await service.close();
    }
  } catch (error) {
    await database.remove();
    throw error;
  } finally {
    await sandbox.stop();
  }
}

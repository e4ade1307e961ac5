/**
 * What the broker benchmarks start from: the sandbox (two accounts), trustgate on it with the platform user, the demo
 * organization, a connection with scoped external-ID trust whose role (created in the customer account, allowed
 * everything) is verified, and `stacks` stacks `<slug>-<n>` attached to it for read and write (shared sessions).
 */
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { startSandbox } from '@trustgate/sandbox';
import { createPlatformUser, createTrustgateService, seedDemoOrganization } from '@trustgate/server';

type Sandbox = Awaited<ReturnType<typeof startSandbox>>;

export interface ConnectedBroker {
  sandbox: Sandbox;
  url: string;
  /** The demo admin's bearer header and a JSON content type. */
  headers: { authorization: string; 'content-type': string };
  /** POSTs JSON as the admin; throws on a status of 300 or more. */
  post(path: string, body: unknown): Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- bench convenience
  platformCredentials: { accessKeyId: string; secretAccessKey: string };
  connectionId: string;
  externalId: string;
  roleArn: string;
  close(): Promise<void>;
}

export async function startConnectedBroker(options: {
  databaseUrl: string;
  roleName: string;
  stacks: number;
  slug: string;
  /** Called with the sandbox before the service starts (fault injection, counters). */
  beforeService?: (sandbox: Sandbox) => void;
}): Promise<ConnectedBroker> {
  const sandbox = await startSandbox({ accounts: 2 });
  const [platform, customer] = sandbox.accounts as [Sandbox['accounts'][number], Sandbox['accounts'][number]];
  options.beforeService?.(sandbox);
  const user = await createPlatformUser({
    endpoint: sandbox.endpoint,
    region: sandbox.region,
    adminCredentials: platform,
  });
  const service = await createTrustgateService({
    databaseUrl: options.databaseUrl,
    partitions: {
      aws: {
        endpoint: sandbox.endpoint,
        region: sandbox.region,
        credentials: user.credentials,
        accountId: platform.accountId,
      },
    },
    publicUrl: 'http://127.0.0.1',
    reverify: false,
    verifyRetry: { maxWaitMs: 0 },
  });
  const close = async () => {
    await service.close();
    await sandbox.stop();
  };
  try {
    const url = await service.listen({ port: 0 });
    const { adminToken } = await seedDemoOrganization(service.store);
    const headers = { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' };
    const post = async (path: string, body: unknown) => {
      const res = await fetch(`${url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
      const text = await res.text();
      if (res.status >= 300) throw new Error(`${path}: ${res.status} ${text.slice(0, 300)}`);
      return JSON.parse(text);
    };
    const created = await post('/v1/connections', {
      name: `bench-${options.slug}`,
      roleName: options.roleName,
      scope: { kind: 'account', accountId: customer.accountId },
      externalIdTrust: { kind: 'scoped', phases: ['read', 'write'] },
    });
    const iam = new IAMClient({ endpoint: sandbox.endpoint, region: sandbox.region, credentials: customer });
    await iam.send(
      new CreateRoleCommand({
        RoleName: options.roleName,
        AssumeRolePolicyDocument: JSON.stringify(created.deliverables.trustPolicy),
      }),
    );
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: options.roleName,
        PolicyName: 'all',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
        }),
      }),
    );
    const roleArn = `arn:aws:iam::${customer.accountId}:role/${options.roleName}`;
    const connectionId = created.connection.id as string;
    await post(`/v1/connections/${connectionId}/verify`, { roleArn });
    for (let s = 0; s < options.stacks; s++) {
      const stack = await post('/v1/stacks', { slug: `${options.slug}-${s}`, name: `${options.slug} ${s}` });
      await post(`/v1/stacks/${stack.id}/attachments`, {
        connectionId,
        phases: ['read', 'write'],
        sessionMode: 'shared',
      });
    }
    return {
      sandbox,
      url,
      headers,
      post,
      platformCredentials: user.credentials,
      connectionId,
      externalId: created.connection.externalId as string,
      roleArn,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

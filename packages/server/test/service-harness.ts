import { randomBytes } from 'node:crypto';
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStacksCommand,
  UpdateStackCommand,
} from '@aws-sdk/client-cloudformation';
import {
  createTrustgateService,
  type PartitionServiceConfig,
  type TrustgateServiceConfig,
  type TrustgateService,
} from '../src/create-service.ts';
import type { DialectName } from '../src/store/open-database.ts';
import type { RetryOptions } from '../src/aws/retry-with-backoff.ts';
import { dropSchema, TEST_POSTGRES_URL } from './test-stores.ts';
import { startSandbox, type Sandbox, type SandboxAccount, type SandboxOptions } from '@trustgate/sandbox';
import { createPlatformUser } from '../src/aws/create-platform-user.ts';
import { isCertificateUrl } from '../src/aws/verify-sns-message.ts';

/** A JSON HTTP response. */
export interface ApiResponse {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- test convenience: bodies are asserted field by field
  body: any;
  text: string;
  headers: Headers;
}

/**
 * A partition setting for tests that never reach AWS: an endpoint nothing listens on (a call would fail at once) and
 * credentials that are not real.
 */
export const NO_AWS = {
  aws: {
    endpoint: 'http://127.0.0.1:9',
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIAUNUSED0000000000', secretAccessKey: 'unused' },
    accountId: '111111111111',
  },
};

/** The operator token the harness configures. */
export const OPERATOR_TOKEN = `op_${randomBytes(16).toString('hex')}`;

/**
 * What every test service is configured with: the operator token above, no verification retries, insecurity probes
 * retried with short waits (10, 20, 40 ms), no scheduled re-verification.
 */
export const TEST_SERVICE_DEFAULTS: Pick<
  TrustgateServiceConfig,
  'publicUrl' | 'operatorToken' | 'verifyRetry' | 'probeRetry' | 'reverify'
> = {
  publicUrl: 'http://127.0.0.1',
  operatorToken: OPERATOR_TOKEN,
  verifyRetry: { maxWaitMs: 0 },
  probeRetry: { baseDelayMs: 10, maxDelayMs: 40, jitter: false },
  reverify: false,
};

/** A running service on a real port, over one dialect, and a tiny client for it. */
export interface TestService {
  service: TrustgateService;
  url: string;
  api(
    method: string,
    path: string,
    options?: { token?: string; body?: unknown; rawBody?: string; contentType?: string },
  ): Promise<ApiResponse>;
  /** Creates an organization through the operator route; returns its admin token and IDs. */
  newOrganization(name: string): Promise<{ organizationId: string; adminId: string; adminToken: string }>;
  close(): Promise<void>;
}

/** Starts the service on `dialect` (a fresh in-memory SQLite or a fresh PostgreSQL schema) listening on a free port. */
export async function startTestService(options: {
  dialect: DialectName;
  partitions: Partial<Record<'aws' | 'aws-us-gov' | 'aws-cn', PartitionServiceConfig>>;
  verifyRetry?: RetryOptions;
  isAllowedResponseUrl?: (url: URL) => boolean;
  /** How callbacks' SNS signatures are verified (a sandbox's certificate URL is trusted through `isTrustedCertificateUrl`). */
  snsMessages?: TrustgateServiceConfig['snsMessages'];
  bodyLimit?: number;
  /** Pino logger settings (e.g. `{ level: 'warn', stream }` to read the log lines); default none. */
  logger?: TrustgateServiceConfig['logger'];
  /** trustgate as an OIDC issuer; default none. */
  identity?: TrustgateServiceConfig['identity'];
}): Promise<TestService> {
  const schema = options.dialect === 'postgres' ? `tg_${randomBytes(6).toString('hex')}` : undefined;
  const service = await createTrustgateService({
    databaseUrl: options.dialect === 'postgres' ? TEST_POSTGRES_URL : ':memory:',
    ...(schema === undefined ? {} : { databaseSchema: schema, databasePoolSize: 3 }),
    partitions: options.partitions,
    ...TEST_SERVICE_DEFAULTS,
    ...(options.verifyRetry === undefined ? {} : { verifyRetry: options.verifyRetry }),
    ...(options.isAllowedResponseUrl === undefined ? {} : { isAllowedResponseUrl: options.isAllowedResponseUrl }),
    ...(options.bodyLimit === undefined ? {} : { bodyLimit: options.bodyLimit }),
    ...(options.snsMessages === undefined ? {} : { snsMessages: options.snsMessages }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.identity === undefined ? {} : { identity: options.identity }),
  });
  const url = await service.listen({ port: 0 });
  service.deps.publicUrl = url;
  const api: TestService['api'] = async (method, path, o = {}) => {
    const headers: Record<string, string> = {};
    if (o.token !== undefined) headers.authorization = `Bearer ${o.token}`;
    let body: string | undefined;
    if (o.rawBody !== undefined) body = o.rawBody;
    else if (o.body !== undefined) body = JSON.stringify(o.body);
    if (body !== undefined) headers['content-type'] = o.contentType ?? 'application/json';
    const res = await fetch(`${url}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
    const text = await res.text();
    let parsed: unknown = undefined;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: res.status, body: parsed, text, headers: res.headers };
  };
  return {
    service,
    url,
    api,
    async newOrganization(name) {
      const res = await api('POST', '/v1/organizations', {
        token: OPERATOR_TOKEN,
        body: { name, adminEmail: `admin@${name.toLowerCase().replace(/\W/g, '')}.test`, adminName: `${name} admin` },
      });
      if (res.status !== 201) throw new Error(`organization: ${res.status} ${res.text}`);
      return {
        organizationId: res.body.organization.id,
        adminId: res.body.admin.id,
        adminToken: res.body.token.secret,
      };
    },
    async close() {
      await service.close();
      if (schema !== undefined) await dropSchema(schema);
    },
  };
}

/** Creates a stack from a template with an SDK CloudFormation client and waits until it settles; returns its final status and outputs. */
export async function applyStack(options: {
  endpoint: string;
  region?: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  stackName: string;
  templateBody: string;
  parameters?: Record<string, string>;
  update?: boolean;
}): Promise<{ status: string; reason?: string; outputs: Record<string, string> }> {
  const cfn = new CloudFormationClient({
    endpoint: options.endpoint,
    region: options.region ?? 'us-east-1',
    credentials: options.credentials,
  });
  const input = {
    StackName: options.stackName,
    TemplateBody: options.templateBody,
    Capabilities: ['CAPABILITY_NAMED_IAM' as const],
    Parameters: Object.entries(options.parameters ?? {}).map(([ParameterKey, ParameterValue]) => ({
      ParameterKey,
      ParameterValue,
    })),
  };
  await cfn.send(options.update === true ? new UpdateStackCommand(input) : new CreateStackCommand(input));
  for (let i = 0; i < 600; i++) {
    const out = await cfn.send(new DescribeStacksCommand({ StackName: options.stackName }));
    const stack = out.Stacks?.[0];
    const status = stack?.StackStatus ?? 'UNKNOWN';
    if (!status.endsWith('_IN_PROGRESS')) {
      const outputs = Object.fromEntries((stack?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
      return {
        status,
        ...(stack?.StackStatusReason === undefined ? {} : { reason: stack.StackStatusReason }),
        outputs,
      };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('stack did not settle');
}

/** The callback topic of the platform's account in the tests: `arn:aws:sns:us-east-1:ACCOUNT:trustgate-connect`. */
export function callbackTopicArn(platformAccountId: string): string {
  return `arn:aws:sns:us-east-1:${platformAccountId}:trustgate-connect`;
}

/**
 * The service's settings that wire it to a sandbox as production is wired to AWS: the sandbox as the `aws`
 * partition, used with the platform's `credentials`, its callback topic in the platform's account; ResponseURLs
 * allowed on the sandbox's origin only; SNS messages trusted only when signed with the sandbox's certificate.
 */
export function sandboxServiceSettings(
  sandbox: Sandbox,
  platform: { accountId: string; credentials: { accessKeyId: string; secretAccessKey: string } },
): {
  partitions: TrustgateServiceConfig['partitions'];
  isAllowedResponseUrl: (url: URL) => boolean;
  snsMessages: NonNullable<TrustgateServiceConfig['snsMessages']>;
} {
  const sandboxOrigin = new URL(sandbox.endpoint).origin;
  return {
    partitions: {
      aws: {
        endpoint: sandbox.endpoint,
        region: sandbox.region,
        credentials: platform.credentials,
        accountId: platform.accountId,
        callbackTopicArn: callbackTopicArn(platform.accountId),
      },
    },
    isAllowedResponseUrl: (url) => url.origin === sandboxOrigin,
    snsMessages: { isTrustedCertificateUrl: isCertificateUrl(sandbox.snsSigningCertificateUrl) },
  };
}

/** A sandbox and a service wired to it as in production: the platform's user, the callback topic, its subscription. */
export interface ServiceOnSandbox {
  sandbox: Sandbox;
  /** The service, connected to the sandbox's `aws` partition as the platform's user. */
  t: TestService;
  /** The sandbox account that plays the platform (trustgate's own AWS account). */
  platform: SandboxAccount;
  /** The SNS topic CloudFormation custom resources notify, subscribed straight to the service's callback route. */
  topicArn: string;
  close(): Promise<void>;
}

/**
 * Starts a sandbox, creates the platform's IAM user in one of its accounts, starts the service on `dialect`
 * wired to the sandbox with that user ({@link sandboxServiceSettings}) and subscribes the service's
 * `/v1/callbacks/cloudformation` to the callback topic (no SubscriptionConfirmation round trip).
 */
export async function startServiceOnSandbox(options: {
  dialect: DialectName;
  sandbox: SandboxOptions;
  /** Index in the sandbox's accounts of the platform's account; default 0. */
  platformAccount?: number;
}): Promise<ServiceOnSandbox> {
  const sandbox = await startSandbox(options.sandbox);
  try {
    const platform = sandbox.accounts[options.platformAccount ?? 0];
    if (platform === undefined) throw new Error(`the sandbox has no account ${options.platformAccount ?? 0}`);
    const topicArn = callbackTopicArn(platform.accountId);
    const platformUser = await createPlatformUser({
      endpoint: sandbox.endpoint,
      region: sandbox.region,
      adminCredentials: { accessKeyId: platform.accessKeyId, secretAccessKey: platform.secretAccessKey },
    });
    const t = await startTestService({
      dialect: options.dialect,
      ...sandboxServiceSettings(sandbox, { accountId: platform.accountId, credentials: platformUser.credentials }),
    });
    await sandbox.subscribe(topicArn, `${t.url}/v1/callbacks/cloudformation`);
    return {
      sandbox,
      t,
      platform,
      topicArn,
      async close() {
        await t.close();
        await sandbox.stop();
      },
    };
  } catch (error) {
    await sandbox.stop();
    throw error;
  }
}

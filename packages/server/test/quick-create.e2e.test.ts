import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStacksCommand,
  UpdateStackCommand,
  type Parameter,
} from '@aws-sdk/client-cloudformation';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { startSandbox, type Sandbox } from '@trustgate/sandbox';
import { createPlatformUser } from '../src/aws/create-platform-user.ts';
import { createTemplateBucket } from '../src/aws/create-template-bucket.ts';
import { s3TemplatePublisher } from '../src/aws/publish-template.ts';
import { startTestService, type TestService } from './service-harness.ts';

type Account = Sandbox['accounts'][number];
const creds = (a: Account) => ({ accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey });

/** What the CloudFormation console reads from a quick-create link: the template URL, stack name and `param_` values. */
function parseQuickCreateLink(link: string): { templateUrl: string; stackName: string; parameters: Parameter[] } {
  const fragment = new URL(link).hash;
  expect(fragment.startsWith('#/stacks/quickcreate?')).toBe(true);
  const query = new URLSearchParams(fragment.slice('#/stacks/quickcreate?'.length));
  const parameters = [...query]
    .filter(([k]) => k.startsWith('param_'))
    .map(([k, v]) => ({ ParameterKey: k.slice('param_'.length), ParameterValue: v }));
  return { templateUrl: query.get('templateURL') ?? '', stackName: query.get('stackName') ?? '', parameters };
}

/** The `templateURL` of an update-stack console link. */
function updateLinkTemplateUrl(link: string): string {
  const fragment = new URL(link).hash;
  return new URLSearchParams(fragment.slice(fragment.indexOf('?') + 1)).get('templateURL') ?? '';
}

async function settle(
  cfn: CloudFormationClient,
  stackName: string,
): Promise<{ status: string; reason?: string; outputs: Record<string, string> }> {
  for (let i = 0; i < 600; i++) {
    const stack = (await cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0];
    const status = stack?.StackStatus ?? 'UNKNOWN';
    if (!status.endsWith('_IN_PROGRESS')) {
      return {
        status,
        ...(stack?.StackStatusReason === undefined ? {} : { reason: stack.StackStatusReason }),
        outputs: Object.fromEntries((stack?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? ''])),
      };
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('stack did not settle');
}

/** Pino settings that keep the service's warn-and-above log lines (parsed) for the test to read. */
function logCapture(): { logger: Record<string, unknown>; lines(): Array<Record<string, unknown>> } {
  const raw: string[] = [];
  return {
    logger: { level: 'warn', stream: { write: (line: string) => raw.push(line) } },
    lines: () => raw.map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

async function rejection(promise: Promise<unknown>): Promise<{ name: string; message: string; status?: number }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return {
      name: e.name,
      message: e.message,
      ...(e.$metadata?.httpStatusCode === undefined ? {} : { status: e.$metadata.httpStatusCode }),
    };
  }
  throw new Error('expected the call to fail');
}

/**
 * The quick-create link works as the CloudFormation console uses it: its templateURL is a presigned URL of the
 * template in the platform's private bucket, which the sandbox's CloudFormation fetches from its S3. (SQLite
 * only: the store is not what this exercises.)
 */
describe('quick-create links point at a template CloudFormation can fetch (sandbox S3)', () => {
  let sandbox: Sandbox;
  let t: TestService;
  let token: string;
  let platform: Account;
  let customer: Account;
  let other: Account;
  let clockOffsetMs = 0;
  let platformUser: Awaited<ReturnType<typeof createPlatformUser>>;
  const bucket = () => `trustgate-templates-${platform.accountId}`;

  beforeAll(async () => {
    sandbox = await startSandbox({ accounts: 3, clock: () => new Date(Date.now() + clockOffsetMs) });
    [platform, customer, other] = sandbox.accounts as [Account, Account, Account];
    platformUser = await createPlatformUser({
      endpoint: sandbox.endpoint,
      region: sandbox.region,
      adminCredentials: creds(platform),
    });
    await createTemplateBucket({
      endpoint: sandbox.endpoint,
      region: sandbox.region,
      adminCredentials: creds(platform),
      bucket: bucket(),
    });
    t = await startTestService({
      dialect: 'sqlite',
      partitions: {
        aws: {
          endpoint: sandbox.endpoint,
          region: sandbox.region,
          credentials: platformUser.credentials,
          accountId: platform.accountId,
          templateBucket: bucket(),
          templateUrlExpiresInSeconds: 3600,
        },
      },
    });
    token = (await t.newOrganization('Acme')).adminToken;
  });
  afterAll(async () => {
    await t?.close();
    await sandbox?.stop();
  });

  const cfnOf = (a: Account) =>
    new CloudFormationClient({
      endpoint: sandbox.endpoint,
      region: sandbox.region,
      credentials: creds(a),
      maxAttempts: 1,
    });
  const s3Of = (a: Account) =>
    new S3Client({
      endpoint: sandbox.endpoint,
      region: sandbox.region,
      credentials: creds(a),
      forcePathStyle: true,
      maxAttempts: 1,
    });

  it("create over HTTP -> CreateStack with exactly the link's TemplateURL and parameters -> verify -> connected; update-stack links work too", async () => {
    const created = await t.api('POST', '/v1/connections', {
      token,
      body: { name: 'quick', scope: { kind: 'account', accountId: customer.accountId }, roleName: 'Tg-quick' },
    });
    expect(created.status, created.text).toBe(201);
    const id: string = created.body.connection.id;
    expect(created.body.deliverables.warnings.map((w: { code: string }) => w.code)).not.toContain(
      'TEMPLATE_NOT_HOSTED',
    );
    const link = parseQuickCreateLink(created.body.deliverables.formats['quick-create-link']);
    // A presigned S3 URL of the template (the console rewrote nothing but the scheme), not the service's route.
    const templateUrl = new URL(link.templateUrl);
    expect(templateUrl.host).toBe(new URL(sandbox.endpoint).host);
    expect(templateUrl.pathname).toMatch(new RegExp(`^/${bucket()}/templates/${id}/[0-9a-f]{64}\\.yaml$`));
    expect(templateUrl.searchParams.get('X-Amz-Expires')).toBe('3600');
    // S3's bucket owner condition rides in the signed URL: were the bucket name ever someone else's, S3 would refuse it.
    expect(templateUrl.searchParams.get('x-amz-expected-bucket-owner')).toBe(platform.accountId);
    expect(link.parameters).toEqual(
      expect.arrayContaining([
        { ParameterKey: 'ExternalId', ParameterValue: created.body.connection.externalId },
        { ParameterKey: 'RoleName', ParameterValue: 'Tg-quick' },
      ]),
    );

    const cfn = cfnOf(customer);
    await cfn.send(
      new CreateStackCommand({
        StackName: link.stackName,
        TemplateURL: link.templateUrl,
        Parameters: link.parameters,
        Capabilities: ['CAPABILITY_NAMED_IAM'],
      }),
    );
    const stack = await settle(cfn, link.stackName);
    expect(stack.status, stack.reason).toBe('CREATE_COMPLETE');
    const stackId = (await cfn.send(new DescribeStacksCommand({ StackName: link.stackName }))).Stacks?.[0]?.StackId;
    const verified = await t.api('POST', `/v1/connections/${id}/verify`, {
      token,
      body: { roleArn: stack.outputs.RoleArn, stackId },
    });
    expect(verified.status, verified.text).toBe(200);
    expect(verified.body.status, verified.body.statusReason).toBe('connected');

    // The same template is not uploaded again: one object for the connection, however often the deliverables are read.
    await t.api('GET', `/v1/connections/${id}/deliverables`, { token });
    const listed = await s3Of(platform).send(
      new ListObjectsV2Command({ Bucket: bucket(), Prefix: `templates/${id}/` }),
    );
    expect(listed.KeyCount).toBe(1);

    // A selection change: a new template at a new key; the update-stack link carries its presigned URL.
    const changed = await t.api('PATCH', `/v1/connections/${id}`, {
      token,
      body: {
        selection: {
          mode: 'custom',
          products: ['cost-inventory'],
          integrations: ['state-backend', 'plan', 'spot-fleet-iam-console', 'load-balancers'],
        },
      },
    });
    expect(changed.status, changed.text).toBe(200);
    expect(changed.body.connection.status).toBe('needs-update');
    const deliverables = await t.api('GET', `/v1/connections/${id}/deliverables`, { token });
    const updateLinks = deliverables.body.updateStackLinks as Array<{ stackId: string; link: string }>;
    expect(updateLinks.map((l) => l.stackId)).toEqual([stackId]);
    const updateUrl = updateLinkTemplateUrl(updateLinks[0]!.link);
    expect(updateUrl).not.toBe(link.templateUrl);
    expect(new URL(updateUrl).pathname).toMatch(new RegExp(`^/${bucket()}/templates/${id}/[0-9a-f]{64}\\.yaml$`));
    await cfn.send(
      new UpdateStackCommand({
        StackName: stackId,
        TemplateURL: updateUrl,
        Parameters: [
          { ParameterKey: 'ExternalId', UsePreviousValue: true },
          { ParameterKey: 'RoleName', UsePreviousValue: true },
        ],
        Capabilities: ['CAPABILITY_NAMED_IAM'],
      }),
    );
    const updated = await settle(cfn, link.stackName);
    expect(updated.status, updated.reason).toBe('UPDATE_COMPLETE');
    const reverified = await t.api('POST', `/v1/connections/${id}/verify`, { token, body: {} });
    expect(reverified.body.status, reverified.body.statusReason).toBe('connected');
    expect(
      (await s3Of(platform).send(new ListObjectsV2Command({ Bucket: bucket(), Prefix: `templates/${id}/` }))).KeyCount,
    ).toBe(2);
  });

  it('attack: the template object is not readable without the presigned URL, by another account or anonymously, nor through a forged URL', async () => {
    const created = await t.api('POST', '/v1/connections', {
      token,
      body: { name: 'guarded', scope: { kind: 'account', accountId: customer.accountId }, roleName: 'Tg-guarded' },
    });
    const link = parseQuickCreateLink(created.body.deliverables.formats['quick-create-link']);
    const url = new URL(link.templateUrl);
    const key = decodeURIComponent(url.pathname.slice(`/${bucket()}/`.length));
    // Another account (even its root) cannot read the object with its own credentials, nor create a stack from the bare URL.
    for (const account of [other, customer]) {
      expect(await rejection(s3Of(account).send(new GetObjectCommand({ Bucket: bucket(), Key: key })))).toMatchObject({
        name: 'AccessDenied',
        status: 403,
      });
      const bare = `${sandbox.endpoint}${url.pathname}`;
      expect(
        await rejection(
          cfnOf(account).send(
            new CreateStackCommand({
              StackName: 'bare-url',
              TemplateURL: bare,
              Parameters: link.parameters,
              Capabilities: ['CAPABILITY_NAMED_IAM'],
            }),
          ),
        ),
      ).toMatchObject({
        name: 'ValidationError',
        message: 'TemplateURL must reference a valid S3 object to which you have access.',
      });
    }
    const anonymous = await fetch(`${sandbox.endpoint}${url.pathname}`);
    expect(anonymous.status).toBe(403);
    expect(await anonymous.text()).toContain('<Code>AccessDenied</Code>');
    // The presigned URL's signature covers the key: pointing it at another connection's template fails.
    const forged = link.templateUrl.replace(/templates\/[^/]+\//, 'templates/con_someoneelse/');
    const res = await fetch(forged.replace(/^https:/, 'http:'));
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
  });

  it('an expired presigned URL is refused by CloudFormation', async () => {
    const created = await t.api('POST', '/v1/connections', {
      token,
      body: { name: 'late', scope: { kind: 'account', accountId: other.accountId }, roleName: 'Tg-late' },
    });
    const link = parseQuickCreateLink(created.body.deliverables.formats['quick-create-link']);
    clockOffsetMs = 3601_000; // the sandbox's clock, an hour and a second later: past X-Amz-Expires=3600
    try {
      expect(
        await rejection(
          cfnOf(other).send(
            new CreateStackCommand({
              StackName: link.stackName,
              TemplateURL: link.templateUrl,
              Parameters: link.parameters,
              Capabilities: ['CAPABILITY_NAMED_IAM'],
            }),
          ),
        ),
      ).toMatchObject({
        name: 'ValidationError',
        message: 'TemplateURL must reference a valid S3 object to which you have access.',
      });
    } finally {
      clockOffsetMs = 0;
    }
    // Fetching the deliverables again gives a fresh link that works.
    const again = await t.api('GET', `/v1/connections/${created.body.connection.id}/deliverables`, { token });
    const fresh = parseQuickCreateLink(again.body.formats['quick-create-link']);
    await cfnOf(other).send(
      new CreateStackCommand({
        StackName: fresh.stackName,
        TemplateURL: fresh.templateUrl,
        Parameters: fresh.parameters,
        Capabilities: ['CAPABILITY_NAMED_IAM'],
      }),
    );
    expect((await settle(cfnOf(other), fresh.stackName)).status).toBe('CREATE_COMPLETE');
  });

  it('a create that fails (duplicate name) publishes nothing: no template with its external ID and callback token lies in the bucket', async () => {
    const keys = async () =>
      ((await s3Of(platform).send(new ListObjectsV2Command({ Bucket: bucket(), Prefix: 'templates/' }))).Contents ?? [])
        .map((o) => o.Key)
        .sort();
    const first = await t.api('POST', '/v1/connections', {
      token,
      body: { name: 'twice', scope: { kind: 'account', accountId: customer.accountId }, roleName: 'Tg-twice' },
    });
    expect(first.status, first.text).toBe(201);
    const before = await keys();
    expect(before.filter((k) => k?.startsWith(`templates/${first.body.connection.id}/`))).toHaveLength(1);
    // Another role name makes another template: were it published before the insert, its object would be left behind.
    const conflict = await t.api('POST', '/v1/connections', {
      token,
      body: { name: 'twice', scope: { kind: 'account', accountId: other.accountId }, roleName: 'Tg-twice-2' },
    });
    expect(conflict.status, conflict.text).toBe(409);
    expect(conflict.body.error.code).toBe('CONFLICT');
    expect(await keys()).toEqual(before);
  });

  it('without a template bucket, or when publishing fails, the deliverables still answer, with a warning', async () => {
    const otherPlatform = await createPlatformUser({
      endpoint: sandbox.endpoint,
      region: sandbox.region,
      adminCredentials: creds(other),
      userName: 'tg-platform-2',
    });
    for (const templateBucket of [undefined, 'tg-bucket-that-does-not-exist']) {
      const log = logCapture();
      const service = await startTestService({
        dialect: 'sqlite',
        partitions: {
          aws: {
            endpoint: sandbox.endpoint,
            region: sandbox.region,
            credentials: otherPlatform.credentials,
            accountId: other.accountId,
            ...(templateBucket === undefined ? {} : { templateBucket }),
          },
        },
        logger: log.logger,
      });
      try {
        const admin = (await service.newOrganization('Beta')).adminToken;
        const created = await service.api('POST', '/v1/connections', {
          token: admin,
          body: { name: 'plain', scope: { kind: 'account', accountId: customer.accountId } },
        });
        expect(created.status, created.text).toBe(201);
        const warning = (
          created.body.deliverables.warnings as Array<{ code: string; severity: string; message: string }>
        ).find((w) => w.code === 'TEMPLATE_NOT_HOSTED');
        expect(warning?.severity).toBe('warning');
        expect(warning?.message).toContain('CloudFormation only opens templates stored in Amazon S3');
        if (templateBucket === undefined) expect(warning?.message).toContain('templateBucket');
        else {
          // S3's error names the platform's bucket: the operator's log gets it, the tenant's warning does not.
          expect(warning?.message).toContain('cloudformation-yaml');
          for (const secret of [
            'NoSuchBucket',
            templateBucket,
            otherPlatform.userArn,
            'trustgate-platform',
            other.accountId,
          ])
            expect(warning?.message).not.toContain(secret);
          const logged = log.lines().find((l) => l.connectionId === created.body.connection.id);
          expect(logged?.level).toBe(40);
          expect(JSON.stringify(logged?.err)).toContain('NoSuchBucket');
        }
        const link = parseQuickCreateLink(created.body.deliverables.formats['quick-create-link']);
        expect(link.templateUrl).toBe(
          `${service.url.replace(/^http:/, 'https:')}/v1/connections/${created.body.connection.id}/deliverables/cloudformation-yaml`,
        );
        const read = await service.api('GET', `/v1/connections/${created.body.connection.id}/deliverables`, {
          token: admin,
        });
        expect(read.status).toBe(200);
      } finally {
        await service.close();
      }
    }
  });

  it('publishes only to a bucket of the expected owner (bucket owner condition): otherwise a warning, no upload', async () => {
    const log = logCapture();
    const service = await startTestService({
      dialect: 'sqlite',
      partitions: {
        aws: {
          endpoint: sandbox.endpoint,
          region: sandbox.region,
          credentials: platformUser.credentials,
          accountId: platform.accountId,
          templateBucket: bucket(),
          templateBucketOwner: other.accountId,
        },
      },
      logger: log.logger,
    });
    try {
      const admin = (await service.newOrganization('Delta')).adminToken;
      const created = await service.api('POST', '/v1/connections', {
        token: admin,
        body: { name: 'owner', scope: { kind: 'account', accountId: customer.accountId } },
      });
      expect(created.status, created.text).toBe(201);
      const warning = (created.body.deliverables.warnings as Array<{ code: string; message: string }>).find(
        (w) => w.code === 'TEMPLATE_NOT_HOSTED',
      );
      for (const secret of ['AccessDenied', bucket(), platformUser.userArn, platform.accountId, other.accountId])
        expect(warning?.message).not.toContain(secret);
      const logged = log.lines().find((l) => l.connectionId === created.body.connection.id);
      expect(JSON.stringify(logged?.err)).toContain('AccessDenied');
      const listed = await s3Of(platform).send(
        new ListObjectsV2Command({ Bucket: bucket(), Prefix: `templates/${created.body.connection.id}/` }),
      );
      expect(listed.KeyCount).toBe(0);
    } finally {
      await service.close();
    }
  });

  it('with role credentials the link lasts only as long as the session: an info says until when, and CloudFormation refuses it afterwards', async () => {
    const iam = new IAMClient({ endpoint: sandbox.endpoint, region: sandbox.region, credentials: creds(platform) });
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'tg-publisher',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { AWS: platformUser.userArn }, Action: 'sts:AssumeRole' }],
        }),
      }),
    );
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'tg-publisher',
        PolicyName: 'publish',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: ['s3:PutObject', 's3:GetObject'], Resource: `arn:aws:s3:::${bucket()}/*` },
            { Effect: 'Allow', Action: ['s3:ListBucket', 'sts:AssumeRole'], Resource: '*' },
          ],
        }),
      }),
    );
    const sts = new STSClient({
      endpoint: sandbox.endpoint,
      region: sandbox.region,
      credentials: platformUser.credentials,
    });
    const session = (
      await sts.send(
        new AssumeRoleCommand({
          RoleArn: `arn:aws:iam::${platform.accountId}:role/tg-publisher`,
          RoleSessionName: 'publisher',
          DurationSeconds: 3600,
        }),
      )
    ).Credentials!;
    const service = await startTestService({
      dialect: 'sqlite',
      partitions: {
        aws: {
          endpoint: sandbox.endpoint,
          region: sandbox.region,
          accountId: platform.accountId,
          templateBucket: bucket(),
          credentials: {
            accessKeyId: session.AccessKeyId!,
            secretAccessKey: session.SecretAccessKey!,
            sessionToken: session.SessionToken!,
            expiration: session.Expiration!,
          },
        },
      },
    });
    try {
      const admin = (await service.newOrganization('Gamma')).adminToken;
      const created = await service.api('POST', '/v1/connections', {
        token: admin,
        body: { name: 'session', scope: { kind: 'account', accountId: other.accountId }, roleName: 'Tg-session' },
      });
      expect(created.status, created.text).toBe(201);
      const info = (
        created.body.deliverables.warnings as Array<{ code: string; severity: string; message: string }>
      ).find((w) => w.code === 'TEMPLATE_URL_SHORT_LIVED');
      expect(info?.severity).toBe('info');
      expect(info?.message).toContain(session.Expiration!.toISOString());
      const link = parseQuickCreateLink(created.body.deliverables.formats['quick-create-link']);
      expect(new URL(link.templateUrl).searchParams.get('X-Amz-Expires')).toBe('604800');
      expect(new URL(link.templateUrl).searchParams.get('X-Amz-Security-Token')).toBe(session.SessionToken);
      // Two hours on, well within the URL's 7 days but past the session: S3 refuses the expired token.
      clockOffsetMs = 7200_000;
      try {
        expect(
          await rejection(
            cfnOf(other).send(
              new CreateStackCommand({
                StackName: link.stackName,
                TemplateURL: link.templateUrl,
                Parameters: link.parameters,
                Capabilities: ['CAPABILITY_NAMED_IAM'],
              }),
            ),
          ),
        ).toMatchObject({
          name: 'ValidationError',
          message: 'TemplateURL must reference a valid S3 object to which you have access.',
        });
        const direct = await fetch(link.templateUrl.replace(/^https:/, 'http:'));
        expect(direct.status).toBe(400);
        expect(await direct.text()).toContain('<Code>ExpiredToken</Code>');
      } finally {
        clockOffsetMs = 0;
      }
      await cfnOf(other).send(
        new CreateStackCommand({
          StackName: link.stackName,
          TemplateURL: link.templateUrl,
          Parameters: link.parameters,
          Capabilities: ['CAPABILITY_NAMED_IAM'],
        }),
      );
      expect((await settle(cfnOf(other), link.stackName)).status).toBe('CREATE_COMPLETE');
    } finally {
      await service.close();
    }
  });

  it('publishes each template once: a new publisher finds it with HeadObject and does not upload it again', async () => {
    const sent: string[] = [];
    const client = () => {
      const c = new S3Client({
        endpoint: sandbox.endpoint,
        region: sandbox.region,
        credentials: platformUser.credentials,
        forcePathStyle: true,
        maxAttempts: 1,
      });
      c.middlewareStack.add(
        (next, context) => async (args) => {
          sent.push(String(context.commandName));
          return next(args);
        },
        { step: 'initialize', name: 'recordCommands' },
      );
      return c;
    };
    const template = 'Resources: {}\n# publish-once\n';
    const first = await s3TemplatePublisher({ client: client(), bucket: bucket() }).publish({
      connectionId: 'con_once',
      template,
    });
    expect(sent).toEqual(['HeadObjectCommand', 'PutObjectCommand', 'GetObjectCommand']);
    sent.length = 0;
    const second = await s3TemplatePublisher({ client: client(), bucket: bucket() }).publish({
      connectionId: 'con_once',
      template,
    });
    expect(sent).toEqual(['HeadObjectCommand', 'GetObjectCommand']); // GetObject: only presigned, never sent
    expect(second.key).toBe(first.key);
    expect(first.key).toMatch(/^templates\/con_once\/[0-9a-f]{64}\.yaml$/);
    expect(new URL(second.url).searchParams.get('X-Amz-Expires')).toBe('604800');
    expect(await (await fetch(second.url)).text()).toBe(template);
  });
});

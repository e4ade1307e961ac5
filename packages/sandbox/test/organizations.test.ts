import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { CreateRoleCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import {
  CreateAccountCommand,
  CreateOrganizationCommand,
  DescribeAccountCommand,
  DescribeOrganizationCommand,
  ListAccountsCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../src/index.ts';
import { startMoto, type MotoServer } from '../../../test/support/moto-server.ts';
import { allowPolicy, awsError, clients, createUserWithKey, trustPolicy, type Credentials } from './sandbox-clients.ts';

const run = promisify(execFile);

/** The real SDK v3 Organizations client (AWS JSON 1.1) against an endpoint; Organizations is signed for us-east-1. */
function organizations(endpoint: string, credentials: Credentials, region = 'us-east-1'): OrganizationsClient {
  return new OrganizationsClient({ endpoint, region, credentials, maxAttempts: 1 });
}

/** Every key path with its value type, to compare response shapes with moto's. */
function shape(value: unknown, path = '', out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) shape(v, `${path}[]`, out);
  else if (value instanceof Date) out.add(`${path}:date`);
  else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value))
      if (k !== '$metadata' && v !== undefined) shape(v, path ? `${path}.${k}` : k, out);
  } else out.add(`${path}:${typeof value}`);
  return out;
}

/** A user of the account with an access key and the given identity policy. */
async function userWith(sandbox: Sandbox, root: Credentials, name: string, actions: string[]): Promise<Credentials> {
  return createUserWithKey(sandbox, { root, name, policy: allowPolicy(actions) });
}

/**
 * The Organizations API of the sandbox, over AWS JSON 1.1 with the real SDK client: membership (member,
 * management, standalone, another organization), management-only actions, IAM authorization of role
 * sessions, and attacks on the signature.
 */
describe('Organizations (AWS JSON 1.1)', () => {
  let sandbox: Sandbox;
  // management + member of organization A; management + member of organization B; one standalone account.
  let mgmtA: Sandbox['accounts'][number];
  let memberA: Sandbox['accounts'][number];
  let mgmtB: Sandbox['accounts'][number];
  let memberB: Sandbox['accounts'][number];
  let standalone: Sandbox['accounts'][number];
  let orgA: string;

  beforeAll(async () => {
    sandbox = await startSandbox({ accounts: 5, organization: true, organizationMembers: 2, otherOrganizations: [2] });
    [mgmtA, memberA, mgmtB, memberB, standalone] = sandbox.accounts as [
      typeof mgmtA,
      typeof mgmtA,
      typeof mgmtA,
      typeof mgmtA,
      typeof mgmtA,
    ];
    orgA = (await organizations(sandbox.endpoint, mgmtA).send(new DescribeOrganizationCommand({}))).Organization!.Id!;
  });
  afterAll(async () => sandbox?.stop());

  it('DescribeOrganization answers every account of an organization with its organization, and a standalone account with AWSOrganizationsNotInUseException', async () => {
    const fromMember = (await organizations(sandbox.endpoint, memberA).send(new DescribeOrganizationCommand({})))
      .Organization!;
    expect(fromMember).toMatchObject({
      Id: orgA,
      Arn: `arn:aws:organizations::${mgmtA.accountId}:organization/${orgA}`,
      MasterAccountId: mgmtA.accountId,
      MasterAccountArn: `arn:aws:organizations::${mgmtA.accountId}:account/${orgA}/${mgmtA.accountId}`,
      FeatureSet: 'ALL',
    });
    expect(orgA).toMatch(/^o-[a-z0-9]{10,32}$/);
    const other = (await organizations(sandbox.endpoint, memberB).send(new DescribeOrganizationCommand({})))
      .Organization!;
    expect(other.Id).not.toBe(orgA);
    expect(other.MasterAccountId).toBe(mgmtB.accountId);
    const error = await awsError(organizations(sandbox.endpoint, standalone).send(new DescribeOrganizationCommand({})));
    expect(error).toMatchObject({
      name: 'AWSOrganizationsNotInUseException',
      status: 400,
      message: 'Your account is not a member of an organization.',
    });
  });

  it('ListAccounts and DescribeAccount serve the management account only, and only its own members', async () => {
    const mgmt = organizations(sandbox.endpoint, mgmtA);
    const accounts = (await mgmt.send(new ListAccountsCommand({}))).Accounts!;
    expect(accounts.map((a) => a.Id)).toEqual([mgmtA.accountId, memberA.accountId]);
    expect(accounts[1]).toMatchObject({
      Arn: `arn:aws:organizations::${mgmtA.accountId}:account/${orgA}/${memberA.accountId}`,
      Status: 'ACTIVE',
    });
    expect(accounts[1]!.JoinedTimestamp).toBeInstanceOf(Date);
    const page = await mgmt.send(new ListAccountsCommand({ MaxResults: 1 }));
    expect(page.Accounts!.map((a) => a.Id)).toEqual([mgmtA.accountId]);
    const rest = await mgmt.send(new ListAccountsCommand({ MaxResults: 1, NextToken: page.NextToken! }));
    expect([rest.Accounts!.map((a) => a.Id), rest.NextToken]).toEqual([[memberA.accountId], undefined]);
    expect((await mgmt.send(new DescribeAccountCommand({ AccountId: memberA.accountId }))).Account!.Id).toBe(
      memberA.accountId,
    );
    for (const outsider of [standalone.accountId, memberB.accountId]) {
      expect(await awsError(mgmt.send(new DescribeAccountCommand({ AccountId: outsider })))).toMatchObject({
        name: 'AccountNotFoundException',
        status: 400,
      });
    }
    // A member account (even its root user) may not list or describe accounts; a standalone account is in no organization.
    const member = organizations(sandbox.endpoint, memberA);
    expect(await awsError(member.send(new ListAccountsCommand({})))).toMatchObject({
      name: 'AccessDeniedException',
      status: 400,
    });
    expect(await awsError(member.send(new DescribeAccountCommand({ AccountId: memberA.accountId })))).toMatchObject({
      name: 'AccessDeniedException',
    });
    expect(await awsError(organizations(sandbox.endpoint, standalone).send(new ListAccountsCommand({})))).toMatchObject(
      { name: 'AWSOrganizationsNotInUseException' },
    );
  });

  it('an assumed-role session may describe its organization only when its identity policies allow organizations:DescribeOrganization', async () => {
    const caller = await userWith(sandbox, memberA, 'assumer', ['sts:AssumeRole']);
    const { iam } = clients(sandbox.endpoint, sandbox.region, memberA);
    const trust = trustPolicy({ AWS: `arn:aws:iam::${memberA.accountId}:root` });
    await iam.send(new CreateRoleCommand({ RoleName: 'can-describe', AssumeRolePolicyDocument: trust }));
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'can-describe',
        PolicyName: 'org',
        PolicyDocument: allowPolicy(['organizations:DescribeOrganization']),
      }),
    );
    await iam.send(new CreateRoleCommand({ RoleName: 'cannot-describe', AssumeRolePolicyDocument: trust }));
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'cannot-describe',
        PolicyName: 'iam',
        PolicyDocument: allowPolicy(['iam:GetRole', 'organizations:ListAccounts']),
      }),
    );
    const session = async (role: string): Promise<Credentials> => {
      const c = (
        await clients(sandbox.endpoint, sandbox.region, caller).sts.send(
          new AssumeRoleCommand({
            RoleArn: `arn:aws:iam::${memberA.accountId}:role/${role}`,
            RoleSessionName: 'verify',
          }),
        )
      ).Credentials!;
      return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
    };
    const allowed = organizations(sandbox.endpoint, await session('can-describe'));
    expect((await allowed.send(new DescribeOrganizationCommand({}))).Organization!.Id).toBe(orgA);
    // Allowed by IAM is not enough for a management-only action.
    const denied = organizations(sandbox.endpoint, await session('cannot-describe'));
    expect(await awsError(denied.send(new DescribeOrganizationCommand({})))).toMatchObject({
      name: 'AccessDeniedException',
      status: 400,
    });
    expect(await awsError(denied.send(new ListAccountsCommand({})))).toMatchObject({ name: 'AccessDeniedException' });
    // A session policy narrows the role too.
    const narrowed = (
      await clients(sandbox.endpoint, sandbox.region, caller).sts.send(
        new AssumeRoleCommand({
          RoleArn: `arn:aws:iam::${memberA.accountId}:role/can-describe`,
          RoleSessionName: 'narrow',
          Policy: allowPolicy(['iam:GetRole']),
        }),
      )
    ).Credentials!;
    const narrow = organizations(sandbox.endpoint, {
      accessKeyId: narrowed.AccessKeyId!,
      secretAccessKey: narrowed.SecretAccessKey!,
      sessionToken: narrowed.SessionToken!,
    });
    expect(await awsError(narrow.send(new DescribeOrganizationCommand({})))).toMatchObject({
      name: 'AccessDeniedException',
    });
  });

  it('aws:PrincipalOrgID follows membership: a trust policy limited to the organization refuses a standalone account and another organization', async () => {
    const { iam } = clients(sandbox.endpoint, sandbox.region, mgmtA);
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'org-only',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: '*' },
              Action: 'sts:AssumeRole',
              Condition: { StringEquals: { 'aws:PrincipalOrgID': orgA } },
            },
          ],
        }),
      }),
    );
    const roleArn = `arn:aws:iam::${mgmtA.accountId}:role/org-only`;
    const inOrg = await userWith(sandbox, memberA, 'org-member', ['sts:AssumeRole']);
    await clients(sandbox.endpoint, sandbox.region, inOrg).sts.send(
      new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'in' }),
    );
    for (const [account, name] of [
      [standalone, 'lone'],
      [memberB, 'other-org'],
    ] as const) {
      const outsider = await userWith(sandbox, account, name, ['sts:AssumeRole']);
      expect(
        (
          await awsError(
            clients(sandbox.endpoint, sandbox.region, outsider).sts.send(
              new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'out' }),
            ),
          )
        ).name,
      ).toBe('AccessDenied');
    }
  });

  it("rejects bad signatures with the JSON protocol's codes: wrong secret, unknown key, wrong Region or service scope, body changed after signing", async () => {
    const wrongSecret = { accessKeyId: memberA.accessKeyId, secretAccessKey: mgmtA.secretAccessKey };
    expect(
      await awsError(organizations(sandbox.endpoint, wrongSecret).send(new DescribeOrganizationCommand({}))),
    ).toMatchObject({ name: 'InvalidSignatureException', status: 400 });
    const unknown = {
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    };
    expect(
      await awsError(organizations(sandbox.endpoint, unknown).send(new DescribeOrganizationCommand({}))),
    ).toMatchObject({ name: 'UnrecognizedClientException', status: 400 });
    // Organizations is global per partition: a signature for another Region is refused, as by AWS's endpoint.
    const otherRegion = await awsError(
      organizations(sandbox.endpoint, memberA, 'eu-west-1').send(new DescribeOrganizationCommand({})),
    );
    expect(otherRegion).toMatchObject({ name: 'InvalidSignatureException' });
    expect(otherRegion.message).toContain('valid region');

    const url = new URL(sandbox.endpoint);
    const sign = async (service: string, body: string) => {
      const signer = new SignatureV4({ credentials: memberA, region: 'us-east-1', service, sha256: Sha256 });
      const signed = await signer.sign({
        method: 'POST',
        protocol: 'http:',
        hostname: url.hostname,
        port: Number(url.port),
        path: '/',
        query: {},
        body,
        headers: {
          host: url.host,
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': 'AWSOrganizationsV20161128.ListAccounts',
        },
      });
      const { host: _host, ...headers } = signed.headers as Record<string, string>;
      return headers;
    };
    const post = async (headers: Record<string, string>, body: string) => {
      const r = await fetch(sandbox.endpoint, { method: 'POST', headers, body });
      return {
        status: r.status,
        type: r.headers.get('x-amzn-errortype'),
        body: JSON.parse(await r.text()) as { __type?: string },
      };
    };
    const good = await post(await sign('organizations', '{}'), '{}');
    expect([good.status, good.body.__type]).toEqual([400, 'AccessDeniedException']); // signed fine; a member may not list
    // The target is signed: relabelling a DescribeOrganization signature as another action breaks it.
    const headers = await sign('organizations', '{}');
    expect(
      (await post({ ...headers, 'x-amz-target': 'AWSOrganizationsV20161128.DescribeOrganization' }, '{}')).body.__type,
    ).toBe('InvalidSignatureException');
    expect((await post(headers, '{"MaxResults":1}')).body.__type).toBe('InvalidSignatureException');
    const wrongService = await post(await sign('iam', '{}'), '{}');
    expect([wrongService.status, wrongService.type]).toEqual([400, 'InvalidSignatureException']);
    const { authorization: _a, ...unsigned } = headers;
    expect((await post(unsigned, '{}')).body.__type).toBe('MissingAuthenticationTokenException');
  });

  it('service control policies govern Organizations calls of member accounts (root included), never of the management account', async () => {
    const deny = {
      Version: '2012-10-17' as const,
      Statement: [{ Effect: 'Deny' as const, Action: 'organizations:DescribeOrganization', Resource: '*' }],
    };
    const scoped = await startSandbox({ accounts: 2, organization: true, serviceControlPolicies: [deny] });
    try {
      expect(
        await awsError(organizations(scoped.endpoint, scoped.accounts[1]!).send(new DescribeOrganizationCommand({}))),
      ).toMatchObject({ name: 'AccessDeniedException' });
      expect(
        (await organizations(scoped.endpoint, scoped.accounts[0]!).send(new DescribeOrganizationCommand({})))
          .Organization!.MasterAccountId,
      ).toBe(scoped.accounts[0]!.accountId);
    } finally {
      await scoped.stop();
    }
  });

  it("the AWS CLI (botocore's JSON client and signer, not the JS SDK's) reads the organization and the not-in-use error", async () => {
    const home = mkdtempSync(join(tmpdir(), 'tg-orgs-cli-'));
    const cli = async (account: Credentials) => {
      const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        HOME: home,
        AWS_CONFIG_FILE: join(home, 'config'),
        AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
        AWS_ACCESS_KEY_ID: account.accessKeyId,
        AWS_SECRET_ACCESS_KEY: account.secretAccessKey,
        AWS_DEFAULT_REGION: 'us-east-1',
        AWS_MAX_ATTEMPTS: '1',
        AWS_PAGER: '',
      };
      return run(
        'aws',
        ['--endpoint-url', sandbox.endpoint, '--output', 'json', 'organizations', 'describe-organization'],
        { env, timeout: 60_000 },
      ).then(
        ({ stdout }) => ({ ok: true, out: stdout }),
        (e: { stderr?: string }) => ({ ok: false, out: e.stderr ?? '' }),
      );
    };
    const member = await cli(memberA);
    expect(member.ok, member.out).toBe(true);
    expect((JSON.parse(member.out) as { Organization: { Id: string } }).Organization.Id).toBe(orgA);
    const lone = await cli(standalone);
    expect(lone).toMatchObject({ ok: false, out: expect.stringContaining('AWSOrganizationsNotInUseException') });
  });

  it("throttling and service errors are injectable and carry Organizations' codes", async () => {
    sandbox.faults.inject({ service: 'organizations', action: 'DescribeOrganization', kind: 'throttle' });
    expect(
      (await awsError(organizations(sandbox.endpoint, memberA).send(new DescribeOrganizationCommand({})))).name,
    ).toBe('TooManyRequestsException');
    sandbox.faults.inject({ service: 'organizations', action: 'DescribeOrganization', kind: 'server-error' });
    expect(
      await awsError(organizations(sandbox.endpoint, memberA).send(new DescribeOrganizationCommand({}))),
    ).toMatchObject({ name: 'ServiceException', status: 500 });
  });

  it('the default is unchanged: with organization: true every account is a member', async () => {
    const all = await startSandbox({ accounts: 3, organization: true });
    try {
      const ids = (await organizations(all.endpoint, all.accounts[0]!).send(new ListAccountsCommand({}))).Accounts!.map(
        (a) => a.Id,
      );
      expect(ids).toEqual(all.accounts.map((a) => a.accountId));
      const none = await startSandbox({ accounts: 1 });
      try {
        expect(
          (await awsError(organizations(none.endpoint, none.accounts[0]!).send(new DescribeOrganizationCommand({}))))
            .name,
        ).toBe('AWSOrganizationsNotInUseException');
      } finally {
        await none.stop();
      }
    } finally {
      await all.stop();
    }
  });
});

/**
 * The same Organizations calls against moto_server (an independent emulator that implements Organizations):
 * response shapes and error codes must agree. moto enforces no permissions, so only non-security behaviour is
 * compared; moto's ListAccounts from a member answers an empty list where AWS (and the sandbox) deny.
 */
describe('Organizations conformance with moto', () => {
  let sandbox: Sandbox;
  let moto: MotoServer;
  beforeAll(async () => {
    [sandbox, moto] = await Promise.all([
      startSandbox({ accounts: 3, organization: true, organizationMembers: 2 }),
      startMoto(),
    ]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([sandbox?.stop(), moto?.stop()]);
  });

  it("DescribeOrganization, ListAccounts and DescribeAccount have moto's shapes; not-in-use and unknown-account errors have its codes", async () => {
    const motoRoot = {
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    };
    const m = organizations(moto.endpoint, motoRoot);
    const notInUse = await awsError(m.send(new DescribeOrganizationCommand({})));
    await m.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    const memberId = (await m.send(new CreateAccountCommand({ AccountName: 'member', Email: 'member@example.com' })))
      .CreateAccountStatus!.AccountId!;
    const s = organizations(sandbox.endpoint, sandbox.accounts[0]!);
    const lone = organizations(sandbox.endpoint, sandbox.accounts[2]!);
    const pairs: Array<[string, unknown, unknown]> = [
      [
        'DescribeOrganization',
        await s.send(new DescribeOrganizationCommand({})),
        await m.send(new DescribeOrganizationCommand({})),
      ],
      ['ListAccounts', await s.send(new ListAccountsCommand({})), await m.send(new ListAccountsCommand({}))],
      [
        'DescribeAccount',
        await s.send(new DescribeAccountCommand({ AccountId: sandbox.accounts[1]!.accountId })),
        await m.send(new DescribeAccountCommand({ AccountId: memberId })),
      ],
    ];
    for (const [call, ours, theirs] of pairs)
      expect([call, [...shape(ours)].sort()]).toEqual([call, [...shape(theirs)].sort()]);
    const ourNotInUse = await awsError(lone.send(new DescribeOrganizationCommand({})));
    expect([ourNotInUse.name, ourNotInUse.status, ourNotInUse.message]).toEqual([
      notInUse.name,
      notInUse.status,
      notInUse.message,
    ]);
    const ourMissing = await awsError(s.send(new DescribeAccountCommand({ AccountId: '999999999999' })));
    const theirMissing = await awsError(m.send(new DescribeAccountCommand({ AccountId: '999999999999' })));
    expect([ourMissing.name, ourMissing.status, ourMissing.message]).toEqual([
      theirMissing.name,
      theirMissing.status,
      theirMissing.message,
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { TrustgateError } from '@trustgate/core';
import type { Attachment, Stack } from '../../model/broker-records.ts';
import type { Connection, ConnectionRole } from '../../model/records.ts';
import { assumptionRequest, SESSION_TAG_KEYS, type AssumptionRequestInput } from './assumption-request.ts';

const NOW = '2026-01-01T00:00:00.000Z';
const ROLE_ARN = 'arn:aws:iam::222222222222:role/TrustgateAccess';

function input(
  o: {
    connection?: Partial<Connection>;
    attachment?: Partial<Attachment>;
    phase?: 'read' | 'write';
    runId?: string;
  } = {},
): AssumptionRequestInput {
  const connection = {
    id: 'con_1',
    organizationId: 'org_1',
    partition: 'aws',
    externalId: 'tg-abcdefghijklmnopqrstuvwxyz012345',
    trust: { kind: 'external-id' },
    externalIdTrust: { kind: 'exact' },
    sessionTagging: false,
    extraActions: ['ec2:DescribeInstances', 'ec2:RunInstances'],
    issuedPolicy: {
      documents: [],
      managedPolicyArns: [],
      requiredActions: [{ productId: 'p', integrationId: 'i', actions: ['s3:ListBucket', 's3:PutObject'] }],
    },
    ...o.connection,
  } as Connection;
  const role: ConnectionRole = {
    connectionId: 'con_1',
    accountId: '222222222222',
    roleArn: ROLE_ARN,
    status: 'connected',
    statusReason: '',
    details: null,
    verifiedAt: NOW,
  };
  const stack: Stack = {
    id: 'stk_1',
    organizationId: 'org_1',
    spaceId: null,
    slug: 'net-prod',
    name: 'Network',
    labels: {},
    createdAt: NOW,
    updatedAt: NOW,
  };
  const attachment: Attachment = {
    id: 'att_1',
    organizationId: 'org_1',
    stackId: 'stk_1',
    connectionId: 'con_1',
    accountIds: null,
    phases: ['read', 'write'],
    durationSeconds: 1800,
    region: null,
    readOnlySessionPolicy: false,
    sessionMode: 'per-run',
    assumeOnWorker: false,
    customExternalId: null,
    verification: null,
    createdAt: NOW,
    updatedAt: NOW,
    ...o.attachment,
  };
  return {
    connection,
    role,
    attachment,
    stack,
    phase: o.phase ?? 'write',
    ...(o.runId === undefined ? { runId: 'run-42' } : { runId: o.runId }),
    region: 'eu-west-1',
  };
}

describe('assumptionRequest', () => {
  it('exact trust passes the connection ID as is, names the run, and asks for no tags without session tagging', async () => {
    const r = await assumptionRequest(input());
    expect(r).toEqual({
      roleArn: ROLE_ARN,
      externalId: 'tg-abcdefghijklmnopqrstuvwxyz012345',
      roleSessionName: 'tg-net-prod-run-42',
      durationSeconds: 1800,
    });
  });

  it('scoped trust passes <id>@<stack>@<phase>; shared sessions name the stack and phase, not the run', async () => {
    const scoped = { externalIdTrust: { kind: 'scoped' as const, phases: ['read' as const] } };
    const r = await assumptionRequest(input({ connection: scoped, phase: 'read' }));
    expect(r.externalId).toBe('tg-abcdefghijklmnopqrstuvwxyz012345@net-prod@read');
    const shared = await assumptionRequest(input({ connection: scoped, attachment: { sessionMode: 'shared' } }));
    expect(shared.roleSessionName).toBe('tg-net-prod-write');
    expect(shared.externalId).toBe('tg-abcdefghijklmnopqrstuvwxyz012345@net-prod@write');
  });

  it('a custom external ID is used only on the worker', async () => {
    const worker = await assumptionRequest(
      input({ attachment: { assumeOnWorker: true, customExternalId: 'tenant-chosen-1' } }),
    );
    expect(worker.externalId).toBe('tenant-chosen-1');
    // A custom ID left on an attachment that is not assumed on the worker is never passed by the platform.
    const platform = await assumptionRequest(input({ attachment: { customExternalId: 'tenant-chosen-1' } }));
    expect(platform.externalId).toBe('tg-abcdefghijklmnopqrstuvwxyz012345');
  });

  it('session tagging adds the source identity and the stack, phase and run tags (no run tag for shared sessions)', async () => {
    const r = await assumptionRequest(input({ connection: { sessionTagging: true } }));
    expect(r.sourceIdentity).toBe('tg-net-prod-run-42');
    expect(r.tags).toEqual({
      [SESSION_TAG_KEYS.stack]: 'net-prod',
      [SESSION_TAG_KEYS.phase]: 'write',
      [SESSION_TAG_KEYS.run]: 'run-42',
    });
    const shared = await assumptionRequest(
      input({ connection: { sessionTagging: true }, attachment: { sessionMode: 'shared' } }),
    );
    expect(Object.keys(shared.tags ?? {})).toEqual([SESSION_TAG_KEYS.stack, SESSION_TAG_KEYS.phase]);
  });

  it('any run ID gives a session name and tags AWS accepts', async () => {
    const runId = `run #${'x'.repeat(200)} "quoted" ${'é'.repeat(10)}`;
    const r = await assumptionRequest(input({ connection: { sessionTagging: true }, runId }));
    expect(r.roleSessionName).toMatch(/^[\w+=,.@-]{2,64}$/);
    expect(r.sourceIdentity).toMatch(/^[\w+=,.@-]{2,64}$/);
    const run = r.tags?.[SESSION_TAG_KEYS.run] ?? '';
    expect(run.length).toBeLessThanOrEqual(256);
    expect(run).toMatch(/^[\p{L}\p{N}\p{Z}_.:/=+\-@]+$/u);
    const other = await assumptionRequest(input({ connection: { sessionTagging: true }, runId: `${runId}!` }));
    expect(other.roleSessionName).not.toBe(r.roleSessionName);
  });

  it('a per-run session needs the run ID', async () => {
    await expect(assumptionRequest(input({ runId: '' }))).rejects.toThrow(TrustgateError);
    const shared = input({ attachment: { sessionMode: 'shared' } });
    delete shared.runId;
    await expect(assumptionRequest(shared)).resolves.toMatchObject({ roleSessionName: 'tg-net-prod-write' });
  });
  it('the read phase carries the List/Read-only session policy when asked; the write phase never does', async () => {
    const read = await assumptionRequest(input({ attachment: { readOnlySessionPolicy: true }, phase: 'read' }));
    const policy = JSON.parse(read.policy ?? '{}') as { Statement: { Effect: string; Action: string[] | string }[] };
    expect(policy.Statement).toEqual([expect.objectContaining({ Effect: 'Allow' })]);
    const actions = [policy.Statement[0]?.Action].flat();
    expect(actions).toContain('s3:ListBucket');
    expect(actions).toContain('ec2:DescribeInstances');
    expect(actions).not.toContain('s3:PutObject');
    expect(actions).not.toContain('ec2:RunInstances');
    const write = await assumptionRequest(input({ attachment: { readOnlySessionPolicy: true }, phase: 'write' }));
    expect(write.policy).toBeUndefined();
    expect((await assumptionRequest(input({ phase: 'read' }))).policy).toBeUndefined();
  });
});

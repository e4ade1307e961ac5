import { CreateAccessKeyCommand, CreateUserCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../src/index.ts';
import { KNOWN_DIFFERENCES } from './conformance-known-differences.ts';
import { SCENARIOS, type Outcome } from './conformance-scenarios.ts';
import { startMoto, type MotoServer } from '../../../test/support/moto-server.ts';
import { allowPolicy, clients, type Credentials } from './sandbox-clients.ts';

/** The response shape: every key path with its value type (`Role.Arn:string`, `Roles[].Tags[].Key:string`). */
export function shape(value: unknown, path = '', out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const v of value) shape(v, `${path}[]`, out);
  } else if (value instanceof Date) out.add(`${path}:date`);
  else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$metadata' || v === undefined) continue;
      shape(v, path ? `${path}.${k}` : k, out);
    }
  } else out.add(`${path}:${typeof value}`);
  return out;
}

/** Differences of one step between the sandbox and moto, as readable lines. */
function compare(sandbox: Outcome | undefined, moto: Outcome | undefined): string[] {
  if (!sandbox || !moto) return [`step ran on only one side (sandbox ${String(!!sandbox)}, moto ${String(!!moto)})`];
  if (sandbox.ok !== moto.ok) {
    return [
      `sandbox ${sandbox.ok ? 'succeeded' : `failed ${sandbox.name} ${String(sandbox.status)}`}, moto ${moto.ok ? 'succeeded' : `failed ${moto.name} ${String(moto.status)}`}`,
    ];
  }
  if (!sandbox.ok && !moto.ok) {
    return sandbox.name === moto.name && sandbox.status === moto.status
      ? []
      : [`error sandbox ${sandbox.name} ${String(sandbox.status)} vs moto ${moto.name} ${String(moto.status)}`];
  }
  const a = shape((sandbox as { value: unknown }).value);
  const b = shape((moto as { value: unknown }).value);
  return [
    ...[...b].filter((p) => !a.has(p)).map((p) => `missing in sandbox: ${p}`),
    ...[...a].filter((p) => !b.has(p)).map((p) => `only in sandbox: ${p}`),
  ];
}

async function adminUser(endpoint: string, region: string, root: Credentials): Promise<Credentials> {
  const { iam } = clients(endpoint, region, root);
  await iam.send(new CreateUserCommand({ UserName: 'conformance-admin' }));
  await iam.send(
    new PutUserPolicyCommand({
      UserName: 'conformance-admin',
      PolicyName: 'admin',
      PolicyDocument: allowPolicy(['*']),
    }),
  );
  const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'conformance-admin' }))).AccessKey!;
  return { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! };
}

/**
 * Conformance: the same non-security scenarios, with the same SDK v3 calls, against the sandbox and against
 * moto (an independent emulator). Response shapes (key paths and types) and error codes/statuses are
 * compared; every difference must be listed, with AWS's documented behaviour as the reason, in
 * conformance-known-differences.ts (mirrored in the README). A listed difference that disappears fails too,
 * so the list stays true.
 */
describe('conformance with moto', () => {
  let sandbox: Sandbox;
  let moto: MotoServer;
  const results = { sandbox: new Map<string, Outcome>(), moto: new Map<string, Outcome>() };

  beforeAll(async () => {
    [sandbox, moto] = await Promise.all([startSandbox({ accounts: 1 }), startMoto()]);
    const targets = [
      { name: 'sandbox' as const, endpoint: sandbox.endpoint, root: sandbox.accounts[0]! },
      {
        name: 'moto' as const,
        endpoint: moto.endpoint,
        root: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
      },
    ];
    for (const target of targets) {
      const admin = await adminUser(target.endpoint, 'us-east-1', target.root);
      const c = clients(target.endpoint, 'us-east-1', admin);
      const accountId = (await c.sts.send(new GetCallerIdentityCommand({}))).Account!;
      for (const scenario of SCENARIOS) {
        const record = async (step: string, call: Promise<unknown>): Promise<unknown> => {
          try {
            const value = await call;
            results[target.name].set(`${scenario.name}.${step}`, { ok: true, value });
            return value;
          } catch (error) {
            const e = error as { name: string; $metadata?: { httpStatusCode?: number } };
            results[target.name].set(`${scenario.name}.${step}`, {
              ok: false,
              name: e.name,
              status: e.$metadata?.httpStatusCode,
            });
            return undefined;
          }
        };
        await scenario.run(c, record, { accountId });
      }
    }
  }, 180_000);
  afterAll(async () => {
    await Promise.all([sandbox?.stop(), moto?.stop()]);
  });

  it('every difference from moto is documented, and every documented difference still exists', () => {
    const steps = new Set([...results.sandbox.keys(), ...results.moto.keys()]);
    const undocumented: string[] = [];
    const found = new Set<string>();
    for (const step of steps) {
      for (const line of compare(results.sandbox.get(step), results.moto.get(step))) {
        const key = `${step}: ${line}`;
        if (KNOWN_DIFFERENCES[key] !== undefined) found.add(key);
        else undocumented.push(key);
      }
    }
    expect(undocumented).toEqual([]);
    expect(Object.keys(KNOWN_DIFFERENCES).filter((k) => !found.has(k))).toEqual([]);
    expect(steps.size).toBeGreaterThan(60);
  });

  it('the error codes of the error scenarios agree where AWS and moto agree', () => {
    const errors = [...results.sandbox.entries()]
      .filter(([, o]) => !o.ok)
      .map(([step, o]) => [step, (o as { name: string }).name]);
    expect(Object.fromEntries(errors)).toMatchObject({
      'iam-roles.GetRole.missing': 'NoSuchEntityException',
      'iam-roles.CreateRole.duplicate': 'EntityAlreadyExistsException',
      'iam-roles.CreateRole.malformed': 'MalformedPolicyDocumentException',
      'iam-roles.DeleteRole.conflict': 'DeleteConflictException',
      'cloudformation.CreateStack.duplicate': 'AlreadyExistsException',
      'cloudformation.DescribeStacks.missing': 'ValidationError',
    });
  });
});

import { Option, type Command } from 'commander';
import { TrustgateError, isTrustgateError } from '@trustgate/core';
import { unwrap, type TrustgateClient } from '@trustgate/client';
import { remoteCommand, remoteContext, type RemoteOptions } from '../remote-command.ts';
import { cellText } from '../output.ts';
import { parseDuration, progressWriter, type ConnectionView } from './connections-input.ts';

type Role = ConnectionView['roles'][number];
const STATUSES = ['pending', 'connected', 'needs-update', 'insecure', 'broken'] as const;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One role's check as lines: status, account, ARN and reason; then what is missing and how to fix it. */
export function roleCheckLines(role: Role): string[] {
  const lines = [`  ${role.status.padEnd(12)} ${role.accountId}  ${role.roleArn}: ${cellText(role.statusReason)}`];
  for (const m of role.missing)
    lines.push(`      missing ${m.productId}/${m.integrationId}: ${m.actions.map(cellText).join(', ')}`);
  for (const p of role.missingManagedPolicies) lines.push(`      missing managed policy ${cellText(p)}`);
  if (role.fixHint !== undefined) lines.push(`      fix: ${cellText(role.fixHint)}`);
  return lines;
}

/** Every role's check of a connection, for `show`. */
export function roleLines(c: ConnectionView): string[] {
  if (c.roles.length === 0) return ['roles: none verified yet'];
  return ['roles:', ...c.roles.flatMap(roleCheckLines)];
}

const roleKey = (r: Role) => `${r.accountId} ${r.roleArn}`;
const roleState = (r: Role) => `${r.status}|${r.statusReason}|${r.verifiedAt ?? ''}`;

/** Reads the connection; an unreachable service is `undefined` (the caller tries again), any other error is thrown. */
async function readConnection(client: TrustgateClient, id: string): Promise<ConnectionView | undefined> {
  try {
    return await unwrap(client.GET('/v1/connections/{id}', { params: { path: { id } } }));
  } catch (error) {
    if (isTrustgateError(error) && (error.details as { unreachable?: boolean } | undefined)?.unreachable === true)
      return undefined;
    throw error;
  }
}

/**
 * One verification: `POST verify` in flight while the connection is read every second, so each role's check is
 * printed as it completes (and AWS's "not assumable yet, retrying" while it waits); returns the verified connection.
 */
async function verifyPass(
  client: TrustgateClient,
  id: string,
  body: { roleArn?: string; stackId?: string },
  seen: Map<string, string>,
  say: (line: string) => void,
): Promise<ConnectionView> {
  const report = (c: ConnectionView) => {
    for (const role of c.roles) {
      if (body.roleArn !== undefined && role.roleArn !== body.roleArn) continue;
      if (seen.get(roleKey(role)) === roleState(role)) continue;
      seen.set(roleKey(role), roleState(role));
      for (const line of roleCheckLines(role)) say(line);
    }
  };
  let settled = false;
  const pending = unwrap(client.POST('/v1/connections/{id}/verify', { params: { path: { id } }, body })).finally(
    () => (settled = true),
  );
  pending.catch(() => undefined);
  while (!settled) {
    await Promise.race([pending.catch(() => undefined), sleep(1000)]);
    if (settled) break;
    const now = await readConnection(client, id);
    if (now !== undefined && !settled) report(now);
  }
  const verified = await pending;
  report(verified);
  return verified;
}

/** The roles a verification is judged by: the pasted one, else every role. */
function judged(c: ConnectionView, roleArn: string | undefined): Role[] {
  return roleArn === undefined ? c.roles : c.roles.filter((r) => r.roleArn === roleArn);
}

/**
 * `trustgate connections verify ID [--role-arn ARN] [--wait]`: verifies the pasted role (or every known role) for real,
 * printing each check as it completes. `--wait` verifies again every `--interval` until those roles are connected or
 * `--wait-timeout` passes. Exit 0 when they are connected; otherwise VERIFICATION_FAILED (exit 7) with the reason.
 */
export function registerVerify(group: Command): void {
  remoteCommand<{ roleArn?: string; stackId?: string; wait?: boolean; waitTimeout: string; interval: string }>(
    group,
    'verify <id>',
    'Verify the role for real (--role-arn: the ARN the template output; without, every known role); --wait until connected',
    (c) =>
      c
        .option('--role-arn <arn>', 'the role the template created (its RoleArn output)')
        .option('--stack-id <arn>', 'the CloudFormation stack that created it (for update-stack links)')
        .option('--wait', 'verify again until the role is connected')
        .option('--wait-timeout <duration>', 'with --wait: give up after this long', '10m')
        .option('--interval <duration>', 'with --wait: between verifications', '5s'),
    async (ctx, [id], o) => {
      const say = progressWriter(ctx.output);
      const deadline = Date.now() + parseDuration(o.waitTimeout, '--wait-timeout');
      const interval = parseDuration(o.interval, '--interval');
      const body = {
        ...(o.roleArn === undefined ? {} : { roleArn: o.roleArn }),
        ...(o.stackId === undefined ? {} : { stackId: o.stackId }),
      };
      const before = await unwrap(ctx.client.GET('/v1/connections/{id}', { params: { path: { id: id! } } }));
      const seen = new Map(before.roles.map((r) => [roleKey(r), roleState(r)]));
      say(`Verifying ${before.name} (${before.id})${o.roleArn === undefined ? '' : ` with ${o.roleArn}`}:`);
      let c = await verifyPass(ctx.client, id!, body, seen, say);
      let bad = judged(c, o.roleArn).filter((r) => r.status !== 'connected');
      while (o.wait === true && bad.length > 0 && Date.now() + interval < deadline) {
        say(`  not connected yet; verifying again in ${interval / 1000} s`);
        await sleep(interval);
        seen.clear();
        c = await verifyPass(ctx.client, id!, body, seen, say);
        bad = judged(c, o.roleArn).filter((r) => r.status !== 'connected');
      }
      if (ctx.output === 'json') ctx.printRecord(c);
      else say(`Connection ${c.name}: ${c.status}: ${c.statusReason}`);
      if (bad.length > 0)
        throw new TrustgateError(
          'VERIFICATION_FAILED',
          bad.map((r) => `${r.accountId}: ${r.status}: ${r.statusReason}`).join(' '),
          { field: 'roleArn' },
        );
    },
  );
}

/**
 * `trustgate connections wait ID --status connected --timeout 10m`: reads the connection every `--interval` (printing
 * each status change) until it has the status; exits 0 then, else VERIFICATION_FAILED (exit 7) with its reason. Its
 * `--timeout` is the whole wait (each request is bounded by 30 s), so the command is built here, not by remoteCommand.
 */
export function registerWait(group: Command): void {
  group
    .command('wait <id>')
    .description(
      'Wait until the connection has a status (automatic mode: until its stack reported back and it verified)',
    )
    .addOption(new Option('--status <status>', 'the status to wait for').choices(STATUSES).default('connected'))
    .option('--timeout <duration>', 'give up after this long (90s, 10m, 1h)', '10m')
    .option('--interval <duration>', 'between reads', '3s')
    .option('--url <url>', 'the trustgate service (default: TRUSTGATE_URL, else the profile)')
    .option('--profile <name>', 'a profile stored by trustgate login (default: TRUSTGATE_PROFILE, else default)')
    .option('--token-file <file>', 'a file holding the API token (default: TRUSTGATE_TOKEN, else the profile)')
    .addOption(new Option('-o, --output <format>', 'table for people, json for scripts').choices(['table', 'json']))
    .action(async (id: string, o: RemoteOptions & { status: string; timeout: string; interval: string }) => {
      const total = parseDuration(o.timeout, '--timeout');
      const interval = parseDuration(o.interval, '--interval');
      const ctx = remoteContext({ ...o, timeout: '30' });
      const say = progressWriter(ctx.output);
      const started = Date.now();
      let last: ConnectionView | undefined;
      let shown = '';
      for (;;) {
        const c = await readConnection(ctx.client, id);
        if (c === undefined) say('  the service is not answering; trying again');
        else {
          last = c;
          const state = `${c.status}: ${c.statusReason}`;
          if (state !== shown) say(`[${Math.round((Date.now() - started) / 1000)} s] ${state}`);
          shown = state;
          if (c.status === o.status) break;
        }
        const left = started + total - Date.now();
        if (left <= 0) break;
        await sleep(Math.min(interval, left));
      }
      if (last !== undefined && ctx.output === 'json') ctx.printRecord(last);
      if (last?.status === o.status) return;
      throw new TrustgateError(
        last === undefined ? 'CREDENTIALS_UNAVAILABLE' : 'VERIFICATION_FAILED',
        last === undefined
          ? `The service did not answer within ${o.timeout}.`
          : `Connection ${last.name} (${last.id}) is ${last.status}, not ${o.status}, after ${o.timeout}: ${last.statusReason}`,
        { field: 'status' },
      );
    });
}

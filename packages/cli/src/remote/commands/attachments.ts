import { Option, type Command } from 'commander';
import { TrustgateError } from '@trustgate/core';
import { unwrap, type paths, type TrustgateClient } from '@trustgate/client';
import { remoteCommand, type RemoteContext } from '../remote-command.ts';
import { commaList } from '../../commands/repeatable-options.ts';
import { confirmOrRefuse, oneOf, parseDuration } from './connections-input.ts';
import { resolveStackId } from './stacks-resolve.ts';
import { registerAttachmentsEdit } from './attachments-edit.ts';

type AttachmentView =
  paths['/v1/stacks/{id}/attachments']['get']['responses'][200]['content']['application/json'][number];
type AttachBody = NonNullable<
  paths['/v1/stacks/{id}/attachments']['post']['requestBody']
>['content']['application/json'];

/** The flags of attaching a connection to a stack. */
export interface AttachFlags {
  connection?: string;
  phases?: string[];
  accounts?: string[];
  duration?: string;
  region?: string;
  sessionMode?: string;
  assumeOnWorker?: boolean;
  customExternalId?: string;
  readOnlySessionPolicy?: boolean;
}

/** Declares the attach flags (`stacks attach` and `attachments create`). */
export function addAttachFlags(command: Command): Command {
  return command
    .requiredOption('--connection <id>', 'the connection to attach')
    .option('--phases <phases>', 'read (plan) and/or write (apply), comma-separated (default both)', commaList)
    .option(
      '--accounts <ids>',
      "the connection's accounts the stack may use (default every one with a role)",
      commaList,
    )
    .option('--duration <duration>', 'session duration asked for (900, 15m, 1h; default 3600 s)')
    .option('--region <region>', "credentials' region and STS endpoint (default the connection's)")
    .addOption(
      new Option('--session-mode <mode>', 'per-run: one session per run; shared: one cached session per stack').choices(
        ['per-run', 'shared'],
      ),
    )
    .option('--assume-on-worker', 'answer the assumption parameters (or web identity token), not credentials')
    .option('--custom-external-id <id>', 'with --assume-on-worker: the external ID the worker passes')
    .option('--read-only-session-policy', 'the read phase gets a session policy of the List/Read actions only');
}

/** The attach body from the flags. */
export function attachBodyOf(flags: AttachFlags): AttachBody {
  const phases = flags.phases ?? ['read', 'write'];
  for (const p of phases) oneOf(p, ['read', 'write'], '--phases');
  const seconds = flags.duration === undefined ? undefined : parseDuration(flags.duration, '--duration') / 1000;
  if (seconds !== undefined && !Number.isInteger(seconds))
    throw new TrustgateError('INVALID_INPUT', '--duration: whole seconds.', { field: 'duration' });
  return {
    connectionId: flags.connection!,
    phases: phases as AttachBody['phases'],
    ...(flags.accounts === undefined ? {} : { accountIds: flags.accounts }),
    ...(seconds === undefined ? {} : { durationSeconds: seconds }),
    ...(flags.region === undefined ? {} : { region: flags.region }),
    ...(flags.sessionMode === undefined
      ? {}
      : { sessionMode: flags.sessionMode as NonNullable<AttachBody['sessionMode']> }),
    ...(flags.assumeOnWorker === true ? { assumeOnWorker: true } : {}),
    ...(flags.customExternalId === undefined ? {} : { customExternalId: flags.customExternalId }),
    ...(flags.readOnlySessionPolicy === true ? { readOnlySessionPolicy: true } : {}),
  };
}

/** The columns of an attachments table. */
export const ATTACHMENT_COLUMNS = [
  { header: 'id', value: (a: AttachmentView) => a.id },
  { header: 'stack', value: (a: AttachmentView) => a.stackId },
  { header: 'connection', value: (a: AttachmentView) => a.connectionId },
  { header: 'phases', value: (a: AttachmentView) => a.phases },
  { header: 'accounts', value: (a: AttachmentView) => a.accountIds ?? 'all' },
  { header: 'duration', value: (a: AttachmentView) => `${a.durationSeconds}s` },
  { header: 'mode', value: (a: AttachmentView) => a.sessionMode },
  { header: 'worker', value: (a: AttachmentView) => (a.assumeOnWorker ? 'assume' : '-') },
];

/** Prints one attachment: its settings and each verified account and phase (table), or the API's object (json). */
export function printAttachment(ctx: RemoteContext, a: AttachmentView): void {
  if (ctx.output === 'json') return ctx.printRecord(a);
  ctx.printRecord(a, [
    'id',
    'stackId',
    'connectionId',
    'accountIds',
    'phases',
    'durationSeconds',
    'region',
    'sessionMode',
    'assumeOnWorker',
    'customExternalId',
    'readOnlySessionPolicy',
    'createdAt',
  ]);
  if (a.verification === null) return ctx.say('verification: none (custom external ID: the worker assumes the role)');
  ctx.say(`verification at ${a.verification.at}:`);
  for (const check of a.verification.checks)
    ctx.say(
      `  ${check.ok ? 'ok  ' : 'FAIL'} ${check.accountId} ${check.phase}: ${check.reason}${check.fixHint === undefined ? '' : ` (fix: ${check.fixHint})`}`,
    );
}

/** Attaches a connection to a stack (verified by the service first: 422 VERIFICATION_FAILED with the checks). */
export async function attach(ctx: RemoteContext, stackRef: string, flags: AttachFlags): Promise<void> {
  const id = await resolveStackId(ctx.client, stackRef);
  printAttachment(
    ctx,
    await unwrap(
      ctx.client.POST('/v1/stacks/{id}/attachments', { params: { path: { id } }, body: attachBodyOf(flags) }),
    ),
  );
}

/** The stack's attachments. */
async function listOf(client: TrustgateClient, stackId: string): Promise<AttachmentView[]> {
  return unwrap(client.GET('/v1/stacks/{id}/attachments', { params: { path: { id: stackId } } }));
}

/** One attachment of the stack; NOT_FOUND naming it otherwise. */
async function findAttachment(client: TrustgateClient, stackId: string, id: string): Promise<AttachmentView> {
  const found = (await listOf(client, stackId)).find((a) => a.id === id);
  if (found === undefined)
    throw new TrustgateError('NOT_FOUND', `No attachment ${id} on this stack (or you may not see it).`, {
      field: 'attachmentId',
    });
  return found;
}

/** `trustgate attachments`: attachments of connections to stacks, with their phase, duration and session settings. */
export function registerAttachments(program: Command): Command {
  const group = program
    .command('attachments')
    .description('Attachments of connections to stacks, with their phase, duration and session settings');
  const stackOption = (c: Command) => c.requiredOption('--stack <stack>', 'the stack (ID or slug)');

  remoteCommand<AttachFlags & { stack: string }>(
    group,
    'create',
    'Attach a connection to a stack (verified first: each phase assumed for real)',
    (c) => addAttachFlags(stackOption(c)),
    async (ctx, _args, o) => attach(ctx, o.stack, o),
  );
  remoteCommand<{ stack: string }>(group, 'list', "A stack's attachments", stackOption, async (ctx, _args, o) => {
    ctx.printList(await listOf(ctx.client, await resolveStackId(ctx.client, o.stack)), ATTACHMENT_COLUMNS);
  });
  remoteCommand<{ stack: string }>(
    group,
    'show <attachment>',
    'One attachment with what its verification proved',
    stackOption,
    async (ctx, [id], o) => {
      printAttachment(ctx, await findAttachment(ctx.client, await resolveStackId(ctx.client, o.stack), id!));
    },
  );
  registerAttachmentsEdit(group);
  remoteCommand<{ stack: string }>(
    group,
    'verify <attachment>',
    'Verify an attachment again (each account and phase assumed); the result is stored',
    stackOption,
    async (ctx, [attachmentId], o) => {
      const id = await resolveStackId(ctx.client, o.stack);
      const a = await unwrap(
        ctx.client.POST('/v1/stacks/{id}/attachments/{attachmentId}/verify', {
          params: { path: { id, attachmentId: attachmentId! } },
        }),
      );
      printAttachment(ctx, a);
      const failed = a.verification?.checks.filter((c) => !c.ok) ?? [];
      if (failed.length > 0)
        throw new TrustgateError(
          'VERIFICATION_FAILED',
          failed.map((c) => `${c.accountId} ${c.phase}: ${c.reason}`).join(' '),
          { field: 'attachmentId' },
        );
    },
  );
  remoteCommand<{ stack: string; yes?: boolean }>(
    group,
    'delete <attachment>',
    'Detach a connection from a stack (--yes when not at a terminal)',
    (c) => stackOption(c).option('-y, --yes', 'do not ask'),
    async (ctx, [attachmentId], o) => {
      const id = await resolveStackId(ctx.client, o.stack);
      const a = await findAttachment(ctx.client, id, attachmentId!);
      await confirmOrRefuse(`attachment ${a.id} (connection ${a.connectionId} on stack ${o.stack})`, o.yes);
      const answer = await unwrap(
        ctx.client.DELETE('/v1/stacks/{id}/attachments/{attachmentId}', {
          params: { path: { id, attachmentId: a.id } },
        }),
      );
      if (ctx.output === 'json') return ctx.printRecord(answer);
      ctx.say(`Attachment ${a.id} deleted: stack ${o.stack}'s runs no longer get credentials of ${a.connectionId}.`);
    },
  );
  return group;
}

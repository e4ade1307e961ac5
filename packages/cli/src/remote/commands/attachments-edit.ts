import { Option, type Command } from 'commander';
import { TrustgateError } from '@trustgate/core';
import { unwrap, type paths } from '@trustgate/client';
import { remoteCommand } from '../remote-command.ts';
import { commaList } from '../../commands/repeatable-options.ts';
import { oneOf, parseDuration } from './connections-input.ts';
import { printAttachment } from './attachments.ts';
import { resolveStackId } from './stacks-resolve.ts';

type EditBody = NonNullable<
  paths['/v1/stacks/{id}/attachments/{attachmentId}']['patch']['requestBody']
>['content']['application/json'];

/** The flags of `attachments edit`: each given one changes that setting; `--no-...` and `--all-accounts` reset one. */
export interface EditFlags {
  stack: string;
  phases?: string[];
  accounts?: string[];
  allAccounts?: boolean;
  duration?: string;
  region?: string | false;
  sessionMode?: string;
  assumeOnWorker?: boolean;
  customExternalId?: string | false;
  readOnlySessionPolicy?: boolean;
}

/** The PATCH body from the flags: only what they change. INVALID_INPUT naming the flag when none or two clash. */
export function editBodyOf(flags: EditFlags): EditBody {
  if (flags.accounts !== undefined && flags.allAccounts === true)
    throw new TrustgateError('INVALID_INPUT', '--accounts and --all-accounts: give one.', { field: 'accounts' });
  for (const p of flags.phases ?? []) oneOf(p, ['read', 'write'], '--phases');
  const seconds = flags.duration === undefined ? undefined : parseDuration(flags.duration, '--duration') / 1000;
  if (seconds !== undefined && !Number.isInteger(seconds))
    throw new TrustgateError('INVALID_INPUT', '--duration: whole seconds.', { field: 'duration' });
  const body: EditBody = {
    ...(flags.phases === undefined ? {} : { phases: flags.phases as NonNullable<EditBody['phases']> }),
    ...(flags.accounts === undefined ? {} : { accountIds: flags.accounts }),
    ...(flags.allAccounts === true ? { accountIds: null } : {}),
    ...(seconds === undefined ? {} : { durationSeconds: seconds }),
    ...(flags.region === undefined ? {} : { region: flags.region === false ? null : flags.region }),
    ...(flags.sessionMode === undefined
      ? {}
      : { sessionMode: flags.sessionMode as NonNullable<EditBody['sessionMode']> }),
    ...(flags.assumeOnWorker === undefined ? {} : { assumeOnWorker: flags.assumeOnWorker }),
    ...(flags.customExternalId === undefined
      ? {}
      : { customExternalId: flags.customExternalId === false ? null : flags.customExternalId }),
    ...(flags.readOnlySessionPolicy === undefined ? {} : { readOnlySessionPolicy: flags.readOnlySessionPolicy }),
  };
  if (Object.keys(body).length === 0)
    throw new TrustgateError(
      'INVALID_INPUT',
      'Nothing to change: give --phases, --accounts, --all-accounts, --duration, --region, --session-mode, --[no-]assume-on-worker, --[no-]custom-external-id or --[no-]read-only-session-policy.',
      { field: 'attachment' },
    );
  return body;
}

/**
 * `trustgate attachments edit ATTACHMENT --stack S`: changes the settings given (PATCH); the service verifies the
 * attachment again first when the change asks the role for more, and a failed check changes nothing (exit code of
 * VERIFICATION_FAILED, each failed check with its fix on stderr).
 */
export function registerAttachmentsEdit(group: Command): Command {
  return remoteCommand<EditFlags>(
    group,
    'edit <attachment>',
    'Change an attachment (phases, accounts, duration, region, session mode and policy, assume on worker); verified again first when it asks the role for more',
    (c) =>
      c
        .requiredOption('--stack <stack>', 'the stack (ID or slug)')
        .option('--phases <phases>', 'read (plan) and/or write (apply), comma-separated', commaList)
        .option('--accounts <ids>', "the connection's accounts the stack may use", commaList)
        .option('--all-accounts', 'every account of the connection with a role')
        .option('--duration <duration>', 'session duration asked for (900, 15m, 1h)')
        .option('--region <region>', "credentials' region and STS endpoint")
        .option('--no-region', "the connection's region again")
        .addOption(
          new Option(
            '--session-mode <mode>',
            'per-run: one session per run; shared: one cached session per stack',
          ).choices(['per-run', 'shared']),
        )
        .option('--assume-on-worker', 'answer the assumption parameters (or web identity token), not credentials')
        .option('--no-assume-on-worker', 'answer credentials again')
        .option('--custom-external-id <id>', 'with assume on worker: the external ID the worker passes')
        .option('--no-custom-external-id', 'no custom external ID (trustgate verifies the attachment again)')
        .option('--read-only-session-policy', 'the read phase gets a session policy of the List/Read actions only')
        .option('--no-read-only-session-policy', 'no session policy on the read phase'),
    async (ctx, [attachmentId], o) => {
      const body = editBodyOf(o);
      const id = await resolveStackId(ctx.client, o.stack);
      printAttachment(
        ctx,
        await unwrap(
          ctx.client.PATCH('/v1/stacks/{id}/attachments/{attachmentId}', {
            params: { path: { id, attachmentId: attachmentId! } },
            body,
          }),
        ),
      );
    },
  );
}

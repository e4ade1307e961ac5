import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { TrustgateError } from '@trustgate/core';
import { unwrap, type paths } from '@trustgate/client';
import { remoteCommand } from '../remote-command.ts';

/** The deliverable formats the service renders, and the file each is written to by `--dir`. */
export const DELIVERABLE_FILES = {
  json: 'policies.json',
  'cloudformation-json': 'cloudformation.json',
  'cloudformation-yaml': 'cloudformation.yaml',
  'quick-create-link': 'quick-create-link.txt',
  stackset: 'stackset.json',
  terraform: 'main.tf',
  cli: 'create-role.sh',
} as const;
type Format = keyof typeof DELIVERABLE_FILES;
type Deliverables = paths['/v1/connections/{id}/deliverables']['get']['responses'][200]['content']['application/json'];

/** Writes a deliverable to `file` (a script executable), as text ending in a newline; FILE_NOT_READABLE if it cannot. */
function writeDeliverable(file: string, format: Format, text: string): void {
  try {
    writeFileSync(file, text.endsWith('\n') ? text : `${text}\n`, { mode: format === 'cli' ? 0o755 : 0o644 });
  } catch (error) {
    throw new TrustgateError(
      'FILE_NOT_READABLE',
      `cannot write ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      { field: 'out', cause: error },
    );
  }
}

/** One format's text, or INVALID_INPUT saying the connection does not offer it (an OIDC connection's missing ones). */
function formatText(deliverables: Deliverables, format: Format): string {
  const text = deliverables.formats[format];
  if (text === undefined)
    throw new TrustgateError(
      'INVALID_INPUT',
      `--format ${format} is not offered for this connection; it offers ${Object.keys(deliverables.formats).join(', ')}.`,
      { field: 'format' },
    );
  return text;
}

/**
 * `trustgate connections deliverables ID`: `--format F` prints one deliverable (the CloudFormation template, the
 * Terraform, the CLI script, ...) or writes it to `--out FILE`; `--dir DIR` writes every format the connection offers
 * (file names in {@link DELIVERABLE_FILES}); neither lists them (json: the API's answer, policies included).
 */
export function registerDeliverables(group: Command): void {
  remoteCommand<{ format?: string; out?: string; dir?: string }>(
    group,
    'deliverables <id>',
    'The role deliverables: --format F [--out FILE] for one, --dir DIR for every format',
    (c) =>
      c
        .addOption(new Option('--format <format>', 'one deliverable').choices(Object.keys(DELIVERABLE_FILES)))
        .option('--out <file>', 'with --format: write it to this file (default: print it)')
        .option('--dir <dir>', 'write every format to this directory'),
    async (ctx, [id], o) => {
      if (o.dir !== undefined && (o.format !== undefined || o.out !== undefined))
        throw new TrustgateError('INVALID_INPUT', '--dir writes every format: drop --format and --out.', {
          field: 'dir',
        });
      if (o.out !== undefined && o.format === undefined)
        throw new TrustgateError('INVALID_INPUT', '--out needs --format (or use --dir for every format).', {
          field: 'format',
        });
      const deliverables = await unwrap(
        ctx.client.GET('/v1/connections/{id}/deliverables', { params: { path: { id: id! } } }),
      );
      if (o.format !== undefined) {
        const format = o.format as Format;
        const text = formatText(deliverables, format);
        if (o.out === undefined) {
          process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
          return;
        }
        writeDeliverable(o.out, format, text);
        if (ctx.output === 'json') return ctx.printRecord({ files: [{ format, path: o.out }] });
        return ctx.say(`Wrote ${format} to ${o.out}.`);
      }
      if (o.dir !== undefined) {
        try {
          mkdirSync(o.dir, { recursive: true });
        } catch (error) {
          throw new TrustgateError(
            'FILE_NOT_READABLE',
            `cannot create ${o.dir}: ${(error as NodeJS.ErrnoException).code}`,
            {
              field: 'dir',
              cause: error,
            },
          );
        }
        const files: { format: Format; path: string }[] = [];
        for (const [format, text] of Object.entries(deliverables.formats) as [Format, string | undefined][]) {
          if (text === undefined || DELIVERABLE_FILES[format] === undefined) continue;
          const path = join(o.dir, DELIVERABLE_FILES[format]);
          writeDeliverable(path, format, text);
          files.push({ format, path });
        }
        if (ctx.output === 'json') return ctx.printRecord({ files });
        for (const f of files) ctx.say(`Wrote ${f.format} to ${f.path}.`);
        return;
      }
      if (ctx.output === 'json') return ctx.printRecord(deliverables);
      ctx.printList(
        Object.keys(deliverables.formats).map((format) => ({ format, file: DELIVERABLE_FILES[format as Format] })),
        [
          { header: 'format', value: (r) => r.format },
          { header: 'file (--dir)', value: (r) => r.file },
        ],
      );
      for (const l of deliverables.updateStackLinks) ctx.say(`update stack in ${l.accountId}: ${l.link}`);
      for (const w of deliverables.warnings) ctx.say(`warning ${w.code}: ${w.message}`);
    },
  );
}

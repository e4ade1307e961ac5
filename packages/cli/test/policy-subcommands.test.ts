import { Command } from 'commander';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerPolicy } from '../src/commands/policy.ts';

const EXAMPLE = fileURLToPath(new URL('../../../catalogs/example.yaml', import.meta.url));

/** A program as main.ts builds it, plus `policy check` added the way another command file will add it. */
function program(onCheck: (opts: Record<string, unknown>) => void): Command {
  const p = new Command('trustgate').exitOverride();
  registerPolicy(p);
  const policy = p.commands.find((c) => c.name() === 'policy')!;
  policy
    .command('check')
    .exitOverride()
    .requiredOption('--catalog <file>', "the subcommand's own catalog option")
    .option('--role-arn <arn>')
    .action((opts: Record<string, unknown>) => onCheck(opts));
  return p;
}

afterEach(() => vi.restoreAllMocks());

describe('policy keeps working when subcommands are added to it', () => {
  it('runs the parent action without a subcommand', async () => {
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const check = vi.fn();
    await program(check).parseAsync([
      'node',
      'trustgate',
      'policy',
      '--catalog',
      EXAMPLE,
      '--integrations',
      'spot-fleet',
      '--format',
      'json',
    ]);
    expect(check).not.toHaveBeenCalled();
    const result = JSON.parse(out.join('')) as { requiredActions: Array<{ integrationId: string }> };
    expect(result.requiredActions.map((r) => r.integrationId)).toEqual(['spot-fleet']);
  });

  it('hands options after the subcommand name to the subcommand, not to policy', async () => {
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
    const check = vi.fn();
    await program(check).parseAsync([
      'node',
      'trustgate',
      'policy',
      'check',
      '--catalog',
      'sub.yaml',
      '--role-arn',
      'arn:aws:iam::123456789012:role/x',
    ]);
    expect(check).toHaveBeenCalledTimes(1);
    expect(check.mock.calls[0]![0]).toEqual({ catalog: 'sub.yaml', roleArn: 'arn:aws:iam::123456789012:role/x' });
    expect(out.join('')).toBe(''); // the parent's action did not run
  });
});

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = join(ROOT, 'packages/cli/bin/trustgate.js');
const EXAMPLE = join(ROOT, 'catalogs/example.yaml');

/** Run the real `trustgate` bin as a child process. */
function trustgate(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

function badCatalog(): string {
  const dir = mkdtempSync(join(tmpdir(), 'trustgate-cli-'));
  const file = join(dir, 'bad.yaml');
  writeFileSync(
    file,
    readFileSync(EXAMPLE, 'utf8')
      .replace('- ec2:RequestSpotFleet', '- ec2:RequestSpotFleets')
      .replace('id: inventory', 'id: spot-fleet'),
  );
  return file;
}

describe('trustgate catalog', { timeout: 120_000 }, () => {
  it('validate: exit 0 and a summary for the example catalog', async () => {
    const r = await trustgate('catalog', 'validate', EXAMPLE);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^valid: example\.yaml — 4 products, 17 integrations, \d+ actions/);
  });

  it('validate: exit 2 and every finding, naming file, line, product, integration and a suggestion', async () => {
    const r = await trustgate('catalog', 'validate', badCatalog());
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('error [INVALID_CATALOG]: bad.yaml is not a valid catalog: 2 errors');
    expect(r.stderr).toMatch(
      /UNKNOWN_ACTION at products\[0\]\.integrations\[0\]\.statements\[0\]\.actions\[2\]: bad\.yaml:\d+:\d+, product "elastic-compute", integration "spot-fleet": unknown action ec2:RequestSpotFleets — did you mean ec2:RequestSpotFleet/,
    );
    expect(r.stderr).toMatch(
      /DUPLICATE_ID at products\[1\]\.integrations\[0\]\.id: .*duplicate integration id "spot-fleet"/,
    );
    const json = await trustgate('catalog', 'validate', badCatalog(), '--format', 'json');
    expect(json.code).toBe(2);
    const report = JSON.parse(json.stdout) as { valid: boolean; findings: Array<{ code: string; path: string }> };
    expect(report.valid).toBe(false);
    expect(report.findings.map((f) => f.code).sort()).toEqual(['DUPLICATE_ID', 'UNKNOWN_ACTION']);
  });

  it('validate: exit 2 for a file that does not exist', async () => {
    const r = await trustgate('catalog', 'validate', join(tmpdir(), 'no-such-catalog.yaml'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/FILE_NOT_READABLE.*ENOENT/);
  });

  it('show: the tree with action counts (text and JSON agree)', async () => {
    const text = await trustgate('catalog', 'show', EXAMPLE);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/├─ elastic-compute: Elastic compute \(5 integrations, \d+ actions\)/);
    expect(text.stdout).toMatch(/│ {2}├─ spot-fleet: Spot Fleet — 12 actions \[default; all partitions\]/);
    expect(text.stdout).toMatch(/savings-plans: .* \[optional; only aws\]/);
    const json = await trustgate('catalog', 'show', EXAMPLE, '--format', 'json');
    const tree = JSON.parse(json.stdout) as {
      products: Array<{ id: string; integrations: Array<{ id: string; actions: number }> }>;
    };
    const spot = tree.products[0]!.integrations.find((i) => i.id === 'spot-fleet')!;
    expect(spot.actions).toBe(12);
  });
});

describe('trustgate policy', { timeout: 120_000 }, () => {
  it('prints partition-correct documents as JSON with warnings on stderr', async () => {
    const r = await trustgate(
      'policy',
      '--catalog',
      EXAMPLE,
      '--products',
      'elastic-compute,cost-inventory',
      '--partition',
      'aws-cn',
      '--account-id',
      '123456789012',
      '--format',
      'json',
    );
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as {
      partition: string;
      documents: Array<{ size: number; document: unknown }>;
      warnings: unknown[];
    };
    expect(result.partition).toBe('aws-cn');
    expect(JSON.stringify(result.documents)).toContain(
      'arn:aws-cn:iam::123456789012:role/aws-ec2-spot-fleet-tagging-role',
    );
    expect(JSON.stringify(result.documents)).not.toMatch(/arn:aws:/);
    for (const d of result.documents) expect(d.size).toBeLessThanOrEqual(6144);
    expect(r.stderr).toMatch(
      /warning: integration "savings-plans" of product "cost-inventory" is not offered in aws-cn/,
    );
  });

  it('text output: documents, AWS managed policy ARNs and figures; byte-identical on a second run', async () => {
    const a = await trustgate('policy', '--catalog', EXAMPLE, '--default');
    const b = await trustgate('policy', '--catalog', EXAMPLE);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).toMatch(/^# customer managed policy trustgate-permissions-1: [\d,]+ characters/);
    expect(a.stdout).toContain('arn:aws:iam::aws:policy/ReadOnlyAccess');
    expect(a.stdout).toMatch(/naive one statement per action: [\d,]+\)/);
  });

  it('exit 2 with a suggestion for an unknown extra action, and POLICY_TOO_LARGE with the numbers', async () => {
    const unknown = await trustgate('policy', '--catalog', EXAMPLE, '--extra-actions', 's3:GetObjects');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/UNKNOWN_ACTION.*did you mean s3:GetObject/);
    const large = await trustgate('policy', '--catalog', EXAMPLE, '--inline', '--extra-actions', 'ec2:*');
    expect(large.code).toBe(2);
    expect(large.stderr).toMatch(/POLICY_TOO_LARGE.*needs [\d,]+ characters as an inline policy.*at most 10,240/);
  });

  it('exit 2 for usage errors: unknown integration, unknown partition, --default with --products, missing --catalog', async () => {
    const results = await Promise.all([
      trustgate('policy', '--catalog', EXAMPLE, '--integrations', 'spotfleet'),
      trustgate('policy', '--catalog', EXAMPLE, '--partition', 'aws-iso'),
      trustgate('policy', '--catalog', EXAMPLE, '--default', '--products', 'iac-runner'),
      trustgate('policy'),
    ]);
    expect(results.map((r) => r.code)).toEqual([2, 2, 2, 2]);
    expect(results[0]!.stderr).toMatch(/INVALID_SELECTION.*did you mean spot-fleet/);
  });

  it('--compact (alias of --wildcards compact) warns and says which word-boundary wildcards it wrote', async () => {
    const r = await trustgate(
      'policy',
      '--catalog',
      EXAMPLE,
      '--integrations',
      'spot-fleet',
      '--compact',
      '--format',
      'json',
    );
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as { wildcardMode: string; wildcards: string[] };
    expect(json.wildcardMode).toBe('compact');
    expect(json.wildcards).toContain('ec2:DescribeSpotFleet*');
    expect(r.stderr).toMatch(/warning: --wildcards compact wrote \d+ wildcard/);
    const text = await trustgate(
      'policy',
      '--catalog',
      EXAMPLE,
      '--integrations',
      'spot-fleet',
      '--wildcards',
      'compact',
    );
    expect(text.stdout).toMatch(
      /^# wildcards: compact — \d+ written by compaction: .*ec2:DescribeSpotFleet\* \(3 actions today: List\)/m,
    );
  });

  it('--wildcards keep writes wildcards as given; expand (default) says so; contradictions are refused', async () => {
    const keep = await trustgate(
      'policy',
      '--catalog',
      EXAMPLE,
      '--default',
      '--extra-actions',
      'cloudwatch:List*',
      '--wildcards',
      'keep',
    );
    expect(keep.code).toBe(0);
    expect(keep.stdout).toContain('"cloudwatch:List*"');
    expect(keep.stdout).toMatch(
      /^# wildcards: keep — 1 kept as the catalog writes them: cloudwatch:List\* \(\d+ actions today: /m,
    );
    expect(keep.stderr).toMatch(/note: --wildcards keep wrote the catalog's 1 wildcard/);
    const expand = await trustgate('policy', '--catalog', EXAMPLE, '--extra-actions', 'cloudwatch:List*');
    expect(expand.stdout).not.toContain('"cloudwatch:List*"');
    expect(expand.stdout).toMatch(/^# wildcards: expand — every action listed exactly/m);
    const both = await trustgate('policy', '--catalog', EXAMPLE, '--compact', '--wildcards', 'keep');
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--compact is --wildcards compact; it cannot go with --wildcards keep/);
    expect((await trustgate('policy', '--catalog', EXAMPLE, '--wildcards', 'some')).code).not.toBe(0);
  });
});

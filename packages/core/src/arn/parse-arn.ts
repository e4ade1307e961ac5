import { isPartition, type Partition } from '../partition/index.ts';
import type { Finding } from '../errors/index.ts';
import { isAccountId } from './account-id.ts';
import { isRegion, validateRegion } from './region.ts';
import { splitArn } from './split-arn.ts';

/** The six parts of an ARN (AWS General Reference, "Amazon Resource Names (ARNs)"). */
export interface ParsedArn {
  partition: Partition;
  service: string;
  region: string;
  accountId: string;
  /** Everything after the fifth colon: `role/path/Name`, `spot-fleet-request/sfr-...`. */
  resource: string;
}

/** Result of {@link parseArn}: the parts, or findings saying why the text is not an ARN. */
export type ParseArnResult = { ok: true; arn: ParsedArn } | { ok: false; findings: Finding[] };

/**
 * Split `arn:partition:service:region:account-id:resource` into its parts ({@link splitArn}) and check the frame:
 * the prefix `arn:`, a partition trustgate serves (`aws`, `aws-us-gov`, `aws-cn`), a lower-case service, a region
 * shaped like a region name of the ARN's own partition (`REGION_PATTERN`; or empty for global services, or `*` in
 * patterns), an account of 12 digits (or empty for AWS-owned resources such as `arn:aws:iam::aws:policy/...`,
 * which is allowed as `aws`, or `*`), a non-empty resource, and no white space. `path` names the field in
 * findings (default `arn`).
 */
export function parseArn(text: string, path = 'arn'): ParseArnResult {
  const fail = (message: string): ParseArnResult => ({
    ok: false,
    findings: [{ code: 'INVALID_ARN', severity: 'error', message: `${path}: ${message}`, path }],
  });
  if (typeof text !== 'string' || text.length === 0) return fail('an ARN is required');
  if (text.length > 2048) return fail('an ARN is at most 2,048 characters');
  if (/\s/.test(text)) return fail('an ARN has no white space');
  if (!text.startsWith('arn:')) return fail(`"${abbreviate(text)}" does not start with "arn:"`);
  const parts = splitArn(text);
  if (!parts) return fail(`"${abbreviate(text)}" needs six parts: arn:partition:service:region:account-id:resource`);
  const { partition, service, region, account: accountId, resource } = parts;
  if (!isPartition(partition)) {
    return {
      ok: false,
      findings: [
        {
          code: 'INVALID_PARTITION',
          severity: 'error',
          message: `${path}: unknown partition "${partition}"; use aws, aws-us-gov or aws-cn`,
          path,
        },
      ],
    };
  }
  if (!/^[a-z0-9-]+$/.test(service)) return fail(`the service part "${service}" is not a service prefix`);
  if (region !== '' && region !== '*') {
    if (!isRegion(region)) return fail(`the region part "${region}" is not a region`);
    const wrongPartition = validateRegion(region, { path, partition });
    if (wrongPartition.length > 0) return { ok: false, findings: wrongPartition };
  }
  if (!(accountId === '' || accountId === '*' || accountId === 'aws' || isAccountId(accountId))) {
    return fail(`the account part "${accountId}" is not a 12-digit account ID`);
  }
  if (resource.length === 0) return fail('the resource part is empty');
  return { ok: true, arn: { partition, service, region, accountId, resource } };
}

function abbreviate(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

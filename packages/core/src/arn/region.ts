import type { Finding } from '../errors/index.ts';
import { partitionOfRegion, type Partition } from '../partition/index.ts';

/**
 * The shape of an AWS region name: an area code (`us`, `eu`, `ap`, `cn`, ..., or `eusc` for the European
 * Sovereign Cloud), an optional qualifier (`gov`, `iso`, `isob`, `isoe`, `isof`, `de`), a direction word and a
 * number: `us-east-1`, `us-gov-west-1`, `cn-northwest-1`, `ap-southeast-7`, `eu-isoe-west-1`, `eusc-de-east-1`.
 * The number is one or more digits, as in every partition's `regionRegex` of the AWS SDKs' partitions.json
 * (aws-sdk-js-v3 `packages/util-endpoints/src/lib/aws/partitions.json`, e.g. aws `^(us|eu|ap|sa|ca|me|af|il|mx)\-\w+\-\d+$`,
 * aws-us-gov `^us\-gov\-\w+\-\d+$`, aws-iso-e `^eu\-isoe\-\w+\-\d+$`, aws-eusc `^eusc\-(de)\-\w+\-\d+$`).
 * Availability zones (`us-east-1a`), pseudo regions (`aws-global`) and upper case are not regions.
 * No `g` or `y` flag, so `test` keeps no state between calls.
 */
export const REGION_PATTERN = /^[a-z]{2,4}(?:-[a-z]+){1,2}-\d+$/;

/** True when `value` is shaped like a region name ({@link REGION_PATTERN}), whatever its partition. */
export function isRegion(value: unknown): value is string {
  return typeof value === 'string' && REGION_PATTERN.test(value);
}

/**
 * Check a region name: shaped like one ({@link REGION_PATTERN}; else `INVALID_INPUT`) and, with `partition`, a
 * region of that partition by its prefix (`partitionOfRegion`; else `INVALID_PARTITION`: a stack, link or ARN
 * cannot mix partitions, and regions of the ISO and European Sovereign Cloud partitions belong to none trustgate
 * serves). It does not check that the region exists today: new regions appear without a release of trustgate.
 * `path` names the field in findings (default `region`). Returns findings; empty when fine.
 */
export function validateRegion(value: unknown, options: { path?: string; partition?: Partition } = {}): Finding[] {
  const path = options.path ?? 'region';
  const fail = (code: string, message: string): Finding[] => [
    { code, severity: 'error', message: `${path}: ${message}`, path },
  ];
  if (!isRegion(value)) {
    const shown = typeof value === 'string' ? `"${value.slice(0, 40)}"` : String(value);
    return fail('INVALID_INPUT', `${shown} is not a region name like us-east-1, us-gov-west-1 or cn-north-1`);
  }
  if (options.partition === undefined) return [];
  const partition = partitionOfRegion(value);
  if (partition === options.partition) return [];
  return fail(
    'INVALID_PARTITION',
    partition === undefined
      ? `"${value}" is a region of a partition trustgate does not serve; use a region of ${options.partition}`
      : `"${value}" is a region of partition ${partition}, not ${options.partition}`,
  );
}

/**
 * AWS partitions trustgate serves. A role cannot be assumed across partitions, and every ARN, console link
 * and endpoint differs between them.
 * Sources: AWS General Reference "Amazon Resource Names" (partition), "AWS GovCloud (US) console",
 * "Amazon Web Services in China" console and endpoint documentation.
 */
export const PARTITIONS = ['aws', 'aws-us-gov', 'aws-cn'] as const;

/** One of `aws` (commercial), `aws-us-gov` (GovCloud US), `aws-cn` (China). */
export type Partition = (typeof PARTITIONS)[number];

/** Facts about one partition. */
export interface PartitionInfo {
  id: Partition;
  /** Human name. */
  name: string;
  /** DNS suffix of service endpoints (`amazonaws.com`, `amazonaws.com.cn`). */
  dnsSuffix: string;
  /** The AWS Management Console's host for the partition. */
  consoleHost: string;
  /** A region to use when none is given (for regional STS endpoints and console links). */
  defaultRegion: string;
  /** Regions of the partition, as known when this table was written. */
  regions: readonly string[];
}

const INFO: Record<Partition, PartitionInfo> = {
  aws: {
    id: 'aws',
    name: 'AWS (commercial)',
    dnsSuffix: 'amazonaws.com',
    consoleHost: 'console.aws.amazon.com',
    defaultRegion: 'us-east-1',
    regions: [
      'us-east-1',
      'us-east-2',
      'us-west-1',
      'us-west-2',
      'af-south-1',
      'ap-east-1',
      'ap-south-1',
      'ap-south-2',
      'ap-southeast-1',
      'ap-southeast-2',
      'ap-southeast-3',
      'ap-southeast-4',
      'ap-southeast-5',
      'ap-southeast-7',
      'ap-northeast-1',
      'ap-northeast-2',
      'ap-northeast-3',
      'ca-central-1',
      'ca-west-1',
      'eu-central-1',
      'eu-central-2',
      'eu-west-1',
      'eu-west-2',
      'eu-west-3',
      'eu-south-1',
      'eu-south-2',
      'eu-north-1',
      'il-central-1',
      'me-south-1',
      'me-central-1',
      'mx-central-1',
      'sa-east-1',
    ],
  },
  'aws-us-gov': {
    id: 'aws-us-gov',
    name: 'AWS GovCloud (US)',
    dnsSuffix: 'amazonaws.com',
    consoleHost: 'console.amazonaws-us-gov.com',
    defaultRegion: 'us-gov-west-1',
    regions: ['us-gov-west-1', 'us-gov-east-1'],
  },
  'aws-cn': {
    id: 'aws-cn',
    name: 'AWS China',
    dnsSuffix: 'amazonaws.com.cn',
    consoleHost: 'console.amazonaws.cn',
    defaultRegion: 'cn-north-1',
    regions: ['cn-north-1', 'cn-northwest-1'],
  },
};

/** True when `value` names a partition trustgate serves. */
export function isPartition(value: unknown): value is Partition {
  return typeof value === 'string' && (PARTITIONS as readonly string[]).includes(value);
}

/** Facts about a partition. */
export function partitionInfo(partition: Partition): PartitionInfo {
  return INFO[partition];
}

/**
 * Region-name prefixes of the partitions trustgate does not serve, from the `regionRegex` of each partition in
 * the AWS SDKs' partitions.json (aws-sdk-js-v3 `packages/util-endpoints/src/lib/aws/partitions.json`):
 * aws-iso `us-iso-`, aws-iso-b `us-isob-`, aws-iso-f `us-isof-`, aws-iso-e `eu-isoe-`, aws-eusc `eusc-`.
 */
const UNSERVED_REGION_PREFIXES = ['us-iso-', 'us-isob-', 'us-isof-', 'eu-isoe-', 'eusc-'] as const;

/**
 * The partition a region belongs to, by its prefix as the SDKs' partitions.json decides it: `us-gov-*` ->
 * aws-us-gov, `cn-*` -> aws-cn, a region of a partition trustgate does not serve (`us-iso-east-1`,
 * `us-isob-east-1`, `eu-isoe-west-1`, `us-isof-south-1`, `eusc-de-east-1`) -> undefined, anything else -> aws.
 * It does not check that `region` is shaped like a region name; `validateRegion` does both.
 */
export function partitionOfRegion(region: string): Partition | undefined {
  if (UNSERVED_REGION_PREFIXES.some((prefix) => region.startsWith(prefix))) return undefined;
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('cn-')) return 'aws-cn';
  return 'aws';
}

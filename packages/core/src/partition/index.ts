export {
  PARTITIONS,
  isPartition,
  partitionInfo,
  partitionOfRegion,
  type Partition,
  type PartitionInfo,
} from './partitions.ts';

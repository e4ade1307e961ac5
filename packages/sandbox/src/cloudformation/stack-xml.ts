import type { XmlValue } from '../protocol/xml.ts';
import type { StackRecord, StackResourceRecord } from '../state/model.ts';

/** A stack's CreationTime, LastUpdatedTime and DeletionTime, as Stack and StackSummary both carry them. */
export function stackTimes(stack: StackRecord): Record<string, XmlValue> {
  return {
    CreationTime: new Date(stack.creationTime),
    LastUpdatedTime: stack.lastUpdatedTime ? new Date(stack.lastUpdatedTime) : undefined,
    DeletionTime: stack.deletionTime ? new Date(stack.deletionTime) : undefined,
  };
}

/** A stack as DescribeStacks answers it (CloudFormation API Reference, "Stack"). */
export function stackXml(stack: StackRecord): Record<string, XmlValue> {
  return {
    StackId: stack.stackId,
    StackName: stack.stackName,
    Description: stack.description,
    Parameters: stack.parameters,
    ...stackTimes(stack),
    RollbackConfiguration: {},
    StackStatus: stack.status,
    StackStatusReason: stack.statusReason,
    DisableRollback: stack.disableRollback,
    NotificationARNs: stack.notificationArns,
    Capabilities: stack.capabilities.length > 0 ? stack.capabilities : undefined,
    Outputs: stack.outputs.length > 0 ? stack.outputs : undefined,
    Tags: stack.tags.map((t) => ({ Key: t.Key, Value: t.Value })),
    EnableTerminationProtection: false,
    DriftInformation: { StackDriftStatus: 'NOT_CHECKED' },
  };
}

/** Options of {@link stackResourceXml}. */
export interface StackResourceXmlOptions {
  /** The stack, for the StackName and StackId that StackResource and StackResourceDetail carry (a summary does not). */
  stack?: StackRecord;
  /** What the answer calls the resource's time: `Timestamp` (StackResource) or `LastUpdatedTimestamp`. */
  timestamp: 'Timestamp' | 'LastUpdatedTimestamp';
}

/**
 * A stack's resource as DescribeStackResources (StackResource), DescribeStackResource (StackResourceDetail) and
 * ListStackResources (StackResourceSummary) answer it (CloudFormation API Reference): the same fields, but for
 * the stack's names and what the time is called.
 */
export function stackResourceXml(r: StackResourceRecord, options: StackResourceXmlOptions): Record<string, XmlValue> {
  const { stack, timestamp } = options;
  return {
    ...(stack && { StackName: stack.stackName, StackId: stack.stackId }),
    LogicalResourceId: r.logicalId,
    PhysicalResourceId: r.physicalId,
    ResourceType: r.type,
    [timestamp]: new Date(r.timestamp),
    ResourceStatus: r.status,
    DriftInformation: { StackResourceDriftStatus: 'NOT_CHECKED' },
  };
}

import type { XmlValue } from '../protocol/xml.ts';
import type { StackRecord } from '../state/model.ts';

/** A stack as DescribeStacks answers it (CloudFormation API Reference, "Stack"). */
export function stackXml(stack: StackRecord): Record<string, XmlValue> {
  return {
    StackId: stack.stackId,
    StackName: stack.stackName,
    Description: stack.description,
    Parameters: stack.parameters,
    CreationTime: new Date(stack.creationTime),
    LastUpdatedTime: stack.lastUpdatedTime ? new Date(stack.lastUpdatedTime) : undefined,
    DeletionTime: stack.deletionTime ? new Date(stack.deletionTime) : undefined,
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

import { randomUUID } from 'node:crypto';
import type { StackRecord } from '../state/model.ts';

/** Adds a stack event (newest last; DescribeStackEvents returns newest first). */
export function addEvent(
  stack: StackRecord,
  e: { logicalId: string; physicalId: string; type: string; status: string; reason?: string; properties?: unknown },
): void {
  stack.events.push({
    eventId: randomUUID(),
    logicalId: e.logicalId,
    physicalId: e.physicalId,
    type: e.type,
    status: e.status,
    timestamp: new Date().toISOString(),
    ...(e.reason !== undefined ? { statusReason: e.reason } : {}),
    ...(e.properties !== undefined ? { properties: JSON.stringify(e.properties) } : {}),
  });
}

/** Sets the stack status and records the stack-level event. */
export function setStackStatus(stack: StackRecord, status: string, reason?: string): void {
  stack.status = status;
  if (reason === undefined) delete stack.statusReason;
  else stack.statusReason = reason;
  addEvent(stack, {
    logicalId: stack.stackName,
    physicalId: stack.stackId,
    type: 'AWS::CloudFormation::Stack',
    status,
    ...(reason !== undefined ? { reason } : {}),
  });
}

import { parseRoleArn, parseStackArn } from '@trustgate/core';

/** Recorded instead of a RoleArn / StackId that is not one (the request's text never reaches the audit log). */
export const NOT_AN_ARN = '(not an ARN of that kind)';

/** The request's StackId when it is a CloudFormation stack ARN, else {@link NOT_AN_ARN}: what audit details may carry. */
export function auditableStackId(stackId: unknown): string {
  return typeof stackId === 'string' && stackId.length <= 300 && parseStackArn(stackId) !== undefined
    ? stackId
    : NOT_AN_ARN;
}

/** The request's RoleArn when it parses as an IAM role ARN (core's parseRoleArn), else {@link NOT_AN_ARN}. */
export function auditableRoleArn(roleArn: unknown): string {
  return typeof roleArn === 'string' && roleArn.length <= 2048 && parseRoleArn(roleArn).ok ? roleArn : NOT_AN_ARN;
}

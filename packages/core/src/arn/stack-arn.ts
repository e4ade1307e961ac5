import type { Partition } from '../partition/index.ts';
import { isAccountId } from './account-id.ts';
import { parseArn } from './parse-arn.ts';

/**
 * A CloudFormation stack name: 1 to 128 characters, a letter first, then letters, digits and hyphens (AWS
 * CloudFormation API Reference, CreateStack `StackName`: `[a-zA-Z][-a-zA-Z0-9]*`, at most 128 characters).
 * StackSet names follow the same rule (CreateStackSet `StackSetName`). No `g` or `y` flag.
 */
export const STACK_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;

/** True for a name CloudFormation accepts as a stack (or StackSet) name ({@link STACK_NAME_PATTERN}). */
export function isStackName(value: unknown): value is string {
  return typeof value === 'string' && STACK_NAME_PATTERN.test(value);
}

/** A CloudFormation stack ARN taken apart. */
export interface ParsedStackArn {
  /** The whole ARN: what CloudFormation's API calls the stack's `StackId`. */
  stackId: string;
  partition: Partition;
  /** The stack's region: a stack lives in one region, and its console pages are that region's. */
  region: string;
  accountId: string;
  stackName: string;
  /** The unique suffix CloudFormation gives the stack after its name, usually a UUID. */
  uniqueId: string;
}

/** `stack/<name>/<unique id>`: CloudFormation's stack ids end in a UUID; 1-64 letters, digits and `-` are allowed. */
const STACK_RESOURCE = /^stack\/([^/]+)\/([A-Za-z0-9-]{1,64})$/;

/**
 * Take a CloudFormation stack ARN apart: `arn:<partition>:cloudformation:<region>:<account>:stack/<name>/<id>`
 * (AWS CloudFormation User Guide, "Stack ARN"; the `StackId` of DescribeStacks and of custom resource requests).
 * Built on `parseArn`, so the partition is one trustgate serves and the region one of that partition. Returns
 * undefined for anything else: another service, an empty or `*` region, an account that is not 12 digits, a stack
 * name CloudFormation would refuse ({@link STACK_NAME_PATTERN}), or a missing unique id.
 */
export function parseStackArn(text: string): ParsedStackArn | undefined {
  const parsed = parseArn(text, 'stackId');
  if (!parsed.ok) return undefined;
  const { partition, service, region, accountId, resource } = parsed.arn;
  if (service !== 'cloudformation' || region === '' || region === '*' || !isAccountId(accountId)) return undefined;
  const match = STACK_RESOURCE.exec(resource);
  const stackName = match?.[1];
  const uniqueId = match?.[2];
  if (stackName === undefined || uniqueId === undefined || !isStackName(stackName)) return undefined;
  return { stackId: text, partition, region, accountId, stackName, uniqueId };
}

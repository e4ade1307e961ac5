import type { ContextValue } from '@trustgate/core';
import type { IamScope } from '../../iam/iam-common.ts';
import type { SandboxRuntime } from '../../runtime.ts';
import type { StackRecord, StackResourceRecord } from '../../state/model.ts';

/** What a resource provider may use while provisioning one resource of a stack. */
export interface ProviderContext {
  runtime: SandboxRuntime;
  /** The stack's account. */
  scope: IamScope;
  stack: StackRecord;
  logicalId: string;
  resourceType: string;
  /** Authorizes a call made on behalf of the stack's caller (forward access sessions); throws AccessDenied. */
  authorize(action: string, resource: string, context?: Record<string, ContextValue>): void;
  /** A generated physical name `<stack>-<logicalId>-<RANDOM>` within `maxLength` characters. */
  physicalName(maxLength: number): string;
}

/** The outcome of creating or updating a resource. */
export interface ProvisionResult {
  physicalId: string;
  /** The value of `Ref`. */
  ref: string;
  /** Values for `Fn::GetAtt`. */
  attributes: Record<string, unknown>;
}

/** Creates, updates and deletes one resource type (CloudFormation resource type reference). */
export interface ResourceProvider {
  /** Required properties (a missing one fails the resource as CloudFormation's schema validation does). */
  required: string[];
  /** Properties whose change needs replacement (create new, delete old in cleanup). */
  replaceOn: string[];
  create(props: Record<string, unknown>, ctx: ProviderContext): Promise<ProvisionResult>;
  /** In-place update; absent means every change is a replacement. */
  update?(
    previous: StackResourceRecord,
    props: Record<string, unknown>,
    ctx: ProviderContext,
  ): Promise<ProvisionResult>;
  delete(resource: StackResourceRecord, ctx: ProviderContext): Promise<void>;
}

/** A policy document property as JSON text (CloudFormation accepts an object or a JSON string). */
export function documentText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** A list-of-strings property. */
export function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : value === undefined ? [] : [String(value)];
}

/** Tags property as IAM tags. */
export function tagList(value: unknown): Array<{ Key: string; Value: string }> {
  return Array.isArray(value)
    ? value.map((t: { Key?: unknown; Value?: unknown }) => ({ Key: String(t.Key), Value: String(t.Value ?? '') }))
    : [];
}

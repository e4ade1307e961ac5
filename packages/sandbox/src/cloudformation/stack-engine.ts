import { randomUUID } from 'node:crypto';
import type { ContextValue } from '@trustgate/core';
import { isAwsError } from '../protocol/aws-error.ts';
import type { SandboxRuntime } from '../runtime.ts';
import { randomUpper } from '../state/ids.ts';
import type { AccountState, StackRecord, StackResourceRecord } from '../state/model.ts';
import { validationError } from '../protocol/aws-error.ts';
import { evaluate, type IntrinsicEnv } from './intrinsics.ts';
import type { StackPlan } from './plan-stack.ts';
import { CustomResourceFailure } from './custom-resource.ts';
import { providerFor } from './providers/index.ts';
import { addEvent, setStackStatus } from './stack-events.ts';
import type { ProviderContext, ProvisionResult, ResourceProvider } from './providers/provider.ts';

/** How a stack operation runs: where, and as whom its resource calls are authorized. */
export interface EngineEnv {
  runtime: SandboxRuntime;
  account: AccountState;
  /** Authorizes a call on behalf of the caller that started the operation (root: always allowed). */
  authorize(action: string, resource: string, context?: Record<string, ContextValue>): void;
  azs(region: string): string[];
  region: string;
}

function intrinsicEnv(env: EngineEnv, plan: StackPlan, stack: StackRecord): IntrinsicEnv {
  return {
    refs: plan.refs,
    conditions: plan.conditions,
    mappings: plan.template.Mappings ?? {},
    azs: env.azs,
    region: env.region,
    resourceRef: (id) => stack.resources[id]?.ref,
    resourceAttribute: (id, attribute) => {
      const resource = stack.resources[id];
      if (!resource)
        throw validationError(`Template error: instance of Fn::GetAtt references undefined resource ${id}`);
      const value = attribute.startsWith('Data.')
        ? resource.attributes[attribute.slice(5)]
        : resource.attributes[attribute];
      if (value === undefined)
        throw validationError(
          `Template error: resource ${id} does not support attribute type ${attribute} in Fn::GetAtt`,
        );
      return value;
    },
  };
}

function providerContext(env: EngineEnv, stack: StackRecord, logicalId: string, type: string): ProviderContext {
  return {
    runtime: env.runtime,
    stack,
    logicalId,
    resourceType: type,
    scope: { state: env.runtime.store.state, account: env.account, now: new Date() },
    authorize: env.authorize,
    physicalName: (max) => {
      const suffix = randomUpper(12);
      return `${`${stack.stackName}-${logicalId}`.slice(0, max - suffix.length - 1)}-${suffix}`;
    },
  };
}

const HANDLER_ERROR_CODES: Record<string, string> = {
  AccessDenied: 'AccessDenied',
  EntityAlreadyExists: 'AlreadyExists',
  NoSuchEntity: 'NotFound',
  LimitExceeded: 'ServiceLimitExceeded',
  MalformedPolicyDocument: 'InvalidRequest',
  ValidationError: 'InvalidRequest',
  InvalidInput: 'InvalidRequest',
  DeleteConflict: 'ResourceConflict',
};

/** A resource failure's status reason, in the form CloudFormation's resource handlers report service errors. */
function reasonOf(error: unknown): string {
  if (isAwsError(error)) {
    const handlerCode = HANDLER_ERROR_CODES[error.code] ?? 'GeneralServiceException';
    return `Resource handler returned message: "${error.message} (Service: Iam, Status Code: ${error.status}, Request ID: ${randomUUID()})" (RequestToken: ${randomUUID()}, HandlerErrorCode: ${handlerCode})`;
  }
  return error instanceof Error ? error.message : String(error);
}

class ResourceFailure extends Error {
  constructor(
    readonly logicalId: string,
    message: string,
  ) {
    super(message);
  }
}

function provider(type: string): ResourceProvider {
  const p = providerFor(type);
  if (!p) throw new Error(`Unrecognized resource type ${type}`);
  return p;
}

async function provision(
  env: EngineEnv,
  plan: StackPlan,
  stack: StackRecord,
  id: string,
  previous?: StackResourceRecord,
): Promise<{ replaced?: StackResourceRecord }> {
  const decl = plan.template.Resources[id]!;
  const p = provider(decl.Type);
  const props = (evaluate(decl.Properties ?? {}, intrinsicEnv(env, plan, stack)) ?? {}) as Record<string, unknown>;
  if (previous && previous.type === decl.Type && JSON.stringify(previous.properties) === JSON.stringify(props))
    return {};
  const replace =
    !previous ||
    previous.type !== decl.Type ||
    !p.update ||
    p.replaceOn.some((k) => JSON.stringify(previous.properties[k]) !== JSON.stringify(props[k]));
  const verb = previous ? 'UPDATE' : 'CREATE';
  addEvent(stack, {
    logicalId: id,
    physicalId: previous?.physicalId ?? '',
    type: decl.Type,
    status: `${verb}_IN_PROGRESS`,
    properties: props,
  });
  const ctx = providerContext(env, stack, id, decl.Type);
  let result: ProvisionResult;
  try {
    const missing = p.required.filter((k) => props[k] === undefined);
    if (missing.length > 0)
      throw new Error(
        `Properties validation failed for resource ${id} with message: #: required key [${missing[0]!}] not found`,
      );
    result = replace || !previous ? await p.create(props, ctx) : await p.update!(previous, props, ctx);
  } catch (error) {
    const reason = reasonOf(error);
    addEvent(stack, {
      logicalId: id,
      physicalId: previous?.physicalId ?? '',
      type: decl.Type,
      status: `${verb}_FAILED`,
      reason,
    });
    if (!previous && error instanceof CustomResourceFailure && error.physicalId !== undefined) {
      // Kept so the rollback sends the custom resource its Delete, as CloudFormation does.
      stack.resources[id] = {
        logicalId: id,
        type: decl.Type,
        physicalId: error.physicalId,
        status: 'CREATE_FAILED',
        timestamp: new Date().toISOString(),
        properties: props,
        attributes: {},
        ref: error.physicalId,
      };
    }
    throw new ResourceFailure(id, reason);
  }
  stack.resources[id] = {
    logicalId: id,
    type: decl.Type,
    physicalId: result.physicalId,
    status: `${verb}_COMPLETE`,
    timestamp: new Date().toISOString(),
    properties: props,
    attributes: result.attributes,
    ref: result.ref,
  };
  addEvent(stack, { logicalId: id, physicalId: result.physicalId, type: decl.Type, status: `${verb}_COMPLETE` });
  return previous && replace && previous.physicalId !== result.physicalId ? { replaced: previous } : {};
}

async function remove(
  env: EngineEnv,
  stack: StackRecord,
  resource: StackResourceRecord,
  retain: boolean,
): Promise<boolean> {
  if (retain) {
    addEvent(stack, {
      logicalId: resource.logicalId,
      physicalId: resource.physicalId,
      type: resource.type,
      status: 'DELETE_SKIPPED',
    });
    return true;
  }
  addEvent(stack, {
    logicalId: resource.logicalId,
    physicalId: resource.physicalId,
    type: resource.type,
    status: 'DELETE_IN_PROGRESS',
  });
  try {
    await provider(resource.type).delete(resource, providerContext(env, stack, resource.logicalId, resource.type));
    addEvent(stack, {
      logicalId: resource.logicalId,
      physicalId: resource.physicalId,
      type: resource.type,
      status: 'DELETE_COMPLETE',
    });
    return true;
  } catch (error) {
    addEvent(stack, {
      logicalId: resource.logicalId,
      physicalId: resource.physicalId,
      type: resource.type,
      status: 'DELETE_FAILED',
      reason: reasonOf(error),
    });
    return false;
  }
}

function computeOutputs(env: EngineEnv, plan: StackPlan, stack: StackRecord): StackRecord['outputs'] {
  const out: StackRecord['outputs'] = [];
  const ienv = intrinsicEnv(env, plan, stack);
  for (const [key, o] of Object.entries(plan.template.Outputs ?? {})) {
    if (o.Condition !== undefined && !plan.conditions[o.Condition]) continue;
    const value = evaluate(o.Value, ienv);
    out.push({
      OutputKey: key,
      OutputValue: Array.isArray(value) ? value.join(',') : String(value),
      ...(o.Description !== undefined ? { Description: String(o.Description) } : {}),
      ...(o.Export ? { ExportName: String(evaluate(o.Export.Name, ienv)) } : {}),
    });
  }
  return out;
}

/** Deletes resources in reverse dependency order; returns the logical IDs that failed to delete. */
async function removeAll(
  env: EngineEnv,
  stack: StackRecord,
  order: string[],
  template: StackPlan['template'] | undefined,
): Promise<string[]> {
  const failed: string[] = [];
  for (const id of [...order].reverse()) {
    const resource = stack.resources[id];
    if (!resource) continue;
    const retain = template?.Resources[id]?.DeletionPolicy === 'Retain';
    if (await remove(env, stack, resource, retain)) delete stack.resources[id];
    else failed.push(id);
  }
  return failed;
}

/**
 * Runs a CreateStack: resources in dependency order; on the first failure the stack rolls back (deleting
 * what was created, ROLLBACK_COMPLETE) unless rollback is disabled (CREATE_FAILED), as CloudFormation does.
 */
export async function runCreate(env: EngineEnv, stack: StackRecord, plan: StackPlan): Promise<void> {
  const created: string[] = [];
  try {
    for (const id of plan.order) {
      await provision(env, plan, stack, id);
      created.push(id);
    }
    stack.outputs = computeOutputs(env, plan, stack);
    setStackStatus(stack, 'CREATE_COMPLETE');
  } catch (error) {
    const failedId = error instanceof ResourceFailure ? error.logicalId : undefined;
    const summary = failedId ? `The following resource(s) failed to create: [${failedId}]. ` : `${reasonOf(error)} `;
    if (stack.disableRollback) {
      setStackStatus(stack, 'CREATE_FAILED', summary.trim());
      return;
    }
    setStackStatus(stack, 'ROLLBACK_IN_PROGRESS', `${summary}Rollback requested by user.`);
    const toRemove = failedId !== undefined && stack.resources[failedId] ? [...created, failedId] : created;
    const failed = await removeAll(env, stack, toRemove, plan.template);
    setStackStatus(
      stack,
      failed.length > 0 ? 'ROLLBACK_FAILED' : 'ROLLBACK_COMPLETE',
      failed.length > 0 ? `The following resource(s) failed to delete: [${failed.join(', ')}]. ` : undefined,
    );
  } finally {
    env.runtime.store.save();
  }
}

/**
 * Runs an UpdateStack: new resources are created, changed ones updated in place or replaced (the old one is
 * deleted in the cleanup phase), removed ones deleted in cleanup. On failure the update rolls back:
 * updated resources get their previous properties, new and replacement ones are deleted
 * (UPDATE_ROLLBACK_COMPLETE).
 */
export async function runUpdate(
  env: EngineEnv,
  stack: StackRecord,
  plan: StackPlan,
  previous: { plan: StackPlan; templateBody: string; parameters: StackRecord['parameters'] },
): Promise<void> {
  const created: string[] = [];
  const changed: StackResourceRecord[] = [];
  const replaced: StackResourceRecord[] = [];
  try {
    for (const id of plan.order) {
      const before = stack.resources[id];
      const outcome = await provision(env, plan, stack, id, before);
      if (!before) created.push(id);
      else if (stack.resources[id] !== before) {
        changed.push(before);
        if (outcome.replaced) replaced.push(outcome.replaced);
      }
    }
    stack.outputs = computeOutputs(env, plan, stack);
    setStackStatus(stack, 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS');
    for (const old of replaced) await remove(env, stack, old, false);
    const removed = Object.keys(stack.resources).filter((id) => !plan.order.includes(id));
    await removeAll(
      env,
      stack,
      previous.plan.order.filter((id) => removed.includes(id)),
      previous.plan.template,
    );
    setStackStatus(stack, 'UPDATE_COMPLETE');
  } catch (error) {
    const failedId = error instanceof ResourceFailure ? error.logicalId : undefined;
    setStackStatus(
      stack,
      'UPDATE_ROLLBACK_IN_PROGRESS',
      failedId ? `The following resource(s) failed to update: [${failedId}]. ` : reasonOf(error),
    );
    for (const before of [...changed].reverse()) {
      const current = stack.resources[before.logicalId]!;
      const p = provider(before.type);
      const ctx = providerContext(env, stack, before.logicalId, before.type);
      try {
        if (current.physicalId !== before.physicalId) await p.delete(current, ctx);
        else if (p.update) await p.update(current, before.properties, ctx);
        stack.resources[before.logicalId] = before;
        addEvent(stack, {
          logicalId: before.logicalId,
          physicalId: before.physicalId,
          type: before.type,
          status: 'UPDATE_COMPLETE',
        });
      } catch (rollbackError) {
        addEvent(stack, {
          logicalId: before.logicalId,
          physicalId: current.physicalId,
          type: before.type,
          status: 'UPDATE_FAILED',
          reason: reasonOf(rollbackError),
        });
      }
    }
    stack.templateBody = previous.templateBody;
    stack.parameters = previous.parameters;
    setStackStatus(stack, 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS');
    await removeAll(env, stack, created, plan.template);
    setStackStatus(stack, 'UPDATE_ROLLBACK_COMPLETE');
  } finally {
    env.runtime.store.save();
  }
}

/** Runs a DeleteStack: every resource in reverse dependency order (DeletionPolicy Retain skips). */
export async function runDelete(env: EngineEnv, stack: StackRecord, plan: StackPlan | undefined): Promise<void> {
  try {
    const order = plan?.order ?? Object.keys(stack.resources);
    const extra = Object.keys(stack.resources).filter((id) => !order.includes(id));
    const failed = await removeAll(env, stack, [...extra, ...order], plan?.template);
    if (failed.length > 0) {
      setStackStatus(stack, 'DELETE_FAILED', `The following resource(s) failed to delete: [${failed.join(', ')}]. `);
      return;
    }
    stack.deletionTime = new Date().toISOString();
    setStackStatus(stack, 'DELETE_COMPLETE');
  } finally {
    env.runtime.store.save();
  }
}

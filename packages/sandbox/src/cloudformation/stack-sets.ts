import { randomUUID } from 'node:crypto';
import { AwsError, validationError } from '../protocol/aws-error.ts';
import type { XmlValue } from '../protocol/xml.ts';
import type { ActionResult, RequestContext } from '../runtime.ts';
import type { StackSetOperationRecord, StackSetRecord } from '../state/model.ts';
import { parseTemplate } from './parse-template.ts';
import { checkCapabilities } from './plan-stack.ts';
import { stackSetExecutionCaller } from './stack-set-execution.ts';
import { createStackIn, deleteStackIn } from './stack-actions.ts';

function notFound(name: string): AwsError {
  return new AwsError('StackSetNotFoundException', `StackSet ${name} not found`, 404);
}

function findStackSet(ctx: RequestContext, name: string): StackSetRecord {
  const set = ctx.account.stackSets[name] ?? Object.values(ctx.account.stackSets).find((s) => s.stackSetId === name);
  if (!set || set.status === 'DELETED') throw notFound(name);
  return set;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Records a RUNNING operation on `set` (`OperationId` as given, else a new one) and runs `work` in the background,
 * where the runtime waits for it; `work` resolves to true when any instance failed. The operation then ends FAILED
 * or SUCCEEDED and the store is saved.
 */
function startOperation(
  ctx: RequestContext,
  set: StackSetRecord,
  action: 'CREATE' | 'DELETE',
  work: () => Promise<boolean>,
): ActionResult {
  const operationId = ctx.params.get('OperationId') ?? randomUUID();
  const operation: StackSetOperationRecord = {
    operationId,
    action,
    status: 'RUNNING',
    creationTimestamp: ctx.now.toISOString(),
  };
  set.operations.push(operation);
  const run = async (): Promise<void> => {
    const failed = await work();
    operation.status = failed ? 'FAILED' : 'SUCCEEDED';
    operation.endTimestamp = new Date().toISOString();
    ctx.runtime.store.save();
  };
  const p = run().finally(() => ctx.runtime.background.delete(p));
  ctx.runtime.background.add(p);
  return { OperationId: operationId };
}

/**
 * A stack set operation as DescribeStackSetOperation (StackSetOperation, with the set's ID) or
 * ListStackSetOperations (StackSetOperationSummary, without) answers it (CloudFormation API Reference).
 */
function operationXml(op: StackSetOperationRecord, set?: StackSetRecord): Record<string, XmlValue> {
  return {
    OperationId: op.operationId,
    ...(set && { StackSetId: set.stackSetId }),
    Action: op.action,
    Status: op.status,
    CreationTimestamp: new Date(op.creationTimestamp),
    EndTimestamp: op.endTimestamp ? new Date(op.endTimestamp) : undefined,
  };
}

/** Target accounts of a CreateStackInstances call: `Accounts`, or for service-managed sets the organization's member accounts. */
function targetAccounts(ctx: RequestContext, set: StackSetRecord): string[] {
  const accounts = ctx.params.list('Accounts') ?? ctx.params.list('DeploymentTargets.Accounts');
  const ous = ctx.params.list('DeploymentTargets.OrganizationalUnitIds');
  if (set.permissionModel === 'SERVICE_MANAGED') {
    if (!ous || ous.length === 0)
      throw validationError('DeploymentTargets.OrganizationalUnitIds must be specified for SERVICE_MANAGED stack sets');
    const org = ctx.runtime.store.state.organization;
    if (!org) throw validationError('Account used is not a member of an organization.');
    // Service-managed StackSets deploy to the organization's members only, never to the management account
    // (CloudFormation User Guide, StackSets concepts).
    const members = org.memberAccountIds ?? Object.keys(ctx.runtime.store.state.accounts);
    return members.filter((a) => a !== org.managementAccountId);
  }
  if (!accounts || accounts.length === 0)
    throw validationError('Accounts must be specified for SELF_MANAGED stack sets');
  return accounts;
}

/** The identity a StackSet deploys as in one target account (or AWS's failure reason). */
function executionFor(
  ctx: RequestContext,
  set: StackSetRecord,
  targetAccountId: string,
): ReturnType<typeof stackSetExecutionCaller> {
  return stackSetExecutionCaller({
    state: ctx.runtime.store.state,
    permissionModel: set.permissionModel,
    adminAccountId: ctx.account.accountId,
    targetAccountId,
    now: ctx.now,
    ...(set.administrationRoleArn !== undefined ? { administrationRoleArn: set.administrationRoleArn } : {}),
    ...(set.executionRoleName !== undefined ? { executionRoleName: set.executionRoleName } : {}),
  });
}

/**
 * A minimal StackSet (CloudFormation API reference, CreateStackSet / CreateStackInstances): each
 * instance is a stack named `StackSet-<name>-<uuid>` created in the target account as its execution
 * identity (`stackSetExecutionCaller`: a self-managed target's execution role must trust the administration
 * role; service-managed sets are the management account's only). Operations run in the background and are
 * reported by DescribeStackSetOperation.
 */
export const stackSetHandlers = {
  CreateStackSet(ctx: RequestContext): ActionResult {
    const name = ctx.params.required('StackSetName');
    if (!/^[a-zA-Z][-a-zA-Z0-9]*$/.test(name) || name.length > 128)
      throw validationError(
        `1 validation error detected: Value '${name}' at 'stackSetName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*`,
      );
    if (ctx.account.stackSets[name]?.status === 'ACTIVE')
      throw new AwsError('NameAlreadyExistsException', `StackSet ${name} already exists`, 409);
    const body = ctx.params.get('TemplateBody');
    if (body === undefined) throw validationError('Either Template URL or Template Body must be specified.');
    const template = parseTemplate(body);
    const capabilities = ctx.params.list('Capabilities') ?? [];
    checkCapabilities(template, capabilities);
    const permissionModel =
      ctx.params.get('PermissionModel') === 'SERVICE_MANAGED' ? 'SERVICE_MANAGED' : 'SELF_MANAGED';
    if (permissionModel === 'SERVICE_MANAGED' && !ctx.runtime.store.state.organization)
      throw validationError('Account used is not a member of an organization.');
    if (
      permissionModel === 'SERVICE_MANAGED' &&
      ctx.runtime.store.state.organization!.managementAccountId !== ctx.account.accountId
    ) {
      throw validationError(
        'You must be logged in as the management account or a delegated administrator to create a stack set with service-managed permissions.',
      );
    }
    const administrationRoleArn = ctx.params.get('AdministrationRoleARN');
    const executionRoleName = ctx.params.get('ExecutionRoleName');
    const stackSetId = `${name}:${randomUUID()}`;
    ctx.account.stackSets[name] = {
      stackSetName: name,
      stackSetId,
      arn: `arn:${ctx.runtime.store.state.partition}:cloudformation:${ctx.region}:${ctx.account.accountId}:stackset/${stackSetId}`,
      status: 'ACTIVE',
      templateBody: body,
      capabilities,
      permissionModel,
      tags: ctx.params.tags() ?? [],
      instances: [],
      operations: [],
      parameters: (ctx.params.structList('Parameters') ?? []).map((p) => ({
        ParameterKey: p.ParameterKey ?? '',
        ParameterValue: p.ParameterValue ?? '',
      })),
      ...(ctx.params.get('Description') !== undefined ? { description: ctx.params.get('Description')! } : {}),
      ...(administrationRoleArn !== undefined ? { administrationRoleArn } : {}),
      ...(executionRoleName !== undefined ? { executionRoleName } : {}),
    };
    return { StackSetId: stackSetId };
  },
  DescribeStackSet(ctx: RequestContext): ActionResult {
    const set = findStackSet(ctx, ctx.params.required('StackSetName'));
    return {
      StackSet: {
        StackSetName: set.stackSetName,
        StackSetId: set.stackSetId,
        StackSetARN: set.arn,
        Status: set.status,
        Description: set.description,
        TemplateBody: set.templateBody,
        Parameters: set.parameters,
        Capabilities: set.capabilities,
        Tags: set.tags.map((t) => ({ Key: t.Key, Value: t.Value })),
        PermissionModel: set.permissionModel,
      },
    };
  },
  ListStackSets(ctx: RequestContext): ActionResult {
    return {
      Summaries: Object.values(ctx.account.stackSets)
        .filter((s) => s.status === 'ACTIVE')
        .map((s) => ({
          StackSetName: s.stackSetName,
          StackSetId: s.stackSetId,
          Status: s.status,
          PermissionModel: s.permissionModel,
        })),
    };
  },
  DeleteStackSet(ctx: RequestContext): ActionResult {
    const set = findStackSet(ctx, ctx.params.required('StackSetName'));
    if (set.instances.length > 0)
      throw new AwsError('StackSetNotEmptyException', `StackSet ${set.stackSetName} is not empty`, 409);
    set.status = 'DELETED';
    return {};
  },
  CreateStackInstances(ctx: RequestContext): ActionResult {
    const set = findStackSet(ctx, ctx.params.required('StackSetName'));
    const regions = ctx.params.list('Regions') ?? [];
    if (regions.length === 0) throw validationError('Regions must be specified');
    const accounts = targetAccounts(ctx, set);
    return startOperation(ctx, set, 'CREATE', async () => {
      let failed = false;
      for (const accountId of accounts) {
        for (const region of regions) {
          const instance = {
            account: accountId,
            region,
            status: 'OUTDATED',
            detailedStatus: 'RUNNING',
          } as StackSetRecord['instances'][number];
          set.instances.push(instance);
          const account = ctx.runtime.store.account(accountId);
          const execution = executionFor(ctx, set, accountId);
          if (!account || 'reason' in execution) {
            Object.assign(instance, {
              status: 'OUTDATED',
              detailedStatus: 'FAILED',
              statusReason: 'reason' in execution ? execution.reason : '',
            });
            failed = true;
            continue;
          }
          try {
            const stack = createStackIn({ ...ctx, account, region, caller: execution.caller }, account, {
              stackName: `StackSet-${set.stackSetName}-${randomUUID()}`,
              body: set.templateBody,
              given: set.parameters,
              capabilities: set.capabilities,
              tags: set.tags,
              disableRollback: false,
            });
            instance.stackId = stack.stackId;
            while (stack.status.endsWith('_IN_PROGRESS')) await sleep(10);
            const ok = stack.status === 'CREATE_COMPLETE';
            Object.assign(instance, {
              status: ok ? 'CURRENT' : 'OUTDATED',
              detailedStatus: ok ? 'SUCCEEDED' : 'FAILED',
              ...(ok ? {} : { statusReason: stack.statusReason }),
            });
            failed ||= !ok;
          } catch (error) {
            Object.assign(instance, {
              detailedStatus: 'FAILED',
              statusReason: error instanceof Error ? error.message : String(error),
            });
            failed = true;
          }
        }
      }
      return failed;
    });
  },
  DeleteStackInstances(ctx: RequestContext): ActionResult {
    const set = findStackSet(ctx, ctx.params.required('StackSetName'));
    const regions = ctx.params.list('Regions') ?? [];
    if (regions.length === 0) throw validationError('Regions must be specified');
    const accounts = targetAccounts(ctx, set);
    const retain = ctx.params.bool('RetainStacks') ?? false;
    return startOperation(ctx, set, 'DELETE', async () => {
      let failed = false;
      for (const instance of set.instances.filter((i) => accounts.includes(i.account) && regions.includes(i.region))) {
        const account = ctx.runtime.store.account(instance.account);
        const stack = account?.stacks.find((s) => s.stackId === instance.stackId && s.status !== 'DELETE_COMPLETE');
        const execution = executionFor(ctx, set, instance.account);
        if (account && stack && !retain && 'reason' in execution) {
          failed = true;
          Object.assign(instance, { detailedStatus: 'FAILED', statusReason: execution.reason });
          continue;
        }
        if (account && stack && !retain && 'caller' in execution) {
          await deleteStackIn({ ...ctx, account, region: instance.region, caller: execution.caller }, account, stack);
          if (stack.status !== 'DELETE_COMPLETE') {
            failed = true;
            Object.assign(instance, { detailedStatus: 'FAILED', statusReason: stack.statusReason });
            continue;
          }
        }
        set.instances = set.instances.filter((i) => i !== instance);
      }
      return failed;
    });
  },
  DescribeStackSetOperation(ctx: RequestContext): ActionResult {
    const set = findStackSet(ctx, ctx.params.required('StackSetName'));
    const id = ctx.params.required('OperationId');
    const op = set.operations.find((o) => o.operationId === id);
    if (!op) throw new AwsError('OperationNotFoundException', `Operation ${id} not found`, 404);
    return {
      StackSetOperation: operationXml(op, set),
    };
  },
  ListStackSetOperations(ctx: RequestContext): ActionResult {
    const set = findStackSet(ctx, ctx.params.required('StackSetName'));
    return {
      Summaries: set.operations.map((o) => operationXml(o)),
    };
  },
  ListStackInstances(ctx: RequestContext): ActionResult {
    const set = findStackSet(ctx, ctx.params.required('StackSetName'));
    return {
      Summaries: set.instances.map((i) => ({
        StackSetId: set.stackSetId,
        Region: i.region,
        Account: i.account,
        StackId: i.stackId,
        Status: i.status,
        StatusReason: i.statusReason,
        StackInstanceStatus: { DetailedStatus: i.detailedStatus },
      })),
    };
  },
};

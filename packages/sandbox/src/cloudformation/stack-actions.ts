import { randomUUID } from 'node:crypto';
import { AwsError, validationError } from '../protocol/aws-error.ts';
import type { ActionResult, RequestContext } from '../runtime.ts';
import type { AccountState, StackRecord } from '../state/model.ts';
import { readTemplateUrl } from '../s3/template-url.ts';
import { constraintError } from '../sts/session-inputs.ts';
import { parseTemplate } from './parse-template.ts';
import { checkCapabilities, type GivenParameter, type StackPlan } from './plan-stack.ts';
import { runCreate, runDelete, runUpdate } from './stack-engine.ts';
import { setStackStatus } from './stack-events.ts';
import { engineEnv, planFor } from './stack-environment.ts';
import { stackResourceXml, stackTimes, stackXml } from './stack-xml.ts';

/** Reads TemplateBody, or TemplateURL from the sandbox's S3 (see {@link readTemplateUrl}). */
async function templateBody(ctx: RequestContext, required: boolean): Promise<string | undefined> {
  const body = ctx.params.get('TemplateBody');
  if (body !== undefined) {
    if (body.length > 51200)
      throw constraintError('TemplateBody', 'templateBody', 'Member must have length less than or equal to 51200');
    return body;
  }
  const url = ctx.params.get('TemplateURL');
  if (url !== undefined) {
    if (url.length > 5120)
      throw constraintError('TemplateURL', 'templateURL', 'Member must have length less than or equal to 5120');
    return readTemplateUrl(ctx, url);
  }
  if (required) throw validationError('Either Template URL or Template Body must be specified.');
  return undefined;
}

function givenParameters(ctx: RequestContext): GivenParameter[] {
  return (ctx.params.structList('Parameters') ?? []).map((p) => ({
    ParameterKey: p.ParameterKey ?? '',
    ...(p.ParameterValue !== undefined ? { ParameterValue: p.ParameterValue } : {}),
    ...(p.UsePreviousValue === 'true' ? { UsePreviousValue: true } : {}),
  }));
}

function rawOf(plan: StackPlan): StackRecord['rawParameters'] {
  return Object.keys(plan.template.Parameters ?? {}).map((k) => ({
    ParameterKey: k,
    ParameterValue: Array.isArray(plan.refs[k]) ? (plan.refs[k] as string[]).join(',') : String(plan.refs[k]),
  }));
}

/** Finds a stack by name (live stacks only) or by stack ID (deleted ones too); `ValidationError` otherwise. */
export function findStack(account: AccountState, nameOrId: string): StackRecord {
  const stack = nameOrId.startsWith('arn:')
    ? account.stacks.find((s) => s.stackId === nameOrId)
    : account.stacks.find((s) => s.stackName === nameOrId && s.status !== 'DELETE_COMPLETE');
  if (!stack) throw validationError(`Stack with id ${nameOrId} does not exist`);
  return stack;
}

function track(ctx: RequestContext, promise: Promise<void>): void {
  const p = promise.catch(() => undefined).finally(() => ctx.runtime.background.delete(p));
  ctx.runtime.background.add(p);
}

/**
 * Validates and starts a stack creation (CloudFormation API reference, CreateStack); the resources are
 * provisioned in the background, as CloudFormation does, and the StackId returned at once.
 */
export function createStackIn(
  ctx: RequestContext,
  account: AccountState,
  input: {
    stackName: string;
    body: string;
    given: GivenParameter[];
    capabilities: string[];
    tags: StackRecord['tags'];
    disableRollback: boolean;
    onFailure?: string;
    notificationArns?: string[];
  },
): StackRecord {
  const { stackName } = input;
  if (stackName.length > 128)
    throw constraintError(stackName, 'stackName', 'Member must have length less than or equal to 128');
  if (!/^[a-zA-Z][-a-zA-Z0-9]*$/.test(stackName))
    throw constraintError(
      stackName,
      'stackName',
      'Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*|arn:[-a-zA-Z0-9:/._+]*',
    );
  if (account.stacks.some((s) => s.stackName === stackName && s.status !== 'DELETE_COMPLETE'))
    throw new AwsError('AlreadyExistsException', `Stack [${stackName}] already exists`, 400);
  const template = parseTemplate(input.body);
  const partition = ctx.runtime.store.state.partition;
  const stackId = `arn:${partition}:cloudformation:${ctx.region}:${account.accountId}:stack/${stackName}/${randomUUID()}`;
  const notificationArns = input.notificationArns ?? [];
  const plan = planFor({
    template,
    given: input.given,
    stack: { stackName, stackId, notificationArns },
    accountId: account.accountId,
    partition,
    region: ctx.region,
  });
  checkCapabilities(template, input.capabilities);
  const stack: StackRecord = {
    stackId,
    stackName,
    status: 'CREATE_IN_PROGRESS',
    creationTime: ctx.now.toISOString(),
    templateBody: input.body,
    parameters: plan.parameters,
    rawParameters: rawOf(plan),
    capabilities: input.capabilities,
    tags: input.tags,
    outputs: [],
    resources: {},
    events: [],
    disableRollback: input.disableRollback || input.onFailure === 'DO_NOTHING',
    notificationArns,
    ...(template.Description !== undefined ? { description: String(template.Description) } : {}),
  };
  account.stacks.push(stack);
  setStackStatus(stack, 'CREATE_IN_PROGRESS', 'User Initiated');
  const env = engineEnv(ctx, account);
  track(
    ctx,
    (async () => {
      await runCreate(env, stack, plan);
      if (input.onFailure === 'DELETE' && stack.status === 'ROLLBACK_COMPLETE') {
        setStackStatus(stack, 'DELETE_IN_PROGRESS');
        await runDelete(env, stack, undefined);
      }
    })(),
  );
  return stack;
}

/** Starts deleting a stack in the background (DeleteStack); the promise settles when it is done. */
export function deleteStackIn(ctx: RequestContext, account: AccountState, stack: StackRecord): Promise<void> {
  let plan: StackPlan | undefined;
  try {
    plan = planFor({
      template: parseTemplate(stack.templateBody),
      given: stack.rawParameters,
      stack,
      accountId: account.accountId,
      partition: ctx.runtime.store.state.partition,
      region: ctx.region,
    });
  } catch {
    plan = undefined;
  }
  setStackStatus(stack, 'DELETE_IN_PROGRESS', 'User Initiated');
  const run = runDelete(engineEnv(ctx, account), stack, plan);
  track(ctx, run);
  return run.catch(() => undefined);
}

const UPDATABLE = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE']);

/** Query handlers of the stack actions. */
export const stackHandlers = {
  async CreateStack(ctx: RequestContext): Promise<ActionResult> {
    const p = ctx.params;
    const stackName = p.required('StackName');
    const body = (await templateBody(ctx, true))!;
    const stack = createStackIn(ctx, ctx.account, {
      stackName,
      body,
      given: givenParameters(ctx),
      capabilities: p.list('Capabilities') ?? [],
      tags: p.tags() ?? [],
      disableRollback: p.bool('DisableRollback') ?? false,
      notificationArns: p.list('NotificationARNs') ?? [],
      ...(p.get('OnFailure') !== undefined ? { onFailure: p.get('OnFailure')! } : {}),
    });
    return { StackId: stack.stackId };
  },
  async UpdateStack(ctx: RequestContext): Promise<ActionResult> {
    const p = ctx.params;
    const stack = findStack(ctx.account, p.required('StackName'));
    if (!UPDATABLE.has(stack.status))
      throw validationError(`Stack:${stack.stackId} is in ${stack.status} state and can not be updated.`);
    const usePrevious = p.bool('UsePreviousTemplate') ?? false;
    const body = usePrevious ? stack.templateBody : (await templateBody(ctx, true))!;
    const template = parseTemplate(body);
    const partition = ctx.runtime.store.state.partition;
    const plan = planFor({
      template,
      given: givenParameters(ctx),
      previous: stack.rawParameters,
      stack,
      accountId: ctx.account.accountId,
      partition,
      region: ctx.region,
    });
    const capabilities = p.list('Capabilities') ?? [];
    checkCapabilities(template, capabilities);
    const previousPlan = planFor({
      template: parseTemplate(stack.templateBody),
      given: stack.rawParameters,
      stack,
      accountId: ctx.account.accountId,
      partition,
      region: ctx.region,
    });
    if (
      body === stack.templateBody &&
      JSON.stringify(rawOf(plan)) === JSON.stringify(stack.rawParameters) &&
      p.tags() === undefined
    ) {
      throw validationError('No updates are to be performed.');
    }
    const previous = { plan: previousPlan, templateBody: stack.templateBody, parameters: stack.parameters };
    const previousRaw = stack.rawParameters;
    stack.templateBody = body;
    stack.parameters = plan.parameters;
    stack.rawParameters = rawOf(plan);
    stack.capabilities = capabilities;
    if (p.tags() !== undefined) stack.tags = p.tags()!;
    stack.lastUpdatedTime = ctx.now.toISOString();
    setStackStatus(stack, 'UPDATE_IN_PROGRESS', 'User Initiated');
    track(
      ctx,
      runUpdate(engineEnv(ctx), stack, plan, previous).then(() => {
        if (stack.status === 'UPDATE_ROLLBACK_COMPLETE') stack.rawParameters = previousRaw;
      }),
    );
    return { StackId: stack.stackId };
  },
  DeleteStack(ctx: RequestContext): ActionResult {
    const name = ctx.params.required('StackName');
    const stack = name.startsWith('arn:')
      ? ctx.account.stacks.find((s) => s.stackId === name)
      : ctx.account.stacks.find((s) => s.stackName === name && s.status !== 'DELETE_COMPLETE');
    if (!stack || stack.status === 'DELETE_COMPLETE' || stack.status === 'DELETE_IN_PROGRESS') return undefined;
    if (stack.status.endsWith('_IN_PROGRESS'))
      throw validationError(`Stack [${stack.stackName}] cannot be deleted while in status ${stack.status}`);
    void deleteStackIn(ctx, ctx.account, stack);
    return undefined;
  },
  DescribeStacks(ctx: RequestContext): ActionResult {
    const name = ctx.params.get('StackName');
    const stacks =
      name !== undefined
        ? [findStack(ctx.account, name)]
        : ctx.account.stacks.filter((s) => s.status !== 'DELETE_COMPLETE');
    return { Stacks: stacks.map(stackXml) };
  },
  DescribeStackEvents(ctx: RequestContext): ActionResult {
    const stack = findStack(ctx.account, ctx.params.required('StackName'));
    return {
      StackEvents: [...stack.events].reverse().map((e) => ({
        StackId: stack.stackId,
        EventId: e.eventId,
        StackName: stack.stackName,
        LogicalResourceId: e.logicalId,
        PhysicalResourceId: e.physicalId,
        ResourceType: e.type,
        Timestamp: new Date(e.timestamp),
        ResourceStatus: e.status,
        ResourceStatusReason: e.statusReason,
        ResourceProperties: e.properties,
      })),
    };
  },
  DescribeStackResources(ctx: RequestContext): ActionResult {
    const stack = findStack(ctx.account, ctx.params.required('StackName'));
    const only = ctx.params.get('LogicalResourceId');
    return {
      StackResources: Object.values(stack.resources)
        .filter((r) => !only || r.logicalId === only)
        .map((r) => stackResourceXml(r, { stack, timestamp: 'Timestamp' })),
    };
  },
  DescribeStackResource(ctx: RequestContext): ActionResult {
    const stack = findStack(ctx.account, ctx.params.required('StackName'));
    const id = ctx.params.required('LogicalResourceId');
    const r = stack.resources[id];
    if (!r) throw validationError(`Resource ${id} does not exist for stack ${stack.stackName}`);
    return {
      StackResourceDetail: stackResourceXml(r, { stack, timestamp: 'LastUpdatedTimestamp' }),
    };
  },
  ListStackResources(ctx: RequestContext): ActionResult {
    const stack = findStack(ctx.account, ctx.params.required('StackName'));
    return {
      StackResourceSummaries: Object.values(stack.resources).map((r) =>
        stackResourceXml(r, { timestamp: 'LastUpdatedTimestamp' }),
      ),
    };
  },
  ListStacks(ctx: RequestContext): ActionResult {
    const filter = ctx.params.list('StackStatusFilter');
    const stacks = ctx.account.stacks.filter((s) => !filter || filter.length === 0 || filter.includes(s.status));
    return {
      StackSummaries: [...stacks].reverse().map((s) => ({
        StackId: s.stackId,
        StackName: s.stackName,
        TemplateDescription: s.description,
        ...stackTimes(s),
        StackStatus: s.status,
        StackStatusReason: s.statusReason,
        DriftInformation: { StackDriftStatus: 'NOT_CHECKED' },
      })),
    };
  },
  GetTemplate(ctx: RequestContext): ActionResult {
    const stack = findStack(ctx.account, ctx.params.required('StackName'));
    return { TemplateBody: stack.templateBody, StagesAvailable: ['Original', 'Processed'] };
  },
  async ValidateTemplate(ctx: RequestContext): Promise<ActionResult> {
    const template = parseTemplate((await templateBody(ctx, true))!);
    const stack = { stackName: 'validate', stackId: 'validate', notificationArns: [] };
    const given = Object.entries(template.Parameters ?? {})
      .filter(([, d]) => d.Default === undefined)
      .map(([k]) => ({ ParameterKey: k, ParameterValue: '' }));
    try {
      planFor({
        template,
        given,
        stack,
        accountId: ctx.account.accountId,
        partition: ctx.runtime.store.state.partition,
        region: ctx.region,
      });
    } catch (error) {
      if (error instanceof AwsError && error.message.startsWith('Template')) throw error;
    }
    let capabilities: string[] = [];
    let reason: string | undefined;
    try {
      checkCapabilities(template, []);
    } catch (error) {
      if (error instanceof AwsError) {
        capabilities = [/NAMED/.test(error.message) ? 'CAPABILITY_NAMED_IAM' : 'CAPABILITY_IAM'];
        reason = `The following resource(s) require capabilities: [${[
          ...new Set(
            Object.values(template.Resources)
              .filter((r) => r.Type.startsWith('AWS::IAM::'))
              .map((r) => r.Type),
          ),
        ].join(', ')}]`;
      }
    }
    return {
      Parameters: Object.entries(template.Parameters ?? {}).map(([k, d]) => ({
        ParameterKey: k,
        DefaultValue: d.Default === undefined ? undefined : String(d.Default),
        NoEcho: d.NoEcho === true || d.NoEcho === 'true',
        Description: d.Description,
      })),
      Description: template.Description,
      Capabilities: capabilities,
      CapabilitiesReason: reason,
      DeclaredTransforms: [],
    };
  },
};

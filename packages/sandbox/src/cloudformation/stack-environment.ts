import { authorizeCall } from '../auth/authorize.ts';
import type { RequestContext } from '../runtime.ts';
import type { AccountState, StackRecord } from '../state/model.ts';
import type { Template } from './parse-template.ts';
import { planStack, type GivenParameter, type StackPlan } from './plan-stack.ts';
import { providerFor } from './providers/index.ts';
import type { EngineEnv } from './stack-engine.ts';

/** Availability zones the sandbox reports for `Fn::GetAZs`. */
export function sandboxAzs(region: string): string[] {
  return ['a', 'b', 'c'].map((z) => `${region}${z}`);
}

/** The engine environment for a request: the caller's account, authorizing as the caller via CloudFormation. */
export function engineEnv(ctx: RequestContext, account: AccountState = ctx.account): EngineEnv {
  return {
    runtime: ctx.runtime,
    account,
    azs: sandboxAzs,
    region: ctx.region,
    authorize: (action, resource, context = {}) =>
      authorizeCall(ctx, action, resource, {
        ...context,
        'aws:CalledVia': ['cloudformation.amazonaws.com'],
        'aws:CalledViaFirst': 'cloudformation.amazonaws.com',
        'aws:ViaAWSService': true,
      }),
  };
}

/** Pseudo parameters (CloudFormation User Guide, "Pseudo parameters reference"). */
export function pseudoParameters(ctx: {
  partition: string;
  region: string;
  accountId: string;
  stackName: string;
  stackId: string;
  notificationArns: string[];
}): Record<string, unknown> {
  return {
    'AWS::AccountId': ctx.accountId,
    'AWS::Region': ctx.region,
    'AWS::StackName': ctx.stackName,
    'AWS::StackId': ctx.stackId,
    'AWS::Partition': ctx.partition,
    'AWS::URLSuffix': ctx.partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com',
    'AWS::NotificationARNs': ctx.notificationArns,
  };
}

/** Plans a template for a stack (parameters, conditions, order). */
export function planFor(options: {
  template: Template;
  given: GivenParameter[];
  previous?: StackRecord['rawParameters'];
  stack: Pick<StackRecord, 'stackName' | 'stackId' | 'notificationArns'>;
  accountId: string;
  partition: string;
  region: string;
}): StackPlan {
  return planStack({
    template: options.template,
    given: options.given,
    ...(options.previous ? { previous: options.previous } : {}),
    pseudo: pseudoParameters({
      partition: options.partition,
      region: options.region,
      accountId: options.accountId,
      stackName: options.stack.stackName,
      stackId: options.stack.stackId,
      notificationArns: options.stack.notificationArns,
    }),
    supportedTypes: (t) => providerFor(t) !== undefined,
    azs: sandboxAzs,
    region: options.region,
  });
}

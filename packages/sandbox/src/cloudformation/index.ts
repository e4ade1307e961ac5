import type { RequestContext, ServiceActions } from '../runtime.ts';
import { stackHandlers } from './stack-actions.ts';
import { stackSetHandlers } from './stack-sets.ts';

type Handler = ServiceActions[string]['handler'];

const HANDLERS: Record<string, Handler> = { ...stackHandlers, ...stackSetHandlers };

function resourceOf(action: string, ctx: RequestContext): string {
  const base = `arn:${ctx.runtime.store.state.partition}:cloudformation:${ctx.region}:${ctx.account.accountId}:`;
  if (/StackSet|StackInstance/.test(action)) return `${base}stackset/${ctx.params.get('StackSetName') ?? '*'}:*`;
  const name = ctx.params.get('StackName');
  if (name === undefined) return '*';
  if (name.startsWith('arn:')) return name;
  return `${base}stack/${name}/*`;
}

/** The CloudFormation actions the sandbox serves, each authorized as `cloudformation:<Action>` on the stack (set). */
export const CLOUDFORMATION_ACTIONS: ServiceActions = Object.fromEntries(
  Object.entries(HANDLERS).map(([action, handler]) => [
    action,
    {
      handler,
      authorize: (ctx: RequestContext) => ({ action: `cloudformation:${action}`, resource: resourceOf(action, ctx) }),
    },
  ]),
);

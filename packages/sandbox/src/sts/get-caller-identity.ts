import type { ActionResult, RequestContext } from '../runtime.ts';

/**
 * `sts:GetCallerIdentity` (STS API reference): UserId, Account and Arn of the signer. No permission is
 * needed: AWS answers even when a policy explicitly denies it.
 */
export function getCallerIdentity(ctx: RequestContext): ActionResult {
  return { UserId: ctx.caller.userId, Account: ctx.caller.accountId, Arn: ctx.caller.arn };
}

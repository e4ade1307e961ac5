import { resolveAccessKey } from '../auth/caller.ts';
import { AwsError } from '../protocol/aws-error.ts';
import type { ServiceActions } from '../runtime.ts';
import { assumeRole } from './assume-role.ts';
import { assumeRoleWithWebIdentity } from './assume-role-with-web-identity.ts';
import { getCallerIdentity } from './get-caller-identity.ts';

/**
 * The STS actions the sandbox serves. AssumeRole decides with the trust policy itself; GetCallerIdentity
 * needs no permission; AssumeRoleWithWebIdentity is unsigned, as in AWS.
 */
export const STS_ACTIONS: ServiceActions = {
  AssumeRole: { handler: assumeRole },
  AssumeRoleWithWebIdentity: { handler: assumeRoleWithWebIdentity, unsigned: true },
  GetCallerIdentity: { handler: getCallerIdentity },
  GetAccessKeyInfo: {
    authorize: () => ({ action: 'sts:GetAccessKeyInfo', resource: '*' }),
    handler: (ctx) => {
      const id = ctx.params.required('AccessKeyId');
      const resolved = resolveAccessKey(ctx.runtime.store.state, id);
      if (!resolved)
        throw new AwsError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403);
      return { Account: resolved.caller.accountId };
    },
  },
};

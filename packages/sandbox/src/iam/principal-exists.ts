import type { SandboxState } from '../state/model.ts';

/**
 * Whether a principal ARN named in a trust policy exists, for AWS's "Invalid principal in policy" check.
 * Only ARNs in the sandbox's own accounts can be checked; ARNs of other accounts are accepted, since
 * they stand for real accounts the sandbox cannot see. Account roots always exist.
 */
export function principalExistsIn(state: SandboxState): (arn: string) => boolean {
  return (arn) => {
    const m = /^arn:([a-z-]+):(iam|sts)::(\d{12}):(.+)$/.exec(arn);
    if (!m) return true;
    if (m[1] !== state.partition) return false;
    const account = state.accounts[m[3]!];
    if (!account) return true;
    const resource = m[4]!;
    if (resource === 'root') return true;
    const name = resource.split('/').pop()!.toLowerCase();
    if (m[2] === 'sts')
      return resource.startsWith('assumed-role/') && account.roles[resource.split('/')[1]!.toLowerCase()] !== undefined;
    if (resource.startsWith('role/')) return account.roles[name]?.arn === arn;
    if (resource.startsWith('user/')) return account.users[name]?.arn === arn;
    if (resource.startsWith('oidc-provider/'))
      return account.oidcProviders[resource.slice('oidc-provider/'.length).toLowerCase()] !== undefined;
    return true;
  };
}

import { splitArn } from '../arn/index.ts';

/** What kind of IAM/STS identity an ARN names, with the parts evaluation needs. */
export interface IdentityArn {
  kind: 'root' | 'user' | 'role' | 'assumed-role' | 'federated-user' | 'other';
  partition: string;
  account: string;
  /** Role or user name (last path segment), for roles, users, sessions and federated users. */
  name?: string;
  /** Session name of an assumed-role session. */
  session?: string;
  /** Path of a role or user (`/` when none). */
  path?: string;
}

/** Classify an identity ARN (`...:root`, `user/`, `role/`, `assumed-role/`, `federated-user/`). */
export function parseIdentityArn(arn: string): IdentityArn | undefined {
  const parts = splitArn(arn);
  if (!parts) return undefined;
  const { partition, service, account, resource } = parts;
  if (service === 'iam') {
    if (resource === 'root') return { kind: 'root', partition, account };
    for (const kind of ['user', 'role'] as const) {
      if (resource.startsWith(`${kind}/`)) {
        const rest = resource.slice(kind.length + 1);
        const slash = rest.lastIndexOf('/');
        return {
          kind,
          partition,
          account,
          name: rest.slice(slash + 1),
          path: slash < 0 ? '/' : `/${rest.slice(0, slash + 1)}`,
        };
      }
    }
  }
  if (service === 'sts') {
    if (resource.startsWith('assumed-role/')) {
      const rest = resource.slice('assumed-role/'.length);
      const slash = rest.indexOf('/');
      if (slash > 0)
        return { kind: 'assumed-role', partition, account, name: rest.slice(0, slash), session: rest.slice(slash + 1) };
    }
    if (resource.startsWith('federated-user/')) {
      return { kind: 'federated-user', partition, account, name: resource.slice('federated-user/'.length) };
    }
  }
  return { kind: 'other', partition, account };
}

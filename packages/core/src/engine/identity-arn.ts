/** The six parts of an ARN: `arn:partition:service:region:account:resource` (resource may contain colons). */
export interface ArnParts {
  partition: string;
  service: string;
  region: string;
  account: string;
  resource: string;
}

/**
 * Split an ARN into its six parts (IAM User Guide, "IAM identifiers" / AWS General Reference, "ARN format").
 * Returns undefined when the string does not start with `arn:` or has fewer than six parts.
 */
export function splitArn(arn: string): ArnParts | undefined {
  if (!arn.startsWith('arn:')) return undefined;
  const c1 = arn.indexOf(':', 4);
  if (c1 < 0) return undefined;
  const c2 = arn.indexOf(':', c1 + 1);
  if (c2 < 0) return undefined;
  const c3 = arn.indexOf(':', c2 + 1);
  if (c3 < 0) return undefined;
  const c4 = arn.indexOf(':', c3 + 1);
  if (c4 < 0) return undefined;
  return {
    partition: arn.slice(4, c1),
    service: arn.slice(c1 + 1, c2),
    region: arn.slice(c2 + 1, c3),
    account: arn.slice(c3 + 1, c4),
    resource: arn.slice(c4 + 1),
  };
}

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
        return { kind, partition, account, name: rest.slice(slash + 1), path: slash < 0 ? '/' : `/${rest.slice(0, slash + 1)}` };
      }
    }
  }
  if (service === 'sts') {
    if (resource.startsWith('assumed-role/')) {
      const rest = resource.slice('assumed-role/'.length);
      const slash = rest.indexOf('/');
      if (slash > 0) return { kind: 'assumed-role', partition, account, name: rest.slice(0, slash), session: rest.slice(slash + 1) };
    }
    if (resource.startsWith('federated-user/')) {
      return { kind: 'federated-user', partition, account, name: resource.slice('federated-user/'.length) };
    }
  }
  return { kind: 'other', partition, account };
}

/** True for a 12-digit AWS account ID. */
export function isAccountId(value: string): boolean {
  return /^\d{12}$/.test(value);
}

import type { SandboxState, SessionRecord, UserRecord } from '../state/model.ts';

/** The identity a request was signed as (the `aws:` principal of the request). */
export type Caller =
  | { kind: 'root'; accountId: string; arn: string; userId: string }
  | { kind: 'user'; accountId: string; arn: string; userId: string; user: UserRecord }
  | { kind: 'session'; accountId: string; arn: string; userId: string; session: SessionRecord };

/** What an access key ID resolves to: the secret to verify the signature with, and the caller. */
export interface ResolvedKey {
  secretAccessKey: string;
  sessionToken?: string;
  /** ISO time after which the key is expired (temporary credentials only). */
  expiration?: string;
  active: boolean;
  caller: Caller;
}

/**
 * Finds the owner of an access key: an account's root key, an IAM user's key, or an STS session.
 * Returns undefined for a key the sandbox never issued (AWS: `InvalidClientTokenId`).
 */
export function resolveAccessKey(state: SandboxState, accessKeyId: string): ResolvedKey | undefined {
  const p = state.partition;
  if (accessKeyId.startsWith('ASIA')) {
    const session = state.sessions[accessKeyId];
    if (!session) return undefined;
    return {
      secretAccessKey: session.secretAccessKey,
      sessionToken: session.sessionToken,
      expiration: session.expiration,
      active: true,
      caller: {
        kind: 'session',
        accountId: session.accountId,
        arn: session.assumedRoleArn,
        userId: `${session.roleId}:${session.sessionName}`,
        session,
      },
    };
  }
  for (const account of Object.values(state.accounts)) {
    if (account.rootAccessKeyId === accessKeyId) {
      return {
        secretAccessKey: account.rootSecretAccessKey,
        active: true,
        caller: {
          kind: 'root',
          accountId: account.accountId,
          arn: `arn:${p}:iam::${account.accountId}:root`,
          userId: account.accountId,
        },
      };
    }
    const key = account.accessKeys[accessKeyId];
    if (key) {
      const user = account.users[key.userName.toLowerCase()];
      if (!user) return undefined;
      return {
        secretAccessKey: key.secretAccessKey,
        active: key.status === 'Active',
        caller: { kind: 'user', accountId: account.accountId, arn: user.arn, userId: user.userId, user },
      };
    }
  }
  return undefined;
}

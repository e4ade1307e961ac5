import type { XmlValue } from '../protocol/xml.ts';
import { accessKeyId, secretAccessKey, sessionToken } from '../state/ids.ts';
import type { RoleRecord, SandboxState, SessionRecord } from '../state/model.ts';

/** What a new role session is issued for: the caller's choices are recorded on the session as given. */
export interface IssueSessionOptions extends Pick<
  SessionRecord,
  | 'accountId'
  | 'sessionName'
  | 'sessionPolicy'
  | 'policyArns'
  | 'sourceIdentity'
  | 'tags'
  | 'transitiveTagKeys'
  | 'chained'
  | 'sourceArn'
> {
  state: SandboxState;
  role: RoleRecord;
  durationSeconds: number;
  now: Date;
}

/**
 * Issues temporary credentials for a role session (`ASIA` access key, secret, session token and expiration)
 * and records the session so later requests signed with it can be verified and authorized.
 */
export function issueSession(options: IssueSessionOptions): SessionRecord {
  const { state, role, now } = options;
  const session: SessionRecord = {
    accessKeyId: accessKeyId('ASIA'),
    secretAccessKey: secretAccessKey(),
    sessionToken: sessionToken(),
    issuedAt: now.toISOString(),
    expiration: new Date(now.getTime() + options.durationSeconds * 1000).toISOString(),
    accountId: options.accountId,
    roleName: role.roleName,
    roleArn: role.arn,
    roleId: role.roleId,
    sessionName: options.sessionName,
    assumedRoleArn: `arn:${state.partition}:sts::${options.accountId}:assumed-role/${role.roleName}/${options.sessionName}`,
    policyArns: options.policyArns,
    tags: options.tags,
    transitiveTagKeys: options.transitiveTagKeys,
    chained: options.chained,
    ...(options.sessionPolicy !== undefined ? { sessionPolicy: options.sessionPolicy } : {}),
    ...(options.sourceIdentity !== undefined ? { sourceIdentity: options.sourceIdentity } : {}),
    ...(options.sourceArn !== undefined ? { sourceArn: options.sourceArn } : {}),
  };
  // Expired sessions are dropped lazily so the state does not grow without bound.
  for (const [key, s] of Object.entries(state.sessions)) {
    if (Date.parse(s.expiration) < now.getTime() - 24 * 3600 * 1000) delete state.sessions[key];
  }
  state.sessions[session.accessKeyId] = session;
  return session;
}

/** The `Credentials` and `AssumedRoleUser` structures of an STS response. */
export function sessionResult(session: SessionRecord): Record<string, XmlValue> {
  return {
    Credentials: {
      AccessKeyId: session.accessKeyId,
      SecretAccessKey: session.secretAccessKey,
      SessionToken: session.sessionToken,
      Expiration: new Date(session.expiration),
    },
    AssumedRoleUser: { AssumedRoleId: `${session.roleId}:${session.sessionName}`, Arn: session.assumedRoleArn },
  };
}

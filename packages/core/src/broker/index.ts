export { roleSessionName, sourceIdentity } from './session-name.ts';
export {
  MAX_SESSION_SECONDS,
  MIN_SESSION_SECONDS,
  ROLE_CHAINING_MAX_SECONDS,
  sessionDuration,
  type SessionDurationInput,
  type SessionDurationResult,
} from './session-duration.ts';
export {
  credentialFormats,
  quoteCredentialProcessCommand,
  type ContainerCredentials,
  type CredentialFormats,
  type CredentialFormatsInput,
  type CredentialProcessOutput,
  type SessionCredentials,
} from './credential-formats.ts';
export {
  REVOKE_OLDER_SESSIONS_POLICY_NAME,
  revokeOlderSessionsRemedy,
  type RevokeOlderSessionsInput,
  type RevokeOlderSessionsRemedy,
} from './revoke-sessions-remedy.ts';
export { credentialCacheKey, type CacheKeyPart } from './credential-cache-key.ts';
export {
  SESSION_POLICY_MAX_CHARS,
  readOnlySessionPolicy,
  type ReadOnlySessionPolicy,
  type ReadOnlySessionPolicyInput,
} from './read-only-session-policy.ts';

import { credentialFormats, sessionDuration, TrustgateError, type RunPhase } from '@trustgate/core';
import type { Principal } from '../../auth/principal.ts';
import { auditEventOf } from '../audit/record-audit.ts';
import { mintRunToken, type RunTokenClaims } from '../../auth/run-token.ts';
import { assumeRoleForRun } from '../../aws/assume-for-run.ts';
import type { CachedSession, CacheSource } from '../../cache/credential-cache.ts';
import type { Connection } from '../../model/records.ts';
import { platformFor } from '../deps.ts';
import type { AssumptionRequest } from './assumption-request.ts';
import { memoizedAssumptionRequest } from './assumption-memo.ts';
import { cacheKeyOf } from './session-cache-key.ts';
import { runWebIdentityToken } from './web-identity-token.ts';
import { webIdentityDelivery, type WebIdentityDelivery } from './web-identity-delivery.ts';
import { brokerOf, DEFAULT_RUN_TOKEN_MAX_SECONDS, type BrokerDeps } from './broker-deps.ts';
import { resolveIssuanceTarget, type IssuanceTarget } from './issuance-target.ts';
import type { ConnectionDeps } from '../deps.ts';

/** What `POST /v1/issuances` asks for. */
export interface IssueInput {
  stack: string;
  phase: RunPhase;
  runId: string;
  accountId?: string;
  connectionId?: string;
  region?: string;
  /** Also answer a run token for this long (capped by the issuing API token's own expiry). */
  runToken?: { lifetimeSeconds: number };
}

/** How the caller authenticated: its API token, or a run token (refresh, container endpoint). */
export type IssueVia = { kind: 'api' } | { kind: 'run-token' | 'container'; claims: RunTokenClaims };

/** The answer of an issuance (see http/issuance-schemas.ts for the fields). */
export interface IssuanceAnswer {
  phase: RunPhase;
  runId: string;
  stackId: string;
  connectionId: string;
  accountId: string;
  region: string;
  sessionName: string;
  durationSeconds: number;
  clamped?: { from: number; to: number; reason: string };
  chained: boolean;
  assumedRoleArn?: string;
  expiration?: string;
  source?: CacheSource;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
  formats?: ReturnType<typeof credentialFormats>;
  assumeRole?: AssumptionRequest;
  /** An OIDC connection's assume-on-worker attachment: the run's web identity token, for AWS_WEB_IDENTITY_TOKEN_FILE. */
  webIdentity?: WebIdentityDelivery;
  runToken?: string;
  runTokenExpiresAt?: string;
}

/** Whether the platform's identity in the connection's partition is a role session (AWS caps chained sessions at 1 h). */
function isChained(deps: ConnectionDeps, broker: BrokerDeps, connection: Connection): boolean {
  // A web-identity session is not chained: trustgate holds no AWS session of its own for it.
  if (connection.trust.kind === 'oidc') return false;
  return broker.chainedSessions ?? platformFor(deps, connection.partition).roleArn !== undefined;
}

/**
 * Moves the connection's status when its role refused the assumption (ROLE_REFUSED, AccessDenied): `broken` with the reason, in
 * one store write, skipped when the status already says so; a concurrent change (CONFLICT) wins.
 */
async function recordRefusal(deps: ConnectionDeps, target: IssuanceTarget, error: TrustgateError): Promise<void> {
  const reason = `Issuing credentials for stack ${target.stack.slug} in account ${target.accountId}: ${error.message}`;
  if (target.connection.status === 'broken' && target.connection.statusReason === reason) return;
  try {
    await deps.store.connections.update({ ...target.connection, status: 'broken', statusReason: reason });
  } catch (cause) {
    if (!(cause instanceof TrustgateError && cause.code === 'CONFLICT'))
      deps.log?.warn({ err: cause }, 'broker: recording a refusal failed');
  }
}

/**
 * ROLE_REFUSED at once, without asking STS, when the trust the connection recorded does not admit the stack or the
 * phase (scoped trust locked to other stacks, or to the read phase): the customer chose that, so the connection is
 * not broken; the answer says what to change. A role whose actual trust differs from the recorded one is still
 * refused by STS (and then the connection is broken).
 */
function checkRecordedTrust(target: IssuanceTarget, phase: RunPhase): void {
  const trust = target.connection.externalIdTrust;
  if (trust.kind !== 'scoped' || target.attachment.assumeOnWorker) return;
  const stackOk = trust.stacks === undefined || trust.stacks.includes(target.stack.slug);
  if (stackOk && trust.phases.includes(phase)) return;
  const what = stackOk ? `the ${phase} phase` : `stack ${target.stack.slug}`;
  throw new TrustgateError(
    'ROLE_REFUSED',
    `The role of connection ${target.connection.id} trusts only ${trust.stacks === undefined ? 'any stack' : `stacks ${trust.stacks.join(', ')}`} ` +
      `for ${trust.phases.join(' and ')}, not ${what}. Widen the connection's externalIdTrust and update the role's trust policy from its deliverables.`,
    { field: 'stack', details: { awsError: 'none' } },
  );
}

/**
 * The session to serve: from the cache, or assumed through the pacer with retries. A session issued before the
 * connection's stored revocation cut-off is never served, even by an instance whose own cache has not seen that
 * revocation (another instance made it): the cut-off is applied to the cache and the session loaded again.
 */
async function servedSession(
  deps: ConnectionDeps,
  broker: BrokerDeps,
  target: IssuanceTarget,
  request: AssumptionRequest,
  durationSeconds: number,
  run: { runId: string; phase: RunPhase },
): Promise<{ session: CachedSession; source: CacheSource }> {
  const { connection, region } = target;
  const oidc = connection.trust.kind === 'oidc';
  // An OIDC connection's session is exchanged for a token trustgate mints, with an STS client holding no credentials.
  const paceIdentity = oidc ? 'oidc' : platformFor(deps, connection.partition).accountId;
  const key = cacheKeyOf(connection, request, durationSeconds, region);
  const sts = broker.sts.sts({ partition: connection.partition, region, ...(oidc ? { anonymous: true } : {}) });
  const load = async () =>
    assumeRoleForRun(
      sts,
      {
        roleArn: request.roleArn,
        ...(oidc
          ? {
              webIdentityToken: await runWebIdentityToken(deps, target, run, {
                session: {
                  ...(request.tags === undefined ? {} : { tags: request.tags }),
                  ...(request.sourceIdentity === undefined ? {} : { sourceIdentity: request.sourceIdentity }),
                },
              }),
            }
          : { externalId: request.externalId }),
        sessionName: request.roleSessionName,
        durationSeconds,
        ...(request.policy === undefined ? {} : { policy: request.policy }),
        ...(request.sourceIdentity === undefined ? {} : { sourceIdentity: request.sourceIdentity }),
        ...(request.tags === undefined ? {} : { tags: request.tags }),
      },
      {
        pacer: broker.pacer,
        paceKey: `${connection.partition}:${paceIdentity}:${region}`,
        retry: broker.stsRetry,
      },
    );
  let served = await broker.cache.getOrLoad(key, connection.id, load, broker.loadPolicy);
  const cutoff = connection.sessionsRevokedBefore;
  if (cutoff !== null && Date.parse(served.session.issuedAt) < Date.parse(cutoff)) {
    await broker.cache.revokeBefore(connection.id, new Date(cutoff));
    served = await broker.cache.getOrLoad(key, connection.id, load, broker.loadPolicy);
  }
  return served;
}

/** A run ID the profile's command line can carry unquoted (the AWS CLI splits `credential_process` at white space). */
const PLAIN_RUN_ID = /^[\w+=,.@:/-]{1,128}$/;

/**
 * The `credential_process` command of the answer's config profile: the same stack, phase and run, so every AWS CLI
 * call of the run refreshes the run's own session (without `--run`, each call would be a new run and, per run, a new
 * STS session). A run ID with characters a command line would have to quote is left out.
 */
function credentialProcessCommand(stackSlug: string, phase: RunPhase, runId: string): string {
  const run = PLAIN_RUN_ID.test(runId) ? ` --run ${runId}` : '';
  return `trustgate creds --stack ${stackSlug} --phase ${phase}${run} --format credential-process`;
}

/** A run token for the issuance, or nothing; it never outlives the issuing API token. */
function runTokenFor(
  broker: BrokerDeps,
  principal: Principal,
  input: IssueInput,
  target: IssuanceTarget,
  now: Date,
): { runToken: string; runTokenExpiresAt: string } | undefined {
  if (input.runToken === undefined) return undefined;
  const nowS = Math.floor(now.getTime() / 1000);
  const max = broker.runTokenMaxSeconds ?? DEFAULT_RUN_TOKEN_MAX_SECONDS;
  let exp = nowS + Math.min(input.runToken.lifetimeSeconds, max);
  const apiExpiry = principal.token.expiresAt;
  if (apiExpiry !== null) exp = Math.min(exp, Math.floor(Date.parse(apiExpiry) / 1000));
  const claims: RunTokenClaims = {
    org: principal.organizationId,
    stack: target.stack.id,
    phase: input.phase,
    run: input.runId,
    account: target.accountId,
    region: target.region,
    con: target.connection.id,
    tok: principal.token.id,
    iat: nowS,
    exp,
  };
  return {
    runToken: mintRunToken(broker.runTokenSecret, claims),
    runTokenExpiresAt: new Date(exp * 1000).toISOString(),
  };
}

/**
 * Issues credentials to a run (issue 12, `POST /v1/issuances`): authorizes and resolves the stack's attachment,
 * connection, account and role ({@link resolveIssuanceTarget}); builds the AssumeRole request (assumption-request.ts);
 * clamps the duration (900 s to the role's maximum, one hour when the platform's identity is a role session);
 * serves a cached session or assumes the role through the STS pacer with retries; audits `credentials.issue`
 * through the audit batcher BEFORE answering (an audit record that cannot be written: CREDENTIALS_UNAVAILABLE, nothing
 * served); answers credentials in every delivery format and, when asked, a run token. Assume on worker: the
 * assumption parameters, or for OIDC the run's web identity token (web-identity-delivery.ts); no credentials, no STS
 * call. A role that refuses the assumption (ROLE_REFUSED) moves the connection to `broken` with the reason.
 *
 * Through a run token (`via`), the claims fix stack, phase, run, account and region, and a token issued before the
 * connection's sessions were revoked is refused.
 */
export async function issueCredentials(
  deps: ConnectionDeps,
  principal: Principal,
  input: IssueInput,
  via: IssueVia = { kind: 'api' },
): Promise<IssuanceAnswer> {
  try {
    return await serveIssuance(deps, principal, input, via);
  } catch (error) {
    await auditRefusal(deps, principal, input, via, error);
    throw error;
  }
}

/**
 * A refused issuance is audited too (`credentials.refuse`: who, which token, what was asked, the error's code —
 * never a message from AWS or a secret), so the log shows who tried what. Best effort: when even this record cannot
 * be written, the refusal is answered as it is and the operator's log says so.
 */
async function auditRefusal(
  deps: ConnectionDeps,
  principal: Principal,
  input: IssueInput,
  via: IssueVia,
  error: unknown,
): Promise<void> {
  const broker = deps.broker;
  if (broker === undefined) return;
  try {
    await broker.audit.append(
      auditEventOf(principal, 'credentials.refuse', null, {
        stack: input.stack,
        phase: input.phase,
        runId: input.runId,
        ...(input.accountId === undefined ? {} : { accountId: input.accountId }),
        ...(input.region === undefined ? {} : { region: input.region }),
        via: via.kind,
        code: error instanceof TrustgateError ? error.code : 'INTERNAL',
      }),
    );
  } catch (cause) {
    deps.log?.warn({ err: cause }, 'broker: the audit record of a refused issuance could not be written');
  }
}

/** {@link issueCredentials} without the refusal's audit record. */
async function serveIssuance(
  deps: ConnectionDeps,
  principal: Principal,
  input: IssueInput,
  via: IssueVia,
): Promise<IssuanceAnswer> {
  const broker = brokerOf(deps);
  const now = broker.now?.() ?? new Date();
  const target =
    broker.targetMemo === undefined
      ? await resolveIssuanceTarget(deps.store, principal, input)
      : await broker.targetMemo.resolve(deps.store, principal, input);
  const { stack, attachment, connection, accountId, region } = target;
  if (via.kind !== 'api') {
    const cutoff = connection.sessionsRevokedBefore;
    if (cutoff !== null && via.claims.iat * 1000 < Date.parse(cutoff))
      throw new TrustgateError('UNAUTHENTICATED', 'A valid, unexpired run token is required.');
  }
  const request = await memoizedAssumptionRequest(broker.assumptionMemo, {
    connection,
    role: target.role,
    attachment,
    stack,
    phase: input.phase,
    runId: input.runId,
    region,
  });
  const chained = isChained(deps, broker, connection);
  const duration = sessionDuration({ requestedSeconds: request.durationSeconds, chained });
  const base = {
    phase: input.phase,
    runId: input.runId,
    stackId: stack.id,
    connectionId: connection.id,
    accountId,
    region,
    sessionName: request.roleSessionName,
    durationSeconds: duration.seconds,
    ...(duration.clamped === undefined ? {} : { clamped: duration.clamped }),
    chained,
  };
  const audit = async (details: Record<string, unknown>): Promise<void> => {
    try {
      await broker.audit.append(
        auditEventOf(principal, 'credentials.issue', connection.id, {
          stackId: stack.id,
          stackSlug: stack.slug,
          phase: input.phase,
          runId: input.runId,
          accountId,
          region,
          sessionName: request.roleSessionName,
          sessionMode: attachment.sessionMode,
          durationSeconds: duration.seconds,
          via: via.kind,
          ...details,
        }),
      );
    } catch (cause) {
      deps.log?.warn({ err: cause }, 'broker: the audit record of an issuance could not be written');
      throw new TrustgateError(
        'CREDENTIALS_UNAVAILABLE',
        'The issuance could not be audited, so no credentials are served; try again shortly.',
      );
    }
  };
  if (attachment.assumeOnWorker && connection.trust.kind === 'oidc') {
    // The second delivery of OIDC connections: the run holds the token and its SDK assumes the role by itself.
    const token = via.kind === 'api' ? runTokenFor(broker, principal, input, target, now) : undefined;
    const runEnds = via.kind === 'api' ? token?.runTokenExpiresAt : new Date(via.claims.exp * 1000).toISOString();
    const { delivery, jti, kid } = await webIdentityDelivery(deps, {
      target,
      request,
      run: { runId: input.runId, phase: input.phase },
      durationSeconds: duration.seconds,
      ...(runEnds === undefined ? {} : { runEndsAt: new Date(runEnds) }),
    });
    await audit({
      assumeOnWorker: true,
      delivery: 'web-identity',
      roleArn: request.roleArn,
      tokenJti: jti,
      tokenKid: kid,
      tokenExpiresAt: delivery.expiresAt,
      ...(token === undefined ? {} : { runTokenExpiresAt: token.runTokenExpiresAt }),
    });
    return { ...base, webIdentity: delivery, ...(token ?? {}) };
  }
  if (attachment.assumeOnWorker) {
    await audit({ assumeOnWorker: true });
    return { ...base, assumeRole: { ...request, durationSeconds: duration.seconds } };
  }
  checkRecordedTrust(target, input.phase);
  let served: { session: CachedSession; source: CacheSource };
  try {
    served = await servedSession(deps, broker, target, request, duration.seconds, {
      runId: input.runId,
      phase: input.phase,
    });
  } catch (error) {
    // Only a refused trust (AccessDenied: trust policy, external ID, role deleted) is the connection's state; a
    // duration or policy STS will not take is the attachment's, and a later issuance may well work.
    if (
      error instanceof TrustgateError &&
      error.code === 'ROLE_REFUSED' &&
      /^(AccessDenied|InvalidIdentityToken|IDPRejectedClaim)/.test(String(error.details.awsError))
    )
      await recordRefusal(deps, target, error);
    throw error;
  }
  const { session, source } = served;
  const token = via.kind === 'api' ? runTokenFor(broker, principal, input, target, now) : undefined;
  await audit({
    assumedRoleArn: session.assumedRoleArn,
    expiration: session.expiration,
    sessionIssuedAt: session.issuedAt,
    source,
    ...(token === undefined ? {} : { runTokenExpiresAt: token.runTokenExpiresAt }),
  });
  const credentials = {
    accessKeyId: session.accessKeyId,
    secretAccessKey: session.secretAccessKey,
    sessionToken: session.sessionToken,
  };
  return {
    ...base,
    sessionName: session.sessionName,
    assumedRoleArn: session.assumedRoleArn,
    expiration: session.expiration,
    source,
    credentials,
    formats: credentialFormats({
      credentials: { ...credentials, expiration: new Date(session.expiration) },
      region,
      profileName: `trustgate-${stack.slug}-${input.phase}`,
      credentialProcessCommand: credentialProcessCommand(stack.slug, input.phase, input.runId),
    }),
    ...(token ?? {}),
  };
}

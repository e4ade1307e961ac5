import { authenticateRunToken, type RunTokenHeader } from '../../auth/run-token.ts';
import type { ConnectionDeps } from '../deps.ts';
import { brokerOf } from './broker-deps.ts';
import { issueCredentials, type IssuanceAnswer } from './issue-credentials.ts';

/**
 * An issuance for the run a run token is bound to (issue 12): `Authorization: Bearer tgr_...` for
 * `POST /v1/issuances/refresh` (`form: 'bearer'`), the raw `tgr_...` for the container credentials endpoint
 * (`form: 'raw'`, as the AWS SDKs send AWS_CONTAINER_AUTHORIZATION_TOKEN). The token's claims fix the stack, phase,
 * run, connection, account and region; authorization is checked again as its issuing API token and user (a revoked
 * token, a lost access level or a narrowed restriction refuse it), and a token issued before the connection's
 * sessions were revoked is refused. Never mints another run token. The cache serves the run's session until
 * `refreshAheadMs` before its expiry and then a new one, so a run longer than a session keeps working.
 */
export async function issueForRunToken(
  deps: ConnectionDeps,
  header: string | undefined,
  form: RunTokenHeader,
): Promise<IssuanceAnswer> {
  const broker = brokerOf(deps);
  const { claims, principal } = await authenticateRunToken(deps.store, {
    secret: broker.runTokenSecret,
    header,
    form,
    ...(broker.now === undefined ? {} : { now: broker.now() }),
  });
  return issueCredentials(
    deps,
    principal,
    {
      stack: claims.stack,
      phase: claims.phase,
      runId: claims.run,
      ...(claims.account === undefined ? {} : { accountId: claims.account }),
      ...(claims.region === undefined ? {} : { region: claims.region }),
      ...(claims.con === undefined ? {} : { connectionId: claims.con }),
    },
    { kind: form === 'bearer' ? 'run-token' : 'container', claims },
  );
}

import { authorizeCaller } from '../auth/authorize.ts';
import { verifySigV4, type ReceivedRequest, type VerifiedRequest } from '../auth/verify-sigv4.ts';
import { isAwsError } from '../protocol/aws-error.ts';
import type { SandboxRuntime } from '../runtime.ts';
import { requestId as newRequestId } from '../state/ids.ts';
import { organizationsRegion } from './organization-of.ts';
import { ORGANIZATIONS_ACTIONS, OrganizationsError, organizationsAccessDenied } from './organizations-actions.ts';

/** The `X-Amz-Target` prefix of the Organizations API (AWS JSON 1.1 protocol). */
export const ORGANIZATIONS_TARGET_PREFIX = 'AWSOrganizationsV20161128.';

/** True for a request to the Organizations API: `POST /` with `X-Amz-Target: AWSOrganizationsV20161128.<Action>`. */
export function isOrganizationsRequest(method: string, headers: Record<string, string>): boolean {
  return method === 'POST' && (headers['x-amz-target'] ?? '').startsWith(ORGANIZATIONS_TARGET_PREFIX);
}

/** A JSON response to write; `hang` means "never answer" (an injected timeout). */
export interface JsonResponse {
  status: number;
  body: string;
  headers: Record<string, string>;
  hang?: boolean;
}

/**
 * The JSON protocol's names for the signature errors the Query protocol calls `InvalidClientTokenId`,
 * `SignatureDoesNotMatch`, ... (all HTTP 400 over AWS JSON, as DynamoDB, KMS and Organizations answer).
 */
const JSON_AUTH_CODES: Record<string, string> = {
  InvalidClientTokenId: 'UnrecognizedClientException',
  SignatureDoesNotMatch: 'InvalidSignatureException',
  ExpiredToken: 'ExpiredTokenException',
  MissingAuthenticationToken: 'MissingAuthenticationTokenException',
  IncompleteSignature: 'IncompleteSignatureException',
};

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A top-level field of a JSON request as fault rules read it: a string as is, another value as JSON, null or missing as absent. */
function jsonParam(input: Record<string, unknown>, name: string): string | undefined {
  const value = Object.hasOwn(input, name) ? input[name] : undefined;
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * Serves one Organizations request over AWS JSON 1.1: verifies SigV4 with the same verifier as the Query
 * services (the credential scope must name `organizations` and the partition's Organizations Region,
 * us-east-1 in `aws`), applies injected faults, authorizes the caller with core's policy engine
 * (`organizations:<Action>`: identity policies, boundaries, session policies and SCPs, as for every other
 * call), then runs the action. Errors are AWS's JSON error shape: `{"__type": code, "Message": ...}` with the
 * `x-amzn-ErrorType` header (AWS Organizations API reference, "Errors"; AWS JSON 1.1 protocol).
 */
export async function dispatchOrganizations(options: {
  runtime: SandboxRuntime;
  request: ReceivedRequest;
  sourceIp: string;
}): Promise<JsonResponse> {
  const { runtime, request } = options;
  const requestId = newRequestId();
  const action = (request.headers['x-amz-target'] ?? '').slice(ORGANIZATIONS_TARGET_PREFIX.length);
  const json = (status: number, body: unknown, extra: Record<string, string> = {}): JsonResponse => ({
    status,
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId, ...extra },
  });
  const error = (e: OrganizationsError): JsonResponse =>
    json(e.status, { __type: e.code, Message: e.message }, { 'x-amzn-errortype': e.code });
  try {
    const state = runtime.store.state;
    const now = runtime.clock();
    let verified: VerifiedRequest;
    try {
      verified = await verifySigV4(state, request, now);
    } catch (e) {
      if (isAwsError(e))
        throw new OrganizationsError(JSON_AUTH_CODES[e.code] ?? e.code, e.message, e.status >= 500 ? 500 : 400);
      throw e;
    }
    if (verified.service !== 'organizations') {
      throw new OrganizationsError(
        'InvalidSignatureException',
        "Credential should be scoped to correct service: 'organizations'. ",
      );
    }
    const region = organizationsRegion(state.partition);
    if (verified.region !== region) {
      throw new OrganizationsError(
        'InvalidSignatureException',
        `Credential should be scoped to a valid region, not '${verified.region}'. `,
      );
    }
    const spec = ORGANIZATIONS_ACTIONS[action];
    if (!spec)
      throw new OrganizationsError(
        'UnknownOperationException',
        `The action ${action} is not valid for this web service.`,
      );
    let input: Record<string, unknown>;
    try {
      const parsed: unknown = request.body.trim() === '' ? {} : JSON.parse(request.body);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      input = parsed as Record<string, unknown>;
    } catch {
      throw new OrganizationsError('SerializationException', 'Start of structure or map found where not expected.');
    }
    const fault = runtime.faults.next('organizations', action, (name) => jsonParam(input, name));
    if (fault.kind === 'timeout') return { status: 0, body: '', headers: {}, hang: true };
    if (fault.kind === 'throttle')
      throw new OrganizationsError(
        'TooManyRequestsException',
        "AWS Organizations can't complete your request because another request is already in progress. Try again later.",
      );
    if (fault.kind === 'server-error')
      throw new OrganizationsError(
        'ServiceException',
        "AWS Organizations can't complete your request because of an internal service error. Try again later.",
        500,
      );
    if (fault.kind === 'latency') await sleep(fault.ms);
    const call = { state, caller: verified.caller, input };
    // The Query services' authorization: the root user acts freely in its own account unless SCPs govern it;
    // everyone else needs an Allow from core's engine (identity, boundary, session policies, SCPs).
    try {
      authorizeCaller(
        {
          state,
          caller: verified.caller,
          accountId: verified.caller.accountId,
          now,
          region,
          sourceIp: options.sourceIp,
        },
        `organizations:${action}`,
        spec.resource(call),
      );
    } catch (e) {
      // Organizations' JSON code (not Query's `AccessDenied`), with its own message.
      if (isAwsError(e) && e.code === 'AccessDenied') throw organizationsAccessDenied();
      throw e;
    }
    return json(200, spec.handler(call));
  } catch (e) {
    if (e instanceof OrganizationsError) return error(e);
    const message = e instanceof Error ? e.message : String(e);
    return error(new OrganizationsError('ServiceException', message, 500));
  }
}

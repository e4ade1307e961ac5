import { authorizeCall } from '../auth/authorize.ts';
import type { Caller } from '../auth/caller.ts';
import { verifySigV4, type ReceivedRequest } from '../auth/verify-sigv4.ts';
import { AwsError, isAwsError } from '../protocol/aws-error.ts';
import { QueryParams } from '../protocol/query-params.ts';
import { errorXml, successXml, type ServiceName } from '../protocol/xml.ts';
import type { RequestContext, SandboxRuntime, ServiceActions } from '../runtime.ts';
import { requestId as newRequestId } from '../state/ids.ts';

/** A response to write: status, headers and XML body; `hang` means "never answer" (an injected timeout). */
export interface QueryResponse {
  status: number;
  body: string;
  headers: Record<string, string>;
  hang?: boolean;
}

const API_VERSIONS: Record<ServiceName, string> = {
  sts: '2011-06-15',
  iam: '2010-05-08',
  cloudformation: '2010-05-15',
};

function isServiceName(value: string): value is ServiceName {
  return value === 'sts' || value === 'iam' || value === 'cloudformation';
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Serves one AWS Query protocol request: finds the service (from the SigV4 credential scope, or from the
 * action for the few actions AWS serves unsigned), verifies the signature, applies injected faults,
 * authorizes non-root callers with core's policy engine, runs the action and writes the XML response or
 * AWS's error document.
 */
export async function dispatchQuery(options: {
  runtime: SandboxRuntime;
  services: Record<ServiceName, ServiceActions>;
  request: ReceivedRequest;
  sourceIp: string;
}): Promise<QueryResponse> {
  const { runtime, services, request } = options;
  const requestId = newRequestId();
  const params = QueryParams.parse(request.body, new URLSearchParams(request.query).toString());
  const action = params.get('Action') ?? '';
  let service: ServiceName = 'sts';
  const scope = /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(request.headers.authorization ?? '');
  if (scope && isServiceName(scope[1]!)) service = scope[1];
  else if (!scope && services.sts[action]?.unsigned) service = 'sts';
  else if (scope) service = 'sts';
  const respondError = (error: AwsError): QueryResponse => ({
    status: error.status,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
    body: errorXml({ service, type: error.type, code: error.code, message: error.message, requestId }),
  });
  try {
    if (scope && !isServiceName(scope[1]!)) {
      throw new AwsError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403);
    }
    const spec = services[service][action];
    const now = runtime.clock();
    let caller: Caller | undefined;
    let region = runtime.store.state.region;
    if (!spec || !spec.unsigned || request.headers.authorization) {
      const verified = await verifySigV4(runtime.store.state, request, now);
      caller = verified.caller;
      region = verified.region;
    }
    if (!spec) {
      throw new AwsError(
        'InvalidAction',
        `Could not find operation ${action} for version ${params.get('Version') ?? API_VERSIONS[service]}`,
        400,
      );
    }
    const fault = runtime.faults.next(service, action, (name) => params.get(name));
    if (fault.kind === 'timeout') return { status: 0, body: '', headers: {}, hang: true };
    if (fault.kind === 'throttle') throw new AwsError('Throttling', 'Rate exceeded', 400);
    if (fault.kind === 'server-error')
      throw new AwsError(
        service === 'iam' ? 'ServiceFailure' : 'InternalFailure',
        'The request processing has failed because of an unknown error, exception or failure.',
        500,
      );
    if (fault.kind === 'latency') await sleep(fault.ms);
    const accountId = caller?.accountId ?? Object.keys(runtime.store.state.accounts)[0]!;
    const account = runtime.store.account(accountId)!;
    const ctx: RequestContext = {
      runtime,
      account,
      params,
      service,
      action,
      region,
      requestId,
      now,
      sourceIp: options.sourceIp,
      caller: caller ?? { kind: 'root', accountId, arn: '', userId: '' },
    };
    if (spec.authorize && caller) {
      const target = spec.authorize(ctx);
      authorizeCall(ctx, target.action, target.resource, target.context);
    }
    const result = await spec.handler(ctx);
    if (!/^(Get|List|Describe|Simulate|Validate)/.test(action)) runtime.store.save();
    return {
      status: 200,
      headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
      body: successXml({ service, action, result, requestId }),
    };
  } catch (error) {
    if (isAwsError(error)) return respondError(error);
    const message = error instanceof Error ? error.message : String(error);
    return respondError(new AwsError(service === 'iam' ? 'ServiceFailure' : 'InternalFailure', message, 500));
  }
}

import { createHash } from 'node:crypto';
import { TrustgateError } from '@trustgate/core';

/** A CloudFormation custom-resource request (AWS CloudFormation User Guide, "Custom resource request objects"). */
export interface CustomResourceRequest {
  RequestType: 'Create' | 'Update' | 'Delete';
  ResponseURL: string;
  StackId: string;
  RequestId: string;
  LogicalResourceId: string;
  PhysicalResourceId?: string;
  ResourceProperties: Record<string, unknown>;
}

/** The outcome the service answered CloudFormation with. */
export interface CallbackOutcome {
  status: 'SUCCESS' | 'FAILED';
  reason: string;
  connectionId?: string;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The most UTF-8 bytes each key field of a request may have (together well under PostgreSQL's 2704-byte index row). */
const KEY_FIELD_LIMITS = [
  ['StackId', 1024],
  ['RequestId', 256],
  ['LogicalResourceId', 255],
] as const;

/** Takes the custom-resource request out of a verified notification's Message; INVALID_INPUT when it is not one. */
export function parseCustomResourceRequest(message: string, topicArn: string): CustomResourceRequest {
  let payload: unknown;
  try {
    payload = JSON.parse(message);
  } catch {
    throw new TrustgateError('INVALID_INPUT', 'The SNS message is not JSON.', { field: 'Message' });
  }
  if (!isObject(payload))
    throw new TrustgateError('INVALID_INPUT', 'Expected a CloudFormation custom-resource request.');
  for (const key of ['RequestType', 'ResponseURL', 'StackId', 'RequestId', 'LogicalResourceId'] as const) {
    if (typeof payload[key] !== 'string')
      throw new TrustgateError('INVALID_INPUT', `The custom-resource request lacks ${key}.`, { field: key });
  }
  // The key fields go into the claim's primary key: bounded (PostgreSQL's btree refuses an index row over 2704
  // bytes) and without control characters (PostgreSQL refuses NUL in text). Real ones are ARNs and IDs, far shorter.
  for (const [key, maxBytes] of KEY_FIELD_LIMITS) {
    const value = payload[key] as string;
    if (value === '' || Buffer.byteLength(value, 'utf8') > maxBytes)
      throw new TrustgateError(
        'INVALID_INPUT',
        `The custom-resource request's ${key} is empty or longer than ${maxBytes} bytes.`,
        { field: key },
      );
    if (/\p{Cc}/u.test(value))
      throw new TrustgateError('INVALID_INPUT', `The custom-resource request's ${key} contains control characters.`, {
        field: key,
      });
  }
  if (!['Create', 'Update', 'Delete'].includes(payload.RequestType as string))
    throw new TrustgateError('INVALID_INPUT', 'Unknown RequestType.', { field: 'RequestType' });
  if (!isObject(payload.ResourceProperties))
    throw new TrustgateError('INVALID_INPUT', 'The custom-resource request lacks ResourceProperties.', {
      field: 'ResourceProperties',
    });
  // CloudFormation names the topic it published to; a request relayed from another topic is refused.
  if (payload.ServiceToken !== undefined && payload.ServiceToken !== topicArn)
    throw new TrustgateError('FORBIDDEN', "The request's ServiceToken is not the topic it arrived from.", {
      field: 'ServiceToken',
    });
  return payload as unknown as CustomResourceRequest;
}

/** The response object CloudFormation expects at the ResponseURL (CloudFormation User Guide, "Custom resource response objects"). */
export function responseBody(request: CustomResourceRequest, outcome: CallbackOutcome): string {
  return JSON.stringify({
    Status: outcome.status,
    Reason: outcome.reason.slice(0, 1000),
    PhysicalResourceId: request.PhysicalResourceId ?? `trustgate-${outcome.connectionId ?? request.RequestId}`,
    StackId: request.StackId,
    RequestId: request.RequestId,
    LogicalResourceId: request.LogicalResourceId,
    Data: { ConnectionId: outcome.connectionId ?? '' },
  });
}

/** Canonical JSON (object keys sorted) of a value: the same request gives the same text however it was serialized. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isObject(value))
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`)
      .join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}

/** SHA-256 (hex) of the request's canonical JSON: what ties an idempotency key to one request body. */
export function requestDigest(request: CustomResourceRequest): string {
  return createHash('sha256').update(canonicalJson(request)).digest('hex');
}

/**
 * The answer a claim keeps ready for when its decider stops before answering: FAILED (the stack can retry), except
 * for a Delete, which is never blocked (as {@link decide} answers it).
 */
export function stoppedWhileDeciding(request: CustomResourceRequest): CallbackOutcome {
  return request.RequestType === 'Delete'
    ? { status: 'SUCCESS', reason: 'Nothing to undo.' }
    : { status: 'FAILED', reason: 'trustgate stopped while deciding; update or re-create the stack to retry.' };
}

import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { CustomResourceResponse, SandboxRuntime } from '../runtime.ts';
import type { StackResourceRecord } from '../state/model.ts';
import type { ProviderContext, ResourceProvider } from './providers/provider.ts';
import { deliverSnsMessage } from '../sns/deliver-sns.ts';

/** Path prefix of the presigned-style ResponseURLs the sandbox hands to custom resources. */
export const CUSTOM_RESOURCE_RESPONSE_PATH = '/cloudformation-custom-resource-response/';

const SIGNING_KEY = randomBytes(32);

function signToken(token: string, expires: string): string {
  return createHmac('sha256', SIGNING_KEY).update(`${token}\n${expires}`).digest('hex');
}

/**
 * A failure of a custom resource, with CloudFormation's status reason. `physicalId` is set when the resource
 * answered FAILED: CloudFormation then sends it a Delete during rollback, since it may have made something.
 */
export class CustomResourceFailure extends Error {
  constructor(
    message: string,
    readonly physicalId?: string,
  ) {
    super(message);
  }
}

/**
 * Receives the PUT a custom resource makes to its ResponseURL (as S3 would for a presigned URL): the
 * signature and expiry in the query must be valid, the body JSON must be a response; the waiting resource is
 * released. Answers S3-style: 200 on success, 403 `AccessDenied` / `SignatureDoesNotMatch` XML otherwise.
 */
export function receiveCustomResourceResponse(
  runtime: SandboxRuntime,
  request: { method: string; url: URL; body: string },
): { status: number; body: string } {
  const token = request.url.pathname.slice(CUSTOM_RESOURCE_RESPONSE_PATH.length);
  const expires = request.url.searchParams.get('Expires') ?? '';
  const signature = request.url.searchParams.get('Signature') ?? '';
  const s3Error = (status: number, code: string, message: string): { status: number; body: string } => ({
    status,
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`,
  });
  if (request.method !== 'PUT')
    return s3Error(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');
  const expected = Buffer.from(signToken(token, expires));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return s3Error(
      403,
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided.',
    );
  }
  if (Number(expires) * 1000 < Date.now()) return s3Error(403, 'AccessDenied', 'Request has expired');
  const resolve = runtime.pendingResponses.get(token);
  if (!resolve) return { status: 200, body: '' }; // a late or repeated response is stored by S3 and ignored by CloudFormation
  let response: CustomResourceResponse;
  try {
    response = JSON.parse(request.body) as CustomResourceResponse;
  } catch {
    response = { Status: 'FAILED', Reason: 'Invalid response object: the response body is not valid JSON.' };
  }
  if (Buffer.byteLength(request.body) > 4096) response = { Status: 'FAILED', Reason: 'Response object is too long.' };
  runtime.pendingResponses.delete(token);
  resolve(response);
  return { status: 200, body: '' };
}

/** Publishes the request to the topic's HTTP(S) subscriber as an SNS Notification (SNS Developer Guide, "HTTP/S notification JSON format"). */
function publishRequest(runtime: SandboxRuntime, url: string, topicArn: string, message: string): Promise<boolean> {
  const messageId = randomUUID();
  return deliverSnsMessage(runtime, url, {
    Type: 'Notification',
    MessageId: messageId,
    TopicArn: topicArn,
    Subject: 'AWS CloudFormation custom resource request',
    Message: message,
    Timestamp: runtime.clock().toISOString(),
    UnsubscribeURL: `${runtime.endpoint}/?Action=Unsubscribe&SubscriptionArn=${topicArn}:${messageId}`,
  });
}

/** Sends one request to a custom resource and waits for its response (or the timeout). */
async function invoke(
  ctx: ProviderContext,
  requestType: 'Create' | 'Update' | 'Delete',
  props: Record<string, unknown>,
  previous?: StackResourceRecord,
): Promise<CustomResourceResponse & { RequestId: string }> {
  if (ctx.runtime.stopping) throw new CustomResourceFailure('The sandbox stopped before the custom resource answered.');
  const serviceToken = String(props.ServiceToken ?? '');
  const sns = /^arn:[a-z-]+:sns:[a-z0-9-]+:\d{12}:[\w-]+$/.test(serviceToken);
  if (!sns)
    throw new CustomResourceFailure(
      `Invalid service token: the sandbox delivers custom resource requests to SNS topics only (${serviceToken})`,
    );
  const requestId = randomUUID();
  const token = randomBytes(18).toString('hex');
  const timeoutMs =
    props.ServiceTimeout !== undefined
      ? Math.min(Number(props.ServiceTimeout) * 1000, ctx.runtime.customResourceTimeoutMs)
      : ctx.runtime.customResourceTimeoutMs;
  const expires = String(Math.floor((Date.now() + Math.max(timeoutMs, 7200_000)) / 1000));
  const responseUrl = `${ctx.runtime.endpoint}${CUSTOM_RESOURCE_RESPONSE_PATH}${token}?AWSAccessKeyId=SANDBOX&Expires=${expires}&Signature=${signToken(token, expires)}`;
  const resourceProperties = { ...props };
  const message = {
    RequestType: requestType,
    ServiceToken: serviceToken,
    ResponseURL: responseUrl,
    StackId: ctx.stack.stackId,
    RequestId: requestId,
    LogicalResourceId: ctx.logicalId,
    ResourceType: ctx.resourceType,
    ResourceProperties: resourceProperties,
    ...(previous ? { PhysicalResourceId: previous.physicalId } : {}),
    ...(requestType === 'Update' && previous ? { OldResourceProperties: previous.properties } : {}),
  };
  const response = new Promise<CustomResourceResponse>((resolve) => {
    const timer = setTimeout(() => {
      ctx.runtime.pendingResponses.delete(token);
      resolve({ Status: 'TIMEOUT' });
    }, timeoutMs);
    ctx.runtime.pendingResponses.set(token, (r) => {
      clearTimeout(timer);
      resolve(r);
    });
  });
  const url = ctx.runtime.subscriptions.get(serviceToken);
  if (url) void publishRequest(ctx.runtime, url, serviceToken, JSON.stringify(message));
  const answer = await response;
  if (ctx.runtime.stopping) throw new CustomResourceFailure('The sandbox stopped before the custom resource answered.');
  if (answer.Status === 'TIMEOUT') {
    throw new CustomResourceFailure(
      `CloudFormation did not receive a response from your Custom Resource. Please check your logs for requestId [${requestId}]. If you are using the Python cfn-response module, you may need to update your Lambda function code so that CloudFormation can attach the updated version.`,
    );
  }
  if (
    answer.StackId !== ctx.stack.stackId ||
    answer.RequestId !== requestId ||
    answer.LogicalResourceId !== ctx.logicalId
  ) {
    throw new CustomResourceFailure(
      `Invalid response object: The response does not match the request (StackId, RequestId and LogicalResourceId must be echoed) (RequestId: ${requestId})`,
    );
  }
  if (answer.Status === 'FAILED') {
    throw new CustomResourceFailure(
      `Received response status [FAILED] from custom resource. Message returned: ${answer.Reason ?? 'See the details in CloudWatch Log Stream'} (RequestId: ${requestId})`,
      answer.PhysicalResourceId ?? requestId,
    );
  }
  if (answer.Status !== 'SUCCESS')
    throw new CustomResourceFailure(
      `Invalid response object: Status must be SUCCESS or FAILED (RequestId: ${requestId})`,
    );
  if (!answer.PhysicalResourceId)
    throw new CustomResourceFailure(`Invalid PhysicalResourceId (RequestId: ${requestId})`);
  return { ...answer, RequestId: requestId };
}

/**
 * `AWS::CloudFormation::CustomResource` and `Custom::*` (CloudFormation User Guide, "Custom resources" and
 * "Custom resource request objects"): the request (RequestType, ResponseURL, StackId, RequestId,
 * LogicalResourceId, ResourceType, ResourceProperties; PhysicalResourceId and OldResourceProperties on
 * Update/Delete) goes to the ServiceToken's SNS topic and is delivered to its HTTP subscription; the
 * resource waits for the PUT to the ResponseURL until ServiceTimeout (default one hour). Ref is the
 * PhysicalResourceId; Fn::GetAtt reads Data.
 */
export const customResourceProvider: ResourceProvider = {
  required: ['ServiceToken'],
  replaceOn: ['ServiceToken'],
  async create(props, ctx) {
    const answer = await invoke(ctx, 'Create', props);
    return { physicalId: answer.PhysicalResourceId!, ref: answer.PhysicalResourceId!, attributes: answer.Data ?? {} };
  },
  async update(previous, props, ctx) {
    const answer = await invoke(ctx, 'Update', props, previous);
    return { physicalId: answer.PhysicalResourceId!, ref: answer.PhysicalResourceId!, attributes: answer.Data ?? {} };
  },
  async delete(resource, ctx) {
    await invoke(ctx, 'Delete', resource.properties, resource);
  },
};

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JSONWebKeySet } from 'jose';
import type { Partition, PolicyDocument } from '@trustgate/core';
import { CLOUDFORMATION_ACTIONS } from './cloudformation/index.ts';
import { CUSTOM_RESOURCE_RESPONSE_PATH, receiveCustomResourceResponse } from './cloudformation/custom-resource.ts';
import { FaultInjector, type FaultRule } from './faults/fault-injector.ts';
import { dispatchOrganizations, isOrganizationsRequest } from './organizations/dispatch-organizations.ts';
import { IAM_ACTIONS } from './iam/index.ts';
import type { SandboxRuntime } from './runtime.ts';
import { isSignedForS3, routeS3, s3RefusalOnSnsPath } from './s3/serve-s3.ts';
import { dispatchQuery } from './server/dispatch-query.ts';
import { listen, readBody } from './server/http-server.ts';
import { StateStore } from './state/state-store.ts';
import { createSnsSigningIdentity } from './sns/sns-signing.ts';
import { snsSigningCertificateUrl } from './sns/deliver-sns.ts';
import { serveSnsHttp } from './sns/serve-sns-http.ts';
import { subscribeWithConfirmation } from './sns/subscriptions.ts';
import { STS_ACTIONS } from './sts/index.ts';

/** Options of {@link startSandbox}. */
export interface SandboxOptions {
  /** TCP port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Number of accounts, each with root credentials; default 3. */
  accounts?: number;
  /** Partition of every ARN the sandbox issues; default `aws`. */
  partition?: Partition;
  /** Model an AWS Organization whose management account is the first account (adds aws:PrincipalOrgID). */
  organization?: boolean;
  /**
   * With `organization`: only the first N accounts are its members (the first is the management account);
   * the others are standalone accounts (AWSOrganizationsNotInUseException) unless `otherOrganizations` takes
   * them. Default: every account is a member.
   */
  organizationMembers?: number;
  /** Sizes of further organizations made of the next accounts after the organization's members (no SCPs). */
  otherOrganizations?: number[];
  /**
   * With `organization`: SCPs attached at the organization root next to AWS's default FullAWSAccess. They
   * govern every member account (root users included) and never the management account, as in AWS.
   */
  serviceControlPolicies?: PolicyDocument[];
  /** JSON file the state is loaded from and saved to after every change. */
  persistFile?: string;
  /** SNS topic ARN -> URL the sandbox POSTs notifications to (custom resource requests). */
  snsEndpoints?: Record<string, string>;
  /**
   * SNS topic ARN -> the topic's `SignatureVersion` attribute: `1` signs deliveries SHA1withRSA, `2`
   * SHA256withRSA. Topics not listed use AWS's default, `1` (SNS Developer Guide, "Verifying the signatures of
   * Amazon SNS messages"). See also {@link Sandbox.setTopicSignatureVersion}.
   */
  snsTopicSignatureVersions?: Record<string, '1' | '2'>;
  /** How long a custom resource waits for its response; default 3,600,000 ms (AWS's one hour). */
  customResourceTimeoutMs?: number;
  /** OIDC issuer URL -> its JWKS, or a URL to fetch the JWKS from (instead of OIDC discovery over HTTPS). */
  oidcJwks?: Record<string, JSONWebKeySet | string>;
  /**
   * OIDC issuer URL (https, no port, as registered in IAM) -> the http origin on loopback serving it, as DNS and a TLS
   * front would in AWS: its discovery document and its JWKS (a `jwks_uri` on the issuer's origin) are fetched there
   * over HTTP. E.g. `{ 'https://id.trustgate.test': 'http://127.0.0.1:8080' }`.
   */
  oidcIssuerOrigins?: Record<string, string>;
  /** How long (ms) a JWKS fetched over HTTP is reused before it is fetched again; default 600,000 (jose's). */
  oidcKeyCacheMs?: number;
  /**
   * IAM is eventually consistent: a new role (or a changed trust policy) may not be assumable for some
   * seconds (IAM User Guide, "Changes that I make are not always immediately visible"). With a delay, AssumeRole
   * is denied as for an untrusted caller until the delay has passed. Default 0 (immediately consistent).
   */
  propagationDelayMs?: number;
  /** The sandbox's clock; default the system clock. Tests pass a movable clock to expire sessions. */
  clock?: () => Date;
  /**
   * Fault rules in force from the first call, in this order (as if given to {@link Sandbox.faults}'s `inject`;
   * more can be added and all cleared there later). E.g. every AssumeRole without an ExternalId throttled:
   * `[{ service: 'sts', action: 'AssumeRole', kind: 'throttle', count: Infinity, when: { param: 'ExternalId', absent: true } }]`.
   */
  faults?: FaultRule[];
}

/** An account of the sandbox with its root credentials. */
export interface SandboxAccount {
  accountId: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/** A running sandbox. */
export interface Sandbox {
  /** `http://127.0.0.1:<port>`: the endpoint override for the SDK and `aws --endpoint-url`. */
  endpoint: string;
  /** The region the sandbox reports (the partition's default region). */
  region: string;
  accounts: SandboxAccount[];
  /** Fault injection: `inject` a {@link FaultRule} (or start with {@link SandboxOptions.faults}), `clear`, read `injected`. */
  faults: FaultInjector;
  /**
   * The URL of the certificate SNS deliveries are signed with (`SigningCertURL`, served over plain HTTP by the
   * sandbox). A subscriber that verifies SNS signatures trusts exactly this URL — no other path, query string or
   * fragment — where it would trust `https://sns.<region>.amazonaws.com/` (trustgate's server:
   * `isCertificateUrl(sandbox.snsSigningCertificateUrl)`).
   */
  snsSigningCertificateUrl: string;
  /** Sets a topic's `SignatureVersion` attribute (SNS's SetTopicAttributes): later deliveries are signed with it. */
  setTopicSignatureVersion(topicArn: string, version: '1' | '2'): void;
  /**
   * Subscribes a URL to an SNS topic (HTTP(S) subscription: notifications are POSTed to it). With
   * `confirm: true` it is done as SNS does: a signed SubscriptionConfirmation is POSTed, no notification is
   * delivered until the endpoint visits its SubscribeURL, and the promise resolves then (rejects after
   * `timeoutMs`, default 15 s). Without it the subscription is active at once.
   */
  subscribe(topicArn: string, url: string, options?: { confirm?: boolean; timeoutMs?: number }): Promise<void>;
  /**
   * Serves an OIDC issuer from a loopback origin from now on, as {@link SandboxOptions.oidcIssuerOrigins} does from the
   * start (for an issuer whose port is known only once it listens).
   */
  routeOidcIssuer(issuer: string, origin: string): void;
  /** Stops the server, waits for running stack operations to settle and saves the state. */
  stop(): Promise<void>;
}

const SERVICES = { sts: STS_ACTIONS, iam: IAM_ACTIONS, cloudformation: CLOUDFORMATION_ACTIONS };

/**
 * Starts an AWS-compatible sandbox serving STS, IAM, CloudFormation (AWS Query protocol), Organizations (AWS JSON), S3 (REST) and SNS delivery with
 * SigV4 on 127.0.0.1. Unmodified AWS SDK v3 clients and the AWS CLI use it through an endpoint override.
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const faults = new FaultInjector();
  for (const rule of options.faults ?? []) faults.inject(rule); // a malformed rule throws before anything starts
  const store = StateStore.open({
    accounts: options.accounts ?? 3,
    partition: options.partition ?? 'aws',
    organization: options.organization ?? false,
    ...(options.organizationMembers === undefined ? {} : { organizationMembers: options.organizationMembers }),
    ...(options.otherOrganizations === undefined ? {} : { otherOrganizations: options.otherOrganizations }),
    ...(options.serviceControlPolicies ? { serviceControlPolicies: options.serviceControlPolicies } : {}),
    ...(options.persistFile ? { persistFile: options.persistFile } : {}),
  });
  const runtime: SandboxRuntime = {
    store,
    endpoint: '',
    faults,
    subscriptions: new Map(Object.entries(options.snsEndpoints ?? {})),
    snsSigning: await createSnsSigningIdentity(),
    snsTopicSignatureVersions: new Map(Object.entries(options.snsTopicSignatureVersions ?? {})),
    pendingSubscriptions: new Map(),
    customResourceTimeoutMs: options.customResourceTimeoutMs ?? 3_600_000,
    oidcJwks: options.oidcJwks ?? {},
    oidcIssuerOrigins: options.oidcIssuerOrigins ?? {},
    oidcKeyCacheMs: options.oidcKeyCacheMs ?? 600_000,
    oidcRemoteKeySets: new Map(),
    pendingResponses: new Map(),
    clock: options.clock ?? (() => new Date()),
    stopping: false,
    propagationDelayMs: options.propagationDelayMs ?? 0,
    background: new Set(),
  };
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const rawBody = await readBody(req);
    const body = rawBody.toString('utf8');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname.startsWith(CUSTOM_RESOURCE_RESPONSE_PATH)) {
      const result = receiveCustomResourceResponse(runtime, { method: req.method ?? 'GET', url, body });
      res.writeHead(result.status, { 'content-type': 'application/xml' });
      res.end(result.body);
      return;
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
    }
    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams) query[k] = v;
    // The sandbox's SNS paths (signing certificate, SubscribeURL) come first, signed or not: a request signed for
    // S3 naming a bucket `sns` must not serve an object where subscribers fetch SNS's certificate. (What SNS does
    // not answer there with a certificate is refused to an S3 caller with S3's error document.)
    const sns = serveSnsHttp(runtime, { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams });
    if (sns !== undefined) {
      const answer =
        sns.status !== 200 && isSignedForS3(headers, query) ? s3RefusalOnSnsPath(req.method ?? 'GET') : sns;
      res.writeHead(answer.status, answer.headers);
      res.end(answer.body);
      return;
    }
    // Other protocols (AWS JSON, REST) and plain HTTP paths are routed here, before the Query protocol.
    // S3 over the REST protocol (path-style): requests signed for service s3, or unsigned ones naming a sandbox bucket.
    if (await routeS3(runtime, req, res, { headers, query, body, rawBody })) return;
    if (isOrganizationsRequest(req.method ?? 'POST', headers)) {
      const org = await dispatchOrganizations({
        runtime,
        request: { method: 'POST', path: url.pathname, query, headers, body },
        sourceIp: req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
      });
      if (org.hang) return;
      res.writeHead(org.status, { ...org.headers, 'content-length': Buffer.byteLength(org.body) });
      res.end(org.body);
      return;
    }
    const response = await dispatchQuery({
      runtime,
      services: SERVICES,
      request: { method: req.method ?? 'POST', path: url.pathname, query, headers, body },
      sourceIp: req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
    });
    if (response.hang) return; // an injected timeout: the connection stays open until the client gives up
    res.writeHead(response.status, { ...response.headers, 'content-length': Buffer.byteLength(response.body) });
    res.end(response.body);
  };
  const server = await listen(options.port ?? 0, handle);
  runtime.endpoint = `http://127.0.0.1:${server.port}`;
  return {
    endpoint: runtime.endpoint,
    region: store.state.region,
    accounts: Object.values(store.state.accounts).map((a) => ({
      accountId: a.accountId,
      accessKeyId: a.rootAccessKeyId,
      secretAccessKey: a.rootSecretAccessKey,
    })),
    faults: runtime.faults,
    snsSigningCertificateUrl: snsSigningCertificateUrl(runtime),
    setTopicSignatureVersion: (topicArn, version) => {
      runtime.snsTopicSignatureVersions.set(topicArn, version);
    },
    routeOidcIssuer: (issuer, origin) => {
      runtime.oidcIssuerOrigins[issuer] = origin;
    },
    subscribe: async (topicArn, url, subscribeOptions = {}) => {
      if (subscribeOptions.confirm === true)
        return subscribeWithConfirmation(runtime, topicArn, url, subscribeOptions.timeoutMs);
      runtime.subscriptions.set(topicArn, url);
    },
    stop: async () => {
      runtime.stopping = true;
      for (const resolve of runtime.pendingResponses.values())
        resolve({ Status: 'FAILED', Reason: 'The sandbox stopped.' });
      for (const pending of runtime.pendingSubscriptions.values()) pending.abandon();
      await server.close();
      await Promise.allSettled([...runtime.background]);
      store.save();
    },
  };
}

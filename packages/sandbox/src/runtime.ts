import type { JSONWebKeySet, JWTVerifyGetKey } from 'jose';
import type { ContextValue } from '@trustgate/core';
import type { Caller } from './auth/caller.ts';
import type { FaultInjector } from './faults/fault-injector.ts';
import type { QueryParams } from './protocol/query-params.ts';
import type { ServiceName, XmlValue } from './protocol/xml.ts';
import type { AccountState } from './state/model.ts';
import type { SnsSigningIdentity } from './sns/sns-signing.ts';
import type { PendingSubscription } from './sns/subscriptions.ts';
import type { StateStore } from './state/state-store.ts';

/** A custom-resource response received on a ResponseURL (the JSON CloudFormation expects). */
export interface CustomResourceResponse {
  Status?: string;
  Reason?: string;
  PhysicalResourceId?: string;
  StackId?: string;
  RequestId?: string;
  LogicalResourceId?: string;
  NoEcho?: boolean;
  Data?: Record<string, unknown>;
}

/** Everything a running sandbox shares between requests. */
export interface SandboxRuntime {
  store: StateStore;
  /** `http://127.0.0.1:<port>` once listening. */
  endpoint: string;
  faults: FaultInjector;
  /** SNS topic ARN -> URL the sandbox POSTs notifications to. */
  subscriptions: Map<string, string>;
  /** The key and certificate SNS deliveries are signed with. */
  snsSigning: SnsSigningIdentity;
  /** Topic ARN -> its `SignatureVersion` attribute; a topic not listed signs with AWS's default, 1 (SHA1withRSA). */
  snsTopicSignatureVersions: Map<string, '1' | '2'>;
  /** SubscriptionConfirmation token -> the subscription waiting for its SubscribeURL to be visited. */
  pendingSubscriptions: Map<string, PendingSubscription>;
  customResourceTimeoutMs: number;
  /** OIDC issuer URL -> its JWKS, or a URL to fetch the JWKS from. */
  oidcJwks: Record<string, JSONWebKeySet | string>;
  /** OIDC issuer URL (https, as IAM names it) -> the http origin on loopback that serves it. */
  oidcIssuerOrigins: Record<string, string>;
  /** How long (ms) a JWKS fetched over HTTP is reused before it is fetched again. */
  oidcKeyCacheMs: number;
  /** JWKS URL -> its remote key set (fetched and cached by jose), per sandbox. */
  oidcRemoteKeySets: Map<string, JWTVerifyGetKey>;
  /** ResponseURL token -> the resolver waiting for the custom resource's PUT. */
  pendingResponses: Map<string, (response: CustomResourceResponse) => void>;
  /** Modelled IAM propagation delay: a role's new trust policy applies this long after it was set. */
  propagationDelayMs: number;
  /** Set by stop(): custom resources fail at once instead of waiting. */
  stopping: boolean;
  /** The sandbox's clock (tests may move it forward to expire credentials). */
  clock: () => Date;
  /** Stack operations running in the background (CloudFormation is asynchronous). */
  background: Set<Promise<unknown>>;
}

/** One Query request being served. */
export interface RequestContext {
  runtime: SandboxRuntime;
  caller: Caller;
  /** The caller's account. */
  account: AccountState;
  params: QueryParams;
  service: ServiceName;
  action: string;
  region: string;
  requestId: string;
  now: Date;
  sourceIp: string;
}

/** What an action returns: the fields of `<ActionResult>`, or undefined for an empty result. */
export type ActionResult = Record<string, XmlValue> | undefined;

/** One served action of a service. */
export interface ActionSpec {
  handler: (ctx: RequestContext) => ActionResult | Promise<ActionResult>;
  /**
   * The IAM action and resource ARN the call is authorized for (Service Authorization Reference);
   * undefined when the action needs no authorization (`sts:GetCallerIdentity`) or decides itself (`sts:AssumeRole`).
   */
  authorize?: (ctx: RequestContext) => { action: string; resource: string; context?: Record<string, ContextValue> };
  /** True when the action may be called without a signature (`AssumeRoleWithWebIdentity`). */
  unsigned?: boolean;
}

/** A service's action table. */
export type ServiceActions = Record<string, ActionSpec>;

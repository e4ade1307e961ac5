import type { Finding, Partition, PolicyDocument } from '@trustgate/core';
import type { Connection, ConnectionSelection, IssuedPolicy } from '../../model/records.ts';

/** The deliverable formats a connection offers. */
export const DELIVERABLE_FORMATS = ['json', 'cloudformation-json', 'cloudformation-yaml', 'quick-create-link', 'stackset', 'terraform', 'cli'] as const;

/** One deliverable format. */
export type DeliverableFormat = (typeof DELIVERABLE_FORMATS)[number];

/** Every deliverable of a connection, rendered. */
export interface ConnectionDeliverables {
  trustPolicy: PolicyDocument;
  permissionPolicies: { name: string; document: PolicyDocument }[];
  managedPolicyArns: string[];
  /** Format -> text (JSON, YAML, HCL, bash, or a URL). */
  formats: Record<DeliverableFormat, string>;
  /** Console links that open "update stack" with the current template, for stacks known to have created a role. */
  updateStackLinks: { accountId: string; stackId: string; link: string }[];
  warnings: Finding[];
}

/** A parsed, validated catalog (opaque to the server: only the toolkit reads it). */
export interface ParsedCatalog {
  name: string;
  version: number;
  /** The core catalog object. */
  catalog: unknown;
}

/** Inputs to compile a connection's permissions. */
export interface CompileConnectionInput {
  catalog: ParsedCatalog;
  selection: ConnectionSelection;
  partition: Partition;
  accountId?: string;
  region?: string;
  extraActions: string[];
  managedPolicies: string[];
  /** Prefix of the customer managed policies' names (unique per role, so two connections in one account do not collide). */
  namePrefix: string;
}

/** Inputs to render a connection's deliverables. */
export interface RenderDeliverablesInput {
  connection: Connection;
  /** The platform identity the trust policy names in the connection's partition. */
  platform: { accountId: string; roleArn?: string };
  /** Automatic mode: the custom resource's SNS topic and properties. */
  callback?: { serviceToken: string; properties: Record<string, string> };
  /** Where a quick-create link points for the template (the service's template URL). */
  templateUrl: string;
  /** Stacks known to have created the connection's roles (from automatic-mode callbacks). */
  stacks?: { accountId: string; stackId: string }[];
}

/**
 * The narrow port to core's pure functions the connection use cases need: parse/validate catalogs, compile
 * policies, render deliverables. The default implementation ({@link coreConnectionToolkit}) calls
 * `@trustgate/core`; nothing here does I/O.
 */
export interface ConnectionToolkit {
  /** Parses and validates catalog text; findings with severity `error` make it unusable. */
  parseCatalog(input: { source: string; fileName: string; name: string; version: number }): Promise<{ catalog?: ParsedCatalog; findings: Finding[] }>;
  /** Compiles the connection's permissions (throws TrustgateError INVALID_SELECTION, POLICY_TOO_LARGE, ...). */
  compile(input: CompileConnectionInput): Promise<IssuedPolicy & { warnings: Finding[] }>;
  /** Renders every deliverable. */
  render(input: RenderDeliverablesInput): Promise<ConnectionDeliverables>;
  /**
   * Only the console links that depend on where the template is hosted (quick-create, update-stack), so a
   * template published after rendering does not re-render every format.
   */
  consoleLinks(input: Pick<RenderDeliverablesInput, 'connection' | 'templateUrl' | 'stacks'>): Pick<ConnectionDeliverables, 'updateStackLinks'> & { quickCreateLink: string };
  /** A new unguessable external ID. */
  newExternalId(): string;
}

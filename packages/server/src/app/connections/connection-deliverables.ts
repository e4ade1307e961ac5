import { TrustgateError } from '@trustgate/core';
import { callbackToken } from '../../auth/callback-token.ts';
import type { Connection } from '../../model/records.ts';
import { platformFor, type ConnectionDeps } from '../deps.ts';
import { subjectTemplatesOf } from '../identity/subject-templates.ts';
import { hostTemplate, serviceTemplateUrl } from './host-template.ts';
import {
  consoleLinks,
  renderDeliverables,
  type ConnectionDeliverables,
  type RenderDeliverablesInput,
} from './render-deliverables.ts';

/** A connection's deliverables rendered with the service's own template URL, not yet published to S3. */
export interface UnpublishedDeliverables {
  input: Omit<RenderDeliverablesInput, 'templateUrl'>;
  rendered: ConnectionDeliverables;
}

/** Renders (pure) a connection's deliverables, with the one-time callback custom resource in automatic mode. */
export async function renderUnpublished(deps: ConnectionDeps, c: Connection): Promise<UnpublishedDeliverables> {
  const oidc = c.trust.kind === 'oidc';
  if (oidc && deps.identity === undefined)
    throw new TrustgateError(
      'INVALID_INPUT',
      "trust: this service has no OIDC issuer configured, so an OIDC connection's role cannot be rendered.",
      { field: 'trust' },
    );
  const platform = oidc ? deps.platforms[c.partition] : platformFor(deps, c.partition);
  const callback =
    c.mode === 'automatic' && c.callbackNonce !== null && platform?.callbackTopicArn !== undefined
      ? {
          serviceToken: platform.callbackTopicArn,
          properties: { ConnectionId: c.id, CallbackToken: callbackToken(deps.callbackSecret, c.id, c.callbackNonce) },
        }
      : undefined;
  const stacks = (await deps.store.connections.listRoles(c.id)).flatMap((r) =>
    r.details?.stackId === undefined ? [] : [{ accountId: r.accountId, stackId: r.details.stackId }],
  );
  const input = {
    connection: c,
    stacks,
    ...(oidc
      ? {
          oidcIssuer: deps.identity?.issuerUrl,
          oidcSubjectTemplates: (await subjectTemplatesOf(deps, c.organizationId)).trusted,
        }
      : {
          platform: {
            accountId: platformFor(deps, c.partition).accountId,
            ...(platform?.roleArn === undefined ? {} : { roleArn: platform.roleArn }),
          },
        }),
    ...(callback === undefined ? {} : { callback }),
  };
  return { input, rendered: renderDeliverables({ ...input, templateUrl: serviceTemplateUrl(deps, c.id) }) };
}

/** Publishes the rendered CloudFormation template to S3, then points the console links at its presigned URL. */
export async function publishDeliverables(
  deps: ConnectionDeps,
  c: Connection,
  unpublished: UnpublishedDeliverables,
): Promise<ConnectionDeliverables> {
  const { input, rendered } = unpublished;
  const hosted = await hostTemplate(deps, c, rendered.formats['cloudformation-yaml']);
  const warnings = [...rendered.warnings, ...hosted.warnings];
  if (hosted.templateUrl === serviceTemplateUrl(deps, c.id)) return { ...rendered, warnings };
  const links = consoleLinks({
    connection: input.connection,
    templateUrl: hosted.templateUrl,
    ...(input.stacks === undefined ? {} : { stacks: input.stacks }),
  });
  return {
    ...rendered,
    formats: { ...rendered.formats, 'quick-create-link': links.quickCreateLink },
    updateStackLinks: links.updateStackLinks,
    warnings,
  };
}

/**
 * Renders a connection's deliverables, with the one-time callback custom resource in automatic mode: render
 * (pure), publish the CloudFormation template to S3, then render the links with its presigned URL.
 */
export async function renderConnectionDeliverables(
  deps: ConnectionDeps,
  c: Connection,
): Promise<ConnectionDeliverables> {
  return publishDeliverables(deps, c, await renderUnpublished(deps, c));
}

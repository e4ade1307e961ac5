import { z } from 'zod';
import { TrustgateError } from '@trustgate/core';
import {
  createConnection,
  deleteConnection,
  getConnection,
  getDeliverables,
  listConnections,
  rotateExternalId,
  updateConnection,
  type CreateConnectionInput,
} from '../../app/connections/connections.ts';
import type { DeliverableFormat } from '../../app/connections/render-deliverables.ts';
import { verifyConnection } from '../../app/connections/verify-connection.ts';
import type { AppContext } from '../app-context.ts';
import type { AddRoute } from '../zod-route.ts';
import * as s from '../schemas.ts';

const CONTENT_TYPES: Record<DeliverableFormat, string> = {
  json: 'application/json',
  'cloudformation-json': 'application/json',
  'cloudformation-yaml': 'application/yaml',
  'quick-create-link': 'text/plain',
  stackset: 'application/json',
  terraform: 'text/plain',
  cli: 'text/x-shellscript',
};

/** Parses `label=key:value` filters (connections and stacks). */
export function labelFilter(label: string | string[] | undefined): Record<string, string> | undefined {
  if (label === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const item of Array.isArray(label) ? label : [label]) {
    const at = item.indexOf(':');
    if (at <= 0) throw new TrustgateError('INVALID_INPUT', 'A label filter is key:value.', { field: 'label' });
    out[item.slice(0, at)] = item.slice(at + 1);
  }
  return out;
}

/** Connections: create, list, get, update, deliverables, verify, rotate, delete. */
export function registerConnectionRoutes(route: AddRoute, ctx: AppContext): void {
  const deps = ctx.deps;

  route({
    method: 'POST',
    url: '/v1/connections',
    summary: 'Create a connection: external ID and every deliverable',
    tags: ['connections'],
    status: 201,
    body: s.createConnectionBody,
    response: s.createdConnectionView,
    async handler({ principal, body }) {
      return createConnection(deps, principal, body as CreateConnectionInput);
    },
  });
  route({
    method: 'GET',
    url: '/v1/connections',
    summary: 'Connections the caller can see, filtered by status, space and labels',
    tags: ['connections'],
    query: s.listConnectionsQuery,
    response: z.array(s.connectionView),
    async handler({ principal, query }) {
      const labels = labelFilter(query.label);
      return listConnections(deps, principal, {
        ...(query.status === undefined ? {} : { status: query.status }),
        ...(query.space === undefined ? {} : { spaceId: query.space }),
        ...(labels === undefined ? {} : { labels }),
      });
    },
  });
  route({
    method: 'GET',
    url: '/v1/connections/:id',
    summary: 'One connection with its roles and pending changes',
    tags: ['connections'],
    params: s.idParams,
    response: s.connectionView,
    async handler({ principal, params }) {
      return getConnection(deps, principal, params.id);
    },
  });
  route({
    method: 'PATCH',
    url: '/v1/connections/:id',
    summary: 'Change a connection (selection changes make it needs-update with a diff)',
    tags: ['connections'],
    params: s.idParams,
    body: s.updateConnectionBody,
    response: s.updatedConnectionView,
    async handler({ principal, params, body }) {
      return updateConnection(deps, principal, params.id, body as Parameters<typeof updateConnection>[3]);
    },
  });
  route({
    method: 'DELETE',
    url: '/v1/connections/:id',
    summary: 'Delete a connection (owners)',
    tags: ['connections'],
    params: s.idParams,
    response: s.okView,
    async handler({ principal, params }) {
      await deleteConnection(deps, principal, params.id);
      return { ok: true as const };
    },
  });
  route({
    method: 'GET',
    url: '/v1/connections/:id/deliverables',
    summary: 'Every deliverable of a connection',
    tags: ['connections'],
    params: s.idParams,
    response: s.deliverablesView,
    async handler({ principal, params }) {
      return getDeliverables(deps, principal, params.id);
    },
  });
  route({
    method: 'GET',
    url: '/v1/connections/:id/deliverables/:format',
    summary: 'One deliverable as a file',
    tags: ['connections'],
    params: s.formatParams,
    response: z.string(),
    async handler({ principal, params, reply }) {
      const deliverables = await getDeliverables(deps, principal, params.id);
      const text = deliverables.formats[params.format];
      if (text === undefined)
        throw new TrustgateError(
          'INVALID_INPUT',
          `format: ${params.format} is not offered for an OIDC connection yet (it would not create the IAM OIDC provider); use cloudformation-json, cloudformation-yaml or json.`,
          { field: 'format' },
        );
      reply.header('content-type', `${CONTENT_TYPES[params.format]}; charset=utf-8`);
      return text;
    },
  });
  route({
    method: 'POST',
    url: '/v1/connections/:id/verify',
    summary: 'Verify the role for real (paste its ARN; without, re-verify known roles)',
    tags: ['connections'],
    params: s.idParams,
    body: s.verifyBody,
    response: s.connectionView,
    async handler({ principal, params, body }) {
      return verifyConnection(deps, principal, params.id, {
        ...(body.roleArn === undefined ? {} : { roleArn: body.roleArn }),
        ...(body.stackId === undefined ? {} : { stackId: body.stackId }),
      });
    },
  });
  route({
    method: 'POST',
    url: '/v1/connections/:id/rotate-external-id',
    summary: 'Rotate the external ID (old and new accepted until verified)',
    tags: ['connections'],
    params: s.idParams,
    response: s.connectionView,
    async handler({ principal, params }) {
      return rotateExternalId(deps, principal, params.id);
    },
  });
}

import { z } from 'zod';
import {
  createAttachment,
  deleteAttachment,
  listAttachments,
  reverifyAttachment,
  type CreateAttachmentInput,
} from '../../app/broker/attachments.ts';
import { updateAttachment, type UpdateAttachmentInput } from '../../app/broker/update-attachment.ts';
import { createStack, deleteStack, getStack, listStacks, updateStack } from '../../app/broker/stacks.ts';
import type { AppContext } from '../app-context.ts';
import * as b from '../broker-schemas.ts';
import { okView } from '../schemas.ts';
import type { AddRoute } from '../zod-route.ts';
import { labelFilter } from './connection-routes.ts';

/** Stacks of the credential broker and their attachments to connections (issue 12). */
export function registerStackRoutes(route: AddRoute, ctx: AppContext): void {
  const deps = ctx.deps;

  route({
    method: 'POST',
    url: '/v1/stacks',
    summary: 'Create a stack (a platform workload) in the organization',
    tags: ['stacks'],
    status: 201,
    body: b.createStackBody,
    response: b.stackView,
    async handler({ principal, body }) {
      return createStack(deps, principal, body);
    },
  });
  route({
    method: 'GET',
    url: '/v1/stacks',
    summary: 'Stacks of the organization, filtered by space and labels',
    tags: ['stacks'],
    query: b.listStacksQuery,
    response: z.array(b.stackView),
    async handler({ principal, query }) {
      const labels = labelFilter(query.label);
      return listStacks(deps, principal, {
        ...(query.space === undefined ? {} : { spaceId: query.space }),
        ...(labels === undefined ? {} : { labels }),
      });
    },
  });
  route({
    method: 'GET',
    url: '/v1/stacks/:id',
    summary: 'One stack',
    tags: ['stacks'],
    params: b.stackParams,
    response: b.stackView,
    async handler({ principal, params }) {
      return getStack(deps, principal, params.id);
    },
  });
  route({
    method: 'PATCH',
    url: '/v1/stacks/:id',
    summary: "Change a stack's name, labels or space (its slug cannot change)",
    tags: ['stacks'],
    params: b.stackParams,
    body: b.updateStackBody,
    response: b.stackView,
    async handler({ principal, params, body }) {
      return updateStack(deps, principal, params.id, body);
    },
  });
  route({
    method: 'DELETE',
    url: '/v1/stacks/:id',
    summary: 'Delete a stack and its attachments',
    tags: ['stacks'],
    params: b.stackParams,
    response: okView,
    async handler({ principal, params }) {
      await deleteStack(deps, principal, params.id);
      return { ok: true as const };
    },
  });
  route({
    method: 'POST',
    url: '/v1/stacks/:id/attachments',
    summary:
      'Attach a connection to the stack: verified first (each phase assumed with its external ID, refused without one); 422 VERIFICATION_FAILED with checks and fix hints, nothing stored',
    tags: ['stacks'],
    status: 201,
    params: b.stackParams,
    body: b.createAttachmentBody,
    response: b.attachmentView,
    async handler({ principal, params, body }) {
      return createAttachment(deps, principal, params.id, body as CreateAttachmentInput);
    },
  });
  route({
    method: 'GET',
    url: '/v1/stacks/:id/attachments',
    summary: "The stack's attachments (to connections the caller can see)",
    tags: ['stacks'],
    params: b.stackParams,
    response: z.array(b.attachmentView),
    async handler({ principal, params }) {
      return listAttachments(deps, principal, params.id);
    },
  });
  route({
    method: 'PATCH',
    url: '/v1/stacks/:id/attachments/:attachmentId',
    summary:
      "Change an attachment's settings (not its stack or connection): a change that asks the role for more (a phase, an account, a longer duration, another region, the read-only policy, assume on worker) is verified first, as attaching is; 422 VERIFICATION_FAILED with checks and fix hints, nothing changed",
    tags: ['stacks'],
    params: b.attachmentParams,
    body: b.updateAttachmentBody,
    response: b.attachmentView,
    async handler({ principal, params, body }) {
      return updateAttachment(deps, principal, params.id, params.attachmentId, body as UpdateAttachmentInput);
    },
  });
  route({
    method: 'DELETE',
    url: '/v1/stacks/:id/attachments/:attachmentId',
    summary: 'Detach a connection from the stack',
    tags: ['stacks'],
    params: b.attachmentParams,
    response: okView,
    async handler({ principal, params }) {
      await deleteAttachment(deps, principal, params.id, params.attachmentId);
      return { ok: true as const };
    },
  });
  route({
    method: 'POST',
    url: '/v1/stacks/:id/attachments/:attachmentId/verify',
    summary: 'Verify an attachment again; the result (failed checks with fix hints) is stored',
    tags: ['stacks'],
    params: b.attachmentParams,
    response: b.attachmentView,
    async handler({ principal, params }) {
      return reverifyAttachment(deps, principal, params.id, params.attachmentId);
    },
  });
}

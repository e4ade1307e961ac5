import { z } from 'zod';
import { listCatalogs, uploadCatalog } from '../../app/catalogs/catalogs.ts';
import type { AppContext } from '../app-context.ts';
import type { AddRoute } from '../zod-route.ts';
import * as s from '../schemas.ts';

/** Catalogs: uploaded (validated first) and listed. */
export function registerCatalogRoutes(route: AddRoute, ctx: AppContext): void {
  const deps = ctx.deps;

  route({
    method: 'GET', url: '/v1/catalogs', summary: 'Catalogs of the organization (newest versions)', tags: ['catalogs'], response: z.array(s.catalogView),
    async handler({ principal }) {
      return listCatalogs(deps, principal);
    },
  });
  route({
    method: 'POST', url: '/v1/catalogs', summary: 'Upload a catalog version (validated first; admins)', tags: ['catalogs'], status: 201, bodyLimit: 4 * 1024 * 1024,
    body: s.uploadCatalogBody, response: s.uploadedCatalogView,
    async handler({ principal, body }) {
      return uploadCatalog(deps, principal, body);
    },
  });
}

import { z } from 'zod';
import { CATALOG_LIMITS } from '@trustgate/core';
import { listCatalogs, uploadCatalog } from '../../app/catalogs/catalogs.ts';
import { CATALOG_CHECK_DEADLINE_MS } from '../../app/catalogs/parse-in-worker.ts';
import type { AppContext } from '../app-context.ts';
import type { AddRoute } from '../zod-route.ts';
import * as s from '../schemas.ts';

const n = (value: number): string => value.toLocaleString('en-US');
const L = CATALOG_LIMITS;

/** The upload body's description in the API document: the limits a catalog must keep (core's CATALOG_LIMITS). */
export const UPLOAD_CATALOG_DESCRIPTION =
  "A catalog (YAML, or JSON, in `source`) is checked before anything is stored, off the service's event loop. " +
  'It is refused with 422 INVALID_CATALOG and findings that name the place and the problem; a finding with code ' +
  `CATALOG_LIMIT names the limit of CATALOG_LIMITS it is over. Limits: at most ${n(L.sourceLength)} characters; ` +
  `collections nested ${L.depth} deep; ${n(L.mappingKeys)} keys in one mapping; ${L.products} products; ` +
  `${n(L.integrations)} integrations; ${n(L.actions)} action entries, of which ${n(L.wildcardActions)} with a wildcard ` +
  `and ${L.serviceWildcards} with a wildcard service prefix, each at most ${L.actionLength} characters with ` +
  `${L.actionWildcards} wildcards; resource ARN templates and condition values of at most ${n(L.templateLength)} ` +
  `characters with ${L.templateVariables} variables. Aliases (\`*name\`) are refused (CATALOG_ALIAS). At most ` +
  `${L.errors} errors are reported. A catalog whose check takes longer than ${CATALOG_CHECK_DEADLINE_MS / 1000} s is ` +
  'refused too.';

/** Catalogs: uploaded (validated first) and listed. */
export function registerCatalogRoutes(route: AddRoute, ctx: AppContext): void {
  const deps = ctx.deps;

  route({
    method: 'GET',
    url: '/v1/catalogs',
    summary: 'Catalogs of the organization (newest versions)',
    tags: ['catalogs'],
    response: z.array(s.catalogView),
    async handler({ principal }) {
      return listCatalogs(deps, principal);
    },
  });
  route({
    method: 'POST',
    url: '/v1/catalogs',
    summary: 'Upload a catalog version (validated first, within CATALOG_LIMITS; admins)',
    tags: ['catalogs'],
    status: 201,
    bodyLimit: 4 * 1024 * 1024,
    body: s.uploadCatalogBody.describe(UPLOAD_CATALOG_DESCRIPTION),
    response: s.uploadedCatalogView,
    async handler({ principal, body }) {
      return uploadCatalog(deps, principal, body);
    },
  });
}

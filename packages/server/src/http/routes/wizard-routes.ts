import { catalogTree } from '../../app/catalogs/catalog-tree.ts';
import { searchActions } from '../../app/catalogs/search-actions.ts';
import { previewPolicy, type PolicyPreviewInput } from '../../app/connections/preview-policy.ts';
import type { AppContext } from '../app-context.ts';
import type { AddRoute } from '../zod-route.ts';
import * as w from '../wizard-schemas.ts';

/** What the console's connect wizard reads: the catalog as a tree, a live policy preview, AWS's actions. */
export function registerWizardRoutes(route: AddRoute, ctx: AppContext): void {
  const deps = ctx.deps;

  route({
    method: 'GET',
    url: '/v1/catalog-tree',
    summary: 'A catalog as products, integrations and their statements (the default catalog without catalogName)',
    tags: ['catalogs'],
    query: w.catalogTreeQuery,
    response: w.catalogTreeView,
    async handler({ principal, query }) {
      return catalogTree(deps, principal, query.catalogName ?? null);
    },
  });
  route({
    method: 'POST',
    url: '/v1/policy-preview',
    summary: "A would-be connection's compiled permissions and AWS's limits, as a create compiles them; stores nothing",
    tags: ['connections'],
    body: w.policyPreviewBody,
    response: w.policyPreviewView,
    async handler({ principal, body }) {
      return previewPolicy(deps, principal, body as PolicyPreviewInput);
    },
  });
  route({
    method: 'GET',
    url: '/v1/actions',
    summary: "AWS's IAM actions by name prefix, a page at a time (autocomplete; the same list in every partition)",
    tags: ['catalogs'],
    query: w.actionsQuery,
    response: w.actionsView,
    async handler({ query }) {
      return searchActions({
        prefix: query.prefix,
        limit: query.limit,
        ...(query.after === undefined ? {} : { after: query.after }),
      });
    },
  });
}

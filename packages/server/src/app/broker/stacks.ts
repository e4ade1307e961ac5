import { STACK_SLUG_PATTERN, TrustgateError } from '@trustgate/core';
import { accessLevelOf } from '../../auth/connection-access.ts';
import { requireScope, type Principal } from '../../auth/principal.ts';
import type { Stack } from '../../model/broker-records.ts';
import { accessAtLeast } from '../../model/records.ts';
import { newId, nowIso } from '../../store/new-id.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { ConnectionDeps } from '../deps.ts';

/** Input of {@link createStack}. */
export interface CreateStackInput {
  slug: string;
  name: string;
  spaceId?: string | null;
  labels?: Record<string, string>;
}

/** What {@link updateStack} may change (the slug may be given only unchanged: it is part of scoped external IDs). */
export type UpdateStackInput = Partial<CreateStackInput>;

/** What the API shows of a stack. */
export type StackView = Omit<Stack, 'organizationId'>;

/** The public view of a stack. */
export function toStackView(stack: Stack): StackView {
  const { organizationId: _organizationId, ...view } = stack;
  return view;
}

/** The same NOT_FOUND for a missing stack and another organization's. */
export function noSuchStack(): TrustgateError {
  return new TrustgateError('NOT_FOUND', 'No such stack.', { field: 'stackId' });
}

function checkSlug(slug: string): void {
  if (!STACK_SLUG_PATTERN.test(slug)) {
    throw new TrustgateError(
      'INVALID_INPUT',
      'slug: 1-64 characters of a-z, 0-9 and "-", starting with a letter or digit (it becomes part of the scoped external ID <connection ID>@<slug>@<phase>).',
      { field: 'slug' },
    );
  }
}

async function checkSpace(deps: ConnectionDeps, principal: Principal, spaceId: string | null | undefined) {
  if (spaceId == null) return;
  if ((await deps.store.directory.getSpace(principal.organizationId, spaceId)) === undefined)
    throw new TrustgateError('NOT_FOUND', 'No such space in this organization.', { field: 'spaceId' });
}

/** Loads a stack of the caller's organization (token scope `connections:read`); NOT_FOUND otherwise. */
export async function loadStack(deps: ConnectionDeps, principal: Principal, id: string): Promise<Stack> {
  requireScope(principal, 'connections:read');
  const stack = await deps.store.stacks.get(principal.organizationId, id);
  if (stack === undefined) throw noSuchStack();
  return stack;
}

/**
 * Moving or deleting a stack that has attachments changes what runs of the attached connections may do (a stack moved
 * into another space falls under other tokens' issue restrictions; a deleted stack's attachments go with it), so it
 * needs editor access on every attached connection — as attaching did. FORBIDDEN otherwise, saying how many.
 */
async function requireEditorOfAttached(deps: ConnectionDeps, principal: Principal, stack: Stack): Promise<void> {
  let lacking = 0;
  for (const a of await deps.store.attachments.listByStack(principal.organizationId, stack.id)) {
    const connection = await deps.store.connections.get(principal.organizationId, a.connectionId);
    const level = connection === undefined ? undefined : await accessLevelOf(deps.store, principal, connection);
    if (level === undefined || !accessAtLeast(level, 'editor')) lacking++;
  }
  if (lacking > 0) {
    throw new TrustgateError(
      'FORBIDDEN',
      `Stack ${stack.slug} is attached to ${lacking} connection(s) on which you do not hold "editor" access: their editors must detach them first (or an organization admin may do this).`,
    );
  }
}

/**
 * Creates a stack in the caller's organization (token scope `connections:write`): the slug (unique in the
 * organization, CONFLICT otherwise) follows the scoped external ID rules, the space must be one of the
 * organization's. Audited as `stack.create`.
 */
export async function createStack(
  deps: ConnectionDeps,
  principal: Principal,
  input: CreateStackInput,
): Promise<StackView> {
  requireScope(principal, 'connections:write');
  checkSlug(input.slug);
  await checkSpace(deps, principal, input.spaceId);
  const now = nowIso();
  const stack: Stack = {
    id: newId('stk'),
    organizationId: principal.organizationId,
    spaceId: input.spaceId ?? null,
    slug: input.slug,
    name: input.name,
    labels: input.labels ?? {},
    createdAt: now,
    updatedAt: now,
  };
  await deps.store.transaction(async (repos) => {
    await repos.stacks.insert(stack);
    await recordAudit(repos, {
      principal,
      action: 'stack.create',
      details: { stackId: stack.id, slug: stack.slug, spaceId: stack.spaceId },
    });
  });
  return toStackView(stack);
}

/** Stacks of the caller's organization (token scope `connections:read`), filtered by space and labels. */
export async function listStacks(
  deps: ConnectionDeps,
  principal: Principal,
  filter: { spaceId?: string; labels?: Record<string, string> },
): Promise<StackView[]> {
  requireScope(principal, 'connections:read');
  const stacks = await deps.store.stacks.list({ organizationId: principal.organizationId, ...filter });
  return stacks.map(toStackView);
}

/** One stack (token scope `connections:read`). */
export async function getStack(deps: ConnectionDeps, principal: Principal, id: string): Promise<StackView> {
  return toStackView(await loadStack(deps, principal, id));
}

/**
 * Changes a stack's name, labels or space (token scope `connections:write`; moving a stack with attachments to
 * another space needs editor access on each attached connection). The slug cannot change: roles trust `<connection ID>@<slug>@<phase>`, so a new slug would lock
 * the stack's runs out of them — create a new stack instead. Audited as `stack.update`.
 */
export async function updateStack(
  deps: ConnectionDeps,
  principal: Principal,
  id: string,
  patch: UpdateStackInput,
): Promise<StackView> {
  requireScope(principal, 'connections:write');
  const stack = await loadStack(deps, principal, id);
  if (patch.slug !== undefined && patch.slug !== stack.slug) {
    throw new TrustgateError(
      'INVALID_INPUT',
      `slug: a stack's slug cannot change (roles trust external IDs <connection ID>@${stack.slug}@<phase>); create a new stack with the new slug and attach it instead.`,
      { field: 'slug' },
    );
  }
  await checkSpace(deps, principal, patch.spaceId);
  if (patch.spaceId !== undefined && patch.spaceId !== stack.spaceId)
    await requireEditorOfAttached(deps, principal, stack);
  const next: Stack = {
    ...stack,
    ...(patch.name === undefined ? {} : { name: patch.name }),
    ...(patch.labels === undefined ? {} : { labels: patch.labels }),
    ...(patch.spaceId === undefined ? {} : { spaceId: patch.spaceId }),
    updatedAt: nowIso(),
  };
  await deps.store.transaction(async (repos) => {
    await repos.stacks.update(next);
    await recordAudit(repos, {
      principal,
      action: 'stack.update',
      details: { stackId: id, fields: Object.keys(patch) },
    });
  });
  return toStackView(next);
}

/**
 * Deletes a stack and its attachments (token scope `connections:write`; with attachments, editor access on each
 * attached connection). Audited as `stack.delete`.
 */
export async function deleteStack(deps: ConnectionDeps, principal: Principal, id: string): Promise<void> {
  requireScope(principal, 'connections:write');
  const stack = await loadStack(deps, principal, id);
  await requireEditorOfAttached(deps, principal, stack);
  await deps.store.transaction(async (repos) => {
    await repos.stacks.delete(principal.organizationId, id);
    await recordAudit(repos, { principal, action: 'stack.delete', details: { stackId: id, slug: stack.slug } });
  });
}

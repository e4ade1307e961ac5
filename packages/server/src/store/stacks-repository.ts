import type { Insertable, Kysely, Selectable } from 'kysely';
import { TrustgateError } from '@trustgate/core';
import type { Database, StacksTable } from './schema.ts';
import type { Stack } from '../model/broker-records.ts';
import { nowIso } from './new-id.ts';
import { conflictOnDuplicate, notFoundOnMissingReference } from './unique-violation.ts';

function toStack(r: Selectable<StacksTable>): Stack {
  return {
    id: r.id,
    organizationId: r.organization_id,
    spaceId: r.space_id,
    slug: r.slug,
    name: r.name,
    labels: JSON.parse(r.labels) as Record<string, string>,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function toRow(s: Stack): Insertable<StacksTable> {
  return {
    id: s.id,
    organization_id: s.organizationId,
    space_id: s.spaceId,
    slug: s.slug,
    name: s.name,
    labels: JSON.stringify(s.labels),
    created_at: s.createdAt,
    updated_at: s.updatedAt,
  };
}

/** Filters for {@link StacksRepository.list}. */
export interface StackQuery {
  organizationId: string;
  spaceId?: string;
  /** Every label given must match (`key` -> `value`). */
  labels?: Record<string, string>;
}

function slugTaken(slug: string): string {
  return `A stack with the slug "${slug}" exists in the organization.`;
}

/** Stacks (platform workloads) of organizations; every read and write is scoped to one organization. */
export class StacksRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Inserts a new stack; CONFLICT (field `slug`) when the organization has a stack with its slug, NOT_FOUND when its
   * organization or space does not exist.
   */
  async insert(stack: Stack): Promise<void> {
    await notFoundOnMissingReference(
      () =>
        conflictOnDuplicate(
          () => this.db.insertInto('stacks').values(toRow(stack)).execute(),
          slugTaken(stack.slug),
          'slug',
        ),
      'No such organization or space.',
    );
  }

  /** The stack with this ID in this organization, or undefined. */
  async get(organizationId: string, id: string): Promise<Stack | undefined> {
    const r = await this.db
      .selectFrom('stacks')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('id', '=', id)
      .executeTakeFirst();
    return r && toStack(r);
  }

  /** The stack with this slug in this organization, or undefined. */
  async getBySlug(organizationId: string, slug: string): Promise<Stack | undefined> {
    const r = await this.db
      .selectFrom('stacks')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('slug', '=', slug)
      .executeTakeFirst();
    return r && toStack(r);
  }

  /** Stacks matching the query, by slug. Label filters are applied after reading (labels are JSON). */
  async list(query: StackQuery): Promise<Stack[]> {
    let q = this.db.selectFrom('stacks').selectAll().where('organization_id', '=', query.organizationId);
    if (query.spaceId !== undefined) q = q.where('space_id', '=', query.spaceId);
    const rows = await q.orderBy('slug').execute();
    const labels = Object.entries(query.labels ?? {});
    return rows.map(toStack).filter((s) => labels.every(([k, v]) => s.labels[k] === v));
  }

  /**
   * Writes a changed stack (space, slug, name, labels; `updatedAt` set to now) and returns it as stored. NOT_FOUND
   * when the organization has no stack with its ID; CONFLICT (field `slug`) on a slug another stack has.
   */
  async update(stack: Stack): Promise<Stack> {
    const next: Stack = { ...stack, updatedAt: nowIso() };
    const result = await conflictOnDuplicate(
      () =>
        this.db
          .updateTable('stacks')
          .set({
            space_id: next.spaceId,
            slug: next.slug,
            name: next.name,
            labels: JSON.stringify(next.labels),
            updated_at: next.updatedAt,
          })
          .where('organization_id', '=', stack.organizationId)
          .where('id', '=', stack.id)
          .executeTakeFirst(),
      slugTaken(stack.slug),
      'slug',
    );
    if (Number(result.numUpdatedRows) !== 1) throw new TrustgateError('NOT_FOUND', 'No such stack.');
    const stored = await this.get(stack.organizationId, stack.id);
    if (stored === undefined) throw new TrustgateError('NOT_FOUND', 'No such stack.');
    return stored;
  }

  /** Deletes a stack and its attachments; false when the organization has no stack with this ID. */
  async delete(organizationId: string, id: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('stacks')
      .where('organization_id', '=', organizationId)
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}

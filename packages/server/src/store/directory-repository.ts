import type { Kysely, Selectable } from 'kysely';
import type { Database, UsersTable } from './schema.ts';
import type { CatalogRecord, Organization, Space, User, UserRole } from '../model/records.ts';
import type { OidcSubjectSetting } from '../model/identity-records.ts';
import { conflictOnDuplicate } from './unique-violation.ts';
import { newId, nowIso } from './new-id.ts';

function toUser(row: Selectable<UsersTable>): User {
  return {
    id: row.id,
    organizationId: row.organization_id,
    email: row.email,
    name: row.name,
    role: row.role as UserRole,
    createdAt: row.created_at,
  };
}

/**
 * Organizations, their users, spaces and uploaded catalogs. Every read that takes an organization ID filters
 * by it, so an object of another organization is simply not found.
 */
export class DirectoryRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Creates an organization. */
  async createOrganization(input: { name: string }): Promise<Organization> {
    const org = { id: newId('org'), name: input.name, createdAt: nowIso() };
    await this.db
      .insertInto('organizations')
      .values({ id: org.id, name: org.name, created_at: org.createdAt })
      .execute();
    return org;
  }

  /** The organization with this ID, or undefined. */
  async getOrganization(id: string): Promise<Organization | undefined> {
    const row = await this.db.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirst();
    return row && { id: row.id, name: row.name, createdAt: row.created_at };
  }

  /** Renames an organization. */
  async renameOrganization(id: string, name: string): Promise<void> {
    await this.db.updateTable('organizations').set({ name }).where('id', '=', id).execute();
  }

  /** The organization's OIDC subject setting; undefined when it uses the default (or does not exist). */
  async getOidcSubject(id: string): Promise<OidcSubjectSetting | undefined> {
    const row = await this.db
      .selectFrom('organizations')
      .select('oidc_subject')
      .where('id', '=', id)
      .executeTakeFirst();
    return row?.oidc_subject == null ? undefined : (JSON.parse(row.oidc_subject) as OidcSubjectSetting);
  }

  /** Sets (undefined: clears) the organization's OIDC subject setting. */
  async setOidcSubject(id: string, setting: OidcSubjectSetting | undefined): Promise<void> {
    await this.db
      .updateTable('organizations')
      .set({ oidc_subject: setting === undefined ? null : JSON.stringify(setting) })
      .where('id', '=', id)
      .execute();
  }

  /** Creates a user; CONFLICT when the e-mail exists in the organization. */
  async createUser(input: { organizationId: string; email: string; name: string; role: UserRole }): Promise<User> {
    const user: User = { id: newId('usr'), ...input, createdAt: nowIso() };
    await conflictOnDuplicate(
      () =>
        this.db
          .insertInto('users')
          .values({
            id: user.id,
            organization_id: user.organizationId,
            email: user.email,
            name: user.name,
            role: user.role,
            created_at: user.createdAt,
          })
          .execute(),
      'A user with this e-mail exists in the organization.',
      'email',
    );
    return user;
  }

  /** The user with this ID in this organization, or undefined. */
  async getUser(organizationId: string, id: string): Promise<User | undefined> {
    const row = await this.db
      .selectFrom('users')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toUser(row);
  }

  /** The users of an organization, by e-mail. */
  async listUsers(organizationId: string): Promise<User[]> {
    const rows = await this.db
      .selectFrom('users')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .orderBy('email')
      .execute();
    return rows.map(toUser);
  }

  /** Deletes a user (their tokens and access grants go with them). */
  async deleteUser(organizationId: string, id: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('users')
      .where('organization_id', '=', organizationId)
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** Creates a space; CONFLICT on a duplicate name. */
  async createSpace(input: { organizationId: string; name: string }): Promise<Space> {
    const space: Space = { id: newId('spc'), ...input, createdAt: nowIso() };
    await conflictOnDuplicate(
      () =>
        this.db
          .insertInto('spaces')
          .values({
            id: space.id,
            organization_id: space.organizationId,
            name: space.name,
            created_at: space.createdAt,
          })
          .execute(),
      'A space with this name exists in the organization.',
      'name',
    );
    return space;
  }

  /** The spaces of an organization, by name. */
  async listSpaces(organizationId: string): Promise<Space[]> {
    const rows = await this.db
      .selectFrom('spaces')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .orderBy('name')
      .execute();
    return rows.map((r) => ({ id: r.id, organizationId: r.organization_id, name: r.name, createdAt: r.created_at }));
  }

  /** The space with this ID in this organization, or undefined. */
  async getSpace(organizationId: string, id: string): Promise<Space | undefined> {
    const r = await this.db
      .selectFrom('spaces')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('id', '=', id)
      .executeTakeFirst();
    return r && { id: r.id, organizationId: r.organization_id, name: r.name, createdAt: r.created_at };
  }

  /** Deletes a space (its connections keep existing, outside any space). */
  async deleteSpace(organizationId: string, id: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('spaces')
      .where('organization_id', '=', organizationId)
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** Stores a new version of a named catalog (version = previous + 1). */
  async addCatalogVersion(input: {
    organizationId: string;
    name: string;
    source: string;
    fileName: string;
  }): Promise<CatalogRecord> {
    const latest = await this.getLatestCatalog(input.organizationId, input.name);
    const record: CatalogRecord = {
      id: newId('cat'),
      ...input,
      version: (latest?.version ?? 0) + 1,
      createdAt: nowIso(),
    };
    await conflictOnDuplicate(
      () =>
        this.db
          .insertInto('catalogs')
          .values({
            id: record.id,
            organization_id: record.organizationId,
            name: record.name,
            version: record.version,
            source: record.source,
            file_name: record.fileName,
            created_at: record.createdAt,
          })
          .execute(),
      'This catalog changed meanwhile; upload again.',
      'name',
    );
    return record;
  }

  /** The newest version of a named catalog, or undefined. */
  async getLatestCatalog(organizationId: string, name: string): Promise<CatalogRecord | undefined> {
    const r = await this.db
      .selectFrom('catalogs')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('name', '=', name)
      .orderBy('version', 'desc')
      .limit(1)
      .executeTakeFirst();
    return (
      r && {
        id: r.id,
        organizationId: r.organization_id,
        name: r.name,
        version: Number(r.version),
        source: r.source,
        fileName: r.file_name,
        createdAt: r.created_at,
      }
    );
  }

  /** The newest version of each catalog of an organization (without the source text). */
  async listCatalogs(organizationId: string): Promise<Omit<CatalogRecord, 'source'>[]> {
    const rows = await this.db
      .selectFrom('catalogs')
      .select(['id', 'organization_id', 'name', 'version', 'file_name', 'created_at'])
      .where('organization_id', '=', organizationId)
      .orderBy('name')
      .orderBy('version', 'desc')
      .execute();
    const seen = new Set<string>();
    return rows
      .filter((r) => (seen.has(r.name) ? false : (seen.add(r.name), true)))
      .map((r) => ({
        id: r.id,
        organizationId: r.organization_id,
        name: r.name,
        version: Number(r.version),
        fileName: r.file_name,
        createdAt: r.created_at,
      }));
  }
}

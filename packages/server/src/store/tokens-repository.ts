import type { Kysely, Selectable } from 'kysely';
import type { ApiTokensTable, Database } from './schema.ts';
import type { ApiToken, TokenScope } from '../model/records.ts';
import type { IssueRestriction } from '../model/broker-records.ts';
import { newId, nowIso } from './new-id.ts';

function toToken(row: Selectable<ApiTokensTable>): ApiToken {
  return {
    id: row.id,
    organizationId: row.organization_id,
    userId: row.user_id,
    name: row.name,
    scopes: JSON.parse(row.scopes) as TokenScope[],
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
    issueRestriction: row.issue_restriction === null ? null : (JSON.parse(row.issue_restriction) as IssueRestriction),
  };
}

/** API tokens: stored by the SHA-256 hash of their secret only; looked up by that hash. */
export class TokensRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Stores a token's metadata and hash. */
  async create(input: {
    organizationId: string;
    userId: string;
    name: string;
    scopes: TokenScope[];
    tokenHash: string;
    expiresAt: string | null;
    /** Where the token may issue credentials; omitted or null = anywhere its user may. */
    issueRestriction?: IssueRestriction | null;
  }): Promise<ApiToken> {
    const token: ApiToken = {
      id: newId('tok'),
      organizationId: input.organizationId,
      userId: input.userId,
      name: input.name,
      scopes: input.scopes,
      createdAt: nowIso(),
      expiresAt: input.expiresAt,
      revokedAt: null,
      lastUsedAt: null,
      issueRestriction: input.issueRestriction ?? null,
    };
    await this.db
      .insertInto('api_tokens')
      .values({
        id: token.id,
        organization_id: token.organizationId,
        user_id: token.userId,
        name: token.name,
        token_hash: input.tokenHash,
        scopes: JSON.stringify(token.scopes),
        created_at: token.createdAt,
        expires_at: token.expiresAt,
        revoked_at: null,
        last_used_at: null,
        issue_restriction: token.issueRestriction === null ? null : JSON.stringify(token.issueRestriction),
      })
      .execute();
    return token;
  }

  /** The token whose secret hashes to `tokenHash`, or undefined. */
  async findByHash(tokenHash: string): Promise<ApiToken | undefined> {
    const row = await this.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    return row && toToken(row);
  }

  /** The token with this ID in this organization, or undefined. */
  async get(organizationId: string, id: string): Promise<ApiToken | undefined> {
    const row = await this.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toToken(row);
  }

  /** Tokens of an organization, optionally of one user, newest first. */
  async list(organizationId: string, userId?: string): Promise<ApiToken[]> {
    let q = this.db.selectFrom('api_tokens').selectAll().where('organization_id', '=', organizationId);
    if (userId !== undefined) q = q.where('user_id', '=', userId);
    const rows = await q.orderBy('created_at', 'desc').execute();
    return rows.map(toToken);
  }

  /** Marks a token revoked (idempotent: the first revocation time is kept). */
  async revoke(organizationId: string, id: string): Promise<void> {
    await this.db
      .updateTable('api_tokens')
      .set({ revoked_at: nowIso() })
      .where('organization_id', '=', organizationId)
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .execute();
  }

  /** Records the token's last use. */
  async touch(id: string): Promise<void> {
    await this.db.updateTable('api_tokens').set({ last_used_at: nowIso() }).where('id', '=', id).execute();
  }
}

import type { Kysely, Selectable } from 'kysely';
import type { JWK } from 'jose';
import type { Database, SigningKeysTable } from './schema.ts';
import type { SigningAlgorithm, SigningKeyRecord } from '../model/identity-records.ts';
import { isUniqueViolation } from './unique-violation.ts';

function toKey(row: Selectable<SigningKeysTable>): SigningKeyRecord {
  return {
    kid: row.kid,
    generation: Number(row.generation),
    algorithm: row.algorithm as SigningAlgorithm,
    publicJwk: JSON.parse(row.public_jwk) as JWK,
    sealedPrivateKey: row.sealed_private_key,
    createdAt: row.created_at,
    activatesAt: row.activates_at,
  };
}

/** The OIDC issuer's signing keys, by generation (the private key only as sealed text). */
export class SigningKeysRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Every stored key, oldest generation first. */
  async list(): Promise<SigningKeyRecord[]> {
    const rows = await this.db.selectFrom('signing_keys').selectAll().orderBy('generation', 'asc').execute();
    return rows.map(toKey);
  }

  /**
   * Stores a key; false (nothing stored) when its generation exists already — another instance rotated first, and
   * its key is the one to use.
   */
  async insert(key: SigningKeyRecord): Promise<boolean> {
    try {
      await this.db
        .insertInto('signing_keys')
        .values({
          kid: key.kid,
          generation: key.generation,
          algorithm: key.algorithm,
          public_jwk: JSON.stringify(key.publicJwk),
          sealed_private_key: key.sealedPrivateKey,
          created_at: key.createdAt,
          activates_at: key.activatesAt,
        })
        .execute();
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  /**
   * Re-seals stored keys in one transaction (a key rotation): `reseal` answers a key's new sealed text, or undefined
   * to leave it; `settings.reseal` the same for each shared setting of `settings.names` (secrets sealed under the
   * same key). When either throws, nothing is written. Answers how many were re-sealed and how many are stored.
   */
  async resealAll(
    reseal: (key: SigningKeyRecord) => string | undefined,
    settings?: { names: readonly string[]; reseal: (name: string, value: string) => string | undefined },
  ): Promise<{ resealed: number; total: number; settingsResealed: number; settingsTotal: number }> {
    return this.db.transaction().execute(async (trx) => {
      const rows = await trx.selectFrom('signing_keys').selectAll().orderBy('generation', 'asc').execute();
      let resealed = 0;
      for (const row of rows) {
        const sealed = reseal(toKey(row));
        if (sealed === undefined) continue;
        await trx.updateTable('signing_keys').set({ sealed_private_key: sealed }).where('kid', '=', row.kid).execute();
        resealed += 1;
      }
      const named =
        settings === undefined || settings.names.length === 0
          ? []
          : await trx
              .selectFrom('settings')
              .selectAll()
              .where('name', 'in', [...settings.names])
              .execute();
      let settingsResealed = 0;
      for (const row of named) {
        const sealed = settings?.reseal(row.name, row.value);
        if (sealed === undefined) continue;
        await trx.updateTable('settings').set({ value: sealed }).where('name', '=', row.name).execute();
        settingsResealed += 1;
      }
      return { resealed, total: rows.length, settingsResealed, settingsTotal: named.length };
    });
  }

  /** Deletes keys (retired keys no token of which can still be valid): their private keys go with them. */
  async delete(kids: string[]): Promise<void> {
    if (kids.length === 0) return;
    await this.db.deleteFrom('signing_keys').where('kid', 'in', kids).execute();
  }
}

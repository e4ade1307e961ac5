import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';
import { openDatabase, type DialectName, type OpenDatabaseOptions } from './open-database.ts';
import { DirectoryRepository } from './directory-repository.ts';
import { TokensRepository } from './tokens-repository.ts';
import { ConnectionsRepository } from './connections-repository.ts';
import { AuditRepository } from './audit-repository.ts';
import { CallbackRequestsRepository } from './callback-requests-repository.ts';
import { StacksRepository } from './stacks-repository.ts';
import { AttachmentsRepository } from './attachments-repository.ts';
import { SigningKeysRepository } from './signing-keys-repository.ts';
import { claimJobRun } from './claim-job-run.ts';
import { WriteEpoch } from './write-epoch.ts';
import { countConnectionsByStatus, countPendingCallbackAnswers, pendingMigrations } from './store-health.ts';

/** The repositories over one database (or one transaction). */
export interface Repositories {
  directory: DirectoryRepository;
  tokens: TokensRepository;
  connections: ConnectionsRepository;
  audit: AuditRepository;
  callbackRequests: CallbackRequestsRepository;
  stacks: StacksRepository;
  attachments: AttachmentsRepository;
  signingKeys: SigningKeysRepository;
}

/** trustgate's store: repositories, transactions, job claims and closing. */
export interface Store extends Repositories {
  dialect: DialectName;
  /**
   * How many writes that may change an authorization decision this store has made ({@link WriteEpoch}): a cache
   * of such decisions read at one epoch is stale once it moved.
   */
  writeEpoch(): number;
  /** Runs `work` in one transaction with repositories bound to it. */
  transaction<T>(work: (repos: Repositories) => Promise<T>): Promise<T>;
  /** See {@link claimJobRun}. */
  claimJobRun(options: { name: string; intervalMs: number; holder: string; now?: Date }): Promise<boolean>;
  /** A shared setting, created with `make()` by whichever instance asks first (every instance then reads that value). */
  sharedSetting(name: string, make: () => string): Promise<string>;
  /** A shared setting's value, or undefined. */
  getSetting(name: string): Promise<string | undefined>;
  /** Writes a shared setting (insert or replace). */
  putSetting(name: string, value: string): Promise<void>;
  /** See {@link pendingMigrations} (the readiness check). */
  pendingMigrations(): Promise<string[]>;
  /** See {@link countConnectionsByStatus} (the metrics' connections gauge). */
  countConnectionsByStatus(): Promise<Record<string, number>>;
  /** See {@link countPendingCallbackAnswers} (the metrics' callback answers pending). */
  countPendingCallbackAnswers(): Promise<{ deciding: number; undelivered: number }>;
  close(): Promise<void>;
}

function repositories(db: Kysely<Database>): Repositories {
  return {
    directory: new DirectoryRepository(db),
    tokens: new TokensRepository(db),
    connections: new ConnectionsRepository(db),
    audit: new AuditRepository(db),
    callbackRequests: new CallbackRequestsRepository(db),
    stacks: new StacksRepository(db),
    attachments: new AttachmentsRepository(db),
    signingKeys: new SigningKeysRepository(db),
  };
}

/** Opens the database (running migrations) and returns the store over it. */
export async function openStore(options: OpenDatabaseOptions = {}): Promise<Store> {
  const opened = await openDatabase(options);
  const { dialect, close } = opened;
  const epoch = new WriteEpoch();
  const db = opened.db.withPlugin(epoch);
  const bookkeeping = dialect.migrationBookkeeping({
    url: options.url ?? '',
    ...(options.schema === undefined ? {} : { schema: options.schema }),
  });
  return {
    ...repositories(db),
    dialect: dialect.name,
    writeEpoch: () => epoch.value,
    async transaction(work) {
      try {
        return await db.transaction().execute((trx) => work(repositories(trx)));
      } finally {
        epoch.bump();
      }
    },
    claimJobRun: (o) => claimJobRun({ db, dialect, ...o }),
    async sharedSetting(name, make) {
      await db
        .insertInto('settings')
        .values({ name, value: make() })
        .onConflict((oc) => oc.column('name').doNothing())
        .execute();
      const row = await db.selectFrom('settings').select('value').where('name', '=', name).executeTakeFirstOrThrow();
      return row.value;
    },
    async getSetting(name) {
      return (await db.selectFrom('settings').select('value').where('name', '=', name).executeTakeFirst())?.value;
    },
    async putSetting(name, value) {
      await db
        .insertInto('settings')
        .values({ name, value })
        .onConflict((oc) => oc.column('name').doUpdateSet({ value }))
        .execute();
    },
    pendingMigrations: () => pendingMigrations(opened.db, bookkeeping),
    countConnectionsByStatus: () => countConnectionsByStatus(opened.db),
    countPendingCallbackAnswers: () => countPendingCallbackAnswers(opened.db),
    close,
  };
}

import type {
  KyselyPlugin,
  OperationNode,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from 'kysely';

/**
 * Tables whose writes never change who may do what: the audit log, job claims, shared settings, callback
 * bookkeeping and the OIDC issuer's signing keys. Every other write (tokens, users, access grants, connections and their roles, stacks,
 * attachments, ...) moves the epoch.
 */
const UNRELATED_TABLES = new Set(['audit_events', 'job_runs', 'settings', 'callback_requests', 'signing_keys']);

/** The table a TableNode (or an alias of one) names, if the node is one. */
function tableName(node: OperationNode | undefined): string | undefined {
  if (node === undefined) return undefined;
  const n = node as { kind: string; table?: { identifier?: { name?: string } }; node?: OperationNode };
  if (n.kind === 'TableNode') return n.table?.identifier?.name;
  if (n.kind === 'AliasNode') return tableName(n.node);
  return undefined;
}

/** The tables an INSERT, UPDATE or DELETE writes; undefined when the query writes nothing (a SELECT). */
function writtenTables(node: RootOperationNode): (string | undefined)[] | undefined {
  const n = node as {
    kind: string;
    into?: OperationNode;
    table?: OperationNode;
    from?: { froms?: readonly OperationNode[] };
  };
  if (n.kind === 'InsertQueryNode') return [tableName(n.into)];
  if (n.kind === 'UpdateQueryNode') return [tableName(n.table)];
  if (n.kind === 'DeleteQueryNode') return (n.from?.froms ?? [undefined]).map((f) => tableName(f));
  if (n.kind === 'RawNode') return [undefined];
  return undefined;
}

/**
 * Counts this store's writes that may change an authorization decision, as a Kysely plugin seeing every query the
 * repositories run. Caches of decisions read from the store (the authenticated principal, an issuance's target)
 * remember the epoch they were read at and are dropped when it moved: a token revoked or an access level lowered
 * through this instance takes effect at once. A write whose table cannot be told (raw SQL) moves it too.
 */
export class WriteEpoch implements KyselyPlugin {
  private epoch = 0;
  private readonly pending = new WeakSet<object>();

  /** The current epoch: it only grows. */
  get value(): number {
    return this.epoch;
  }

  /** Moves the epoch (a transaction committed: what it wrote is visible only now). */
  bump(): void {
    this.epoch += 1;
  }

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    const tables = writtenTables(args.node);
    if (tables !== undefined && tables.some((t) => t === undefined || !UNRELATED_TABLES.has(t))) {
      this.epoch += 1;
      this.pending.add(args.queryId);
    }
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    // A reader may have cached what it read while the write ran: move the epoch again once the write is done.
    if (this.pending.delete(args.queryId)) this.epoch += 1;
    return args.result;
  }
}

import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';
import { isUniqueViolation } from './unique-violation.ts';

/** A CloudFormation custom-resource request's identity: CloudFormation sends a retried request with the same three. */
export interface CallbackRequestKey {
  stackId: string;
  requestId: string;
  logicalResourceId: string;
}

/** The answer stored for a request. */
export interface StoredCallbackOutcome {
  status: 'SUCCESS' | 'FAILED';
  reason: string;
  connectionId: string | null;
}

/** What {@link CallbackRequestsRepository.claim} found. */
export type CallbackClaim =
  /** This caller decides the request (first delivery, or one whose decider's lease ran out). */
  | { kind: 'claimed' }
  /** Another delivery is being decided (on this or another instance): do nothing. */
  | { kind: 'deciding'; since: string }
  /** Already answered: re-send this outcome. */
  | { kind: 'answered'; outcome: StoredCallbackOutcome }
  /** Stored under the same key for another request body (another ResponseURL, ConnectionId, ...): refuse it. */
  | { kind: 'mismatch' };

/**
 * What a claim keeps until it is answered: the request's ResponseURL (presigned: kept only while unanswered or
 * undelivered) and a ready response object, PUT by the re-sender when the claim's decider stopped before answering.
 */
export interface ClaimFallback {
  responseUrl: string;
  responseBody: string;
}

/** How long answered requests are kept: far beyond the SNS verifier's one-hour replay window. */
const KEEP_MS = 24 * 3_600_000;

/**
 * Custom-resource requests the callback has decided, so a request delivered twice (SNS delivers at least once; a
 * captured message can be replayed within the hour) is decided once across every instance on the database. The
 * claim is an insert under the table's primary key (StackId, RequestId, LogicalResourceId): of two concurrent
 * deliveries exactly one inserts, on SQLite and on PostgreSQL alike.
 */
export class CallbackRequestsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Claims `key` for `holder`. Returns `claimed` when this caller must decide; `answered` with the stored outcome
   * when the request was decided before; `deciding` while another holder decides it. A claim older than
   * `leaseMs` that never got an answer (its instance stopped) is taken over — by exactly one caller, with a
   * compare-and-set on its holder and time. Answered rows older than a day are pruned on the way.
   * `digest` (SHA-256 of the request) ties the key to one request body: a row stored for another body answers
   * `mismatch`, whatever its state, so a message reusing a known key never gets the stored answer.
   */
  async claim(
    key: CallbackRequestKey,
    options: {
      requestType: string;
      digest: string;
      holder: string;
      leaseMs: number;
      now?: Date;
      fallback?: ClaimFallback;
    },
  ): Promise<CallbackClaim> {
    const now = options.now ?? new Date();
    // Answered rows, and claims whose decider never answered (their answer given by the re-sender or given up), after a day.
    await this.db
      .deleteFrom('callback_requests')
      .where('claimed_at', '<', new Date(now.getTime() - KEEP_MS).toISOString())
      .where('state', 'in', ['answered', 'deciding'])
      .execute();
    try {
      await this.db
        .insertInto('callback_requests')
        .values({
          stack_id: key.stackId,
          request_id: key.requestId,
          logical_resource_id: key.logicalResourceId,
          request_type: options.requestType,
          state: 'deciding',
          holder: options.holder,
          claimed_at: now.toISOString(),
          status: null,
          reason: null,
          connection_id: null,
          answered_at: null,
          request_digest: options.digest,
          delivered_at: null,
          response_url: options.fallback?.responseUrl ?? null,
          response_body: options.fallback?.responseBody ?? null,
        })
        .execute();
      return { kind: 'claimed' };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
    const row = await this.find(key);
    if (row === undefined) return this.claim(key, options); // pruned in between: claim afresh
    if (row.request_digest !== options.digest) return { kind: 'mismatch' };
    if (row.state === 'answered') return { kind: 'answered', outcome: toOutcome(row) };
    if (Date.parse(row.claimed_at) > now.getTime() - options.leaseMs)
      return { kind: 'deciding', since: row.claimed_at };
    const taken = await this.whereKey(
      this.db.updateTable('callback_requests').set({ holder: options.holder, claimed_at: now.toISOString() }),
      key,
    )
      .where('state', '=', 'deciding')
      .where('holder', '=', row.holder)
      .where('claimed_at', '=', row.claimed_at)
      .executeTakeFirst();
    return Number(taken.numUpdatedRows) === 1 ? { kind: 'claimed' } : { kind: 'deciding', since: row.claimed_at };
  }

  /**
   * Stores the outcome of a request `holder` decided and returns the outcome that stands. Only the claim's current
   * holder stores an answer, and only the first: a decider whose lease was taken over gets the taker's stored
   * answer, or undefined while the taker still decides (it answers; the late decider must not).
   */
  async answer(
    key: CallbackRequestKey,
    outcome: StoredCallbackOutcome,
    options: { holder: string; now?: Date; delivery?: { responseUrl: string; responseBody: string } },
  ): Promise<StoredCallbackOutcome | undefined> {
    // What re-sending needs is written with the answer itself: an instance stopping before its PUT succeeded leaves
    // an answer the re-sender can deliver.
    await this.whereKey(
      this.db.updateTable('callback_requests').set({
        state: 'answered',
        status: outcome.status,
        reason: outcome.reason,
        connection_id: outcome.connectionId,
        answered_at: (options.now ?? new Date()).toISOString(),
        ...(options.delivery === undefined
          ? {}
          : { response_url: options.delivery.responseUrl, response_body: options.delivery.responseBody }),
      }),
      key,
    )
      .where('state', '=', 'deciding')
      .where('holder', '=', options.holder)
      .execute();
    const row = await this.find(key);
    return row?.state === 'answered' ? toOutcome(row) : undefined;
  }

  /**
   * Marks an answer as delivered to CloudFormation's ResponseURL, and forgets the URL and the response object. Also
   * on a claim still `deciding` (its answer was PUT but could not be stored): the re-sender must not answer it again.
   */
  async delivered(key: CallbackRequestKey, now: Date = new Date()): Promise<void> {
    await this.whereKey(
      this.db
        .updateTable('callback_requests')
        .set({ delivered_at: now.toISOString(), response_url: null, response_body: null }),
      key,
    ).execute();
  }

  /**
   * Undelivered answers (with what re-sending them needs) answered at or after `since` and, when given, before
   * `answeredBefore` (younger ones may still be tried by their decider), oldest first.
   */
  async listUndelivered(options: {
    since: Date;
    answeredBefore?: Date;
    limit?: number;
  }): Promise<Array<CallbackRequestKey & { responseUrl: string; responseBody: string; answeredAt: string }>> {
    let query = this.db
      .selectFrom('callback_requests')
      .selectAll()
      .where('state', '=', 'answered')
      .where('delivered_at', 'is', null)
      .where('response_url', 'is not', null)
      .where('answered_at', '>=', options.since.toISOString());
    if (options.answeredBefore !== undefined)
      query = query.where('answered_at', '<', options.answeredBefore.toISOString());
    const rows = await query
      .orderBy('answered_at')
      .limit(options.limit ?? 100)
      .execute();
    return rows.map((r) => ({
      ...keyOf(r),
      responseUrl: r.response_url ?? '',
      responseBody: r.response_body ?? '',
      answeredAt: r.answered_at ?? '',
    }));
  }

  /**
   * Claims claimed at or after `since` and before `claimedBefore` (their lease ran out) that were never answered and
   * carry a ready answer ({@link ClaimFallback}): their decider stopped, and SNS never delivers them again. Oldest first.
   */
  async listAbandonedClaims(options: {
    since: Date;
    claimedBefore: Date;
    limit?: number;
  }): Promise<
    Array<CallbackRequestKey & { holder: string; claimedAt: string; responseUrl: string; responseBody: string }>
  > {
    const rows = await this.db
      .selectFrom('callback_requests')
      .selectAll()
      .where('state', '=', 'deciding')
      .where('response_url', 'is not', null)
      .where('claimed_at', '>=', options.since.toISOString())
      .where('claimed_at', '<', options.claimedBefore.toISOString())
      .orderBy('claimed_at')
      .limit(options.limit ?? 100)
      .execute();
    return rows.map((r) => ({
      ...keyOf(r),
      holder: r.holder,
      claimedAt: r.claimed_at,
      responseUrl: r.response_url ?? '',
      responseBody: r.response_body ?? '',
    }));
  }

  /**
   * Answers a claim listed by {@link listAbandonedClaims} with `outcome` (its ready answer), by `holder` — with the
   * same compare-and-set on holder and time as a takeover in {@link claim}, so of several passes (or a new delivery)
   * exactly one wins. True when this caller won and must PUT the ready answer.
   */
  async answerAbandonedClaim(
    key: CallbackRequestKey,
    seen: { holder: string; claimedAt: string },
    outcome: StoredCallbackOutcome,
    options: { holder: string; now?: Date },
  ): Promise<boolean> {
    const now = (options.now ?? new Date()).toISOString();
    const taken = await this.whereKey(
      this.db.updateTable('callback_requests').set({
        state: 'answered',
        holder: options.holder,
        claimed_at: now,
        status: outcome.status,
        reason: outcome.reason,
        connection_id: outcome.connectionId,
        answered_at: now,
      }),
      key,
    )
      .where('state', '=', 'deciding')
      .where('holder', '=', seen.holder)
      .where('claimed_at', '=', seen.claimedAt)
      .executeTakeFirst();
    return Number(taken.numUpdatedRows) === 1;
  }

  /** Gives up undelivered answers answered before `before` (CloudFormation stopped waiting): forgets their URLs; returns their keys. */
  async abandonUndelivered(before: Date): Promise<CallbackRequestKey[]> {
    // Claims never answered that CloudFormation stopped waiting for: their ready answer and URL are forgotten too.
    await this.db
      .updateTable('callback_requests')
      .set({ response_url: null, response_body: null })
      .where('state', '=', 'deciding')
      .where('response_url', 'is not', null)
      .where('claimed_at', '<', before.toISOString())
      .execute();
    const stale = this.db
      .selectFrom('callback_requests')
      .select(['stack_id', 'request_id', 'logical_resource_id'])
      .where('state', '=', 'answered')
      .where('delivered_at', 'is', null)
      .where('response_url', 'is not', null)
      .where('answered_at', '<', before.toISOString());
    const rows = await stale.execute();
    for (const r of rows) {
      await this.whereKey(
        this.db.updateTable('callback_requests').set({ response_url: null, response_body: null }),
        keyOf(r),
      ).execute();
    }
    return rows.map(keyOf);
  }

  /** Whether a request's answer reached CloudFormation (`deciding`, `undelivered`, `delivered`), or undefined when unknown. */
  async deliveryState(key: CallbackRequestKey): Promise<'deciding' | 'undelivered' | 'delivered' | undefined> {
    const row = await this.find(key);
    if (row === undefined) return undefined;
    if (row.state !== 'answered') return 'deciding';
    return row.delivered_at === null ? 'undelivered' : 'delivered';
  }

  /** Gives an undelivered answer up (its ResponseURL refused it for good): forgets the URL and the response object. */
  async giveUp(key: CallbackRequestKey): Promise<void> {
    await this.whereKey(this.db.updateTable('callback_requests').set({ response_url: null, response_body: null }), key)
      .where('state', '=', 'answered')
      .where('delivered_at', 'is', null)
      .execute();
  }

  private find(key: CallbackRequestKey) {
    return this.whereKey(this.db.selectFrom('callback_requests').selectAll(), key).executeTakeFirst();
  }

  private whereKey<
    Q extends { where: (column: 'stack_id' | 'request_id' | 'logical_resource_id', op: '=', value: string) => Q },
  >(query: Q, key: CallbackRequestKey): Q {
    return query
      .where('stack_id', '=', key.stackId)
      .where('request_id', '=', key.requestId)
      .where('logical_resource_id', '=', key.logicalResourceId);
  }
}

/** A stored row's {@link CallbackRequestKey}. */
function keyOf(row: { stack_id: string; request_id: string; logical_resource_id: string }): CallbackRequestKey {
  return { stackId: row.stack_id, requestId: row.request_id, logicalResourceId: row.logical_resource_id };
}

function toOutcome(row: {
  status: string | null;
  reason: string | null;
  connection_id: string | null;
}): StoredCallbackOutcome {
  return {
    status: row.status === 'SUCCESS' ? 'SUCCESS' : 'FAILED',
    reason: row.reason ?? '',
    connectionId: row.connection_id,
  };
}

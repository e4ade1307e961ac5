import { LRUCache } from 'lru-cache';
import { assumptionRequest, type AssumptionRequest, type AssumptionRequestInput } from './assumption-request.ts';

/** Built AssumeRole requests by what they are built from (bounded; the least recently used go first). */
export type AssumptionMemo = LRUCache<string, AssumptionRequest>;

/** A memo of at most `maxEntries` requests (default 10,000). */
export function createAssumptionMemo(maxEntries = 10_000): AssumptionMemo {
  return new LRUCache<string, AssumptionRequest>({ max: maxEntries });
}

/**
 * {@link assumptionRequest}, remembered: building the read phase's session policy (the List/Read actions of the
 * connection's integrations, compacted to STS's limit) costs about as much as the rest of a cached issuance, and
 * its inputs rarely change. The key names every record version the request is built from (the connection's
 * `recordVersion`, the attachment's and the stack's `updatedAt`, the role ARN), the phase, the region and, for
 * per-run sessions, the run: any change to them builds a new request.
 */
export async function memoizedAssumptionRequest(
  memo: AssumptionMemo | undefined,
  input: AssumptionRequestInput,
): Promise<AssumptionRequest> {
  if (memo === undefined) return assumptionRequest(input);
  const { connection, attachment, stack, role } = input;
  const key = JSON.stringify([
    connection.id,
    connection.recordVersion,
    attachment.id,
    attachment.updatedAt,
    stack.id,
    stack.updatedAt,
    role.roleArn,
    input.phase,
    input.region,
    attachment.sessionMode === 'per-run' ? (input.runId ?? '') : '',
  ]);
  const known = memo.get(key);
  if (known !== undefined) return known;
  const built = await assumptionRequest(input);
  memo.set(key, built);
  return built;
}

import type { Connection } from './records.ts';
import { withCurrentSelfInspection } from './self-inspection-policy.ts';

/**
 * A stored connection as the current code reads it: the one place records are upgraded when read (as Vault's
 * AWS engine upgrades a legacy entry in roleRead). The store's row mapper applies it to every connection it
 * returns, so no use case, job or access check can work with a stale record. Today's upgrade: the current
 * self-inspection policy ({@link withCurrentSelfInspection}). The upgraded record is stored by the next write
 * of the connection (a write on read would race the optimistic lock of a concurrent change).
 */
export function upgradeConnection(c: Connection): Connection {
  const issuedPolicy = withCurrentSelfInspection(c.issuedPolicy, c);
  return issuedPolicy === c.issuedPolicy ? c : { ...c, issuedPolicy };
}

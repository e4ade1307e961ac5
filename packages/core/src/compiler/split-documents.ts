import type { PolicyDocument, PolicyStatement } from '../policy-document/index.ts';
import type { NormalStatement } from './compile-types.ts';

/** `{"Version":"2012-10-17","Statement":[]}`: the characters of a document with no statement. */
const EMPTY_DOCUMENT = JSON.stringify({ Version: '2012-10-17', Statement: [] }).length;

/** Render a normal statement as AWS's JSON: Effect, Action, Resource, Condition; one value as a plain string. */
export function renderStatement(statement: NormalStatement, options: { arrays?: boolean } = {}): PolicyStatement {
  const one = <T>(values: T[]): T | T[] => (values.length === 1 && !options.arrays ? values[0]! : values);
  return {
    Effect: statement.effect,
    Action: one(statement.actions),
    Resource: one(statement.resources),
    ...(statement.conditions ? { Condition: statement.conditions } : {}),
  };
}

/** Characters of a statement with its actions always written as an array (the packing's cost model). */
function arraySize(statement: NormalStatement): number {
  return JSON.stringify(renderStatement(statement, { arrays: true })).length;
}

interface Bin {
  statements: NormalStatement[];
  size: number;
}

/** A statement that cannot fit in one document even with a single action. */
export class StatementTooLargeError extends Error {
  constructor(
    readonly statement: NormalStatement,
    readonly size: number,
  ) {
    super(`a statement needs ${size} characters with a single action`);
  }
}

/**
 * Split statements across as few documents of at most `limit` characters as this greedy packing finds.
 *
 * Rule: statements are taken in the given (deterministic) order. A statement goes whole into the first
 * document with room for it (first fit). When no open document has room, its actions are split: as many as fit
 * go into the open document with the most room (if it can take at least one), the rest continue into further
 * documents, opening a new one when needed. Splitting `A on R` into `A1 on R` and `A2 on R` (A1 ∪ A2 = A) in
 * documents attached to the same role grants exactly what the whole statement did; no action is dropped or
 * added. Sizes are AWS's count (JSON without white space); the cost model writes actions as an array, and a
 * one-action statement is then written as a plain string, which is only shorter.
 *
 * Throws {@link StatementTooLargeError} when a statement does not fit an empty document with one action.
 */
export function splitDocuments(statements: readonly NormalStatement[], limit: number): PolicyDocument[] {
  const bins: Bin[] = [];
  const room = (bin: Bin): number => limit - bin.size - (bin.statements.length > 0 ? 1 : 0);
  const place = (bin: Bin, statement: NormalStatement, size: number): void => {
    bin.size += size + (bin.statements.length > 0 ? 1 : 0);
    bin.statements.push(statement);
  };
  for (const statement of statements) {
    let rest = statement.actions;
    while (rest.length > 0) {
      const whole = { ...statement, actions: rest };
      const size = arraySize(whole);
      const fit = bins.find((b) => room(b) >= size);
      if (fit) {
        place(fit, whole, size);
        break;
      }
      const base = arraySize({ ...statement, actions: [] });
      if (base + JSON.stringify(rest[0]).length + EMPTY_DOCUMENT > limit) {
        throw new StatementTooLargeError(statement, base + JSON.stringify(rest[0]).length);
      }
      let target = bins.reduce<Bin | undefined>((best, b) => (!best || room(b) > room(best) ? b : best), undefined);
      if (!target || room(target) < base + JSON.stringify(rest[0]).length) {
        target = { statements: [], size: EMPTY_DOCUMENT };
        bins.push(target);
      }
      // Take the longest prefix of the remaining actions that fits the target's room.
      let used = base;
      let k = 0;
      for (const action of rest) {
        const cost = JSON.stringify(action).length + (k > 0 ? 1 : 0);
        if (used + cost > room(target)) break;
        used += cost;
        k++;
      }
      place(target, { ...statement, actions: rest.slice(0, k) }, used);
      rest = rest.slice(k);
    }
  }
  return bins.map((bin) => ({ Version: '2012-10-17', Statement: bin.statements.map((s) => renderStatement(s)) }));
}

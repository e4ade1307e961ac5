/**
 * The JSON shape of an IAM policy document, as AWS accepts it (IAM User Guide, "IAM JSON policy elements
 * reference"). Values that AWS allows as a string or an array are typed as such; use the normalizing helpers
 * of the policy engine to read them.
 */
export type StringOrArray = string | string[];

/** `{ "<operator>": { "<key>": value | [values] } }` */
export type ConditionBlock = Record<
  string,
  Record<string, string | number | boolean | Array<string | number | boolean>>
>;

/** A principal element: `"*"` or `{ AWS | Service | Federated | CanonicalUser: string | string[] }`. */
export type PrincipalElement = '*' | Partial<Record<'AWS' | 'Service' | 'Federated' | 'CanonicalUser', StringOrArray>>;

/** One statement of a policy document. */
export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: StringOrArray;
  NotAction?: StringOrArray;
  Resource?: StringOrArray;
  NotResource?: StringOrArray;
  Principal?: PrincipalElement;
  NotPrincipal?: PrincipalElement;
  Condition?: ConditionBlock;
}

/** A policy document. trustgate always emits Version 2012-10-17 and an array of statements. */
export interface PolicyDocument {
  Version: '2012-10-17' | '2008-10-17';
  Id?: string;
  Statement: PolicyStatement[];
}

/**
 * The number of characters AWS counts against a policy size quota: the JSON without white space
 * (IAM quotas: "IAM doesn't count white space when calculating the size of a policy").
 * White space inside string values is counted, so the document is serialized compactly, not stripped.
 */
export function policySize(document: unknown): number {
  return JSON.stringify(document).length;
}

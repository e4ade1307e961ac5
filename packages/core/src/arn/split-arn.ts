/** The six parts of an ARN: `arn:partition:service:region:account:resource` (resource may contain colons). */
export interface ArnParts {
  partition: string;
  service: string;
  region: string;
  account: string;
  resource: string;
}

/**
 * Split an ARN into its six parts without judging them (IAM User Guide, "IAM identifiers" / AWS General
 * Reference, "ARN format"): the policy engine compares patterns with wildcards part by part, so any text goes.
 * Returns undefined when the string does not start with `arn:` or has fewer than six parts. To check a pasted
 * ARN, use `parseArn`, which is built on this.
 */
export function splitArn(arn: string): ArnParts | undefined {
  if (!arn.startsWith('arn:')) return undefined;
  const c1 = arn.indexOf(':', 4);
  if (c1 < 0) return undefined;
  const c2 = arn.indexOf(':', c1 + 1);
  if (c2 < 0) return undefined;
  const c3 = arn.indexOf(':', c2 + 1);
  if (c3 < 0) return undefined;
  const c4 = arn.indexOf(':', c3 + 1);
  if (c4 < 0) return undefined;
  return {
    partition: arn.slice(4, c1),
    service: arn.slice(c1 + 1, c2),
    region: arn.slice(c2 + 1, c3),
    account: arn.slice(c3 + 1, c4),
    resource: arn.slice(c4 + 1),
  };
}

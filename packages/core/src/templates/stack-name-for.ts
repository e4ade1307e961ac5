/**
 * A CloudFormation stack name for a connection: `trustgate-` and the connection's name with every run of
 * characters other than letters, digits and `-` turned into one `-`, outer hyphens dropped and cut to 100
 * characters (`trustgate-connection` when nothing is left). The result always satisfies `STACK_NAME_PATTERN`
 * (a letter first, at most 128 characters of letters, digits and hyphens; CloudFormation CreateStack `StackName`).
 */
export function stackNameFor(connectionName: string): string {
  const slug = connectionName
    .replace(/[^A-Za-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 100);
  return `trustgate-${slug || 'connection'}`;
}

import type { CreatedConnection } from '../../wizard-state.ts';

/** What a connection's trust policy trusts, read from the deliverable (for instructions and checklists). */

type Statement = { Principal?: { AWS?: string | string[]; Federated?: string | string[] } };

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** The principals the trust policy names: the platform's account or role, or the OIDC provider. */
export function trustedPrincipals(trustPolicy: CreatedConnection['deliverables']['trustPolicy']): string[] {
  const statements = (trustPolicy as { Statement?: Statement[] }).Statement ?? [];
  return [...new Set(statements.flatMap((s) => [...list(s.Principal?.AWS), ...list(s.Principal?.Federated)]))];
}

/** The platform's AWS account ID from `arn:aws:iam::123456789012:root` (or a role of it). */
export function accountOfArn(arn: string): string | undefined {
  return /^arn:[a-z-]+:iam::(\d{12}):/.exec(arn)?.[1];
}

/** The accounts a connection's scope lists (none for an organization). */
export function scopeAccounts(connection: CreatedConnection['connection']): string[] {
  const scope = connection.scope;
  return scope.kind === 'account' ? [scope.accountId] : scope.kind === 'accounts' ? scope.accountIds : [];
}

/** The IAM console of a partition. */
export function iamConsoleUrl(partition: string): string {
  if (partition === 'aws-us-gov') return 'https://console.amazonaws-us-gov.com/iam/home';
  if (partition === 'aws-cn') return 'https://console.amazonaws.cn/iam/home';
  return 'https://console.aws.amazon.com/iam/home';
}

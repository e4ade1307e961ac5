import type { OidcProviderSpec } from './deliverable-model.ts';

/** The parameter naming an existing IAM OIDC provider; empty = the deliverable creates it. */
export const OIDC_PROVIDER_ARN_PARAMETER = 'OidcProviderArn';

/** `id.example.com/path`: the provider's URL without `https://`, as it stands in its ARN and condition keys. */
export function oidcProviderHostPath(spec: OidcProviderSpec): string {
  return spec.url.replace(/^https:\/\//, '');
}

/**
 * What a provider ARN for this issuer must match, empty allowed (CloudFormation AllowedPattern, Terraform
 * validation, the script's check): `arn:<any partition>:iam::<12 digits>:oidc-provider/<host/path>` exactly.
 */
export function oidcProviderArnPattern(spec: OidcProviderSpec): string {
  const hostPath = oidcProviderHostPath(spec).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return `^$|^arn:aws[a-z-]*:iam::[0-9]{12}:oidc-provider/${hostPath}$`;
}

/** The description of the parameter naming an existing provider. */
export function oidcProviderArnDescription(spec: OidcProviderSpec): string {
  return `ARN of an IAM OIDC provider for ${spec.url} that exists in the account already (its client IDs must include ${spec.clientIds.join(', ')}); leave empty to create it.`;
}

/**
 * A copy of a trust policy whose `Federated` principals are `principal` (a reference to the created or named
 * provider, in the renderer's own form), so the role depends on the provider and names the one of its account.
 */
export function withFederatedPrincipal<T>(trustPolicy: T, principal: unknown): T {
  const copy = structuredClone(trustPolicy) as { Statement?: { Principal?: Record<string, unknown> }[] };
  for (const statement of copy.Statement ?? []) {
    if (statement.Principal?.Federated !== undefined) statement.Principal.Federated = principal;
  }
  return copy as T;
}

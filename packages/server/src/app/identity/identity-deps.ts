import type { IssuerKeys } from './issuer-keys.ts';

/** What the identity use cases depend on: the issuer's URL, its keys and the clock (the service wires them). */
export interface IdentityDeps {
  /** The validated issuer URL (no trailing slash): the tokens' `iss` and the discovery document's `issuer`. */
  issuerUrl: string;
  keys: IssuerKeys;
  clock: () => Date;
  /** The longest a token lives, in seconds; at most 3,600. */
  maxTokenLifetimeSeconds: number;
  /** `Cache-Control: max-age` of the discovery document and the JWKS, in seconds. */
  jwksMaxAgeSeconds: number;
}

/** The JWKS path under the issuer (the discovery document's `jwks_uri`). */
export const JWKS_PATH = '/.well-known/jwks.json';

/** The claims trustgate's tokens carry besides the registered ones (listed in `claims_supported`). */
export const RUN_CLAIMS = ['organization_id', 'space_id', 'stack_id', 'stack', 'phase', 'run_id', 'connection_id'];

/**
 * The OpenID Provider metadata (OpenID Connect Discovery 1.0, section 3) AWS reads at
 * `<issuer>/.well-known/openid-configuration`: `issuer` exactly as in the tokens and `jwks_uri`.
 */
export function discoveryDocument(
  deps: Pick<IdentityDeps, 'issuerUrl'>,
  algorithms: string[],
): Record<string, unknown> {
  return {
    issuer: deps.issuerUrl,
    jwks_uri: `${deps.issuerUrl}${JWKS_PATH}`,
    response_types_supported: ['id_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: algorithms,
    claims_supported: [
      'iss',
      'aud',
      'sub',
      'iat',
      'nbf',
      'exp',
      'jti',
      ...RUN_CLAIMS,
      'https://aws.amazon.com/tags',
      'https://aws.amazon.com/source_identity',
    ],
  };
}

import type { JWK } from 'jose';

/** The JWS algorithms trustgate signs its OIDC tokens with; AWS STS accepts RS256/384/512 and ES256/384/512. */
export type SigningAlgorithm = 'RS256' | 'ES256';

/**
 * One of the OIDC issuer's signing keys (issue 13). Keys form a sequence by `generation`: each is published in the
 * JWKS from `createdAt`, signs from `activatesAt` (a new key is published ahead of signing) until the next generation
 * activates, and stays published until every token it signed has expired. The private key is stored only sealed
 * (AES-256-GCM under the configured key-encryption key, bound to the `kid`).
 */
export interface SigningKeyRecord {
  kid: string;
  generation: number;
  algorithm: SigningAlgorithm;
  /** The public key as a JWK with `kid`, `alg` and `use: sig` (what the JWKS serves). */
  publicJwk: JWK;
  /** The sealed private key (never logged, never served). */
  sealedPrivateKey: string;
  createdAt: string;
  activatesAt: string;
}

/**
 * An organization's OIDC subject setting (issue 13): the template its runs' tokens carry (`org:{org}:space:{space}:
 * stack:{stack}:phase:{phase}` when none is set) and, during a migration, further templates its connections' roles
 * trust as well.
 */
export interface OidcSubjectSetting {
  /** The template tokens carry; undefined = trustgate's default. */
  template?: string;
  /** Templates trusted besides `template` (at most 2): trust both forms, then switch, then drop the old one. */
  alsoTrusted: string[];
}

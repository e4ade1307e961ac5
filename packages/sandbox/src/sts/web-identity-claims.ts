import type { JWTPayload } from 'jose';
import { AwsError } from '../protocol/aws-error.ts';
import type { Tag } from '../state/model.ts';

/** The claim an OIDC token passes session tags in (IAM User Guide, "Passing session tags using AssumeRoleWithWebIdentity"). */
export const TAGS_CLAIM = 'https://aws.amazon.com/tags';
/** The claim an OIDC token sets the source identity with (IAM User Guide, "Monitor and control actions taken with assumed roles"). */
export const SOURCE_IDENTITY_CLAIM = 'https://aws.amazon.com/source_identity';

/** What a web identity token asks of the session besides the role: session tags and a source identity. */
export interface WebIdentitySessionClaims {
  tags: Tag[];
  transitiveTagKeys: string[];
  sourceIdentity?: string;
}

/** Tag keys and values: letters, digits, white space and `_ . : / = + - @` (IAM User Guide, "Tagging AWS STS sessions"). */
const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
/** SourceIdentity: 2-64 of `[\w+=,.@-]` (STS API Reference, AssumeRole). */
const SOURCE_IDENTITY = /^[\w+=,.@-]{2,64}$/;

function rejected(message: string): AwsError {
  // A token whose AWS claims STS cannot take is a token problem: the caller must get another one.
  return new AwsError('InvalidIdentityToken', message, 400);
}

/** One tag value of `principal_tags`: AWS's example writes each as a one-element list; a plain string is taken too. */
function tagValue(key: string, value: unknown): string {
  const list = Array.isArray(value) ? value : [value];
  if (list.length !== 1 || typeof list[0] !== 'string')
    throw rejected(`Session tag ${key} in ${TAGS_CLAIM} must have exactly one string value.`);
  return list[0];
}

/**
 * Reads the session tags (`https://aws.amazon.com/tags`: `principal_tags` of key -> [value], `transitive_tag_keys`)
 * and the source identity (`https://aws.amazon.com/source_identity`) of a verified token, within STS's limits: at most
 * 50 tags, keys 1-128 and values 0-256 characters of the tag alphabet, keys unique without regard to case, transitive
 * keys among the tags; a source identity of 2-64 `[\w+=,.@-]`. A claim out of those bounds: InvalidIdentityToken.
 */
export function webIdentitySessionClaims(claims: JWTPayload): WebIdentitySessionClaims {
  const out: WebIdentitySessionClaims = { tags: [], transitiveTagKeys: [] };
  const raw = claims[TAGS_CLAIM];
  if (raw !== undefined) {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
      throw rejected(`${TAGS_CLAIM} must be an object with principal_tags and, optionally, transitive_tag_keys.`);
    const { principal_tags: principalTags, transitive_tag_keys: transitive } = raw as Record<string, unknown>;
    if (principalTags !== undefined) {
      if (typeof principalTags !== 'object' || principalTags === null || Array.isArray(principalTags))
        throw rejected(`principal_tags in ${TAGS_CLAIM} must be an object of tag key to value.`);
      out.tags = Object.entries(principalTags).map(([Key, value]) => ({ Key, Value: tagValue(Key, value) }));
    }
    if (out.tags.length > 50) throw rejected('A token may pass at most 50 session tags.');
    for (const t of out.tags) {
      if (t.Key.length < 1 || t.Key.length > 128 || !TAG_TEXT.test(t.Key))
        throw rejected(`Session tag key ${JSON.stringify(t.Key.slice(0, 128))} is not a valid tag key.`);
      if (t.Value.length > 256 || !TAG_TEXT.test(t.Value))
        throw rejected(`The value of session tag ${t.Key} is not a valid tag value.`);
    }
    const lower = out.tags.map((t) => t.Key.toLowerCase());
    if (new Set(lower).size !== lower.length)
      throw rejected('Duplicate tag keys found. Please note that Tag keys are case insensitive.');
    if (transitive !== undefined) {
      if (!Array.isArray(transitive) || transitive.some((k) => typeof k !== 'string'))
        throw rejected(`transitive_tag_keys in ${TAGS_CLAIM} must be a list of tag keys.`);
      const unknown = (transitive as string[]).find((k) => !lower.includes(k.toLowerCase()));
      if (unknown !== undefined) throw rejected(`Transitive tag key ${unknown} is not a session tag of the token.`);
      out.transitiveTagKeys = transitive as string[];
    }
  }
  const source = claims[SOURCE_IDENTITY_CLAIM];
  if (source !== undefined) {
    if (typeof source !== 'string' || !SOURCE_IDENTITY.test(source))
      throw rejected(`${SOURCE_IDENTITY_CLAIM} must be 2-64 characters of letters, digits and _+=,.@-.`);
    out.sourceIdentity = source;
  }
  return out;
}

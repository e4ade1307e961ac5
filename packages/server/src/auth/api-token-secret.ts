import { createHash, randomBytes } from 'node:crypto';

/** Prefix of every trustgate API token, so secret scanners and people recognise one. */
export const API_TOKEN_PREFIX = 'tg_';

/** A new API token secret (`tg_` + 256 random bits, base64url) and the SHA-256 hash that is stored instead. */
export function generateApiTokenSecret(): { secret: string; hash: string } {
  const secret = `${API_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { secret, hash: hashApiTokenSecret(secret) };
}

/** SHA-256 (hex) of a token secret: what the store keeps and looks tokens up by. */
export function hashApiTokenSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

import { z } from 'zod';

/** Schemas of the OIDC issuer's operator routes and of the organization's subject template (issue 13). */

/** A signing key as the operator sees it: never the private key. */
export const signingKeyView = z.object({
  kid: z.string(),
  generation: z.number().int(),
  algorithm: z.string(),
  createdAt: z.string(),
  activatesAt: z.string(),
  state: z.enum(['next', 'signing', 'retired']),
});
export const signingKeysView = z.object({ keys: z.array(signingKeyView) });
export const rotatedKeyView = z.object({ key: signingKeyView, keys: z.array(signingKeyView) });

/** A kid in a path: any text, checked against the stored keys (NOT_FOUND) after the operator token. */
export const kidParams = z.object({ kid: z.string().min(1).max(200) }).strict();

/** An organization's subject template setting. */
export const oidcSubjectView = z.object({
  template: z.string(),
  isDefault: z.boolean(),
  alsoTrusted: z.array(z.string()),
  trusted: z.array(z.string()),
});

/**
 * PUT /v1/organization/oidc-subject: `template` (null or omitted: trustgate's default) and `alsoTrusted` (templates
 * roles trust as well during a migration). Each template is checked by core's validateOidcSubjectTemplate.
 */
export const oidcSubjectBody = z
  .object({
    template: z.string().max(1000).nullable().optional(),
    alsoTrusted: z.array(z.string().max(1000)).max(10).optional(),
  })
  .strict();

import { DEFAULT_OIDC_SUBJECT_TEMPLATE, TrustgateError, validateOidcSubjectTemplate } from '@trustgate/core';
import { requireScope, type Principal } from '../../auth/principal.ts';
import type { OidcSubjectSetting } from '../../model/identity-records.ts';
import type { Store } from '../../store/store.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { ConnectionDeps } from '../deps.ts';
import { rolesRefusingTemplate } from './probe-subject-template.ts';

/** The most templates trusted besides the one tokens carry (each adds patterns to every role's trust policy). */
export const MAX_ALSO_TRUSTED_TEMPLATES = 2;

/** What an organization's runs' tokens carry and what its connections' roles trust. */
export interface SubjectTemplates {
  /** The template tokens carry (trustgate's default when the organization set none). */
  template: string;
  /** Every template roles trust, `template` first: the deliverables emit `sub` patterns of each. */
  trusted: string[];
}

/** The templates of a setting (undefined: the default alone). */
export function subjectTemplatesFrom(setting: OidcSubjectSetting | undefined): SubjectTemplates {
  const template = setting?.template ?? DEFAULT_OIDC_SUBJECT_TEMPLATE;
  return { template, trusted: [template, ...(setting?.alsoTrusted ?? []).filter((t) => t !== template)] };
}

/**
 * The organization's subject templates, for every place that mints a token or renders a trust (issuance, token
 * files, verification, attach checks, deliverables): `subjectTemplate: (await subjectTemplatesOf(deps, orgId)).template`
 * into mintRunToken, `.trusted` into oidcTrustOptions.
 */
export async function subjectTemplatesOf(
  deps: { store: Pick<Store, 'directory'> },
  organizationId: string,
): Promise<SubjectTemplates> {
  return subjectTemplatesFrom(await deps.store.directory.getOidcSubject(organizationId));
}

/** The setting as the API shows it. */
export interface OidcSubjectView {
  template: string;
  /** True when the organization uses trustgate's default template. */
  isDefault: boolean;
  alsoTrusted: string[];
  /** Every template the organization's roles should trust (what deliverables emit). */
  trusted: string[];
}

function viewOf(setting: OidcSubjectSetting | undefined): OidcSubjectView {
  const templates = subjectTemplatesFrom(setting);
  return {
    template: templates.template,
    isDefault: setting?.template === undefined,
    alsoTrusted: templates.trusted.slice(1),
    trusted: templates.trusted,
  };
}

/** The caller's organization's subject setting (any member). */
export async function getOidcSubjectSetting(
  deps: { store: Pick<Store, 'directory'> },
  principal: Principal,
): Promise<OidcSubjectView> {
  return viewOf(await deps.store.directory.getOidcSubject(principal.organizationId));
}

/** What PUT /v1/organization/oidc-subject takes: `template` null or omitted = the default. */
export interface OidcSubjectInput {
  template?: string | null;
  alsoTrusted?: string[];
}

/**
 * Sets the organization's subject template (admins only), in the documented migration: (1) trust both — keep the
 * template, add the new one to `alsoTrusted`, re-apply every OIDC connection's deliverable; (2) switch — the new
 * one as `template`, the old one in `alsoTrusted`; (3) drop the old one. Switching is refused (400 naming `template`)
 * while the organization has OIDC connections and the setting does not trust the new form yet, or a connected role
 * refuses a token in it (probed with AssumeRoleWithWebIdentity, {@link rolesRefusingTemplate}): every run would
 * then be refused. Each template is checked by core's validateOidcSubjectTemplate. Audited with both settings.
 */
export async function updateOidcSubjectSetting(
  deps: ConnectionDeps,
  principal: Principal,
  input: OidcSubjectInput,
): Promise<OidcSubjectView> {
  requireScope(principal, 'admin');
  const given =
    input.template === undefined || input.template === null
      ? undefined
      : validateOidcSubjectTemplate(input.template, 'template');
  const template = given === DEFAULT_OIDC_SUBJECT_TEMPLATE ? undefined : given; // the default is stored as none
  const effective = template ?? DEFAULT_OIDC_SUBJECT_TEMPLATE;
  const alsoTrusted = (input.alsoTrusted ?? []).map((t, i) => validateOidcSubjectTemplate(t, `alsoTrusted[${i}]`));
  if (alsoTrusted.length > MAX_ALSO_TRUSTED_TEMPLATES)
    throw new TrustgateError(
      'INVALID_INPUT',
      `alsoTrusted: at most ${MAX_ALSO_TRUSTED_TEMPLATES} templates (each adds patterns to every role's trust policy)`,
      { field: 'alsoTrusted' },
    );
  alsoTrusted.forEach((t, i) => {
    if (t === effective || alsoTrusted.indexOf(t) !== i)
      throw new TrustgateError('INVALID_INPUT', `alsoTrusted[${i}]: listed twice (or is the template)`, {
        field: `alsoTrusted[${i}]`,
      });
  });
  const before = await deps.store.directory.getOidcSubject(principal.organizationId);
  const current = subjectTemplatesFrom(before);
  if (effective !== current.template) {
    const connections = await deps.store.connections.list({ organizationId: principal.organizationId });
    const oidc = connections.filter((c) => c.trust.kind === 'oidc');
    if (oidc.length > 0 && !current.trusted.includes(effective))
      throw new TrustgateError(
        'INVALID_INPUT',
        `template: the roles of ${oidc.length} OIDC connection(s) do not trust it yet, so every run would be refused. ` +
          'First add it to alsoTrusted (keeping the current template) and re-apply those connections’ deliverables, then switch.',
        { field: 'template' },
      );
    const refusing = oidc.length === 0 ? [] : await rolesRefusingTemplate(deps, principal, effective);
    if (refusing.length > 0)
      throw new TrustgateError(
        'INVALID_INPUT',
        `template: the roles of ${refusing.join(', ')} refuse a token in this form, so their runs would be refused: ` +
          're-apply those connections’ deliverables (they trust both forms now), then switch.',
        { field: 'template' },
      );
  }
  const setting: OidcSubjectSetting | undefined =
    template === undefined && alsoTrusted.length === 0
      ? undefined
      : { ...(template === undefined ? {} : { template }), alsoTrusted };
  await deps.store.transaction(async (repos) => {
    await repos.directory.setOidcSubject(principal.organizationId, setting);
    await recordAudit(repos, {
      principal,
      action: 'organization.oidc-subject',
      details: { from: viewOf(before).trusted, to: viewOf(setting).trusted, template: effective },
    });
  });
  return viewOf(setting);
}

import { AwsError, entityAlreadyExists, limitExceeded, noSuchEntity } from '../protocol/aws-error.ts';
import type { ActionResult, RequestContext } from '../runtime.ts';
import type { OidcProviderRecord, Tag } from '../state/model.ts';
import { scopeOf, checkTags, tagsXml, type IamScope } from './iam-common.ts';

/**
 * `iam:CreateOpenIDConnectProvider` (IAM API reference): the URL must begin with `https://`; the provider's
 * ARN is `arn:<p>:iam::<acct>:oidc-provider/<host/path>`; thumbprints are optional (AWS no longer requires them).
 */
export function createOidcProviderOp(
  scope: IamScope,
  input: { url: string; clientIds: string[]; thumbprints: string[]; tags?: Tag[] },
): OidcProviderRecord {
  if (!input.url.startsWith('https://') || input.url.length > 255)
    throw new AwsError('InvalidInput', 'Invalid Open ID Connect Provider URL', 400);
  for (const t of input.thumbprints) {
    if (!/^[0-9a-fA-F]{40}$/.test(t))
      throw new AwsError(
        'ValidationError',
        `1 validation error detected: Value '[${t}]' at 'thumbprintList' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 40, Member must have length greater than or equal to 40]`,
        400,
      );
  }
  if (input.thumbprints.length > 5) throw limitExceeded('Thumbprint list must contain fewer than 5 entries.');
  checkTags(input.tags ?? []);
  const url = input.url.slice('https://'.length).replace(/\/$/, '');
  if (scope.account.oidcProviders[url.toLowerCase()])
    throw entityAlreadyExists(`Provider with url ${input.url} already exists.`);
  if (Object.keys(scope.account.oidcProviders).length >= 100)
    throw limitExceeded('Cannot exceed quota for OpenIdConnectProvidersPerAccount: 100');
  const provider: OidcProviderRecord = {
    url,
    arn: `arn:${scope.state.partition}:iam::${scope.account.accountId}:oidc-provider/${url}`,
    clientIds: input.clientIds,
    thumbprints: input.thumbprints,
    createDate: scope.now.toISOString(),
    tags: input.tags ?? [],
  };
  scope.account.oidcProviders[url.toLowerCase()] = provider;
  return provider;
}

/** The provider with this ARN in the scope's account, or `NoSuchEntity`. */
export function getOidcProviderRecord(scope: IamScope, arn: string): OidcProviderRecord {
  const provider = Object.values(scope.account.oidcProviders).find((p) => p.arn === arn);
  if (!provider) throw noSuchEntity(`OpenIDConnect Provider not found for arn ${arn}`);
  return provider;
}

/** Query handlers of the OIDC provider actions. */
export const oidcProviderHandlers = {
  CreateOpenIDConnectProvider(ctx: RequestContext): ActionResult {
    const provider = createOidcProviderOp(scopeOf(ctx), {
      url: ctx.params.required('Url'),
      clientIds: ctx.params.list('ClientIDList') ?? [],
      thumbprints: ctx.params.list('ThumbprintList') ?? [],
      tags: ctx.params.tags() ?? [],
    });
    return { OpenIDConnectProviderArn: provider.arn, Tags: tagsXml(provider.tags) };
  },
  GetOpenIDConnectProvider(ctx: RequestContext): ActionResult {
    const provider = getOidcProviderRecord(scopeOf(ctx), ctx.params.required('OpenIDConnectProviderArn'));
    return {
      Url: provider.url,
      ClientIDList: provider.clientIds,
      ThumbprintList: provider.thumbprints,
      CreateDate: new Date(provider.createDate),
      Tags: tagsXml(provider.tags),
    };
  },
  DeleteOpenIDConnectProvider(ctx: RequestContext): ActionResult {
    const provider = getOidcProviderRecord(scopeOf(ctx), ctx.params.required('OpenIDConnectProviderArn'));
    delete ctx.account.oidcProviders[provider.url.toLowerCase()];
    return undefined;
  },
  ListOpenIDConnectProviders(ctx: RequestContext): ActionResult {
    return { OpenIDConnectProviderList: Object.values(ctx.account.oidcProviders).map((p) => ({ Arn: p.arn })) };
  },
  AddClientIDToOpenIDConnectProvider(ctx: RequestContext): ActionResult {
    const provider = getOidcProviderRecord(scopeOf(ctx), ctx.params.required('OpenIDConnectProviderArn'));
    const id = ctx.params.required('ClientID');
    if (!provider.clientIds.includes(id)) provider.clientIds.push(id);
    return undefined;
  },
};

import { createOidcProviderOp, getOidcProviderRecord } from '../../iam/oidc-providers.ts';
import { isAwsError } from '../../protocol/aws-error.ts';
import { stringList, tagList, type ResourceProvider } from './provider.ts';

/**
 * `AWS::IAM::OIDCProvider`: Ref is the provider's ARN; GetAtt Arn. Url, ClientIdList, ThumbprintList (optional, as
 * in the resource's schema) and Tags; a new Url replaces it, other changes are made in place.
 */
export const iamOidcProviderProvider: ResourceProvider = {
  required: ['Url'],
  replaceOn: ['Url'],
  async create(props, ctx) {
    const url = String(props.Url);
    const host = url.replace(/^https:\/\//, '').replace(/\/$/, '');
    const arn = `arn:${ctx.scope.state.partition}:iam::${ctx.scope.account.accountId}:oidc-provider/${host}`;
    ctx.authorize('iam:CreateOpenIDConnectProvider', arn);
    const provider = createOidcProviderOp(ctx.scope, {
      url,
      clientIds: stringList(props.ClientIdList),
      thumbprints: stringList(props.ThumbprintList),
      tags: tagList(props.Tags),
    });
    return { physicalId: provider.arn, ref: provider.arn, attributes: { Arn: provider.arn } };
  },
  async update(previous, props, ctx) {
    ctx.authorize('iam:UpdateOpenIDConnectProviderThumbprint', previous.physicalId);
    const provider = getOidcProviderRecord(ctx.scope, previous.physicalId);
    provider.clientIds = stringList(props.ClientIdList);
    provider.thumbprints = stringList(props.ThumbprintList);
    return { physicalId: provider.arn, ref: provider.arn, attributes: { Arn: provider.arn } };
  },
  async delete(resource, ctx) {
    ctx.authorize('iam:DeleteOpenIDConnectProvider', resource.physicalId);
    try {
      const provider = getOidcProviderRecord(ctx.scope, resource.physicalId);
      delete ctx.scope.account.oidcProviders[provider.url.toLowerCase()];
    } catch (error) {
      if (!(isAwsError(error) && error.code === 'NoSuchEntity')) throw error;
    }
  },
};

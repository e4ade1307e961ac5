import { customResourceProvider } from '../custom-resource.ts';
import {
  iamAccessKeyProvider,
  iamInstanceProfileProvider,
  iamManagedPolicyProvider,
  iamPolicyProvider,
  iamServiceLinkedRoleProvider,
  iamUserProvider,
} from './iam-other-providers.ts';
import { iamOidcProviderProvider } from './iam-oidc-provider.ts';
import { iamRoleProvider } from './iam-role-provider.ts';
import type { ResourceProvider } from './provider.ts';

/** The resource types the sandbox provisions. */
export const RESOURCE_PROVIDERS: Record<string, ResourceProvider> = {
  'AWS::IAM::Role': iamRoleProvider,
  'AWS::IAM::ManagedPolicy': iamManagedPolicyProvider,
  'AWS::IAM::Policy': iamPolicyProvider,
  'AWS::IAM::User': iamUserProvider,
  'AWS::IAM::AccessKey': iamAccessKeyProvider,
  'AWS::IAM::InstanceProfile': iamInstanceProfileProvider,
  'AWS::IAM::ServiceLinkedRole': iamServiceLinkedRoleProvider,
  'AWS::IAM::OIDCProvider': iamOidcProviderProvider,
  'AWS::CloudFormation::CustomResource': customResourceProvider,
};

/** The provider of a type (`Custom::*` types are custom resources), or undefined. */
export function providerFor(type: string): ResourceProvider | undefined {
  return RESOURCE_PROVIDERS[type] ?? (/^Custom::[\w@-]{1,60}$/.test(type) ? customResourceProvider : undefined);
}

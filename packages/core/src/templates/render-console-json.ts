import type { PolicyDocument } from '../policy-document/index.ts';
import type { DeliverableModel } from './deliverable-model.ts';
import { mapStrings, resolveSegments, TemplateStrings } from './template-strings.ts';

/** The raw JSON for a customer who creates everything by hand in the IAM console. */
export interface ConsoleJson {
  blueprint: string;
  partition: string;
  roles: Array<{
    roleName: string;
    path: string;
    maxSessionDuration?: number;
    /** Paste into "Custom trust policy". */
    trustPolicy: PolicyDocument;
    /** Create each as a customer managed policy, then attach it. */
    permissionsPolicies: Array<{ name: string; document: PolicyDocument }>;
    attachedPolicyArns: string[];
    instanceProfile: boolean;
  }>;
  users: Array<{
    userName: string;
    permissionsPolicies: Array<{ name: string; document: PolicyDocument }>;
    attachedPolicyArns: string[];
    accessKey: boolean;
  }>;
  serviceLinkedRoles: Array<{ roleName: string; awsServiceName: string }>;
  /**
   * The IAM OIDC identity provider a web-identity trust names: create it first (IAM console, Identity providers,
   * OpenID Connect: provider URL and audiences) unless the account has one for that URL.
   */
  oidcProvider?: { url: string; clientIds: string[] };
  notes: string[];
  manualSteps: Array<{ title: string; command: string }>;
}

/**
 * The permissions policies and trust policy as plain JSON with every parameter at its value and the
 * partition filled in (IAM console "Create policy" -> JSON, "Create role" -> "Custom trust policy"). The
 * account ID is the customer's when the blueprint knows it, else the placeholder `<ACCOUNT_ID>`.
 */
export function renderConsoleJson(model: DeliverableModel): ConsoleJson {
  const strings = new TemplateStrings(model);
  const params = Object.fromEntries(model.parameters.map((p) => [p.name, p.value]));
  const resolve = (s: string) =>
    resolveSegments(strings.segments(s), {
      params,
      partition: model.partition,
      accountId: model.customerAccountId ?? '<ACCOUNT_ID>',
    });
  const doc = (d: PolicyDocument) => mapStrings(d, resolve) as PolicyDocument;
  const policiesFor = (id: string) =>
    model.resources.flatMap((r) =>
      r.kind === 'managed-policy' && r.attachTo.includes(id)
        ? [{ name: resolve(r.policyName), document: doc(r.document) }]
        : [],
    );
  const out: ConsoleJson = {
    blueprint: model.blueprint,
    partition: model.partition,
    roles: [],
    users: [],
    serviceLinkedRoles: [],
    ...(model.oidcProvider
      ? { oidcProvider: { url: model.oidcProvider.url, clientIds: [...model.oidcProvider.clientIds] } }
      : {}),
    notes: model.notes,
    manualSteps: model.manualSteps,
  };
  for (const r of model.resources) {
    if (r.kind === 'role') {
      out.roles.push({
        roleName: resolve(r.roleName),
        path: r.path ?? '/',
        ...(r.maxSessionDuration !== undefined ? { maxSessionDuration: r.maxSessionDuration } : {}),
        trustPolicy: doc(r.trustPolicy),
        permissionsPolicies: policiesFor(r.id),
        attachedPolicyArns: (r.attachedPolicyArns ?? []).map(resolve),
        instanceProfile: r.instanceProfile ?? false,
      });
    } else if (r.kind === 'user') {
      out.users.push({
        userName: resolve(r.userName),
        permissionsPolicies: policiesFor(r.id),
        attachedPolicyArns: (r.attachedPolicyArns ?? []).map(resolve),
        accessKey: r.accessKey ?? false,
      });
    } else if (r.kind === 'service-linked-role') {
      out.serviceLinkedRoles.push({ roleName: r.roleName, awsServiceName: r.awsServiceName });
    }
  }
  return out;
}

import { randomUUID } from 'node:crypto';
import { AwsError, noSuchEntity } from '../protocol/aws-error.ts';
import type { ActionResult, RequestContext } from '../runtime.ts';
import type { RoleRecord } from '../state/model.ts';
import { scopeOf, roleXml, type IamScope } from './iam-common.ts';
import { createRoleOp, deleteRoleOp } from './roles.ts';

/**
 * Service-linked role names per service principal (IAM User Guide, "AWS services that work with IAM",
 * and each service's "Using service-linked roles" page). `suffix` tells whether AWS accepts a CustomSuffix.
 */
export const SERVICE_LINKED_ROLE_NAMES: Record<string, { name: string; suffix: boolean }> = {
  'spotfleet.amazonaws.com': { name: 'AWSServiceRoleForEC2SpotFleet', suffix: false },
  'spot.amazonaws.com': { name: 'AWSServiceRoleForEC2Spot', suffix: false },
  'autoscaling.amazonaws.com': { name: 'AWSServiceRoleForAutoScaling', suffix: true },
  'elasticloadbalancing.amazonaws.com': { name: 'AWSServiceRoleForElasticLoadBalancing', suffix: false },
  'ecs.amazonaws.com': { name: 'AWSServiceRoleForECS', suffix: false },
  'eks.amazonaws.com': { name: 'AWSServiceRoleForAmazonEKS', suffix: false },
  'rds.amazonaws.com': { name: 'AWSServiceRoleForRDS', suffix: false },
  'organizations.amazonaws.com': { name: 'AWSServiceRoleForOrganizations', suffix: false },
  'config.amazonaws.com': { name: 'AWSServiceRoleForConfig', suffix: false },
  'guardduty.amazonaws.com': { name: 'AWSServiceRoleForAmazonGuardDuty', suffix: false },
  'ssm.amazonaws.com': { name: 'AWSServiceRoleForAmazonSSM', suffix: false },
  'support.amazonaws.com': { name: 'AWSServiceRoleForSupport', suffix: false },
  'trustedadvisor.amazonaws.com': { name: 'AWSServiceRoleForTrustedAdvisor', suffix: false },
  'elasticbeanstalk.amazonaws.com': { name: 'AWSServiceRoleForElasticBeanstalk', suffix: true },
};

/**
 * `iam:CreateServiceLinkedRole`: creates `AWSServiceRoleFor<Service>[_<suffix>]` at path
 * `/aws-service-role/<service>/`, trusting the service principal. The role is protected: only its service
 * (here: DeleteServiceLinkedRole) may change or delete it (`UnmodifiableEntity`).
 */
export function createServiceLinkedRoleOp(
  scope: IamScope,
  input: { serviceName: string; description?: string; customSuffix?: string },
): RoleRecord {
  const known = SERVICE_LINKED_ROLE_NAMES[input.serviceName];
  if (!known) throw new AwsError('InvalidInput', `Invalid service name: ${input.serviceName}`, 400);
  if (input.customSuffix !== undefined && !known.suffix) {
    throw new AwsError('InvalidInput', `Custom suffix is not allowed for ${input.serviceName}`, 400);
  }
  const roleName = input.customSuffix ? `${known.name}_${input.customSuffix}` : known.name;
  if (scope.account.roles[roleName.toLowerCase()]) {
    throw new AwsError(
      'InvalidInput',
      `Service role name ${roleName} has been taken in this account, please try a different suffix.`,
      400,
    );
  }
  const trust = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: [input.serviceName] }, Action: ['sts:AssumeRole'] }],
  });
  return createRoleOp(scope, {
    roleName,
    assumeRolePolicyDocument: trust,
    path: `/aws-service-role/${input.serviceName}/`,
    serviceLinkedTo: input.serviceName,
    ...(input.description !== undefined ? { description: input.description } : {}),
  });
}

/** Query handlers of the service-linked role actions. */
export const serviceLinkedRoleHandlers = {
  CreateServiceLinkedRole(ctx: RequestContext): ActionResult {
    const role = createServiceLinkedRoleOp(scopeOf(ctx), {
      serviceName: ctx.params.required('AWSServiceName'),
      ...(ctx.params.get('Description') !== undefined ? { description: ctx.params.get('Description')! } : {}),
      ...(ctx.params.get('CustomSuffix') !== undefined ? { customSuffix: ctx.params.get('CustomSuffix')! } : {}),
    });
    return { Role: roleXml(role, false) };
  },
  DeleteServiceLinkedRole(ctx: RequestContext): ActionResult {
    const name = ctx.params.required('RoleName');
    const role = ctx.account.roles[name.toLowerCase()];
    if (!role) throw noSuchEntity(`The role with name ${name} cannot be found.`);
    if (!role.serviceLinkedTo) throw new AwsError('InvalidInput', `Role ${name} is not a service-linked role.`, 400);
    role.inlinePolicies = {};
    role.attachedPolicyArns = [];
    deleteRoleOp(scopeOf(ctx), name, { serviceLinked: true });
    return { DeletionTaskId: `task/aws-service-role/${role.serviceLinkedTo}/${role.roleName}/${randomUUID()}` };
  },
  GetServiceLinkedRoleDeletionStatus(ctx: RequestContext): ActionResult {
    const id = ctx.params.required('DeletionTaskId');
    if (!id.startsWith('task/aws-service-role/'))
      throw new AwsError('InvalidInput', `Invalid deletion task id ${id}`, 400);
    return { Status: 'SUCCEEDED' };
  },
};

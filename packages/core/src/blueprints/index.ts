export type { BlueprintOptions, NamedPolicy } from './blueprint-options.ts';
export { ATTACHED_POLICIES_DEFAULT_LIMIT, MANAGED_POLICY_SIZE_LIMIT, checkPolicies } from './check-policies.ts';
export { DEFAULT_CROSS_ACCOUNT_ROLE_NAME, crossAccountRoleBlueprint } from './cross-account-role.ts';
export { SPOT_FLEET_TAGGING_ROLE_NAME, spotFleetBlueprint } from './spot-fleet.ts';
export { DEFAULT_INSTALLER_USER_NAME, INSTALLER_SECRET_WARNING, installerUserBlueprint } from './installer-user.ts';
export { DEFAULT_INSTANCE_ROLE_NAME, instanceProfileRoleBlueprint } from './instance-profile-role.ts';
export { BLUEPRINTS, DEFAULT_BLUEPRINT, buildBlueprint, type Blueprint } from './blueprints.ts';

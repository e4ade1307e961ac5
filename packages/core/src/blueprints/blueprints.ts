import { editDistance } from '../actions/index.ts';
import { TrustgateError } from '../errors/index.ts';
import { isPartition } from '../partition/index.ts';
import type { DeliverableModel } from '../templates/index.ts';
import type { BlueprintOptions } from './blueprint-options.ts';
import { crossAccountRoleBlueprint } from './cross-account-role.ts';
import { installerUserBlueprint } from './installer-user.ts';
import { instanceProfileRoleBlueprint } from './instance-profile-role.ts';
import { spotFleetBlueprint } from './spot-fleet.ts';

/** A named recipe that turns options into a deliverable. */
export interface Blueprint {
  name: string;
  description: string;
  build: (options: BlueprintOptions) => DeliverableModel;
}

/** Every blueprint, by name; `cross-account-role` is the default. */
export const BLUEPRINTS: Readonly<Record<string, Blueprint>> = {
  'cross-account-role': {
    name: 'cross-account-role',
    description: 'Role the platform assumes with an external ID (default).',
    build: crossAccountRoleBlueprint,
  },
  'spot-fleet': {
    name: 'spot-fleet',
    description: 'Spot Fleet service-linked roles, tagging role and user policy.',
    build: spotFleetBlueprint,
  },
  'installer-user': {
    name: 'installer-user',
    description: 'Restricted IAM user with programmatic access for an installer.',
    build: installerUserBlueprint,
  },
  'instance-profile-role': {
    name: 'instance-profile-role',
    description: "Role and same-name instance profile for the platform's EC2 instances.",
    build: instanceProfileRoleBlueprint,
  },
};

/** The default blueprint's name. */
export const DEFAULT_BLUEPRINT = 'cross-account-role';

/**
 * Build the deliverable model of blueprint `name`. Throws `UNKNOWN_BLUEPRINT` (with the closest name) for an
 * unknown one, `INVALID_PARTITION` for a bad partition, and the blueprint's own errors naming the field.
 */
export function buildBlueprint(name: string, options: BlueprintOptions): DeliverableModel {
  const blueprint = Object.prototype.hasOwnProperty.call(BLUEPRINTS, name) ? BLUEPRINTS[name] : undefined;
  if (!blueprint) {
    const names = Object.keys(BLUEPRINTS);
    const closest = names.map((n) => ({ n, d: editDistance(n, String(name)) })).sort((a, b) => a.d - b.d)[0];
    const hint = closest && closest.d <= 4 ? ` Did you mean "${closest.n}"?` : '';
    throw new TrustgateError(
      'UNKNOWN_BLUEPRINT',
      `blueprint: no blueprint "${String(name)}"; known: ${names.join(', ')}.${hint}`,
      { field: 'blueprint' },
    );
  }
  if (!isPartition(options?.partition)) {
    throw new TrustgateError(
      'INVALID_PARTITION',
      `partition: "${String(options?.partition)}" is not one of aws, aws-us-gov, aws-cn`,
      { field: 'partition' },
    );
  }
  return blueprint.build(options);
}

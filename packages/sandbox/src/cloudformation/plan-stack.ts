import { AwsError, validationError } from '../protocol/aws-error.ts';
import { evaluate, references, type IntrinsicEnv } from './intrinsics.ts';
import type { Template } from './parse-template.ts';

/** A parameter as CreateStack/UpdateStack receive it. */
export interface GivenParameter {
  ParameterKey: string;
  ParameterValue?: string;
  UsePreviousValue?: boolean;
}

/** A template checked against the request: parameter values, conditions and resource order. */
export interface StackPlan {
  template: Template;
  /** Parameter name -> value (lists as string arrays) plus pseudo parameters. */
  refs: Record<string, unknown>;
  /** Parameters as DescribeStacks reports them (NoEcho values masked). */
  parameters: Array<{ ParameterKey: string; ParameterValue: string }>;
  conditions: Record<string, boolean>;
  /** Logical IDs of the resources whose condition holds, dependencies first. */
  order: string[];
  /** Direct dependencies of each active resource. */
  dependencies: Record<string, string[]>;
}

const PARAMETER_TYPES =
  /^(String|Number|List<Number>|CommaDelimitedList|AWS::SSM::Parameter::(Name|Value<.+>)|AWS::[A-Za-z0-9]+::[A-Za-z0-9]+::[A-Za-z0-9]+|List<AWS::[A-Za-z0-9]+::[A-Za-z0-9]+::[A-Za-z0-9]+>)$/;

function parameterValue(name: string, decl: NonNullable<Template['Parameters']>[string], raw: string): unknown {
  const fail = (message: string): never => {
    throw validationError(
      decl.ConstraintDescription !== undefined && !message.includes('must be one of')
        ? `Parameter '${name}' failed to satisfy constraint: ${decl.ConstraintDescription}`
        : message,
    );
  };
  if (decl.Type === 'Number') {
    if (raw.trim() === '' || Number.isNaN(Number(raw))) fail(`Parameter '${name}' must be a number.`);
    if (decl.MinValue !== undefined && Number(raw) < Number(decl.MinValue))
      fail(`Parameter '${name}' must be a number not less than ${String(decl.MinValue)}`);
    if (decl.MaxValue !== undefined && Number(raw) > Number(decl.MaxValue))
      fail(`Parameter '${name}' must be a number not greater than ${String(decl.MaxValue)}`);
  }
  if (decl.Type === 'String' || decl.Type === 'Number') {
    if (decl.MinLength !== undefined && raw.length < Number(decl.MinLength))
      fail(`Parameter '${name}' must contain at least ${String(decl.MinLength)} characters`);
    if (decl.MaxLength !== undefined && raw.length > Number(decl.MaxLength))
      fail(`Parameter '${name}' must contain at most ${String(decl.MaxLength)} characters`);
    if (decl.AllowedPattern !== undefined && !new RegExp(`^(?:${decl.AllowedPattern})$`).test(raw))
      fail(`Parameter '${name}' must match pattern ${decl.AllowedPattern}`);
  }
  if (decl.AllowedValues !== undefined && !decl.AllowedValues.map(String).includes(raw))
    fail(`Parameter '${name}' must be one of AllowedValues`);
  if (decl.Type.startsWith('List<') || decl.Type === 'CommaDelimitedList')
    return raw === '' ? [] : raw.split(',').map((s) => s.trim());
  return raw;
}

/**
 * Checks a template against a CreateStack/UpdateStack request and plans it (CloudFormation User Guide,
 * "Parameters", "Conditions", "DependsOn attribute"): every parameter needs a value ("Parameters: [X] must
 * have values"), unknown parameters are refused ("Parameters: [X] do not exist in the template"), values
 * meet their constraints; conditions are evaluated; references must resolve and resources are ordered
 * dependencies first (circular dependencies are refused).
 */
export function planStack(options: {
  template: Template;
  given: GivenParameter[];
  previous?: Array<{ ParameterKey: string; ParameterValue: string }>;
  pseudo: Record<string, unknown>;
  supportedTypes: (type: string) => boolean;
  azs: (region: string) => string[];
  region: string;
}): StackPlan {
  const { template, given } = options;
  const decls = template.Parameters ?? {};
  const unknown = given.map((p) => p.ParameterKey).filter((k) => !(k in decls));
  if (unknown.length > 0) throw validationError(`Parameters: [${unknown.join(', ')}] do not exist in the template`);
  const refs: Record<string, unknown> = { ...options.pseudo };
  const parameters: StackPlan['parameters'] = [];
  const missing: string[] = [];
  for (const [name, decl] of Object.entries(decls)) {
    if (typeof decl !== 'object' || decl === null || typeof decl.Type !== 'string') {
      throw validationError(`Template format error: Every Parameters object must contain a Type member.`);
    }
    if (!PARAMETER_TYPES.test(decl.Type))
      throw validationError(`Template format error: Unrecognized parameter type: ${decl.Type}`);
    const g = given.find((p) => p.ParameterKey === name);
    let raw: string | undefined;
    if (g?.UsePreviousValue) raw = options.previous?.find((p) => p.ParameterKey === name)?.ParameterValue;
    else if (g?.ParameterValue !== undefined) raw = g.ParameterValue;
    else if (decl.Default !== undefined)
      raw = Array.isArray(decl.Default) ? decl.Default.join(',') : String(decl.Default);
    if (raw === undefined) {
      missing.push(name);
      continue;
    }
    refs[name] = parameterValue(name, decl, raw);
    const noEcho = decl.NoEcho === true || decl.NoEcho === 'true';
    parameters.push({ ParameterKey: name, ParameterValue: noEcho ? '****' : raw });
  }
  if (missing.length > 0) throw validationError(`Parameters: [${missing.join(', ')}] must have values`);

  const conditionDecls = template.Conditions ?? {};
  const conditions: Record<string, boolean> = {};
  const env: IntrinsicEnv = {
    refs,
    conditions,
    mappings: template.Mappings ?? {},
    azs: options.azs,
    region: options.region,
    resourceRef: (id) => {
      throw validationError(
        `Template format error: Unresolved resource dependencies [${id}] in the Resources block of the template`,
      );
    },
    resourceAttribute: (id) => {
      throw validationError(`Template error: resource ${id} cannot be referenced in a condition`);
    },
  };
  const evaluating = new Set<string>();
  const evalCondition = (name: string): boolean => {
    if (name in conditions) return conditions[name]!;
    if (!(name in conditionDecls))
      throw validationError(`Template format error: Unresolved condition dependency ${name}`);
    if (evaluating.has(name)) throw validationError(`Template error: circular condition dependency ${name}`);
    evaluating.add(name);
    for (const dep of conditionDeps(conditionDecls[name])) evalCondition(dep);
    conditions[name] = evaluate(conditionDecls[name], env) === true;
    return conditions[name]!;
  };
  for (const name of Object.keys(conditionDecls)) evalCondition(name);

  const resources = template.Resources;
  const unrecognized = [
    ...new Set(
      Object.values(resources)
        .map((r) => r.Type)
        .filter((t) => !options.supportedTypes(t)),
    ),
  ];
  if (unrecognized.length > 0)
    throw validationError(`Template format error: Unrecognized resource types: [${unrecognized.join(', ')}]`);
  for (const [id, r] of Object.entries(resources)) {
    if (r.Condition !== undefined && !(r.Condition in conditions))
      throw validationError(`Template format error: Unresolved condition dependency ${r.Condition} in Resources/${id}`);
  }
  const active = Object.keys(resources).filter(
    (id) => resources[id]!.Condition === undefined || conditions[resources[id]!.Condition!],
  );
  const dependencies: Record<string, string[]> = {};
  const unresolved = new Set<string>();
  for (const id of Object.keys(resources)) {
    const r = resources[id]!;
    const deps = new Set<string>([
      ...references(r.Properties ?? {}),
      ...(r.DependsOn === undefined ? [] : Array.isArray(r.DependsOn) ? r.DependsOn : [r.DependsOn]),
    ]);
    const resourceDeps: string[] = [];
    for (const dep of deps) {
      if (dep in resources) resourceDeps.push(dep);
      else if (!(dep in refs) && dep !== 'AWS::NoValue') unresolved.add(dep);
    }
    dependencies[id] = resourceDeps;
  }
  for (const output of Object.values(template.Outputs ?? {})) {
    for (const dep of references(output.Value)) if (!(dep in resources) && !(dep in refs)) unresolved.add(dep);
  }
  if (unresolved.size > 0)
    throw validationError(
      `Template format error: Unresolved resource dependencies [${[...unresolved].join(', ')}] in the Resources block of the template`,
    );
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, path: string[]): void => {
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'visiting')
      throw validationError(`Circular dependency between resources: [${path.slice(path.indexOf(id)).join(', ')}]`);
    state.set(id, 'visiting');
    for (const dep of dependencies[id] ?? []) visit(dep, [...path, id]);
    state.set(id, 'done');
    order.push(id);
  };
  for (const id of Object.keys(resources)) visit(id, []);
  return { template, refs, parameters, conditions, order: order.filter((id) => active.includes(id)), dependencies };
}

function conditionDeps(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => conditionDeps(v, out));
  else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'Condition' && typeof v === 'string') out.push(v);
      else conditionDeps(v, out);
    }
  }
  return out;
}

const IAM_NAME_PROPERTIES: Record<string, string> = {
  'AWS::IAM::Role': 'RoleName',
  'AWS::IAM::User': 'UserName',
  'AWS::IAM::ManagedPolicy': 'ManagedPolicyName',
  'AWS::IAM::InstanceProfile': 'InstanceProfileName',
  'AWS::IAM::Group': 'GroupName',
};

/**
 * Checks the acknowledged capabilities (CloudFormation API reference, CreateStack `Capabilities`): a
 * template with IAM resources needs CAPABILITY_IAM or CAPABILITY_NAMED_IAM; one with custom names for IAM
 * resources needs CAPABILITY_NAMED_IAM. Otherwise `InsufficientCapabilitiesException` (400).
 */
export function checkCapabilities(template: Template, capabilities: string[]): void {
  const resources = Object.values(template.Resources);
  const iam = resources.some((r) => r.Type.startsWith('AWS::IAM::'));
  const named = resources.some(
    (r) => IAM_NAME_PROPERTIES[r.Type] !== undefined && r.Properties?.[IAM_NAME_PROPERTIES[r.Type]!] !== undefined,
  );
  const need = named ? 'CAPABILITY_NAMED_IAM' : iam ? 'CAPABILITY_IAM' : undefined;
  if (!need) return;
  const ok =
    need === 'CAPABILITY_NAMED_IAM'
      ? capabilities.includes('CAPABILITY_NAMED_IAM')
      : capabilities.includes('CAPABILITY_IAM') || capabilities.includes('CAPABILITY_NAMED_IAM');
  if (!ok) throw new AwsError('InsufficientCapabilitiesException', `Requires capabilities : [${need}]`, 400);
}

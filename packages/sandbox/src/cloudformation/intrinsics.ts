import { validationError } from '../protocol/aws-error.ts';

/** Marker for `Ref: AWS::NoValue`: the property is removed. */
export const NO_VALUE = Symbol('AWS::NoValue');

/** What intrinsic functions can see while a stack is being created or updated. */
export interface IntrinsicEnv {
  /** Parameter values and pseudo parameters (`AWS::AccountId`, ...). Lists are string arrays. */
  refs: Record<string, unknown>;
  /** `Ref` of a provisioned resource; undefined when the resource is not (yet) provisioned. */
  resourceRef(logicalId: string): string | undefined;
  /** `Fn::GetAtt` of a provisioned resource; throws a ValidationError for an unknown attribute. */
  resourceAttribute(logicalId: string, attribute: string): unknown;
  /** Evaluated conditions. */
  conditions: Record<string, boolean>;
  mappings: Record<string, Record<string, Record<string, unknown>>>;
  /** Availability zones of a region for `Fn::GetAZs`. */
  azs(region: string): string[];
  region: string;
}

function isFunction(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0] === 'Condition' || keys[0]!.startsWith('Fn::'));
}

function str(value: unknown, fn: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw validationError(`Template error: every ${fn} object requires string values`);
}

/**
 * Evaluates CloudFormation intrinsic functions in a template fragment (Intrinsic function reference):
 * Ref, Fn::Sub, Fn::GetAtt, Fn::Join, Fn::If, Fn::Equals, Fn::Not, Fn::And, Fn::Or, Condition, Fn::Select,
 * Fn::Split, Fn::FindInMap, Fn::Base64, Fn::GetAZs. `Ref: AWS::NoValue` removes the property or list item.
 */
export function evaluate(value: unknown, env: IntrinsicEnv): unknown {
  if (Array.isArray(value)) return value.map((v) => evaluate(v, env)).filter((v) => v !== NO_VALUE);
  if (typeof value !== 'object' || value === null) return value;
  if (!isFunction(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const r = evaluate(v, env);
      if (r !== NO_VALUE) out[k] = r;
    }
    return out;
  }
  const [name, arg] = Object.entries(value)[0]!;
  switch (name) {
    case 'Ref': {
      const target = str(arg, 'Ref');
      if (target === 'AWS::NoValue') return NO_VALUE;
      if (target in env.refs) return env.refs[target];
      const ref = env.resourceRef(target);
      if (ref === undefined)
        throw validationError(
          `Template format error: Unresolved resource dependencies [${target}] in the Resources block of the template`,
        );
      return ref;
    }
    case 'Fn::GetAtt': {
      const parts =
        typeof arg === 'string'
          ? [arg.slice(0, arg.indexOf('.')), arg.slice(arg.indexOf('.') + 1)]
          : (evaluate(arg, env) as unknown[]);
      if (!Array.isArray(parts) || parts.length !== 2)
        throw validationError('Template error: every Fn::GetAtt object requires two non-empty parameters');
      return env.resourceAttribute(str(parts[0], 'Fn::GetAtt'), str(parts[1], 'Fn::GetAtt'));
    }
    case 'Fn::Sub': {
      const [template, vars] = Array.isArray(arg)
        ? [arg[0], evaluate(arg[1] ?? {}, env) as Record<string, unknown>]
        : [arg, {} as Record<string, unknown>];
      return str(template, 'Fn::Sub').replace(/\$\{([^}]*)\}/g, (whole, expr: string) => {
        if (expr.startsWith('!')) return `\${${expr.slice(1)}}`;
        if (expr in vars) return String(vars[expr]);
        if (expr.includes('.') && !(expr in env.refs)) {
          const dot = expr.indexOf('.');
          return String(env.resourceAttribute(expr.slice(0, dot), expr.slice(dot + 1)));
        }
        const r = evaluate({ Ref: expr }, env);
        return Array.isArray(r) ? r.join(',') : String(r ?? whole);
      });
    }
    case 'Fn::Join': {
      if (!Array.isArray(arg) || arg.length !== 2)
        throw validationError(
          'Template error: every Fn::Join object requires two parameters, (1) a string delimiter and (2) a list of strings to be joined or a function that returns a list of strings (such as Fn::GetAZs) to be joined.',
        );
      const list = evaluate(arg[1], env);
      if (!Array.isArray(list))
        throw validationError(
          'Template error: every Fn::Join object requires two parameters, (1) a string delimiter and (2) a list of strings to be joined',
        );
      return list.map((v) => str(v, 'Fn::Join')).join(str(arg[0], 'Fn::Join'));
    }
    case 'Fn::If': {
      if (!Array.isArray(arg) || arg.length !== 3)
        throw validationError('Template error: Fn::If requires a list argument with three elements');
      const condition = str(arg[0], 'Fn::If');
      if (!(condition in env.conditions))
        throw validationError(`Template error: unresolved condition dependency ${condition} in Fn::If`);
      return evaluate(env.conditions[condition] ? arg[1] : arg[2], env);
    }
    case 'Condition': {
      const condition = str(arg, 'Condition');
      if (!(condition in env.conditions))
        throw validationError(`Template error: unresolved condition dependency ${condition}`);
      return env.conditions[condition];
    }
    case 'Fn::Equals': {
      if (!Array.isArray(arg) || arg.length !== 2)
        throw validationError('Template error: every Fn::Equals object requires a list of 2 string parameters.');
      const [a, b] = arg.map((v) => evaluate(v, env));
      return JSON.stringify(a) === JSON.stringify(b) || String(a) === String(b);
    }
    case 'Fn::Not':
      if (!Array.isArray(arg) || arg.length !== 1)
        throw validationError('Template error: every Fn::Not object requires a list of 1 parameter.');
      return !evaluate(arg[0], env);
    case 'Fn::And':
    case 'Fn::Or': {
      if (!Array.isArray(arg) || arg.length < 2 || arg.length > 10)
        throw validationError(
          `Template error: every ${name} object requires a list of at least 2 and at most 10 boolean parameters.`,
        );
      const values = arg.map((v) => evaluate(v, env) === true);
      return name === 'Fn::And' ? values.every(Boolean) : values.some(Boolean);
    }
    case 'Fn::Select': {
      if (!Array.isArray(arg) || arg.length !== 2)
        throw validationError(
          'Template error: Fn::Select requires a list argument with two elements: an integer index and a list',
        );
      const index = Number(evaluate(arg[0], env));
      const list = evaluate(arg[1], env);
      if (!Array.isArray(list) || !Number.isInteger(index) || index < 0 || index >= list.length)
        throw validationError('Template error: Fn::Select cannot select nonexistent value at index ' + String(index));
      return list[index];
    }
    case 'Fn::Split': {
      if (!Array.isArray(arg) || arg.length !== 2)
        throw validationError('Template error: every Fn::Split object requires two parameters');
      return str(evaluate(arg[1], env), 'Fn::Split').split(str(arg[0], 'Fn::Split'));
    }
    case 'Fn::FindInMap': {
      if (!Array.isArray(arg) || arg.length < 3)
        throw validationError(
          'Template error: every Fn::FindInMap object requires three parameters, the map name, map key and the attribute for return value',
        );
      const [map, key, attr] = arg.slice(0, 3).map((v) => str(evaluate(v, env), 'Fn::FindInMap'));
      const found = env.mappings[map!]?.[key!]?.[attr!];
      if (found === undefined)
        throw validationError(`Template error: Unable to get mapping for ${map}::${key}::${attr}`);
      return found;
    }
    case 'Fn::Base64':
      return Buffer.from(str(evaluate(arg, env), 'Fn::Base64')).toString('base64');
    case 'Fn::GetAZs': {
      const region = str(evaluate(arg, env), 'Fn::GetAZs') || env.region;
      return env.azs(region);
    }
    default:
      throw validationError(`Template format error: Unsupported function ${name}`);
  }
}

/** The logical IDs a fragment references through Ref, Fn::GetAtt and Fn::Sub (for dependency ordering). */
export function references(value: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const v of value) references(v, out);
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'Ref' && typeof v === 'string') out.add(v);
      else if (k === 'Fn::GetAtt') {
        const target = typeof v === 'string' ? v.split('.')[0] : Array.isArray(v) ? v[0] : undefined;
        if (typeof target === 'string') out.add(target);
        if (Array.isArray(v)) references(v.slice(1), out);
      } else if (k === 'Fn::Sub') {
        const template = Array.isArray(v) ? v[0] : v;
        const vars = Array.isArray(v) && typeof v[1] === 'object' && v[1] !== null ? Object.keys(v[1] as object) : [];
        if (typeof template === 'string') {
          for (const m of template.matchAll(/\$\{([^}!][^}]*)\}/g)) {
            const name = m[1]!.split('.')[0]!;
            if (!vars.includes(m[1]!)) out.add(name);
          }
        }
        if (Array.isArray(v)) references(v[1], out);
      } else references(v, out);
    }
  }
  return out;
}

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  BLUEPRINTS,
  PARTITIONS,
  buildBlueprint,
  compilePolicies,
  loadAwsActionList,
  parseCatalog,
  type BlueprintOptions,
  type DeliverableModel,
  type Partition,
  type PolicyDocument,
} from '../../src/index.ts';

export const PLATFORM_ACCOUNT = '111122223333';
export const CUSTOMER_ACCOUNT = '444455556666';
export const EXTERNAL_ID = 'tg-7Hq2mX9vLr4Ns8Kd3Pw6Ty1Bz5Fc0Ja';

/** One blueprint in one partition, with the compiler's documents it was given. */
export interface DeliverableCase {
  name: string;
  blueprint: string;
  partition: Partition;
  options: BlueprintOptions;
  model: DeliverableModel;
  /** The permissions the deliverable must create, exactly as the compiler (or the blueprint) wrote them. */
  expectedPolicies: Array<{ name: string; document: PolicyDocument }>;
}

/** The example catalog's default selection compiled by the policy compiler for `partition`. */
export async function compiledExample(
  partition: Partition,
): Promise<{ documents: Array<{ name: string; document: PolicyDocument }>; managedPolicyArns: string[] }> {
  const actionList = await loadAwsActionList();
  const text = readFileSync(fileURLToPath(new URL('../../../../catalogs/example.yaml', import.meta.url)), 'utf8');
  const { catalog, findings } = parseCatalog(text, { fileName: 'example.yaml', actionList });
  if (!catalog) throw new Error(`example catalog invalid: ${JSON.stringify(findings)}`);
  const result = compilePolicies(
    { catalog, selection: { mode: 'default' }, partition, accountId: CUSTOMER_ACCOUNT },
    actionList,
  );
  return {
    documents: result.documents.map((d) => ({ name: d.name, document: d.document })),
    managedPolicyArns: result.managedPolicyArns,
  };
}

/** Every blueprint in every partition, built from compiled example policies. */
export async function allCases(): Promise<DeliverableCase[]> {
  const cases: DeliverableCase[] = [];
  for (const partition of PARTITIONS) {
    const compiled = await compiledExample(partition);
    for (const blueprint of Object.keys(BLUEPRINTS)) {
      const options: BlueprintOptions = {
        partition,
        platform: { [partition]: { accountId: PLATFORM_ACCOUNT } },
        externalIds: [EXTERNAL_ID],
        customerAccountId: CUSTOMER_ACCOUNT,
        policies: compiled.documents,
        managedPolicyArns: compiled.managedPolicyArns,
        maxSessionDuration: 7200,
      };
      const model = buildBlueprint(blueprint, options);
      const expectedPolicies = model.resources.flatMap((r) =>
        r.kind === 'managed-policy' ? [{ name: r.policyName, document: r.document }] : [],
      );
      cases.push({ name: `${blueprint} in ${partition}`, blueprint, partition, options, model, expectedPolicies });
    }
  }
  return cases;
}

/** Pseudo parameters and parameter values to resolve a template with. */
export interface ResolveValues {
  params: Record<string, string>;
  partition: string;
  accountId: string;
  region?: string;
}

/**
 * Evaluate the intrinsics trustgate's templates use (Ref to parameters and pseudo parameters, Fn::Sub in both
 * forms with `${!x}` escapes). Anything else is left as it is (GetAtt of resources, which only AWS knows).
 */
export function resolveCfn(value: unknown, v: ResolveValues, local: Record<string, unknown> = {}): unknown {
  const ref = (name: string): unknown => {
    if (name in local) return local[name];
    if (name === 'AWS::Partition') return v.partition;
    if (name === 'AWS::AccountId') return v.accountId;
    if (name === 'AWS::Region') return v.region ?? 'us-east-1';
    if (name === 'AWS::URLSuffix') return v.partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
    if (name in v.params) return v.params[name];
    return { Ref: name };
  };
  if (Array.isArray(value)) return value.map((x) => resolveCfn(x, v, local));
  if (value && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 1) {
      const [key, arg] = entries[0] as [string, unknown];
      if (key === 'Ref' && typeof arg === 'string') return ref(arg);
      if (key === 'Fn::Sub') {
        const [template, vars] = Array.isArray(arg)
          ? [arg[0] as string, resolveCfn(arg[1], v, local) as Record<string, unknown>]
          : [arg as string, {}];
        const scope = { ...local, ...vars };
        return template.replace(/\$\{(!?)([^}]*)\}/g, (whole, bang: string, name: string) => {
          if (bang) return `\${${name}}`;
          const r = name in scope ? scope[name] : ref(name);
          return typeof r === 'string' ? r : whole;
        });
      }
    }
    return Object.fromEntries(entries.map(([k, x]) => [k, resolveCfn(x, v, local)]));
  }
  return value;
}

/**
 * Evaluate a Terraform template string the way Terraform would for the references trustgate emits:
 * `${var.x}` (variable defaults), `${data.aws_partition.current.partition}`,
 * `${data.aws_caller_identity.current.account_id}`, and the escapes `$${` and `%%{`. Any other interpolation
 * is an error.
 */
export function evaluateTerraformTemplate(
  text: string,
  values: { variables: Record<string, string>; partition: string; accountId: string },
): string {
  return text.replace(/\$\$\{|%%\{|\$\{([^}]*)\}|%\{/g, (match, expr: string | undefined) => {
    if (match === '$${') return '${';
    if (match === '%%{') return '%{';
    if (match === '%{') throw new Error('unexpected template directive %{');
    if (expr === 'data.aws_partition.current.partition') return values.partition;
    if (expr === 'data.aws_caller_identity.current.account_id') return values.accountId;
    const variable = /^var\.([a-z0-9_]+)$/.exec(expr ?? '');
    if (variable && variable[1] && variable[1] in values.variables) return values.variables[variable[1]] as string;
    throw new Error(`unexpected interpolation ${match}`);
  });
}

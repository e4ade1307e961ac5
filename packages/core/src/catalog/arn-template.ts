import { isAccountId } from '../arn/index.ts';
import type { Partition } from '../partition/index.ts';

/** The template variables trustgate fills in when it compiles a catalog. */
export const TEMPLATE_VARIABLES = ['Partition', 'AccountId', 'Region'] as const;

/** Values for {@link resolveTemplate}; a missing account or region becomes `*`. */
export interface TemplateValues {
  partition: Partition;
  accountId?: string;
  region?: string;
}

const VARIABLE = /\$\{([^}]*)\}/g;

/**
 * IAM's own policy variables pass through a template untouched: `${aws:username}`, `${aws:PrincipalTag/x}`,
 * `${s3:prefix}` (namespace:key), and the escapes `${*}`, `${?}`, `${$}` (IAM User Guide, "IAM policy elements:
 * Variables and tags").
 */
function isIamPolicyVariable(name: string): boolean {
  return name === '*' || name === '?' || name === '$' || /^[A-Za-z0-9-]+:[\w/.@+=-]+(?:,\s*'[^']*')?$/.test(name);
}

/**
 * Problems with the template variables in `text`: unknown `${Name}` (trustgate knows `${Partition}`,
 * `${AccountId}`, `${Region}`; IAM policy variables such as `${aws:username}` are kept) and unclosed `${`.
 * Returns messages; empty when fine.
 */
export function checkTemplateVariables(text: string): string[] {
  const problems: string[] = [];
  for (const match of text.matchAll(VARIABLE)) {
    const name = match[1] ?? '';
    if ((TEMPLATE_VARIABLES as readonly string[]).includes(name) || isIamPolicyVariable(name)) continue;
    const near = TEMPLATE_VARIABLES.find((v) => v.toLowerCase() === name.toLowerCase());
    problems.push(
      `unknown template variable \${${name}}${near ? ` (did you mean \${${near}}?)` : ''}; use \${Partition}, \${AccountId} or \${Region}`,
    );
  }
  if (/\$\{[^}]*$/.test(text)) problems.push('unclosed "${" in template');
  return problems;
}

/**
 * Check a resource ARN template: `*`, or `arn:${Partition}:<service>:<region>:<account>:<resource>` with the
 * partition given as `${Partition}` (a literal `aws` would be wrong in GovCloud and China) and a non-empty
 * service and resource (AWS General Reference, "Amazon Resource Names (ARNs)"). Returns messages.
 */
export function checkArnTemplate(template: string): string[] {
  if (template === '*') return [];
  const problems = checkTemplateVariables(template);
  if (/\s/.test(template)) problems.push('an ARN has no white space');
  if (!template.startsWith('arn:'))
    return [...problems, 'a resource must be "*" or an ARN starting with "arn:${Partition}:"'];
  // Split on ':' outside ${...} so `${aws:username}` does not count as a separator.
  const parts = template.replace(VARIABLE, (m) => m.replace(/:/g, '\u0000')).split(':');
  if (parts.length < 6)
    return [...problems, 'an ARN needs six parts: arn:${Partition}:service:region:account:resource'];
  const [, partition, service, region, account] = parts;
  const resource = parts.slice(5).join(':');
  if (partition !== '${Partition}') {
    problems.push(
      `the partition must be \${Partition} so the ARN is right in aws, aws-us-gov and aws-cn (found "${partition}")`,
    );
  }
  if (!service || !/^[a-z0-9*?-]+$/.test(service))
    problems.push(`the service part "${service}" is not a service prefix`);
  if (region && !/^(?:\$\{Region\}|[a-z0-9*?-]+)$/.test(region))
    problems.push(`the region part "${region}" is not a region, \${Region} or a wildcard`);
  if (account && !isAccountId(account) && !/^(?:\$\{AccountId\}|[*?]+|aws)$/.test(account)) {
    problems.push(`the account part "${account}" must be \${AccountId}, a 12-digit account, "*" or "aws"`);
  }
  if (!resource) problems.push('the resource part of the ARN is empty');
  return problems;
}

/** Replace `${Partition}`, `${AccountId}` (or `*`) and `${Region}` (or `*`); IAM policy variables are kept. */
export function resolveTemplate(template: string, values: TemplateValues): string {
  return template.replace(VARIABLE, (whole, name: string) => {
    if (name === 'Partition') return values.partition;
    if (name === 'AccountId') return values.accountId ?? '*';
    if (name === 'Region') return values.region ?? '*';
    return whole;
  });
}

import type { ActionList } from '../actions/index.ts';
import type { Finding } from '../errors/index.ts';
import { checkArnTemplate, checkTemplateVariables } from './arn-template.ts';
import type { CatalogFile } from './catalog-schema.ts';
import { checkAction, isConditionOperator } from './check-actions.ts';
import { CATALOG_LIMITS, limitMessage } from './catalog-limits.ts';

/** Where a finding points: a path into the file plus the product and integration it belongs to. */
export type Place = (path: Array<string | number>) => string;

/**
 * A product as far as it is well-formed: its id when the schema accepts it, and each integration that passes the
 * schema (`undefined` in place of one that does not). A product that passed the schema whole is one too.
 */
export interface CheckableProduct {
  id?: string;
  integrations: Array<CatalogFile['products'][number]['integrations'][number] | undefined>;
}

/**
 * The semantic checks a schema cannot express, on a file that passed {@link catalogFileSchema}: unique product
 * ids and integration ids (across the whole catalog), no empty bundle, every action real (or a wildcard that
 * matches something), every resource a valid ARN template, condition operators and template variables known,
 * partitions and managed policies listed once. `place` renders a path for messages.
 *
 * Checking stops after {@link CATALOG_LIMITS.errors} errors (each unknown action costs a search for suggestions).
 */
export function checkCatalog(
  file: { products: Array<CheckableProduct | undefined> },
  actionList: ActionList,
  place: Place,
): Finding[] {
  const findings: Finding[] = [];
  let errors = 0;
  const full = (): boolean => errors >= CATALOG_LIMITS.errors;
  const add = (severity: Finding['severity'], code: string, path: Array<string | number>, message: string): void => {
    if (severity === 'error') errors++;
    findings.push({ code, severity, path: formatPath(path), message: `${place(path)}: ${message}` });
  };

  const productIds = new Map<string, number>();
  const integrationIds = new Map<string, string>();
  file.products.forEach((product, p) => {
    if (!product) return; // reported by the schema
    const productPath = ['products', p];
    if (product.id !== undefined) {
      const first = productIds.get(product.id);
      if (first !== undefined)
        add(
          'error',
          'DUPLICATE_ID',
          [...productPath, 'id'],
          `duplicate product id "${product.id}" (first used by products[${first}])`,
        );
      else productIds.set(product.id, p);
    }

    product.integrations.forEach((integration, i) => {
      if (!integration || full()) return; // reported by the schema, or enough said
      const path = [...productPath, 'integrations', i];
      const owner = integrationIds.get(integration.id);
      if (owner !== undefined) {
        add(
          'error',
          'DUPLICATE_ID',
          [...path, 'id'],
          `duplicate integration id "${integration.id}" (already used in ${owner}); integration ids are unique across the catalog`,
        );
      } else integrationIds.set(integration.id, formatPath(path));

      if (integration.statements.length === 0 && integration.managedPolicies.length === 0) {
        add(
          'error',
          'EMPTY_BUNDLE',
          path,
          `integration "${integration.id}" grants nothing: give it statements or managedPolicies`,
        );
      }
      const partitions = integration.partitions ?? [];
      if (new Set(partitions).size !== partitions.length)
        add('error', 'DUPLICATE_PARTITION', [...path, 'partitions'], 'a partition is listed twice');
      const policies = new Set<string>();
      integration.managedPolicies.forEach((name, m) => {
        if (policies.has(name))
          add(
            'warning',
            'DUPLICATE_MANAGED_POLICY',
            [...path, 'managedPolicies', m],
            `managed policy ${name} is listed twice`,
          );
        policies.add(name);
      });

      const seen = new Map<string, string>();
      integration.statements.forEach((statement, s) => {
        const statementPath = [...path, 'statements', s];
        statement.actions.forEach((entry, a) => {
          if (full()) return;
          const check = checkAction(entry, actionList);
          if (!check.ok) {
            add('error', check.code, [...statementPath, 'actions', a], check.message);
            return;
          }
          if (!check.wildcard) {
            const key = check.canonical[0]!.toLowerCase();
            const prior = seen.get(key);
            if (prior !== undefined)
              add(
                'warning',
                'DUPLICATE_ACTION',
                [...statementPath, 'actions', a],
                `${entry} is listed twice in this integration (also at ${prior})`,
              );
            else seen.set(key, formatPath([...statementPath, 'actions', a]));
          }
        });
        (statement.resources ?? []).forEach((resource, r) => {
          const problems = templateTooBig(resource) ?? checkArnTemplate(resource);
          for (const problem of problems) {
            add(
              'error',
              'INVALID_ARN_TEMPLATE',
              [...statementPath, 'resources', r],
              `resource "${shorten(resource)}": ${problem}`,
            );
          }
        });
        for (const [operator, entries] of Object.entries(statement.conditions ?? {})) {
          if (!isConditionOperator(operator)) {
            add(
              'error',
              'INVALID_CONDITION',
              [...statementPath, 'conditions', operator],
              `unknown condition operator "${operator}"`,
            );
          }
          for (const [key, value] of Object.entries(entries)) {
            const values = Array.isArray(value) ? value : [value];
            for (const v of values) {
              if (typeof v !== 'string') continue;
              for (const problem of templateTooBig(v) ?? checkTemplateVariables(v)) {
                add(
                  'error',
                  'INVALID_TEMPLATE',
                  [...statementPath, 'conditions', operator, key],
                  `condition value "${shorten(v)}": ${problem}`,
                );
              }
            }
          }
        }
      });
    });
  });
  return findings;
}

/**
 * Why `text`, a resource ARN template or a condition value, is too big to check: longer than
 * {@link CATALOG_LIMITS.templateLength} or with more `${` than {@link CATALOG_LIMITS.templateVariables} (finding
 * the variables costs the number of `${` times the length). Undefined when it is not.
 */
function templateTooBig(text: string): string[] | undefined {
  if (text.length > CATALOG_LIMITS.templateLength) {
    return [
      limitMessage('templateLength', `${text.length.toLocaleString('en-US')} characters`, 'IAM accepts no longer ARN'),
    ];
  }
  const variables = text.split('${').length - 1;
  if (variables > CATALOG_LIMITS.templateVariables) {
    return [
      limitMessage(
        'templateVariables',
        `${variables.toLocaleString('en-US')} template variables`,
        'use ${Partition}, ${AccountId} and ${Region} once each',
      ),
    ];
  }
  return undefined;
}

/** `text` cut to 100 characters for a message. */
function shorten(text: string): string {
  return text.length > 100 ? `${text.slice(0, 100)}…` : text;
}

/** `['products', 2, 'integrations', 0, 'id']` -> `products[2].integrations[0].id`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

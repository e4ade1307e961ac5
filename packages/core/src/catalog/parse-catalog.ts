import type { ActionList } from '../actions/index.ts';
import type { Finding } from '../errors/index.ts';
import { PARTITIONS } from '../partition/index.ts';
import type { Catalog } from './catalog-types.ts';
import {
  catalogFileSchema,
  catalogIntegrationSchema,
  catalogProductSchema,
  catalogStatementSchema,
  type CatalogFile,
} from './catalog-schema.ts';
import { checkCatalog, formatPath, type CheckableProduct } from './check-catalog.ts';
import { CATALOG_LIMITS, limitMessage } from './catalog-limits.ts';
import { checkCatalogSize } from './check-catalog-size.ts';
import { readCatalogYaml } from './read-catalog-yaml.ts';

/** Options of {@link parseCatalog}. */
export interface ParseCatalogOptions {
  /** Named in every message (`example.yaml:12:9, product "x", integration "y": ...`). */
  fileName?: string;
  /** AWS's action list (`loadAwsActionList()`), or a synthetic one in tests. */
  actionList: ActionList;
}

/**
 * Parse and validate a permission catalog written in YAML (JSON is accepted too, as YAML 1.2 includes it).
 *
 * All or nothing: `catalog` is set only when there is no finding of severity `error`; warnings (a duplicated
 * action, a duplicated managed policy) come with a usable catalog. Every finding names the place: its `path`
 * points into the file (`products[0].integrations[2].statements[0].actions[1]`) and its message starts with the
 * file, line and column, product and integration.
 *
 * Bounded: time and memory are linear in the source's length, a catalog over one of {@link CATALOG_LIMITS} is
 * refused with a `CATALOG_LIMIT` finding before the costly checks, aliases are refused (`CATALOG_ALIAS`), and no
 * input makes it throw (see {@link readCatalogYaml}).
 */
export function parseCatalog(text: string, options: ParseCatalogOptions): { catalog?: Catalog; findings: Finding[] } {
  const fileName = options.fileName ?? 'catalog';
  const read = readCatalogYaml(text, fileName);
  if ('findings' in read) return read;
  const { doc, data } = read;
  const sized = checkCatalogSize(data, fileName);
  if (sized.length > 0) return { findings: sized };

  const place = (path: Array<string | number>): string => {
    const node = doc.getIn(path, true) as { range?: [number, number, number] } | undefined;
    let where = read.at(node && typeof node === 'object' && node.range ? node.range[0] : undefined);
    const named = (p: unknown): string | undefined =>
      p && typeof p === 'object' && 'id' in p && typeof p.id === 'string' ? p.id : undefined;
    if (path[0] === 'products' && typeof path[1] === 'number') {
      const product = (data as { products?: unknown[] })?.products?.[path[1]];
      where += `, product ${JSON.stringify(named(product) ?? `#${path[1]}`)}`;
      if (path[2] === 'integrations' && typeof path[3] === 'number') {
        const integration = (product as { integrations?: unknown[] } | undefined)?.integrations?.[path[3]];
        where += `, integration ${JSON.stringify(named(integration) ?? `#${path[3]}`)}`;
      }
    }
    return where;
  };

  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return {
      findings: [
        {
          code: 'CATALOG_SCHEMA',
          severity: 'error',
          path: '',
          message: `${fileName}: a catalog is a mapping with version and products`,
        },
      ],
    };
  }
  const parsed = catalogFileSchema.safeParse(data);
  if (!parsed.success) {
    const findings = parsed.error.issues.slice(0, CATALOG_LIMITS.errors).map((issue): Finding => {
      const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
      let message = issue.message;
      if (issue.code === 'unrecognized_keys') {
        message = `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}; allowed: ${allowedKeys(path).join(', ')}`;
      } else if (issue.code === 'invalid_type' && doc.getIn(path) === undefined) {
        message = `missing required key "${String(path[path.length - 1])}"`;
      }
      return {
        code: 'CATALOG_SCHEMA',
        severity: 'error',
        path: formatPath(path),
        message: `${place(path)}: ${formatPath(path) || 'catalog'}: ${message}`,
      };
    });
    // Still run the semantic checks on the products that are well-formed, so one run reports every problem.
    const raw = (data as { products?: unknown }).products;
    const products = Array.isArray(raw) ? raw.map(wellFormedParts) : [];
    findings.push(...checkCatalog({ products }, options.actionList, place));
    return { findings: capFindings(findings, fileName) };
  }

  const findings = capFindings(checkCatalog(parsed.data, options.actionList, place), fileName);
  if (findings.some((f) => f.severity === 'error')) return { findings };
  return { catalog: toCatalog(parsed.data, options.fileName), findings };
}

/**
 * At most {@link CATALOG_LIMITS.errors} errors and as many warnings, in their order; a last finding says when
 * errors were cut (checking stopped: `CATALOG_LIMIT`, an error) or warnings were (`CATALOG_LIMIT`, a warning).
 */
function capFindings(findings: Finding[], fileName: string): Finding[] {
  const max = CATALOG_LIMITS.errors;
  const count = { error: 0, warning: 0, info: 0 };
  const kept = findings.filter((f) => ++count[f.severity] <= max);
  const change = 'fix these and check the catalog again';
  if (count.error >= max) {
    kept.push({
      code: 'CATALOG_LIMIT',
      severity: 'error',
      path: '',
      message: `${fileName}: ${limitMessage('errors', 'checking stopped after the errors above', change)}`,
    });
  } else if (count.warning > max) {
    kept.push({
      code: 'CATALOG_LIMIT',
      severity: 'warning',
      path: '',
      message: `${fileName}: ${limitMessage('errors', `${count.warning - max} more warnings not shown`, change)}`,
    });
  }
  return kept;
}

/**
 * The parts of a raw product that pass the schema, so that a schema error in one integration (or in the product's
 * own fields) does not hide the action and ARN errors of its well-formed siblings.
 */
function wellFormedParts(raw: unknown): CheckableProduct | undefined {
  const whole = catalogProductSchema.safeParse(raw);
  if (whole.success) return whole.data;
  if (raw === null || typeof raw !== 'object') return undefined;
  const { id, integrations } = raw as { id?: unknown; integrations?: unknown };
  if (!Array.isArray(integrations)) return undefined;
  const validId = catalogProductSchema.shape.id.safeParse(id);
  return {
    ...(validId.success ? { id: validId.data } : {}),
    integrations: integrations.map((i) => catalogIntegrationSchema.safeParse(i).data),
  };
}

/** The keys the schema allows at `path` (for "unknown key" messages). */
function allowedKeys(path: Array<string | number>): string[] {
  const names = path.filter((p): p is string => typeof p === 'string');
  const last = names[names.length - 1];
  const schema =
    last === 'statements'
      ? catalogStatementSchema
      : last === 'integrations'
        ? catalogIntegrationSchema
        : last === 'products'
          ? catalogProductSchema
          : catalogFileSchema;
  return Object.keys(schema.shape);
}

function toCatalog(file: CatalogFile, source: string | undefined): Catalog {
  const catalog: Catalog = {
    version: 1,
    products: file.products.map((product) => ({
      id: product.id,
      name: product.name,
      ...(product.description !== undefined ? { description: product.description } : {}),
      integrations: product.integrations.map((integration) => ({
        id: integration.id,
        name: integration.name,
        ...(integration.description !== undefined ? { description: integration.description } : {}),
        default: integration.default,
        partitions: integration.partitions ? [...integration.partitions] : [...PARTITIONS],
        statements: integration.statements.map((s) => ({
          effect: s.effect ?? 'Allow',
          actions: [...s.actions],
          ...(s.resources ? { resources: [...s.resources] } : {}),
          ...(s.conditions ? { conditions: structuredClone(s.conditions) } : {}),
        })),
        managedPolicies: [...new Set(integration.managedPolicies)],
      })),
    })),
  };
  if (file.name !== undefined) catalog.name = file.name;
  if (file.description !== undefined) catalog.description = file.description;
  if (source !== undefined) catalog.source = source;
  return catalog;
}

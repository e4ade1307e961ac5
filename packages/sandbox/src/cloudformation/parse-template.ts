import { parse as parseYaml, type ScalarTag, type CollectionTag } from 'yaml';
import { validationError } from '../protocol/aws-error.ts';

/** A parsed CloudFormation template (Template anatomy, CloudFormation User Guide). */
export interface Template {
  AWSTemplateFormatVersion?: string;
  Description?: string;
  Metadata?: Record<string, unknown>;
  Parameters?: Record<string, TemplateParameter>;
  Mappings?: Record<string, Record<string, Record<string, unknown>>>;
  Conditions?: Record<string, unknown>;
  Transform?: unknown;
  Rules?: Record<string, unknown>;
  Resources: Record<string, TemplateResource>;
  Outputs?: Record<string, { Value: unknown; Description?: string; Condition?: string; Export?: { Name: unknown } }>;
}

/** A template parameter declaration. */
export interface TemplateParameter {
  Type: string;
  Default?: unknown;
  AllowedValues?: unknown[];
  AllowedPattern?: string;
  MinLength?: number | string;
  MaxLength?: number | string;
  MinValue?: number | string;
  MaxValue?: number | string;
  NoEcho?: boolean | string;
  Description?: string;
  ConstraintDescription?: string;
}

/** A template resource declaration. */
export interface TemplateResource {
  Type: string;
  Properties?: Record<string, unknown>;
  DependsOn?: string | string[];
  Condition?: string;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  Metadata?: unknown;
}

const FUNCTIONS = [
  'Base64',
  'Cidr',
  'FindInMap',
  'GetAtt',
  'GetAZs',
  'ImportValue',
  'Join',
  'Select',
  'Split',
  'Sub',
  'Transform',
  'And',
  'Equals',
  'If',
  'Not',
  'Or',
];

/** YAML short-form intrinsic tags (`!Ref`, `!Sub`, `!GetAtt A.B`, ...) mapped to their long form. */
function shortFormTags(): Array<ScalarTag | CollectionTag> {
  const tags: Array<ScalarTag | CollectionTag> = [];
  const longName = (name: string): string => (name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`);
  for (const name of [...FUNCTIONS, 'Ref', 'Condition']) {
    tags.push({
      tag: `!${name}`,
      resolve: (value: string) => ({ [longName(name)]: name === 'GetAtt' ? splitGetAtt(value) : value }),
    });
    for (const collection of ['seq', 'map'] as const) {
      tags.push({ tag: `!${name}`, collection, resolve: (node) => ({ [longName(name)]: node.toJSON() }) });
    }
  }
  return tags;
}

function splitGetAtt(value: string): string[] {
  const dot = value.indexOf('.');
  return dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)];
}

const TOP_LEVEL = new Set([
  'AWSTemplateFormatVersion',
  'Description',
  'Metadata',
  'Parameters',
  'Mappings',
  'Conditions',
  'Transform',
  'Rules',
  'Resources',
  'Outputs',
]);

/**
 * Parses a template body in JSON or YAML (long or short form intrinsics) and checks its anatomy as
 * CloudFormation does: a JSON object, known top-level sections, version `2010-09-09`, and at least one
 * resource, each with a Type. Errors are `ValidationError` "Template format error: ...".
 */
export function parseTemplate(body: string): Template {
  let doc: unknown;
  const trimmed = body.trimStart();
  try {
    doc = trimmed.startsWith('{')
      ? JSON.parse(body)
      : parseYaml(body, { customTags: shortFormTags(), version: '1.1', uniqueKeys: true });
  } catch (error) {
    const detail = error instanceof Error ? error.message.split('\n')[0] : '';
    throw validationError(
      trimmed.startsWith('{')
        ? 'Template format error: JSON not well-formed.'
        : `Template format error: YAML not well-formed. ${detail ?? ''}`.trim(),
    );
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw validationError('Template format error: JSON not well-formed.');
  const template = doc as Record<string, unknown>;
  for (const key of Object.keys(template)) {
    if (!TOP_LEVEL.has(key))
      throw validationError(`Template format error: Invalid template property or properties [${key}]`);
  }
  const version = template.AWSTemplateFormatVersion;
  if (version !== undefined) {
    const text = version instanceof Date ? version.toISOString().slice(0, 10) : String(version);
    if (text !== '2010-09-09') throw validationError(`Template format error: '${text}' is not a supported version.`);
    template.AWSTemplateFormatVersion = text;
  }
  if (template.Transform !== undefined)
    throw validationError('Template format error: Transforms are not supported by the sandbox.');
  const resources = template.Resources;
  if (typeof resources !== 'object' || resources === null || Object.keys(resources).length === 0) {
    throw validationError('Template format error: At least one Resources member must be defined.');
  }
  for (const [logicalId, resource] of Object.entries(resources as Record<string, unknown>)) {
    if (!/^[A-Za-z0-9]+$/.test(logicalId))
      throw validationError(`Template format error: Resource name ${logicalId} is non alphanumeric.`);
    if (
      typeof resource !== 'object' ||
      resource === null ||
      typeof (resource as { Type?: unknown }).Type !== 'string'
    ) {
      throw validationError(
        `Template format error: [/Resources/${logicalId}] Every Resources object must contain a Type member.`,
      );
    }
  }
  return template as unknown as Template;
}

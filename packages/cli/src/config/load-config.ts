import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import type { z } from 'zod';
import { TrustgateError } from '@trustgate/core';
import {
  CONFIG_FILE_ENV,
  ENV_SETTINGS,
  OTHER_ENV,
  configSchema,
  type EnvSetting,
  type TrustgateConfig,
} from './config-schema.ts';

/** The effective configuration and where each setting came from. */
export interface LoadedConfig {
  config: TrustgateConfig;
  /** The YAML file read, if any. */
  file?: string;
  /** `a.b.c` -> the environment variable that set it (settings not listed came from the file). */
  fromEnv: ReadonlyMap<string, string>;
}

type Tree = Record<string, unknown>;

function isTree(value: unknown): value is Tree {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function getPath(tree: Tree, path: readonly string[]): unknown {
  let node: unknown = tree;
  for (const key of path) node = isTree(node) ? node[key] : undefined;
  return node;
}

function setPath(tree: Tree, path: readonly string[], value: unknown): void {
  let node = tree;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (!isTree(next)) node[key] = {};
    node = node[key] as Tree;
  }
  node[path[path.length - 1]!] = value;
}

function fromText(setting: EnvSetting, text: string): unknown {
  if (setting.kind === 'list')
    return text
      .split(',')
      .map((t) => t.trim())
      .filter((t) => t !== '');
  if (setting.kind === 'number') {
    const n = Number(text.trim());
    return text.trim() === '' || !Number.isFinite(n) ? text : n;
  }
  return text;
}

async function readConfigFile(file: string): Promise<Tree> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new TrustgateError('FILE_NOT_READABLE', `configuration file: cannot read ${file}.`, {
      field: 'config',
      cause: error,
    });
  }
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (error) {
    throw new TrustgateError(
      'INVALID_INPUT',
      `configuration file ${file}: not YAML (${error instanceof Error ? error.message.split('\n')[0] : String(error)}).`,
      { field: 'config', cause: error },
    );
  }
  if (doc === null || doc === undefined) return {};
  if (!isTree(doc))
    throw new TrustgateError('INVALID_INPUT', `configuration file ${file}: a YAML mapping of settings.`, {
      field: 'config',
    });
  return doc;
}

/**
 * One line per zod issue, naming unknown keys one by one: `TRUSTGATE_X (path): message` for a setting from the
 * environment, `path: message (in FILE)` for one from the file.
 */
function describeIssues(issues: z.core.$ZodIssue[], fromEnv: ReadonlyMap<string, string>, file?: string): string[] {
  const line = (dotted: string, message: string) => {
    const env = fromEnv.get(dotted);
    if (env !== undefined) return `${env} (${dotted}): ${message}`;
    return `${dotted}: ${message}${file === undefined ? '' : ` (in ${file})`}`;
  };
  return issues.flatMap((issue) => {
    const base = issue.path.map(String);
    if (issue.code === 'unrecognized_keys')
      return issue.keys.map((key) => line([...base, key].join('.'), 'unknown setting'));
    return [line(base.join('.') || '(top level)', issue.message)];
  });
}

/**
 * Loads the configuration: the YAML file (`file`, else TRUSTGATE_CONFIG_FILE; none: no file), then every
 * TRUSTGATE_* variable of {@link ENV_SETTINGS} over it (the environment wins; an empty variable is unset), then
 * validates the whole with zod. INVALID_INPUT naming each unknown or invalid setting (and where it came from): a
 * secret written in the file, an unknown key, an unknown TRUSTGATE_* variable, a value of the wrong kind.
 */
export async function loadConfig(options: { file?: string; env?: NodeJS.ProcessEnv } = {}): Promise<LoadedConfig> {
  const env = options.env ?? process.env;
  const envFile = env[CONFIG_FILE_ENV];
  const file = options.file ?? (envFile === undefined || envFile === '' ? undefined : envFile);
  const tree = file === undefined ? {} : await readConfigFile(file);
  const problems: string[] = [];
  for (const setting of ENV_SETTINGS.filter((s) => s.secret === true)) {
    if (getPath(tree, setting.path) !== undefined)
      problems.push(
        `${setting.path.join('.')}: a secret is not read from the configuration file; set ${setting.env}${setting.path[0] === 'operatorToken' ? ' or operatorTokenFile' : setting.path[0] === 'cache' ? ' or cache.keyFile' : ''}`,
      );
  }
  const fromEnv = new Map<string, string>();
  const byName = new Map(ENV_SETTINGS.map((s) => [s.env, s]));
  for (const [name, text] of Object.entries(env)) {
    if (!name.startsWith('TRUSTGATE_') || text === undefined || text === '') continue;
    const setting = byName.get(name);
    if (setting === undefined) {
      if (!OTHER_ENV.has(name))
        problems.push(`${name}: unknown setting (the settings: README, "Running in production")`);
      continue;
    }
    setPath(tree, setting.path, fromText(setting, text));
    fromEnv.set(setting.path.join('.'), name);
  }
  if (problems.length === 0) {
    const parsed = configSchema.safeParse(tree);
    if (parsed.success) return { config: parsed.data, ...(file === undefined ? {} : { file }), fromEnv };
    problems.push(...describeIssues(parsed.error.issues, fromEnv, file));
  }
  throw new TrustgateError('INVALID_INPUT', `invalid configuration: ${problems.join('; ')}`, {
    field: problems[0]!.split(':')[0]!,
    details: { problems },
  });
}

import { chmodSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { TrustgateError } from '@trustgate/core';
import { serviceBaseUrl, TOKEN_ENV, URL_ENV } from '../service-client.ts';

/** The environment variable naming the profile to use (`--profile` wins). */
export const PROFILE_ENV = 'TRUSTGATE_PROFILE';
/** The environment variable naming the config file (default `$XDG_CONFIG_HOME/trustgate/config.yaml`). */
export const CONFIG_ENV = 'TRUSTGATE_CONFIG';
/** The profile used when none is named. */
export const DEFAULT_PROFILE = 'default';

/** One stored profile: a service and the API token the CLI calls it with. */
export interface Profile {
  url: string;
  token: string;
}

/** The config file: named profiles. */
export interface CliConfig {
  profiles: Record<string, Profile>;
}

/** Which service, as whom, and where that came from (never the token in any message). */
export interface Target {
  baseUrl: string;
  token: string;
  /** The profile read, when one was. */
  profile?: string;
  /** Where the token came from, for the message of a refused token. */
  tokenFrom: string;
}

/** How a command was told where to go: its flags, and the environment. */
export interface TargetOptions {
  url?: string | undefined;
  profile?: string | undefined;
  tokenFile?: string | undefined;
  env?: NodeJS.ProcessEnv;
}

/** A token goes into an HTTP header: visible ASCII without spaces (fetch's own error would quote the value). */
const TOKEN_SHAPE = /^[\x21-\x7e]{1,4096}$/;
const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** The config file's path: $TRUSTGATE_CONFIG, else $XDG_CONFIG_HOME/trustgate/config.yaml, else ~/.config/…. */
export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env[CONFIG_ENV]) return env[CONFIG_ENV];
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(base, 'trustgate', 'config.yaml');
}

/** Checks a profile name: letters, digits, `_`, `.`, `-`, at most 64. */
export function checkProfileName(name: string): string {
  if (!PROFILE_NAME.test(name))
    throw new TrustgateError(
      'INVALID_INPUT',
      `--profile ${JSON.stringify(name.slice(0, 64))}: use letters, digits, _ . - (at most 64, starting with a letter or digit).`,
      { field: 'profile' },
    );
  return name;
}

/**
 * Reads the config file; an absent file is an empty config. A file others can read is refused (it holds tokens),
 * as ssh refuses a private key others can read.
 */
export function readConfig(path: string): CliConfig {
  let text: string;
  try {
    const mode = statSync(path).mode;
    if ((mode & 0o077) !== 0)
      throw new TrustgateError(
        'FILE_NOT_READABLE',
        `${path}: the file holds API tokens and others may read it (mode ${(mode & 0o777).toString(8)}); run chmod 600 ${path}.`,
        { field: 'config' },
      );
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (error instanceof TrustgateError) throw error;
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { profiles: {} };
    throw new TrustgateError(
      'FILE_NOT_READABLE',
      `${path}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'}).`,
      { field: 'config' },
    );
  }
  let parsed: unknown;
  try {
    parsed = parse(text);
  } catch {
    throw new TrustgateError('INVALID_INPUT', `${path}: not YAML; fix or remove the file.`, { field: 'config' });
  }
  const profiles = (parsed as { profiles?: unknown } | null)?.profiles ?? {};
  if (typeof profiles !== 'object' || profiles === null || Array.isArray(profiles))
    throw new TrustgateError('INVALID_INPUT', `${path}: profiles must be a mapping of name -> { url, token }.`, {
      field: 'config',
    });
  const out: Record<string, Profile> = {};
  for (const [name, value] of Object.entries(profiles)) {
    const p = value as Partial<Profile> | null;
    if (typeof p?.url !== 'string' || typeof p.token !== 'string')
      throw new TrustgateError('INVALID_INPUT', `${path}: profile ${name} needs a url and a token.`, {
        field: 'config',
      });
    out[name] = { url: p.url, token: p.token };
  }
  return { profiles: out };
}

/** Writes the config file atomically with mode 0600 (its folder 0700). */
export function writeConfig(path: string, config: CliConfig): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, stringify(config), { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}

function readTokenFile(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (error) {
    throw new TrustgateError(
      'FILE_NOT_READABLE',
      `--token-file ${path}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'}).`,
      { field: 'tokenFile' },
    );
  }
}

/** Checks a token's shape without ever quoting it. */
export function checkToken(token: string, from: string): string {
  if (!TOKEN_SHAPE.test(token))
    throw new TrustgateError(
      'INVALID_INPUT',
      `${from}: the token must be one line of visible characters without spaces (is it the right one?).`,
      { field: 'token' },
    );
  return token;
}

/**
 * Where a service command goes: `--url` or TRUSTGATE_URL, else the profile's URL; the token from `--token-file`, else
 * TRUSTGATE_TOKEN, else the profile's. The profile is `--profile`, else TRUSTGATE_PROFILE, else `default`; a profile
 * named explicitly must exist. The token is never taken from an argument (it would show in `ps` and shell history).
 */
export function resolveTarget(options: TargetOptions): Target {
  const env = options.env ?? process.env;
  const named = options.profile ?? env[PROFILE_ENV];
  const profileName = checkProfileName(named ?? DEFAULT_PROFILE);
  const path = configPath(env);
  const needProfile =
    (options.url ?? env[URL_ENV]) === undefined || (options.tokenFile ?? env[TOKEN_ENV]) === undefined;
  const profile = needProfile || named !== undefined ? readConfig(path).profiles[profileName] : undefined;
  if (named !== undefined && profile === undefined)
    throw new TrustgateError(
      'NOT_FOUND',
      `No profile ${profileName} in ${path}: run trustgate login --url URL --profile ${profileName}.`,
      { field: 'profile' },
    );
  const url = options.url ?? env[URL_ENV] ?? profile?.url;
  if (url === undefined)
    throw new TrustgateError(
      'INVALID_INPUT',
      `Which trustgate service? Run trustgate login --url URL, or pass --url / set ${URL_ENV}.`,
      { field: 'url' },
    );
  const baseUrl = serviceBaseUrl({ url, env: {} });
  let token: string | undefined;
  let tokenFrom: string;
  if (options.tokenFile !== undefined) {
    token = readTokenFile(options.tokenFile);
    tokenFrom = `--token-file ${options.tokenFile}`;
  } else if (env[TOKEN_ENV] !== undefined && env[TOKEN_ENV].trim() !== '') {
    token = env[TOKEN_ENV].trim();
    tokenFrom = TOKEN_ENV;
  } else {
    token = profile?.token;
    tokenFrom = `profile ${profileName} (${path})`;
  }
  if (token === undefined)
    throw new TrustgateError(
      'UNAUTHENTICATED',
      `No API token: run trustgate login --url ${baseUrl}, set ${TOKEN_ENV}, or pass --token-file FILE.`,
      { field: 'token' },
    );
  return {
    baseUrl,
    token: checkToken(token, tokenFrom),
    ...(profile === undefined ? {} : { profile: profileName }),
    tokenFrom,
  };
}

import { isRegion } from '../arn/index.ts';
import { TrustgateError } from '../errors/index.ts';

/** Temporary credentials as STS returns them. */
export interface SessionCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

/** Input of {@link credentialFormats}. */
export interface CredentialFormatsInput {
  credentials: SessionCredentials;
  /** AWS_REGION / AWS_DEFAULT_REGION and the profile's `region`. */
  region: string;
  /** The `~/.aws/config` profile's name: 1-64 characters of letters, digits and `_.-`. */
  profileName: string;
  /**
   * The command that prints credential_process JSON (for example `trustgate creds --stack S --phase read --format
   * credential-process`). An array is one argument per element; a string is split at white space. Each argument
   * is quoted as the AWS CLI documents (see {@link quoteCredentialProcessCommand}). Without it, the profile holds
   * the session's keys themselves (`aws_access_key_id`, `aws_secret_access_key`, `aws_session_token`).
   */
  credentialProcessCommand?: string | string[];
}

/** The AWS CLI's `credential_process` output (AWS CLI User Guide, "Sourcing credentials with an external process"). */
export interface CredentialProcessOutput {
  Version: 1;
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken: string;
  /** ISO 8601, UTC. */
  Expiration: string;
}

/** What a container credentials endpoint answers (AWS SDKs and Tools Reference Guide, "Container credential provider"). */
export interface ContainerCredentials {
  AccessKeyId: string;
  SecretAccessKey: string;
  Token: string;
  /** ISO 8601, UTC. */
  Expiration: string;
}

/** Every delivery format of one set of credentials. */
export interface CredentialFormats {
  /** AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_SECURITY_TOKEN, AWS_REGION, AWS_DEFAULT_REGION, AWS_CREDENTIAL_EXPIRATION. */
  env: Record<string, string>;
  credentialProcess: CredentialProcessOutput;
  /** A `~/.aws/config` snippet: `[profile X]`, `credential_process = ...` (or the keys), `region = ...`, ending in a newline. */
  configProfile: string;
  container: ContainerCredentials;
}

const PROFILE_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
/** Arguments written bare: nothing a shell, shlex or Windows' argument splitting would treat specially. */
const BARE_ARGUMENT = /^[A-Za-z0-9_./:=@+,-]+$/;
/**
 * Characters no quoting makes safe everywhere the command runs: the JavaScript SDK runs credential_process through
 * a shell (`$`, backtick, `\`, `"` and `!` act inside double quotes; `%` expands in cmd.exe), and a line break or
 * `#`/`;` would end or comment the config line. AWS's guide also forbids environment variables in the command.
 */
const UNQUOTABLE = /["$`\\!%#;\p{Cc}\u2028\u2029]/u;

function invalid(field: string, message: string): TrustgateError {
  return new TrustgateError('INVALID_INPUT', `${field}: ${message}`, { field });
}

/**
 * Quote a credential_process command the way the AWS CLI User Guide asks ("If a parameter name or a parameter value
 * contains a space, surround that element with double-quotation marks"), so that POSIX shells, Python's shlex
 * (botocore) and Windows argument splitting all read the same arguments. Arguments of plain characters are
 * written bare; others (spaces, `~`, `&`, `|`, `<`, `>`, `(`, `)`, `*`, `'`, ...) in double quotes; an argument
 * holding `"`, `$`, backtick, `\`, `!`, `%`, `#`, `;` or a control character is refused with INVALID_INPUT, since
 * no quoting keeps it literal in every one of them.
 */
export function quoteCredentialProcessCommand(command: string | string[]): string {
  const argv = typeof command === 'string' ? command.split(/\s+/).filter((a) => a.length > 0) : command;
  if (!Array.isArray(argv) || argv.length === 0 || argv.some((a) => typeof a !== 'string' || a.length === 0))
    throw invalid('credentialProcessCommand', 'a command of one or more non-empty arguments is required');
  return argv
    .map((arg, i) => {
      // A bare first word with "=" would be a variable assignment to a shell.
      if (BARE_ARGUMENT.test(arg) && !(i === 0 && arg.includes('='))) return arg;
      if (UNQUOTABLE.test(arg))
        throw invalid(
          `credentialProcessCommand[${i}]`,
          'an argument may not contain " $ ` \\ ! % # ; or control characters (they cannot be quoted for every shell and the config file)',
        );
      return `"${arg}"`;
    })
    .join(' ');
}

/** ISO 8601 in UTC to the second, as AWS writes expirations (`2026-12-03T14:00:00Z`); sub-seconds are cut, never rounded up. */
function iso8601(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

function secretField(value: unknown, field: string): string {
  // The message names the field only: a secret never goes into an error.
  if (typeof value !== 'string' || value.length === 0 || /[\s\p{Cc}]/u.test(value))
    throw invalid(`credentials.${field}`, 'a non-empty string without white space is required');
  return value;
}

/**
 * One session's credentials in every delivery format trustgate offers:
 * - `env`: the variables the AWS CLI and SDKs read (AWS SDKs and Tools Reference Guide, "Environment variables";
 *   `AWS_SECURITY_TOKEN` for older tools, `AWS_CREDENTIAL_EXPIRATION` for the CLI and the JavaScript SDK);
 * - `credentialProcess`: the JSON a credential_process command prints (`Version` 1);
 * - `configProfile`: a ready `~/.aws/config` profile;
 * - `container`: the body of a container credentials endpoint (`AccessKeyId`, `SecretAccessKey`, `Token`,
 *   `Expiration`).
 * Expirations are ISO 8601 UTC to the second. Throws INVALID_INPUT naming the field (never its value).
 */
export function credentialFormats(input: CredentialFormatsInput): CredentialFormats {
  const { credentials } = input;
  if (typeof credentials !== 'object' || credentials === null)
    throw invalid('credentials', 'the session credentials are required');
  const accessKeyId = secretField(credentials.accessKeyId, 'accessKeyId');
  const secretAccessKey = secretField(credentials.secretAccessKey, 'secretAccessKey');
  const sessionToken = secretField(credentials.sessionToken, 'sessionToken');
  if (!(credentials.expiration instanceof Date) || Number.isNaN(credentials.expiration.getTime()))
    throw invalid('credentials.expiration', 'a valid date is required');
  if (!isRegion(input.region)) throw invalid('region', `${JSON.stringify(input.region)} is not a region name`);
  if (typeof input.profileName !== 'string' || !PROFILE_NAME.test(input.profileName))
    throw invalid('profileName', 'a profile name is 1-64 characters of letters, digits and _.-');
  const expiration = iso8601(credentials.expiration);
  const source =
    input.credentialProcessCommand === undefined
      ? [
          `aws_access_key_id = ${accessKeyId}`,
          `aws_secret_access_key = ${secretAccessKey}`,
          `aws_session_token = ${sessionToken}`,
        ]
      : [`credential_process = ${quoteCredentialProcessCommand(input.credentialProcessCommand)}`];
  return {
    env: {
      AWS_ACCESS_KEY_ID: accessKeyId,
      AWS_SECRET_ACCESS_KEY: secretAccessKey,
      AWS_SESSION_TOKEN: sessionToken,
      AWS_SECURITY_TOKEN: sessionToken,
      AWS_REGION: input.region,
      AWS_DEFAULT_REGION: input.region,
      AWS_CREDENTIAL_EXPIRATION: expiration,
    },
    credentialProcess: {
      Version: 1,
      AccessKeyId: accessKeyId,
      SecretAccessKey: secretAccessKey,
      SessionToken: sessionToken,
      Expiration: expiration,
    },
    configProfile: [`[profile ${input.profileName}]`, ...source, `region = ${input.region}`, ''].join('\n'),
    container: {
      AccessKeyId: accessKeyId,
      SecretAccessKey: secretAccessKey,
      Token: sessionToken,
      Expiration: expiration,
    },
  };
}

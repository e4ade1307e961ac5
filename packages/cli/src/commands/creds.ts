import { Option, type Command } from 'commander';
import { TrustgateError } from '@trustgate/core/errors';
import { createServiceClient, type IssuanceAnswer } from '../service-client.ts';
import { addIssuanceOptions, clientOptions, issuanceRequest, type IssuanceOptions } from './issuance-options.ts';
import { webIdentityEnv, webIdentityOf, writeTokenFile } from './web-identity-file.ts';

/** The formats `trustgate creds` prints. */
export const CREDS_FORMATS = ['env', 'json', 'credential-process', 'web-identity'] as const;
export type CredsFormat = (typeof CREDS_FORMATS)[number];

/** Options of `trustgate creds`. */
interface CredsOptions extends IssuanceOptions {
  format: CredsFormat;
  webIdentityTokenFile?: string;
}

/** `value` as one POSIX shell word: single-quoted, each `'` written `'\''`. */
export function shellQuote(value: string): string {
  return `'${value.split("'").join(`'\\''`)}'`;
}

/** The answer's delivery formats, or a refusal for an assume-on-worker attachment (it carries no credentials). */
function formatsOf(answer: IssuanceAnswer, format: CredsFormat): NonNullable<IssuanceAnswer['formats']> {
  if (answer.formats !== undefined) return answer.formats;
  let message = 'The service answered no credentials.';
  if (answer.webIdentity !== undefined)
    message = `The stack's attachment hands the run a web identity token, not credentials, so there is no ${format} output; use --format web-identity --web-identity-token-file PATH.`;
  else if (answer.assumeRole !== undefined)
    message = `The stack's attachment assumes the role on the worker: the answer carries the assumption parameters and no credentials, so there is no ${format} output; use --format json.`;
  throw new TrustgateError('INVALID_INPUT', message, { field: 'format' });
}

/** `export NAME='value'` lines, for `eval "$(trustgate creds ...)"`. */
function exportLines(env: Record<string, string>): string {
  return Object.entries(env)
    .map(([name, value]) => `export ${name}=${shellQuote(value)}\n`)
    .join('');
}

/**
 * `--format web-identity`: writes the answer's web identity token to `tokenFile` (mode 0600, atomically) and returns
 * the export lines the AWS CLI and SDKs assume the role with by themselves: AWS_ROLE_ARN, AWS_ROLE_SESSION_NAME,
 * AWS_REGION, AWS_DEFAULT_REGION and AWS_WEB_IDENTITY_TOKEN_FILE (the file's absolute path). The token is not printed.
 */
export function deliverWebIdentity(answer: IssuanceAnswer, tokenFile: string): string {
  const webIdentity = webIdentityOf(answer);
  writeTokenFile(tokenFile, webIdentity.token);
  return exportLines(webIdentityEnv(webIdentity, tokenFile));
}

/** The options' format and token file agree: web-identity needs the file, and only it takes one. */
function checkFormat(options: CredsOptions): void {
  if (options.format === 'web-identity' && options.webIdentityTokenFile === undefined)
    throw new TrustgateError('INVALID_INPUT', '--format web-identity: give --web-identity-token-file PATH.', {
      field: 'webIdentityTokenFile',
    });
  if (options.format !== 'web-identity' && options.webIdentityTokenFile !== undefined)
    throw new TrustgateError('INVALID_INPUT', '--web-identity-token-file: only with --format web-identity.', {
      field: 'webIdentityTokenFile',
    });
}

/**
 * The text `trustgate creds` prints for `answer` (for `web-identity`, see {@link deliverWebIdentity}):
 * - `env`: one `export NAME='value'` line per variable (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN,
 *   AWS_SECURITY_TOKEN, AWS_REGION, AWS_DEFAULT_REGION, AWS_CREDENTIAL_EXPIRATION), for `eval "$(trustgate creds ...)"`;
 * - `json`: the whole answer (session name, assumed role, expiry, credentials and formats; a run token is dropped);
 * - `credential-process`: the Version 1 JSON the AWS CLI and SDKs read from a `credential_process` command
 *   (https://docs.aws.amazon.com/sdkref/latest/guide/feature-process-credentials.html).
 */
export function formatCreds(answer: IssuanceAnswer, format: Exclude<CredsFormat, 'web-identity'>): string {
  if (format === 'json') {
    // eslint-disable-next-line @typescript-eslint/no-unused-vars -- dropped: a run token is the worker's, not for print
    const { runToken, runTokenExpiresAt, ...rest } = answer;
    return `${JSON.stringify(rest, null, 2)}\n`;
  }
  const formats = formatsOf(answer, format);
  if (format === 'credential-process') return `${JSON.stringify(formats.credentialProcess)}\n`;
  return exportLines(formats.env);
}

/**
 * `trustgate creds --stack S --phase read|write [--run R] [--account A] [--region R] [--format env|json|credential-process]`:
 * asks the service for the run's credentials and prints them on stdout (nothing else goes there). With
 * `--format web-identity --web-identity-token-file PATH` (an OIDC connection's assume-on-worker attachment) it writes
 * the run's web identity token to PATH and prints the variables that point the AWS CLI and SDKs at it.
 */
export function registerCreds(program: Command): void {
  addIssuanceOptions(
    program
      .command('creds')
      .description(
        "Issue a run's short-lived AWS credentials and print them: env (export lines), json, or credential-process (for credential_process in ~/.aws/config); or web-identity: write the run's OIDC token to a file and print the AWS_WEB_IDENTITY_TOKEN_FILE variables",
      ),
  )
    .addOption(new Option('--format <format>', 'what to print').choices(CREDS_FORMATS).default('env'))
    .option(
      '--web-identity-token-file <path>',
      'with --format web-identity: where to write the token (mode 0600, replaced atomically; the API token is --token-file)',
    )
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  eval "$(trustgate creds --stack web --phase read)"',
        '  # ~/.aws/config (give --run so repeated calls share one cached session):',
        '  [profile web-plan]',
        '  credential_process = trustgate creds --stack web --phase read --run nightly --format credential-process',
        '  # an OIDC connection whose attachment assumes on the worker: the SDKs assume the role from the file',
        '  eval "$(trustgate creds --stack web --phase read --format web-identity --web-identity-token-file ~/.tg-token)"',
      ].join('\n'),
    )
    .action(async (options: CredsOptions) => {
      checkFormat(options);
      const client = createServiceClient(clientOptions(options));
      const answer = await client.issue(issuanceRequest(options));
      process.stdout.write(
        options.format === 'web-identity'
          ? deliverWebIdentity(answer, options.webIdentityTokenFile as string)
          : formatCreds(answer, options.format),
      );
    });
}

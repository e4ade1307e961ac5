import { Option, type Command } from 'commander';
import { TrustgateError } from '@trustgate/core';
import { createServiceClient, type IssuanceAnswer } from '../service-client.ts';
import { addIssuanceOptions, clientOptions, issuanceRequest, type IssuanceOptions } from './issuance-options.ts';

/** The formats `trustgate creds` prints. */
export const CREDS_FORMATS = ['env', 'json', 'credential-process'] as const;
export type CredsFormat = (typeof CREDS_FORMATS)[number];

/** Options of `trustgate creds`. */
interface CredsOptions extends IssuanceOptions {
  format: CredsFormat;
}

/** `value` as one POSIX shell word: single-quoted, each `'` written `'\''`. */
export function shellQuote(value: string): string {
  return `'${value.split("'").join(`'\\''`)}'`;
}

/** The answer's delivery formats, or a refusal for an assume-on-worker attachment (it carries no credentials). */
function formatsOf(answer: IssuanceAnswer, format: CredsFormat): NonNullable<IssuanceAnswer['formats']> {
  if (answer.formats !== undefined) return answer.formats;
  throw new TrustgateError(
    'INVALID_INPUT',
    answer.assumeRole === undefined
      ? 'The service answered no credentials.'
      : `The stack's attachment assumes the role on the worker: the answer carries the assumption parameters and no credentials, so there is no ${format} output; use --format json.`,
    { field: 'format' },
  );
}

/**
 * The text `trustgate creds` prints for `answer`:
 * - `env`: one `export NAME='value'` line per variable (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN,
 *   AWS_SECURITY_TOKEN, AWS_REGION, AWS_DEFAULT_REGION, AWS_CREDENTIAL_EXPIRATION), for `eval "$(trustgate creds ...)"`;
 * - `json`: the whole answer (session name, assumed role, expiry, credentials and formats; a run token is dropped);
 * - `credential-process`: the Version 1 JSON the AWS CLI and SDKs read from a `credential_process` command
 *   (https://docs.aws.amazon.com/sdkref/latest/guide/feature-process-credentials.html).
 */
export function formatCreds(answer: IssuanceAnswer, format: CredsFormat): string {
  if (format === 'json') {
    // eslint-disable-next-line @typescript-eslint/no-unused-vars -- dropped: a run token is the worker's, not for print
    const { runToken, runTokenExpiresAt, ...rest } = answer;
    return `${JSON.stringify(rest, null, 2)}\n`;
  }
  const formats = formatsOf(answer, format);
  if (format === 'credential-process') return `${JSON.stringify(formats.credentialProcess)}\n`;
  return Object.entries(formats.env)
    .map(([name, value]) => `export ${name}=${shellQuote(value)}\n`)
    .join('');
}

/**
 * `trustgate creds --stack S --phase read|write [--run R] [--account A] [--region R] [--format env|json|credential-process]`:
 * asks the service for the run's credentials and prints them on stdout (nothing else goes there).
 */
export function registerCreds(program: Command): void {
  addIssuanceOptions(
    program
      .command('creds')
      .description(
        "Issue a run's short-lived AWS credentials and print them: env (export lines), json, or credential-process (for credential_process in ~/.aws/config)",
      ),
  )
    .addOption(new Option('--format <format>', 'what to print').choices(CREDS_FORMATS).default('env'))
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  eval "$(trustgate creds --stack web --phase read)"',
        '  # ~/.aws/config (give --run so repeated calls share one cached session):',
        '  [profile web-plan]',
        '  credential_process = trustgate creds --stack web --phase read --run nightly --format credential-process',
      ].join('\n'),
    )
    .action(async (options: CredsOptions) => {
      const client = createServiceClient(clientOptions(options));
      const answer = await client.issue(issuanceRequest(options));
      process.stdout.write(formatCreds(answer, options.format));
    });
}

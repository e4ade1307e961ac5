import { Option, type Command } from 'commander';
import { TrustgateError, isPartition } from '@trustgate/core';
import { startSandbox, type Sandbox } from '@trustgate/sandbox';

/** Options of `trustgate sandbox`. */
interface SandboxCommandOptions {
  port: string;
  accounts: string;
  persist?: string;
  partition: string;
  organization?: boolean;
  organizationMembers?: string;
}

function parseInteger(text: string, field: string, min: number, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new TrustgateError('INVALID_INPUT', `--${field}: an integer ${min}-${max}`, { field });
  return n;
}

/** The text `trustgate sandbox` prints: endpoint, region and each account's root credentials. */
export function describeSandbox(sandbox: Sandbox): string {
  const lines = [
    `trustgate sandbox (STS, IAM, CloudFormation) listening on ${sandbox.endpoint}`,
    `region ${sandbox.region}`,
    '',
  ];
  sandbox.accounts.forEach((a, i) => {
    lines.push(`account ${i + 1}: ${a.accountId}`);
    lines.push(`  AWS_ACCESS_KEY_ID=${a.accessKeyId}`);
    lines.push(`  AWS_SECRET_ACCESS_KEY=${a.secretAccessKey}`);
  });
  lines.push('', `Use it with: aws --endpoint-url ${sandbox.endpoint} sts get-caller-identity`, 'Stop with Ctrl-C.');
  return `${lines.join('\n')}\n`;
}

/** Starts the sandbox for `trustgate sandbox` (exported for tests). */
export async function runSandboxCommand(options: SandboxCommandOptions): Promise<Sandbox> {
  if (!isPartition(options.partition))
    throw new TrustgateError('INVALID_PARTITION', '--partition: aws, aws-us-gov or aws-cn', { field: 'partition' });
  return startSandbox({
    port: parseInteger(options.port, 'port', 0, 65_535),
    accounts: parseInteger(options.accounts, 'accounts', 1, 50),
    partition: options.partition,
    organization: options.organization ?? false,
    ...(options.organizationMembers === undefined
      ? {}
      : { organizationMembers: parseInteger(options.organizationMembers, 'organization-members', 1, 50) }),
    ...(options.persist ? { persistFile: options.persist } : {}),
  });
}

/** `trustgate sandbox [--port 4566] [--accounts 3] [--persist FILE]`: runs the AWS-compatible sandbox until interrupted. */
export function registerSandbox(program: Command): void {
  program
    .command('sandbox')
    .description(
      'Run the AWS-compatible sandbox (STS, IAM, CloudFormation, S3, Organizations and SNS delivery over the AWS wire protocols with SigV4) on 127.0.0.1',
    )
    .option('--port <port>', 'TCP port (0 picks a free one)', '4566')
    .option('--accounts <n>', 'number of accounts, each with root credentials', '3')
    .option('--persist <file>', 'load and save the state in this JSON file so it survives a restart')
    .addOption(
      new Option('--partition <partition>', 'partition of the ARNs it issues')
        .choices(['aws', 'aws-us-gov', 'aws-cn'])
        .default('aws'),
    )
    .option('--organization', 'model an AWS Organization whose management account is the first account')
    .option(
      '--organization-members <n>',
      'with --organization: only the first n accounts are members; the others are standalone',
    )
    .action(async (options: SandboxCommandOptions) => {
      const sandbox = await runSandboxCommand(options);
      process.stdout.write(describeSandbox(sandbox));
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void sandbox.stop().then(resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}

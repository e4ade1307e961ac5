import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The server package's folder: a child `node` resolves `@aws-sdk/*` from here. */
const SERVER_DIR = fileURLToPath(new URL('..', import.meta.url));

/** The outcome of a child process (its output is never printed by the tests: it may hold credentials). */
export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command with a clean environment: only PATH (and pyenv's settings, so the `aws` and `python3` shims
 * work), a fresh HOME with no AWS files, and `env`. Nothing of the test process's AWS settings leaks in.
 */
export async function runClean(command: string, args: string[], env: Record<string, string>): Promise<ToolResult> {
  const home = mkdtempSync(join(tmpdir(), 'tg-home-'));
  const base: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home };
  for (const name of ['PYENV_ROOT', 'PYENV_VERSION']) {
    const value = process.env[name];
    if (value !== undefined) base[name] = value;
  }
  try {
    return await new Promise<ToolResult>((resolve) => {
      execFile(
        command,
        args,
        {
          env: {
            ...base,
            AWS_CONFIG_FILE: join(home, 'none'),
            AWS_SHARED_CREDENTIALS_FILE: join(home, 'none'),
            AWS_EC2_METADATA_DISABLED: 'true',
            ...env,
          },
          cwd: SERVER_DIR,
          timeout: 60_000,
        },
        (error, stdout, stderr) => {
          const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
          resolve({ code, stdout, stderr });
        },
      );
    });
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/** `aws sts get-caller-identity` with the env-variables format: the caller's ARN (or the tool's failure). */
export async function awsCliCallerArn(endpoint: string, env: Record<string, string>): Promise<ToolResult> {
  return runClean('aws', ['sts', 'get-caller-identity', '--endpoint-url', endpoint, '--output', 'json'], env);
}

/**
 * boto3 with a `~/.aws/config` profile whose `credential_process` prints `credentialProcessJson` (written to a file
 * of mode 600 in a temp folder, removed afterwards): the caller's ARN from STS.
 */
export async function boto3CallerArn(options: {
  endpoint: string;
  profileName: string;
  configProfile: string;
  credentialProcessJson: unknown;
}): Promise<ToolResult> {
  const dir = mkdtempSync(join(tmpdir(), 'tg-boto3-'));
  try {
    const output = join(dir, 'credentials.json');
    writeFileSync(output, JSON.stringify(options.credentialProcessJson), { mode: 0o600 });
    // The profile as trustgate wrote it, with its command replaced by one that prints the saved output.
    const config = options.configProfile.replace(/^credential_process\s*=.*$/m, `credential_process = cat ${output}`);
    writeFileSync(join(dir, 'config'), config, { mode: 0o600 });
    const script = [
      'import boto3, sys',
      `s = boto3.Session(profile_name=${JSON.stringify(options.profileName)})`,
      `print(s.client("sts", endpoint_url=${JSON.stringify(options.endpoint)}).get_caller_identity()["Arn"])`,
    ].join('\n');
    return await runClean('python3', ['-c', script], { AWS_CONFIG_FILE: join(dir, 'config') });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The AWS SDK v3's default credential chain in a child `node` with only the container variables set
 * (AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_AUTHORIZATION_TOKEN): STS GetCallerIdentity's ARN.
 */
export async function sdkContainerCallerArn(options: {
  endpoint: string;
  fullUri: string;
  authorizationToken: string;
  region: string;
}): Promise<ToolResult> {
  const script = [
    "import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';",
    `const sts = new STSClient({ endpoint: ${JSON.stringify(options.endpoint)} });`,
    'const out = await sts.send(new GetCallerIdentityCommand({}));',
    'console.log(out.Arn);',
  ].join('\n');
  return runClean('node', ['--input-type=module', '-e', script], {
    AWS_CONTAINER_CREDENTIALS_FULL_URI: options.fullUri,
    AWS_CONTAINER_AUTHORIZATION_TOKEN: options.authorizationToken,
    AWS_REGION: options.region,
  });
}

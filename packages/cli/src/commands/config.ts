import type { Command } from 'commander';
import { stringify } from 'yaml';
import { CONFIG_FILE_ENV } from '../config/config-schema.ts';
import { loadConfig } from '../config/load-config.ts';
import { effectiveForShow } from '../config/redact-config.ts';

/** Registers `trustgate config show`. */
export function registerConfig(program: Command): void {
  const config = program
    .command('config')
    .description("The service's configuration: a YAML file and TRUSTGATE_* variables (the environment wins)");
  config
    .command('show')
    .description(
      'Print the effective configuration (defaults filled in, secrets redacted); exit 2 naming what is invalid',
    )
    .option('--config <file>', `the YAML configuration file (else ${CONFIG_FILE_ENV})`)
    .option('--json', 'print JSON instead of YAML')
    .action(async (options: { config?: string; json?: boolean }) => {
      const loaded = await loadConfig(options.config === undefined ? {} : { file: options.config });
      const shown = effectiveForShow(loaded.config);
      if (options.json === true) {
        process.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
        return;
      }
      process.stdout.write(`# file: ${loaded.file ?? '(none)'}\n`);
      for (const [path, env] of loaded.fromEnv) process.stdout.write(`# ${path} from ${env}\n`);
      process.stdout.write(stringify(shown));
    });
}

import type { Command } from 'commander';
import { CONFIG_FILE_ENV } from '../config/config-schema.ts';
import { loadConfig } from '../config/load-config.ts';
import { doctorChecks } from '../doctor/doctor-checks.ts';

/** The exit code of a doctor that found something wrong (AWS or a service unavailable, as the error catalog says). */
export const DOCTOR_FAILED_EXIT = 6;

/** Registers `trustgate doctor`. */
export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description(
      'Check a configuration end to end: store and migrations, Redis, each platform identity, STS per region, the OIDC issuer, the callback route',
    )
    .option('--config <file>', `the YAML configuration file (else ${CONFIG_FILE_ENV})`)
    .action(async (options: { config?: string }) => {
      const out = process.stdout;
      const { config, file } = await loadConfig(options.config === undefined ? {} : { file: options.config });
      out.write(`configuration ${file ?? '(environment only)'}: valid\n`);
      const checks = doctorChecks(config);
      let failed = 0;
      for (const [i, check] of checks.entries()) {
        out.write(`[${i + 1}/${checks.length}] ${check.title} ... `);
        const result = await check.run();
        if (result.ok) out.write(`ok: ${result.detail}\n`);
        else {
          failed++;
          out.write(`FAILED: ${result.problem}\n      fix: ${result.fix}\n`);
        }
      }
      out.write(failed === 0 ? 'all checks passed\n' : `${failed} of ${checks.length} checks failed\n`);
      if (failed > 0) process.exitCode = DOCTOR_FAILED_EXIT;
    });
}

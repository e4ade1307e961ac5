import type { Command } from 'commander';
import { CONFIG_FILE_ENV } from '../config/config-schema.ts';
import { loadConfig } from '../config/load-config.ts';
import { dataDirOf } from '../keys/key-file.ts';
import { CACHE_PREVIOUS_KEYS_ENV } from './cache-options.ts';
import {
  IDENTITY_KEY_ENV,
  IDENTITY_PREVIOUS_KEYS_ENV,
  readIdentitySettings,
  withIdentityKeys,
} from './identity-options.ts';

/** Options of `trustgate keys rotate`. */
interface KeysOptions {
  db?: string;
  dbSchema?: string;
  config?: string;
  json?: boolean;
}

/**
 * `trustgate keys rotate`: after the service was restarted with a new current key and the old one among the previous
 * keys (TRUSTGATE_IDENTITY_KEY, TRUSTGATE_IDENTITY_PREVIOUS_KEYS), re-seals everything the store keeps encrypted
 * (the OIDC signing keys, the callback-token and run-token keys) under the current key in one transaction, and says
 * how many. Then the previous key may go.
 * Cached credentials are not re-encrypted: under a previous cache key they are read until they expire.
 */
export function registerKeys(program: Command): void {
  const keys = program
    .command('keys')
    .description('the keys that encrypt what the service keeps at rest (OIDC signing keys, cached credentials)');
  keys
    .command('rotate')
    .description(
      `re-seal the store's OIDC signing keys and callback-token and run-token keys under the current identity key (${IDENTITY_KEY_ENV}, oidc.keyFile or the data directory's identity.key), opening them with ${IDENTITY_PREVIOUS_KEYS_ENV}; one transaction`,
    )
    .option('--db <url>', 'SQLite file, or postgres://user@host:5432/db (else store.url; default the service default)')
    .option('--db-schema <schema>', 'PostgreSQL only: the schema the store lives in (else store.schema)')
    .option('--config <file>', `the YAML configuration file (else ${CONFIG_FILE_ENV}), as serve reads it`)
    .option('--json', 'print the counts as JSON')
    .action(async (_o: unknown, command: Command) => {
      const options = command.opts<KeysOptions>();
      const { config } = await loadConfig(options.config === undefined ? {} : { file: options.config });
      const { DEFAULT_DATABASE_FILE, rotateStoreKeys } = await import('@trustgate/server');
      const url = options.db ?? config.store?.url ?? DEFAULT_DATABASE_FILE;
      const schema = options.dbSchema ?? (options.db === undefined ? config.store?.schema : undefined);
      const read = readIdentitySettings({ aws: 'sandbox' });
      const keyFile = config.oidc?.keyFile;
      const ring = await withIdentityKeys(read ?? {}, {
        dataDir: dataDirOf(config.dataDir, url),
        ...(keyFile === undefined ? {} : { keyFile }),
      });
      const report = await rotateStoreKeys({ url, ...(schema === undefined ? {} : { schema }) }, ring);
      if (options.json === true) {
        process.stdout.write(`${JSON.stringify({ signingKeys: report }, null, 2)}\n`);
        return;
      }
      process.stdout.write(
        `re-sealed ${report.resealed} of ${report.total} OIDC signing keys and ${report.settingsResealed} of ${report.settingsTotal} secret settings (the callback-token and run-token keys) under identity key ${report.keyId}; the rest were under it already\n`,
      );
      process.stderr.write(
        `note: cached credentials under a previous cache key are read until they expire (at most 12 h): keep ${CACHE_PREVIOUS_KEYS_ENV} that long.\n`,
      );
    });
}

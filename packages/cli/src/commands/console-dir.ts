import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the web console's build is (`packages/console/dist`, made by `npm run build`): `trustgate serve` serves it
 * at `/`, or a page saying how to build it when it is not there yet.
 */
export function consoleBuildDir(): string {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('@trustgate/console/package.json')), 'dist');
  } catch {
    return fileURLToPath(new URL('../../../console/dist', import.meta.url));
  }
}

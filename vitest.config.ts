import { defineConfig } from 'vitest/config';

/**
 * The workspace packages resolve to their TypeScript sources under test (the "@trustgate/source" export condition,
 * also set for tsc in tsconfig.json; Vitest 3 reads it from ssr.resolve for tests on Node), so a test never runs a
 * stale dist/. Tests that spawn the real `trustgate` bin run the built JavaScript: test/global-setup.ts brings dist/
 * up to date before the suite.
 */
const conditions = ['@trustgate/source', 'node', 'development|production'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});

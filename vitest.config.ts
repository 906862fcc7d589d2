import { defineConfig } from "vitest/config";

/**
 * The store and HTTP suites again, on PostgreSQL: every test file that starts a server or opens a
 * store (the browser tests and the pure ones run once, on SQLite). Each server gets a schema of its
 * own in the local database `test` (packages/server/test/helpers/test-database.ts).
 */
const ON_POSTGRES = {
  include: ["packages/server/test/**/*.test.ts"],
  exclude: [
    "**/*.browser.test.ts",
    // What SQLite alone has (group commit, the WAL checkpointer), or no store at all.
    "packages/server/test/store-sqlite.test.ts",
    "packages/server/test/architecture.test.ts",
    "packages/server/test/chunks.test.ts",
    "packages/server/test/config.test.ts",
    "packages/server/test/scenario-matchers.test.ts",
    "packages/server/test/scenario-parse.test.ts",
    "packages/server/test/upload-blocks.test.ts",
    "packages/server/test/webhook-attempt-outcome.test.ts",
    "packages/server/test/url-guard.test.ts",
    "packages/server/test/docs.test.ts",
    "packages/server/test/node-options.test.ts",
    "packages/server/test/kept-answers.test.ts",
    "packages/server/test/coalesced-version-reads.test.ts",
    "packages/server/test/sandbox-document.test.ts",
    // Start-up's own cases name their database explicitly.
    "packages/server/test/startup.test.ts",
    // Always PostgreSQL, whatever the project.
    "packages/server/test/store-postgres.test.ts",
    "packages/server/test/cluster.test.ts",
    "packages/server/test/cluster-sync.test.ts",
    "packages/server/test/deploy-nginx.test.ts",
    "packages/server/test/store-unavailable.test.ts",
    "packages/server/test/rate-limit-shared.test.ts",
  ],
};

export default defineConfig({
  test: {
    globalSetup: ["vitest.global-setup.ts"],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Each test file starts its own servers; two cores run two files at a time.
    maxWorkers: 2,
    // A poll waits for what a server or a browser does "soon"; on two busy cores (a Chromium and
    // two servers at once) that can take longer than vitest's default second. A check that
    // passes returns at once, so only a failing one waits this long.
    expect: { poll: { timeout: 10_000 } },
    projects: [
      {
        extends: true,
        test: {
          name: "sqlite",
          include: [
            "packages/*/test/**/*.test.ts",
            "bench/**/*.test.ts",
            "reliability/**/*.test.ts",
            "examples/**/*.test.ts",
          ],
        },
      },
      {
        extends: true,
        test: { name: "postgres", ...ON_POSTGRES, env: { BESEDA_TEST_STORE: "postgres" } },
      },
    ],
  },
});

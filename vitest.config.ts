import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: [
      "packages/*/test/**/*.test.ts",
      "bench/**/*.test.ts",
      "reliability/**/*.test.ts",
      "examples/**/*.test.ts",
    ],
    globalSetup: ["vitest.global-setup.ts"],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Each test file starts its own servers; two cores run two files at a time.
    maxWorkers: 2,
    // A poll waits for what a server or a browser does "soon"; on two busy cores (a Chromium and
    // two servers at once) that can take longer than vitest's default second. A check that
    // passes returns at once, so only a failing one waits this long.
    expect: { poll: { timeout: 10_000 } },
  },
});

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
  },
});

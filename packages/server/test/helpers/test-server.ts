// A real Beseda per test file: in-process, on a random port, with a temporary data dir that is
// removed on close. Logs are silent unless BESEDA_TEST_LOGS is set.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Config, DEFAULT_CONFIG } from "../../src/config.ts";
import { type RunningServer, startServer } from "../../src/server.ts";

export interface TestServer extends RunningServer {
  dataDir: string;
  /** Stops the server and deletes its data dir. */
  stop(): Promise<void>;
}

export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), "beseda-test-"));
}

export async function startTestServer(overrides: Partial<Config> = {}): Promise<TestServer> {
  const dataDir = overrides.dataDir ?? tempDataDir();
  const config: Config = {
    ...DEFAULT_CONFIG,
    port: 0,
    demo: false,
    logLevel: process.env.BESEDA_TEST_LOGS ? "debug" : "silent",
    ...overrides,
    dataDir,
  };
  const server = await startServer(config);
  return {
    ...server,
    dataDir,
    stop: async () => {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

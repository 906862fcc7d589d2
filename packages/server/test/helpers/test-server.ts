// A real Beseda per test file: in-process, on a random port, with a temporary data dir that is
// removed on close, and the store of the tested dialect (./test-database.ts). Logs are silent
// unless BESEDA_TEST_LOGS is set.
import { rmSync } from "node:fs";
import { type Config, DEFAULT_CONFIG } from "../../src/config.ts";
import { type RunningServer, startServer } from "../../src/server.ts";
import { tempDataDir } from "./temp-dir.ts";
import { testDatabaseFor } from "./test-database.ts";

export { tempDataDir };

export interface TestServer extends RunningServer {
  dataDir: string;
  /** Stops the server and deletes its data dir (and its PostgreSQL schema). */
  stop(): Promise<void>;
}

export async function startTestServer(overrides: Partial<Config> = {}): Promise<TestServer> {
  const dataDir = overrides.dataDir ?? tempDataDir();
  // A restarted server (same data dir) finds the same schema.
  const database =
    overrides.databaseUrl === undefined
      ? await testDatabaseFor(dataDir)
      : { databaseUrl: overrides.databaseUrl, drop: async () => {} };
  const config: Config = {
    ...DEFAULT_CONFIG,
    port: 0,
    demo: false,
    logLevel: process.env.BESEDA_TEST_LOGS ? "debug" : "silent",
    databaseUrl: database.databaseUrl,
    ...overrides,
    dataDir,
  };
  const server = await startServer(config);
  return {
    ...server,
    dataDir,
    stop: async () => {
      await server.close();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

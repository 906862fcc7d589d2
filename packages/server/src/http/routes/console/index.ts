// The web console at /console: its files and its sign-in. What it shows and changes, it reads and
// writes through the sandbox API, like any other client.
import type { FastifyInstance } from "fastify";
import type { SandboxClock } from "../../../clock.ts";
import { consoleDistDir, consoleFiles } from "./console-files.ts";
import { consoleSession } from "./session.ts";

export function consoleRoutes(
  app: FastifyInstance,
  options: { adminToken: string; clock: SandboxClock; distDir?: string },
) {
  consoleSession(app, options);
  consoleFiles(app, options.distDir ?? consoleDistDir());
}

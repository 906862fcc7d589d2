// The web console at /console: its files and its sign-in. What it shows and changes, it reads and
// writes through the sandbox API, like any other client.
import type { FastifyInstance } from "fastify";
import { consoleDistDir, consoleFiles } from "./console-files.ts";
import { type ConsoleSessionOptions, consoleSession } from "./session.ts";

export function consoleRoutes(
  app: FastifyInstance,
  options: ConsoleSessionOptions & { distDir?: string },
) {
  consoleSession(app, options);
  consoleFiles(app, options.distDir ?? consoleDistDir());
}

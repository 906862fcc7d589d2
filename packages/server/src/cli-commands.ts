// The `beseda` command (started through cli.ts). `beseda serve [flags]` starts the server (what
// `npm start` runs); flags and env vars are listed by `beseda serve --help` and in the README.
// `beseda seed [flags]` fills an empty data dir with a generated world (seed-command.ts).
import { ConfigError, loadConfig, SETTINGS } from "./config.ts";
import { seedCommand, seedUsage } from "./seed-command.ts";
import { type RunningServer, startServer } from "./server.ts";

const SHUTDOWN_GRACE_MS = 10_000;

function usage(): string {
  const rows = SETTINGS.map((s) => `  --${s.flag.padEnd(14)} ${s.env.padEnd(30)} ${s.description}`);
  return ["Usage: beseda serve [flags]", "", "  flag            env var", ...rows].join("\n");
}

function banner(server: RunningServer): string {
  const lines = [
    `Beseda is listening on ${server.url}`,
    server.adminTokenSource === "configured"
      ? "  sandbox admin token: as configured (BESEDA_ADMIN_TOKEN or --admin-token)"
      : `  sandbox admin token: ${server.adminToken}`,
  ];
  if (server.demo) {
    const { seller } = server.demo;
    lines.push(
      "  demo world seeded; the seller's credentials:",
      `    user_id:       ${seller.user_id}`,
      `    client_id:     ${seller.client_id}`,
      `    client_secret: ${seller.client_secret}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

async function serve(argv: string[]): Promise<void> {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(`${usage()}\n`);
    return;
  }
  const server = await startServer(loadConfig(argv, process.env));
  process.stdout.write(banner(server));
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    server.app.log.info({ signal }, "shutting down: finishing in-flight requests");
    setTimeout(() => {
      server.app.log.error("shutdown took too long; exiting");
      process.exit(1);
    }, SHUTDOWN_GRACE_MS).unref();
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        server.app.log.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  if (command === "serve") return serve(rest);
  if (command === "seed") return seedCommand(rest);
  process.stderr.write(`${usage()}\n\n${seedUsage()}\n`);
  process.exitCode = command === undefined || command === "--help" ? 0 : 2;
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`beseda: ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`beseda: failed to start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});

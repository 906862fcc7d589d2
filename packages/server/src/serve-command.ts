// `beseda serve [flags]`: starts the server (what `npm start` runs), prints its banner, and stops
// gracefully on SIGTERM and SIGINT. Flags and env vars are listed by `beseda serve --help` and in
// the README.
import { loadConfig, SETTINGS } from "./config.ts";
import { consoleBuilt, consoleDistDir } from "./http/routes/console/console-files.ts";
import { type RunningServer, startServer } from "./server.ts";

const SHUTDOWN_GRACE_MS = 10_000;

export function serveUsage(): string {
  const rows = SETTINGS.map((s) => `  --${s.flag.padEnd(14)} ${s.env.padEnd(30)} ${s.description}`);
  return ["Usage: beseda serve [flags]", "", "  flag            env var", ...rows].join("\n");
}

function banner(server: RunningServer): string {
  const lines = [
    `Beseda is listening on ${server.url}`,
    consoleBuilt(consoleDistDir())
      ? `  console: ${server.url}/console (sign in with the admin token)`
      : "  console: not built; run npm run build -w @beseda/console",
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
  if (server.fixture) {
    const { path, loaded } = server.fixture;
    lines.push(
      loaded
        ? `  fixture loaded from ${path}: ${loaded.accounts} accounts, ${loaded.chats} chats, ${loaded.messages} messages`
        : `  fixture ${path} not loaded: the data dir already holds a world, kept as it is`,
    );
  }
  const seed = server.ctx.random.seed;
  if (seed !== null) {
    lines.push(
      `  random seed ${seed}: ids and secrets are predictable (for tests; never expose this server)`,
    );
  }
  return `${lines.join("\n")}\n`;
}

export async function serveCommand(argv: string[]): Promise<void> {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(`${serveUsage()}\n`);
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

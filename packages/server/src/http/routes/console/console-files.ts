// GET /console and everything under it: the console's files, built by Vite into
// packages/console/dist when the project is installed. Assets carry a content hash in their names
// and are cached for a year; every other path under /console is the single page's index.html
// (never cached), which routes on the client. Files are read and gzipped once, at start.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, extname, join } from "node:path";
import { gzipSync } from "node:zlib";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { BesedaError } from "../../../errors/beseda-error.ts";

const CONTENT_TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".html": "text/html; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
};

/**
 * Scripts and styles only from here; images and audio also from anywhere (a link preview, an item
 * card or a message's image may point at any host, as in production).
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "img-src 'self' data: blob: http: https:",
  "media-src 'self' blob: http: https:",
  "style-src 'self'",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join("; ");

interface ConsoleFile {
  type: string;
  bytes: Buffer;
  gzipped: Buffer;
}

export function consoleDistDir(): string {
  const packageJson = createRequire(import.meta.url).resolve("@beseda/console/package.json");
  return join(dirname(packageJson), "dist");
}

function loadFiles(dir: string): Map<string, ConsoleFile> {
  const files = new Map<string, ConsoleFile>();
  const listed = (sub: string) =>
    existsSync(join(dir, sub))
      ? readdirSync(join(dir, sub), { withFileTypes: true })
          .filter((entry) => entry.isFile())
          .map((entry) => (sub ? `${sub}/${entry.name}` : entry.name))
      : [];
  for (const name of [...listed(""), ...listed("assets")]) {
    const bytes = readFileSync(join(dir, name));
    const type = CONTENT_TYPES[extname(name)] ?? "application/octet-stream";
    files.set(name, { type, bytes, gzipped: gzipSync(bytes) });
  }
  return files;
}

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Beseda console</title></head>
<body><h1>The console is not built</h1>
<p>Its files are made when the project is installed (<code>npm ci</code>). To build them now:
<code>npm run build -w @beseda/console</code>, then restart Beseda.</p></body></html>
`;

function send(request: FastifyRequest, reply: FastifyReply, file: ConsoleFile, cache: string) {
  reply
    .type(file.type)
    .header("Cache-Control", cache)
    .header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    .header("X-Content-Type-Options", "nosniff")
    .header("Referrer-Policy", "same-origin")
    .header("Vary", "Accept-Encoding");
  const acceptsGzip = /\bgzip\b/.test(String(request.headers["accept-encoding"] ?? ""));
  if (acceptsGzip) return reply.header("Content-Encoding", "gzip").send(file.gzipped);
  return reply.send(file.bytes);
}

export function consoleFiles(app: FastifyInstance, dir: string) {
  const files = loadFiles(dir);
  const index = files.get("index.html");
  const page = async (request: FastifyRequest, reply: FastifyReply) => {
    if (!index) return reply.code(503).type("text/html; charset=utf-8").send(NOT_BUILT);
    return send(request, reply, index, "no-cache");
  };
  app.get("/console", page);
  app.get<{ Params: { "*": string } }>("/console/*", async (request, reply) => {
    const path = request.params["*"];
    const file = path === "index.html" ? undefined : files.get(path);
    if (file) {
      const hashed = path.startsWith("assets/");
      return send(
        request,
        reply,
        file,
        hashed ? "public, max-age=31536000, immutable" : "no-cache",
      );
    }
    // A missing asset is a 404, not the page: a stale page asking for an old build's script
    // must see the failure rather than parse HTML as JavaScript.
    if (path.startsWith("assets/")) throw new BesedaError("not_found");
    return page(request, reply);
  });
}

/** Whether the console's files are built (for the start banner). */
export function consoleBuilt(dir: string): boolean {
  return existsSync(join(dir, "index.html"));
}

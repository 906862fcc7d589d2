// The ceiling baseline: a bare node:http server that answers every request with the same bytes
// (status, content type, body) that Beseda answered for the scenario. Run as its own process.
// Usage: node bench/baselines/static-server.ts <response.json>  → prints "listening <port>".
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

const { status, contentType, body } = JSON.parse(
  readFileSync(process.argv[2] as string, "utf8"),
) as {
  status: number;
  contentType: string;
  body: string;
};
const bytes = Buffer.from(body);
const server = createServer((request, response) => {
  request.resume();
  request.on("end", () => {
    response.writeHead(status, { "content-type": contentType, "content-length": bytes.length });
    response.end(bytes);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
  console.log(`listening ${(server.address() as AddressInfo).port}`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));

// Closing the server with a connection open that has not sent a request (a browser's preconnected
// socket, a client that connected and waits): Node counts it as neither idle nor busy and would
// wait for it until the headers timeout; Beseda closes it at once and stops. (That a request in
// flight still gets its answer is startup.test.ts's SIGTERM test.)
import { connect } from "node:net";
import { expect, test } from "vitest";
import { startTestServer } from "./helpers/test-server.ts";

test("a connection that never sent a request does not hold the close open", async () => {
  // Headers timeout and request timeout far beyond the test's own: only the fix can end it sooner.
  const server = await startTestServer({ headersTimeoutMs: 120_000, requestTimeoutMs: 120_000 });
  const silent = connect(Number(new URL(server.url).port), "127.0.0.1");
  await new Promise((resolve) => silent.once("connect", resolve));
  const closedByServer = new Promise((resolve) => silent.once("close", resolve));
  const stopped = await Promise.race([
    server.stop().then(() => "stopped"),
    new Promise((resolve) => setTimeout(() => resolve("still waiting"), 10_000)),
  ]);
  expect(stopped).toBe("stopped");
  await closedByServer;
  silent.destroy();
});

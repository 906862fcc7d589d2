// A TCP proxy in front of a test server, for what a network does to a client of the sandbox API:
// an event stream (GET /sandbox/v1/events) whose bytes are lost while its connection stays open
// (a half-open TCP connection, a stalled middlebox), a stream cut off, a server that restarted
// meanwhile (the reconnection's Last-Event-ID unknown to it), a slow request. Everything else is
// passed on byte for byte: the server and its client are the real ones.

import type { AddressInfo } from "node:net";
import { connect, createServer, type Socket } from "node:net";

export interface SandboxProxy {
  /** The proxy's base URL: give it to a SandboxClient in place of the server's. */
  url: string;
  /** Every GET /sandbox/v1/events seen, with its Last-Event-ID as sent (null: none). */
  streams: { lastEventId: string | null }[];
  /** While on, what the server writes to every event stream is lost; the connections stay. */
  dropEvents(on: boolean): void;
  /** The event streams open now bring nothing from now on, and stay open (half-open). */
  silence(): void;
  /**
   * Ends the event streams open now. `resync`: the next stream's Last-Event-ID is replaced by an
   * id of another run of the server, which then answers `resync`, as after a restart.
   */
  cut(options?: { resync?: boolean }): void;
  /** Holds requests whose request line starts with `prefix` ("POST /sandbox/v1/faults") `ms`. */
  delay(prefix: string, ms: number): void;
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  server: Socket;
  /** It carries an event stream (once its request was seen). */
  events: boolean;
  /** Bytes from the server are dropped for good (silence()). */
  silent: boolean;
  /** The client's bytes go on in order: a held request holds what follows it (its body). */
  sending: Promise<void>;
}

const EVENTS_REQUEST = "GET /sandbox/v1/events";

export async function startSandboxProxy(target: string): Promise<SandboxProxy> {
  const { hostname, port } = new URL(target);
  const pairs = new Set<Pair>();
  let dropping = false;
  let resyncNext = false;
  const delays: { prefix: string; ms: number }[] = [];

  const proxy: SandboxProxy = {
    url: "",
    streams: [],
    dropEvents: (on) => {
      dropping = on;
    },
    silence: () => {
      for (const pair of pairs) if (pair.events) pair.silent = true;
    },
    cut: (options = {}) => {
      if (options.resync) resyncNext = true;
      for (const pair of pairs) {
        if (!pair.events) continue;
        pair.client.destroy();
        pair.server.destroy();
      }
    },
    delay: (prefix, ms) => {
      delays.push({ prefix, ms });
    },
    close: async () => {
      for (const pair of pairs) {
        pair.client.destroy();
        pair.server.destroy();
      }
      await new Promise<void>((resolve) => listener.close(() => resolve()));
    },
  };

  /** A request from the client: noted, rewritten or held as the test asked. */
  const fromClient = (pair: Pair, chunk: Buffer): void => {
    let text = chunk.toString("latin1");
    if (text.startsWith(EVENTS_REQUEST)) {
      pair.events = true;
      if (resyncNext) {
        resyncNext = false;
        text = text.replace(/^last-event-id: .*$/im, "last-event-id: restarted.1");
      }
      proxy.streams.push({ lastEventId: /^last-event-id: (.*)\r$/im.exec(text)?.[1] ?? null });
    }
    const held = delays.find((d) => text.startsWith(d.prefix))?.ms ?? 0;
    const bytes = Buffer.from(text, "latin1");
    pair.sending = pair.sending
      .then(() => (held > 0 ? new Promise((resolve) => setTimeout(resolve, held)) : undefined))
      .then(() => {
        if (pair.server.writable) pair.server.write(bytes);
      });
  };

  const listener = createServer((client) => {
    const server = connect(Number(port), hostname);
    const pair: Pair = {
      client,
      server,
      events: false,
      silent: false,
      sending: Promise.resolve(),
    };
    pairs.add(pair);
    client.on("data", (chunk: Buffer) => fromClient(pair, chunk));
    server.on("data", (chunk: Buffer) => {
      if (pair.events && (pair.silent || dropping)) return;
      client.write(chunk);
    });
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      server.destroy();
    };
    client.on("close", end);
    server.on("close", end);
    client.on("error", end);
    server.on("error", end);
  });
  await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", () => resolve()));
  proxy.url = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
  return proxy;
}

// A TCP proxy between a server and its database, for what losing the database does: `cut()` breaks
// every connection open through it and refuses new ones (each is accepted and closed at once, as a
// database that went away looks to a client); `stall()` keeps every connection open but holds
// their bytes (a database that hangs, a network path that drops packets); `restore()` forwards
// again. Bytes are passed on as they are; nothing of the protocol is read.
import { type AddressInfo, connect, createServer, type Socket } from "node:net";

export interface TcpProxy {
  /** Where the proxy listens on 127.0.0.1. */
  port: number;
  /** Destroys every open connection; until restore(), new ones are closed as soon as accepted. */
  cut(): void;
  /** Holds the bytes of every connection, open now or opened until restore(); none is closed. */
  stall(): void;
  /** New connections are forwarded again, and the held bytes of stalled ones are passed on. */
  restore(): void;
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream: Socket;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<Pair>();
  let mode: "open" | "cut" | "stalled" = "open";
  const flow = (pair: Pair) => {
    pair.client.pipe(pair.upstream);
    pair.upstream.pipe(pair.client);
  };
  const hold = (pair: Pair) => {
    // Unpiped, a socket stops reading: what arrives waits in its buffers for restore().
    pair.client.unpipe(pair.upstream);
    pair.upstream.unpipe(pair.client);
    pair.client.pause();
    pair.upstream.pause();
  };
  const server = createServer((client) => {
    if (mode === "cut") {
      client.destroy();
      return;
    }
    const pair = { client, upstream: connect(target.port, target.host) };
    pairs.add(pair);
    for (const socket of [pair.client, pair.upstream]) {
      // A reset is what a cut does; both sides go together.
      socket.on("error", () => {});
      socket.on("close", () => {
        pairs.delete(pair);
        pair.client.destroy();
        pair.upstream.destroy();
      });
    }
    if (mode === "stalled") hold(pair);
    else flow(pair);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const cutAll = () => {
    mode = "cut";
    for (const pair of pairs) pair.client.destroy();
  };
  return {
    port: (server.address() as AddressInfo).port,
    cut: cutAll,
    stall: () => {
      if (mode === "stalled") return;
      mode = "stalled";
      for (const pair of pairs) hold(pair);
    },
    restore: () => {
      if (mode === "stalled") for (const pair of pairs) flow(pair);
      mode = "open";
    },
    close: async () => {
      cutAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

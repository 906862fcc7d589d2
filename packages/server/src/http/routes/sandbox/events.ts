// GET /sandbox/v1/events → text/event-stream: what happens in the sandbox, live (domain/sandbox/
// live-events.ts): `message`, `chat_read`, `delivery`, `clock`, `world`, each with an id and its
// JSON as data. A client that reconnects with `Last-Event-ID` (EventSource does) or
// `?last_event_id=` gets what it missed, or a `resync` event telling it to fetch the state again.
// A comment every 15 s keeps the connection from looking idle; the server's close ends every
// stream.
import type { Socket } from "node:net";
import type { FastifyInstance } from "fastify";
import type { DomainContext } from "../../../domain/context.ts";
import type { StampedEvent } from "../../../domain/sandbox/live-events.ts";

const HEARTBEAT_MS = 15_000;
/**
 * A watcher that stops reading is let go past this much unsent: its connection is closed, and it
 * reconnects with Last-Event-ID to catch up (or resync) rather than being buffered without end.
 */
const MAX_UNSENT_BYTES = 8 * 1024 * 1024;
/** How long an EventSource waits before it reconnects. */
const RETRY_MS = 2_000;

interface Route {
  Querystring: { last_event_id?: string };
}

function frame({ id, event }: StampedEvent): string {
  return `id: ${id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

export function events(app: FastifyInstance, ctx: DomainContext) {
  const open = new Set<() => void>();
  app.addHook("preClose", async () => {
    for (const end of open) end();
  });

  app.route<Route>({
    method: "GET",
    url: "/events",
    schema: {
      querystring: {
        type: "object",
        properties: { last_event_id: { type: "string", minLength: 1, maxLength: 100 } },
      },
    },
    handler: (request, reply) => {
      const header = request.headers["last-event-id"];
      const lastId = (typeof header === "string" && header) || request.query.last_event_id || null;
      // The stream is written here, not through Fastify's reply, for as long as it lasts.
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-store",
        "x-accel-buffering": "no",
        // Never reused: when the stream ends, so does its connection.
        connection: "close",
      });
      raw.write(`retry: ${RETRY_MS}\n\n`);
      const watching = ctx.live.watch((stamped) => {
        if (raw.writableLength > MAX_UNSENT_BYTES) gone();
        else raw.write(frame(stamped));
      }, lastId);
      if (watching.missed === "resync") raw.write(`event: resync\ndata: {"type":"resync"}\n\n`);
      else for (const stamped of watching.missed) raw.write(frame(stamped));
      const heartbeat = setInterval(() => raw.write(": ping\n\n"), HEARTBEAT_MS);
      const socket: Socket = request.raw.socket;
      /** `closing`: the server ends it (the stream is ended properly); else the client went. */
      const end = (closing: boolean) => {
        if (!open.delete(stop)) return;
        clearInterval(heartbeat);
        watching.stop();
        // With "Connection: close" the socket goes once the stream's end is sent; a client's
        // half-closed one goes at once (it would otherwise stay open until the server answered).
        if (closing && !socket.destroyed) raw.end();
        else socket.destroy();
      };
      const stop = () => end(true);
      const gone = () => end(false);
      open.add(stop);
      socket.once("close", gone);
      socket.once("end", gone);
    },
  });
}

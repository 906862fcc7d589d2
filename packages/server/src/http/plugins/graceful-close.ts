// While the server closes, requests already in flight finish, and their answers say
// "Connection: close" so that keep-alive clients do not hold the shutdown open until their
// sockets time out. Connections that have not sent a request yet (a browser's preconnected
// socket, a client that connected and waits) are closed at once: Node counts them as neither idle
// nor busy, and would wait for them until the headers timeout.
import type { Socket } from "node:net";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";

export const gracefulClose = fp(
  async (app: FastifyInstance) => {
    let closing = false;
    /** Connections accepted that have not begun a request. */
    const unused = new Set<Socket>();
    app.server.on("connection", (socket: Socket) => {
      unused.add(socket);
      socket.once("close", () => unused.delete(socket));
    });
    app.server.on("request", (request: { socket: Socket }) => {
      unused.delete(request.socket);
    });
    app.addHook("preClose", async () => {
      closing = true;
      for (const socket of unused) socket.destroy();
      unused.clear();
    });
    app.addHook("onSend", async (_request, reply) => {
      if (closing) reply.header("connection", "close");
    });
    // A streamed answer (a media file) may have sent its headers before the close began: it could
    // not say "Connection: close", and its socket, idle once the answer ends, would hold the
    // shutdown open for the keep-alive timeout. It is ended here instead.
    app.addHook("onResponse", async (request) => {
      if (closing) request.raw.socket?.end();
    });
  },
  { name: "graceful-close" },
);

// While the server closes, requests already in flight finish, and their answers say
// "Connection: close" so that keep-alive clients do not hold the shutdown open until their
// sockets time out.
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";

export const gracefulClose = fp(
  async (app: FastifyInstance) => {
    let closing = false;
    app.addHook("preClose", async () => {
      closing = true;
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

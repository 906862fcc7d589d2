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
  },
  { name: "graceful-close" },
);

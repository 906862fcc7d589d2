// Answers the domain already wrote as encoded JSON (domain/views/json-bytes.ts) leave as they are;
// every other object is written with JSON.stringify, as Fastify's default serializer does. The
// domain hands each such answer over held: the response releases it once it is done with the
// bytes, so that a dropped answer's memory is freed then rather than at the next full collection.
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { JsonBytes } from "../../domain/views/json-bytes.ts";

export const jsonBytes = fp(
  async (app: FastifyInstance) => {
    app.addHook("preSerialization", (_request, reply, payload, done) => {
      if (payload instanceof JsonBytes) {
        // "close" comes after the write's completion, or after the socket closed (a write still
        // pending then is cancelled first): either way nothing reads the bytes any more.
        reply.raw.once("close", () => payload.release());
      }
      done(null, payload);
    });
    // Fastify sends a Buffer from the serializer as it is, with the JSON content type it set.
    app.setReplySerializer((payload) =>
      payload instanceof JsonBytes ? (payload.bytes as unknown as string) : JSON.stringify(payload),
    );
  },
  { name: "json-bytes" },
);

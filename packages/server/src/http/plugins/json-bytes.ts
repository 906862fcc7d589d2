// Answers the domain already wrote as encoded JSON (domain/views/json-bytes.ts) leave as they are;
// every other object is written with JSON.stringify, as Fastify's default serializer does.
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { JsonBytes } from "../../domain/views/json-bytes.ts";

export const jsonBytes = fp(
  async (app: FastifyInstance) => {
    // Fastify sends a Buffer from the serializer as it is, with the JSON content type it set.
    app.setReplySerializer((payload) =>
      payload instanceof JsonBytes ? (payload.bytes as unknown as string) : JSON.stringify(payload),
    );
  },
  { name: "json-bytes" },
);

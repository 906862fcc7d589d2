// POST /sandbox/v1/chats/{chat_id}/messages {"author_id","type","content","quote_id"?} → 201 the
// message as getMessagesV3 shows it to its author. Any participant may write.
import type { FastifyInstance } from "fastify";
import type { DomainContext } from "../../../domain/context.ts";
import { postSandboxMessage } from "../../../domain/messages.ts";
import { chatParams, userId } from "./schemas.ts";

interface Route {
  Params: { chat_id: string };
  Body: { author_id: number; type: string; content?: unknown; quote_id?: string };
}

export function postMessage(app: FastifyInstance, ctx: DomainContext) {
  app.route<Route>({
    method: "POST",
    url: "/chats/:chat_id/messages",
    schema: {
      params: chatParams,
      body: {
        type: "object",
        properties: {
          author_id: userId,
          type: { type: "string", minLength: 1 },
          content: { type: "object", additionalProperties: true },
          quote_id: { type: "string", pattern: "^[0-9a-f]{32}$" },
        },
        required: ["author_id", "type"],
      },
    },
    handler: async ({ params, body }, reply) => {
      const message = await postSandboxMessage(ctx, params.chat_id, {
        authorId: body.author_id,
        type: body.type,
        content: body.content,
        quoteId: body.quote_id ?? null,
      });
      return reply.code(201).send(message);
    },
  });
}

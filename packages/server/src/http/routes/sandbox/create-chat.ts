// POST /sandbox/v1/chats: {"type":"u2i","item_id","user_id"} (user_id: the buyer),
// {"type":"u2u","user_ids":[a,b]} or {"type":"a2u","user_id"} → 201 the new chat, or 200 the
// chat that the same pair (and item) already has.
import type { FastifyInstance } from "fastify";
import { type OpenChatInput, openChat } from "../../../domain/chats.ts";
import type { DomainContext } from "../../../domain/context.ts";
import { userId } from "./schemas.ts";

type Body =
  | { type: "u2i"; item_id: number; user_id: number }
  | { type: "u2u"; user_ids: [number, number] }
  | { type: "a2u"; user_id: number };

const body = {
  type: "object",
  required: ["type"],
  discriminator: { propertyName: "type" },
  oneOf: [
    {
      properties: { type: { const: "u2i" }, item_id: userId, user_id: userId },
      required: ["type", "item_id", "user_id"],
    },
    {
      properties: {
        type: { const: "u2u" },
        user_ids: { type: "array", items: userId, minItems: 2, maxItems: 2 },
      },
      required: ["type", "user_ids"],
    },
    { properties: { type: { const: "a2u" }, user_id: userId }, required: ["type", "user_id"] },
  ],
};

function inputOf(body: Body): OpenChatInput {
  switch (body.type) {
    case "u2i":
      return { type: "u2i", itemId: body.item_id, buyerId: body.user_id };
    case "u2u":
      return { type: "u2u", userIds: body.user_ids };
    case "a2u":
      return { type: "a2u", userId: body.user_id };
  }
}

export function createChat(app: FastifyInstance, ctx: DomainContext) {
  app.route<{ Body: Body }>({
    method: "POST",
    url: "/chats",
    schema: { body },
    handler: async (request, reply) => {
      const { chat, created } = await openChat(ctx, inputOf(request.body));
      return reply.code(created ? 201 : 200).send(chat);
    },
  });
}

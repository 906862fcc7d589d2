// GET /sandbox/v1/voices?voice_ids=a,b → {"voices_urls":{id:url}}: signed links to voice files,
// built as getVoiceFiles builds them (good for an hour of the sandbox clock), for any stored
// voice whoever's chats carry it; unknown ids are left out, as getVoiceFiles leaves them.
import type { FastifyInstance } from "fastify";
import type { DomainContext } from "../../../domain/context.ts";
import { sandboxVoiceFileUrls } from "../../../domain/voices.ts";

interface Route {
  Querystring: { voice_ids: string[] };
}

export function voiceLinks(app: FastifyInstance, ctx: DomainContext) {
  app.route<Route>({
    method: "GET",
    url: "/voices",
    schema: {
      querystring: {
        type: "object",
        properties: {
          voice_ids: {
            type: "array",
            minItems: 1,
            maxItems: 1000,
            items: { type: "string", minLength: 1, maxLength: 100 },
          },
        },
        required: ["voice_ids"],
      },
    },
    handler: async ({ query }) => sandboxVoiceFileUrls(ctx, query.voice_ids),
  });
}

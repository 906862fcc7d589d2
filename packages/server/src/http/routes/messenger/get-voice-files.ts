// getVoiceFiles — GET /messenger/v1/accounts/{user_id}/getVoiceFiles?voice_ids=…: a signed link,
// good for one hour, for each voice message in the account's chats; other ids are left out.
import type { FastifyInstance } from "fastify";
import type { DomainContext } from "../../../domain/context.ts";
import { voiceFileUrls } from "../../../domain/voices.ts";
import { validationError } from "../../../errors/beseda-error.ts";
import { operationRoute } from "../../openapi/operation-route.ts";

interface Route {
  Params: { user_id: number };
  Querystring: { voice_ids: string[] };
}

export function getVoiceFiles(app: FastifyInstance, ctx: DomainContext) {
  app.route<Route>({
    ...operationRoute("getVoiceFiles"),
    handler: async ({ params, query }) => {
      // voice_ids= (present but empty) is as missing as no parameter at all.
      if (query.voice_ids.length === 0)
        throw validationError({ voice_ids: "must name at least one voice_id" });
      return voiceFileUrls(ctx, params.user_id, query.voice_ids);
    },
  });
}

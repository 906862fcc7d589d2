// POST /sandbox/v1/voices (multipart, field file) → 201 {"voice_id"}: only Opus audio in an MP4
// container is accepted, as production's voice messages are.
import type { FastifyInstance } from "fastify";
import type { DomainContext } from "../../../domain/context.ts";
import { MAX_VOICE_BYTES, storeVoice } from "../../../domain/voices.ts";
import { readSingleUpload } from "../../multipart-upload.ts";

export function uploadVoice(app: FastifyInstance, ctx: DomainContext) {
  app.post("/voices", async (request, reply) => {
    const file = await readSingleUpload(request, {
      field: "file",
      maxBytes: MAX_VOICE_BYTES,
      tooLarge: "voice_too_large",
    });
    return reply.code(201).send(await storeVoice(ctx, file));
  });
}

// Media files, served by Beseda itself: image sizes (public, cached for good: their bytes never
// change) and voice files behind signed links that expire after an hour, with range requests.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { DomainContext } from "../../../domain/context.ts";
import { imageFile } from "../../../domain/images.ts";
import { voiceFile } from "../../../domain/voices.ts";
import { BesedaError } from "../../../errors/beseda-error.ts";
import { parseByteRange } from "../../byte-range.ts";

function notModified(request: FastifyRequest, etag: string): boolean {
  const given = request.headers["if-none-match"];
  return given?.split(",").some((tag) => tag.trim() === etag) ?? false;
}

/** Streams a blob, whole or the one range asked for. */
function sendBlob(
  ctx: DomainContext,
  request: FastifyRequest,
  reply: FastifyReply,
  blob: { key: string; bytes: number; type: string; etag: string },
) {
  reply.header("ETag", blob.etag).header("Accept-Ranges", "bytes").type(blob.type);
  if (notModified(request, blob.etag)) return reply.code(304).send();
  const range = parseByteRange(request.headers.range, blob.bytes);
  if (range === "unsatisfiable") {
    return reply.code(416).header("Content-Range", `bytes */${blob.bytes}`).send();
  }
  if (range) {
    reply.code(206).header("Content-Range", `bytes ${range.start}-${range.end}/${blob.bytes}`);
    reply.header("Content-Length", range.end - range.start + 1);
    return reply.send(ctx.media.blobs.read(blob.key, range));
  }
  reply.header("Content-Length", blob.bytes);
  return reply.send(ctx.media.blobs.read(blob.key));
}

export function mediaRoutes(app: FastifyInstance, ctx: DomainContext) {
  app.get<{ Params: { size: string; file: string } }>(
    "/media/images/:size/:file",
    async (request, reply) => {
      const imageId = /^(\d+\.[0-9a-f]{32})\.jpg$/.exec(request.params.file)?.[1];
      if (!imageId) throw new BesedaError("not_found");
      const file = await imageFile(ctx, imageId, request.params.size);
      reply.header("Cache-Control", "public, max-age=31536000, immutable");
      return sendBlob(ctx, request, reply, { ...file, type: "image/jpeg", etag: `"${file.key}"` });
    },
  );

  app.get<{ Params: { file: string }; Querystring: { expires?: string; signature?: string } }>(
    "/media/voices/:file",
    async (request, reply) => {
      const voiceId = /^([0-9a-f]{32})\.mp4$/.exec(request.params.file)?.[1];
      const expires = Number(request.query.expires);
      if (!voiceId) throw new BesedaError("not_found");
      if (!Number.isSafeInteger(expires) || typeof request.query.signature !== "string") {
        throw new BesedaError("link_invalid");
      }
      const file = await voiceFile(ctx, voiceId, expires, request.query.signature);
      // Private: the link is a credential; caches may keep it no longer than it lives.
      const lifetime = Math.max(0, file.expires - ctx.clock.now());
      reply.header("Cache-Control", `private, max-age=${lifetime}`);
      return sendBlob(ctx, request, reply, { ...file, type: "audio/mp4", etag: `"${file.key}"` });
    },
  );
}

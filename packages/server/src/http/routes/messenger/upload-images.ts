// uploadImages — POST /messenger/v1/accounts/{user_id}/uploadImages: one image per request in the
// multipart field uploadfile[]; answers {"<image_id>": {"1280x960": url, …}}.
import type { FastifyInstance } from "fastify";
import type { DomainContext } from "../../../domain/context.ts";
import { MAX_IMAGE_BYTES, uploadImage } from "../../../domain/images.ts";
import { readSingleUpload } from "../../multipart-upload.ts";
import { operationRoute } from "../../openapi/operation-route.ts";

export const IMAGE_UPLOAD = {
  field: "uploadfile[]",
  maxBytes: MAX_IMAGE_BYTES,
  tooLarge: "image_too_large",
} as const;

export function uploadImages(app: FastifyInstance, ctx: DomainContext) {
  app.route<{ Params: { user_id: number } }>({
    ...operationRoute("uploadImages"),
    handler: async (request) =>
      uploadImage(ctx, request.params.user_id, await readSingleUpload(request, IMAGE_UPLOAD)),
  });
}

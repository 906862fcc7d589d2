// POST /sandbox/v1/accounts/{user_id}/images (multipart, field uploadfile[]) → 201 the same map
// as uploadImages: how the other side uploads the images it then sends.
import type { FastifyInstance } from "fastify";
import type { DomainContext } from "../../../domain/context.ts";
import { uploadImage as upload } from "../../../domain/images.ts";
import { readSingleUpload } from "../../multipart-upload.ts";
import { IMAGE_UPLOAD } from "../messenger/upload-images.ts";
import { accountParams } from "./schemas.ts";

export function uploadImage(app: FastifyInstance, ctx: DomainContext) {
  app.route<{ Params: { user_id: number } }>({
    method: "POST",
    url: "/accounts/:user_id/images",
    schema: { params: accountParams },
    handler: async (request, reply) =>
      reply
        .code(201)
        .send(
          await upload(ctx, request.params.user_id, await readSingleUpload(request, IMAGE_UPLOAD)),
        ),
  });
}

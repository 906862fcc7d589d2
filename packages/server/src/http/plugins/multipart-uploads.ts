// The routes that take multipart uploads, in a context of their own: the multipart parser is
// registered there only, so every other route answers a multipart body with 415 as before. The
// parent's hooks (bearer or admin auth, rate limits) still run. Limits are set per upload
// (http/multipart-upload.ts); nothing is written to disk while parsing.
import multipart from "@fastify/multipart";
import type { FastifyInstance } from "fastify";
import type { DomainContext } from "../../domain/context.ts";

type UploadRoute = (app: FastifyInstance, ctx: DomainContext) => void;

export async function multipartUploads(
  app: FastifyInstance,
  options: { routes: readonly UploadRoute[]; ctx: DomainContext },
) {
  await app.register(multipart, { throwFileSizeLimit: true });
  for (const register of options.routes) register(app, options.ctx);
}

// DELETE /sandbox/v1/faults/{id} → the rule as it was last, with its final counts; 404 unknown.
import type { FastifyInstance } from "fastify";
import type { DomainContext } from "../../../domain/context.ts";
import { deleteFault as remove } from "../../../domain/sandbox/faults.ts";

export function deleteFault(app: FastifyInstance, ctx: DomainContext) {
  app.route<{ Params: { id: string } }>({
    method: "DELETE",
    url: "/faults/:id",
    schema: {
      params: {
        type: "object",
        properties: { id: { type: "string", minLength: 1, maxLength: 100 } },
        required: ["id"],
      },
    },
    handler: async ({ params }) => remove(ctx, params.id),
  });
}

// GET /sandbox/v1/faults → {"faults":[{"id","fired","matched","spent",…the rule}]}, oldest first;
// spent rules stay listed, with their counts, until removed.
import type { FastifyInstance } from "fastify";
import type { DomainContext } from "../../../domain/context.ts";
import { listFaults as list } from "../../../domain/sandbox/faults.ts";

export function listFaults(app: FastifyInstance, ctx: DomainContext) {
  app.get("/faults", async () => list(ctx));
}

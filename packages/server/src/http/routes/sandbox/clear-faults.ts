// DELETE /sandbox/v1/faults → {"deleted":n}: every rule removed.
import type { FastifyInstance } from "fastify";
import type { DomainContext } from "../../../domain/context.ts";
import { clearFaults as clear } from "../../../domain/sandbox/faults.ts";

export function clearFaults(app: FastifyInstance, ctx: DomainContext) {
  app.delete("/faults", async () => clear(ctx));
}
